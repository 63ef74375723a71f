package io.zktenantproxy.proxy.compat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of the proxy that keeps, per connection, the first frame each way (the
 * {@code ConnectRequest} and {@code ConnectResponse} of {@code zookeeper.jute}) and the {@code RequestHeader} of
 * every later client frame, so that a test can say what an external client really put on the wire. It forwards the
 * bytes unchanged, frame by frame towards the proxy, as they come towards the client. Blocking sockets with two
 * threads per connection: a test relays a handful of connections.
 */
final class WireRelay implements AutoCloseable {
    /** Largest client frame relayed: jute.maxbuffer's default plus slack; nothing in these tests comes near it. */
    private static final int MAX_FRAME = 1 << 21;

    private final ServerSocket server;
    private final int targetPort;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private WireRelay(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** Starts relaying a free loopback port to {@code 127.0.0.1:targetPort} (which may come and go meanwhile). */
    static WireRelay start(int targetPort) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        WireRelay relay = new WireRelay(server, targetPort);
        daemon("relay-accept", relay::acceptLoop).start();
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every connection relayed so far, in the order they were accepted. */
    List<Connection> connections() {
        return List.copyOf(connections);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(client);
            Socket upstream = new Socket();
            sockets.add(upstream);
            try {
                upstream.connect(new InetSocketAddress("127.0.0.1", targetPort), 5_000);
            } catch (IOException proxyDown) {
                // The proxy is restarting: refuse as the proxy itself would, the client retries.
                closeQuietly(client, upstream);
                continue;
            }
            Connection c = new Connection();
            connections.add(c);
            daemon("relay-up", () -> pumpUp(c, client, upstream)).start();
            daemon("relay-down", () -> pumpDown(c, upstream, client)).start();
        }
    }

    /** Client to proxy: whole frames, the first one kept, then the header of each. */
    private void pumpUp(Connection c, Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream())) {
            OutputStream out = to.getOutputStream();
            boolean first = true;
            while (true) {
                int length = in.readInt();
                if (length < 0 || length > MAX_FRAME) {
                    throw new IOException("length: " + length + " (expected: 0.." + MAX_FRAME + ")");
                }
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    return;
                }
                if (first) {
                    c.connectRequest = body;
                    first = false;
                } else if (length >= 8) {
                    ByteBuffer b = ByteBuffer.wrap(body);
                    c.requests.add(new Header(b.getInt(0), b.getInt(4)));
                }
                out.write(ByteBuffer.allocate(4).putInt(length).array());
                out.write(body);
                out.flush();
            }
        } catch (IOException endOfConnection) {
            // either side closed: close the other
        } finally {
            closeQuietly(from, to);
        }
    }

    /** Proxy to client: the first frame kept, everything relayed as it comes. */
    private void pumpDown(Connection c, Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream())) {
            OutputStream out = to.getOutputStream();
            int length = in.readInt();
            if (length < 0 || length > MAX_FRAME) {
                throw new IOException("length: " + length + " (expected: 0.." + MAX_FRAME + ")");
            }
            byte[] body = in.readNBytes(length);
            c.connectResponse = body;
            out.write(ByteBuffer.allocate(4).putInt(length).array());
            out.write(body);
            out.flush();
            in.transferTo(out);
        } catch (IOException endOfConnection) {
            // either side closed: close the other
        } finally {
            closeQuietly(from, to);
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Socket... sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeQuietly(sockets.toArray(new Socket[0]));
    }

    /** A client request's {@code RequestHeader{int xid, int type}}. */
    record Header(int xid, int type) {
    }

    /** What one relayed connection carried. */
    static final class Connection {
        private volatile byte[] connectRequest;
        private volatile byte[] connectResponse;
        private final List<Header> requests = new CopyOnWriteArrayList<>();

        /** The client's first frame without its length, or null before it arrived. */
        byte[] connectRequest() {
            return connectRequest;
        }

        /** The proxy's first frame without its length, or null before it arrived. */
        byte[] connectResponse() {
            return connectResponse;
        }

        /** Headers of the client's frames after the ConnectRequest. */
        List<Header> requests() {
            return List.copyOf(requests);
        }

        /** {@code ConnectRequest.sessionId} (after protocolVersion, lastZxidSeen, timeOut). */
        long requestedSession() {
            return ByteBuffer.wrap(connectRequest).getLong(16);
        }

        /**
         * Bytes after {@code ConnectRequest{int, long, int, long, buffer passwd}}: 0 without the optional
         * {@code readOnly} boolean, 1 with it.
         */
        int requestTrailingBytes() {
            return trailing(connectRequest, 24);
        }

        /**
         * Bytes after {@code ConnectResponse{int, int, long, buffer passwd}}: 0 without the optional {@code readOnly}
         * boolean, 1 with it.
         */
        int responseTrailingBytes() {
            return trailing(connectResponse, 16);
        }

        private static int trailing(byte[] body, int passwdAt) {
            ByteBuffer b = ByteBuffer.wrap(body);
            int passwd = b.getInt(passwdAt);
            return body.length - (passwdAt + 4 + Math.max(passwd, 0));
        }
    }
}

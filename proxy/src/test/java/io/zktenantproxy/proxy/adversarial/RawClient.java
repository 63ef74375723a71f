package io.zktenantproxy.proxy.adversarial;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.ServerReply;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.proto.ConnectResponse;

/**
 * A ZooKeeper client that speaks raw frames over a plain socket, so a test can send anything at all and see every
 * byte that comes back. Every frame received is kept ({@link #received()}) for the leak scans. Frames are built and
 * read with the wire test kit ({@link JuteFrames}, {@link ServerReply}).
 */
final class RawClient implements AutoCloseable {
    /** Longest wait for any one read; CI is a loaded 2-core machine. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<byte[]> received = new ArrayList<>();
    private final List<ServerReply> notifications = new ArrayList<>();
    private final String name;

    private RawClient(String name, Socket socket) throws IOException {
        this.name = name;
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects (TCP only) to {@code address}. */
    static RawClient open(String name, InetSocketAddress address) throws IOException {
        return open(name, address, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes, 0 for the system default */
    static RawClient open(String name, InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.connect(address, (int) READ_TIMEOUT.toMillis());
        return new RawClient(name, socket);
    }

    /** Opens a new session and waits for it. */
    ConnectResponse handshake() throws IOException {
        return handshake(0, new byte[16]);
    }

    /** Opens ({@code sessionId} 0) or resumes a session and waits for the ConnectResponse. */
    ConnectResponse handshake(long sessionId, byte[] passwd) throws IOException {
        send(JuteFrames.connectRequest(sessionId, passwd));
        return readConnectResponse();
    }

    ConnectResponse readConnectResponse() throws IOException {
        return JuteReader.readFirst(readFrame(), new ConnectResponse());
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends {@code bytes} one byte per write (TCP_NODELAY is on, so each byte is its own segment). */
    void sendByteByByte(byte[] bytes) throws IOException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
    }

    /** One whole frame's body; notifications are not filtered here. */
    byte[] readFrame() throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
            throw new IOException(name + ": reply length " + length);
        }
        byte[] body = new byte[length];
        in.readFully(body);
        received.add(body);
        return body;
    }

    ServerReply readReply() throws IOException {
        return ServerReply.read(readFrame());
    }

    /**
     * Reads the reply to {@code xid}, keeping notifications aside and skipping ping replies.
     *
     * @throws AssertionError if a reply to another request comes first (replies must come in request order)
     */
    ServerReply replyTo(int xid) throws IOException {
        while (true) {
            ServerReply r = readReply();
            if (r.xid() == Xids.NOTIFICATION) {
                notifications.add(r);
            } else if (r.xid() != Xids.PING) {
                if (r.xid() != xid) {
                    throw new AssertionError(name + ": reply xid " + r.xid() + " (expected: " + xid + ")");
                }
                return r;
            }
        }
    }

    /** Sends one request frame and reads its reply. */
    ServerReply call(int xid, byte[] request) throws IOException {
        send(request);
        return replyTo(xid);
    }

    /** @return whether the peer closed the connection within {@code timeout} (anything read meanwhile is kept) */
    boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    int n = in.read(buf);
                    if (n < 0) {
                        return true;
                    }
                    rest.write(buf, 0, n);
                } catch (SocketTimeoutException e) {
                    // keep waiting until the deadline
                }
            }
            return false;
        } catch (SocketException e) {
            return true; // reset by the peer
        } finally {
            if (rest.size() > 0) {
                received.add(rest.toByteArray());
            }
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        }
    }

    /** Reads until the peer closes (a four-letter word's answer); null if it does not close in time. */
    String readToClose() throws IOException {
        int before = received.size();
        if (!awaitClosed(READ_TIMEOUT)) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = before; i < received.size(); i++) {
            sb.append(new String(received.get(i), StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    /** @return whether a read hits end of stream right away or after {@code timeout} of silence */
    boolean isOpenAfterPing() throws IOException {
        try {
            send(JuteFrames.request(Xids.PING, OpCode.PING.code()));
            while (true) {
                ServerReply r = readReply();
                if (r.xid() == Xids.PING) {
                    return true;
                }
                if (r.xid() == Xids.NOTIFICATION) {
                    notifications.add(r);
                }
            }
        } catch (EOFException | SocketException e) {
            return false;
        }
    }

    /** Ends the session (its ephemerals go at once) if the connection is still open, then closes. */
    void closeSession() {
        try {
            if (!socket.isClosed()) {
                send(JuteFrames.request(Integer.MAX_VALUE, OpCode.CLOSE_SESSION.code()));
                awaitClosed(Duration.ofSeconds(10));
            }
        } catch (IOException e) {
            // already gone
        }
    }

    List<byte[]> received() {
        return received;
    }

    List<ServerReply> notifications() {
        return notifications;
    }

    String name() {
        return name;
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

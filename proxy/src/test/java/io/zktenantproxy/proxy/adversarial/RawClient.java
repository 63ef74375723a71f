package io.zktenantproxy.proxy.adversarial;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ZooKeeper client that speaks raw frames over a plain socket, so a test can send anything at all and see every
 * byte that comes back. Every frame received is kept ({@link #received()}) for the leak scans.
 */
final class RawClient implements AutoCloseable {
    /** Longest wait for any one read; CI is a loaded 2-core machine. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** {@code ReplyHeader} and the body after it. */
    record Reply(int xid, long zxid, int err, byte[] body) {
        /** The body's first {@code ustring} (create, sync), as text. */
        String path() {
            ByteBuffer b = ByteBuffer.wrap(body);
            byte[] s = new byte[b.getInt()];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        /** The body read as {@code vector<ustring>} (getEphemerals, getChildren). */
        List<String> strings() {
            ByteBuffer b = ByteBuffer.wrap(body);
            int n = b.getInt();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] s = new byte[b.getInt()];
                b.get(s);
                out.add(new String(s, StandardCharsets.UTF_8));
            }
            return out;
        }

        /** A notification's {@code WatcherEvent.path}. */
        String eventPath() {
            ByteBuffer b = ByteBuffer.wrap(body);
            b.getInt();
            b.getInt();
            byte[] s = new byte[b.getInt()];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }
    }

    /** {@code ConnectResponse}. */
    record Session(int timeoutMs, long sessionId, byte[] passwd) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<byte[]> received = new ArrayList<>();
    private final List<Reply> notifications = new ArrayList<>();
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
    Session handshake() throws IOException {
        return handshake(0, new byte[16]);
    }

    /** Opens ({@code sessionId} 0) or resumes a session and waits for the ConnectResponse. */
    Session handshake(long sessionId, byte[] passwd) throws IOException {
        send(RawFrames.connect(sessionId, passwd, 30_000));
        return readSession();
    }

    Session readSession() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(readFrame());
        b.getInt(); // protocolVersion
        int timeout = b.getInt();
        long id = b.getLong();
        byte[] passwd = new byte[b.getInt()];
        b.get(passwd);
        return new Session(timeout, id, passwd);
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

    Reply readReply() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(readFrame());
        int xid = b.getInt();
        long zxid = b.getLong();
        int err = b.getInt();
        return new Reply(xid, zxid, err, Arrays.copyOfRange(b.array(), 16, b.capacity()));
    }

    /**
     * Reads the reply to {@code xid}, keeping notifications aside and skipping ping replies.
     *
     * @throws AssertionError if a reply to another request comes first (replies must come in request order)
     */
    Reply replyTo(int xid) throws IOException {
        while (true) {
            Reply r = readReply();
            if (r.xid() == -1) {
                notifications.add(r);
            } else if (r.xid() != -2) {
                if (r.xid() != xid) {
                    throw new AssertionError(name + ": reply xid " + r.xid() + " (expected: " + xid + ")");
                }
                return r;
            }
        }
    }

    /**
     * @return the error code of each {@code ErrorResult} in a {@code MultiResponse} body made only of them (a failed
     *         multi), in order
     * @throws AssertionError if a result is anything but an {@code ErrorResult}
     */
    static List<Integer> multiErrors(Reply reply) {
        ByteBuffer b = ByteBuffer.wrap(reply.body());
        List<Integer> errs = new ArrayList<>();
        while (true) {
            int type = b.getInt();
            boolean done = b.get() != 0;
            int err = b.getInt();
            if (done) {
                if (b.hasRemaining()) {
                    throw new AssertionError("bytes after the MultiResponse end marker");
                }
                return errs;
            }
            if (type != -1) {
                throw new AssertionError("result of type " + type + " in a failed multi");
            }
            int errorResponse = b.getInt();
            if (errorResponse != err) {
                throw new AssertionError("ErrorResponse " + errorResponse + " under MultiHeader err " + err);
            }
            errs.add(err);
        }
    }

    /** Sends one request frame and reads its reply. */
    Reply call(int xid, byte[] request) throws IOException {
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
            send(RawFrames.request(-2, 11).frame());
            while (true) {
                Reply r = readReply();
                if (r.xid() == -2) {
                    return true;
                }
                if (r.xid() == -1) {
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
                send(RawFrames.request(Integer.MAX_VALUE, -11).frame());
                awaitClosed(Duration.ofSeconds(10));
            }
        } catch (IOException e) {
            // already gone
        }
    }

    List<byte[]> received() {
        return received;
    }

    List<Reply> notifications() {
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

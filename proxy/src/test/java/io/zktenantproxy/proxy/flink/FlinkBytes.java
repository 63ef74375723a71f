package io.zktenantproxy.proxy.flink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * Leader information bytes as Flink writes them, produced by a real {@link ObjectOutputStream} the way
 * {@code ZooKeeperUtils.writeLeaderInformationToZooKeeper} does ({@code writeUTF(address); writeObject(sessionId);
 * close()}), and an oracle that reads bytes back as Flink does, with an {@link ObjectInputStream} restricted to
 * {@code java.util.UUID} (test-only, on bytes the tests made).
 */
public final class FlinkBytes {
    static final String DISPATCHER = "pekko.tcp://flink@10.0.0.7:6123/user/rpc/dispatcher_1";
    static final UUID SESSION = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");

    private FlinkBytes() {
    }

    /** @return what Flink writes for {@code address} and {@code session} (which may be null) */
    public static byte[] leaderInfo(String address, UUID session) {
        return write(oos -> {
            oos.writeUTF(address);
            oos.writeObject(session);
        });
    }

    /** Writes to an {@link ObjectOutputStream}. */
    public interface Writer {
        void write(ObjectOutputStream oos) throws IOException;
    }

    /** A class whose deserialization would be noticed: a parser must refuse it unread. */
    public static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Set if anything ever turns a Gadget's bytes back into an object. */
        public static volatile boolean deserialized;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            deserialized = true;
            in.defaultReadObject();
        }
    }

    /** @return the bytes of an {@link ObjectOutputStream} after {@code writer} and {@code close()} */
    public static byte[] write(Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
                writer.write(oos);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flink's reader, {@code ZooKeeperUtils.readLeaderInformation}, with only UUID allowed; null if it fails. */
    static LeaderInfo oracle(byte[] data) {
        ObjectInputFilter onlyUuid = info -> info.serialClass() == null
                ? (info.depth() > 2 || info.references() > 4 || info.streamBytes() > 70_000
                ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED)
                : info.serialClass() == UUID.class ? ObjectInputFilter.Status.ALLOWED
                : ObjectInputFilter.Status.REJECTED;
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(data))) {
            ois.setObjectInputFilter(onlyUuid);
            String address = ois.readUTF();
            Object session = ois.readObject();
            if (session != null && !(session instanceof UUID)) {
                return null;
            }
            return LeaderInfo.known(address, session == null ? null : session.toString());
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return null;
        }
    }
}

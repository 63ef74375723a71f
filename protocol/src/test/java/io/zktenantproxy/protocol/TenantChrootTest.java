package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chroot's two rules, table-driven, on Strings and on the bytes of a frame: {@code prepend} after the path rules,
 * {@code strip} only for the chroot itself or paths under {@code chroot + "/"} (tenant {@code /tenants/t1} must never
 * see {@code /tenants/t12}).
 */
class TenantChrootTest {

    @ParameterizedTest(name = "{0} + {1} (sequential {2}) = {3}")
    @CsvSource(delimiter = '|', textBlock = """
            /tenants/t1   | /          | false | /tenants/t1
            /tenants/t1   | /          | true  | /tenants/t1/
            /tenants/t1   | /a         | false | /tenants/t1/a
            /tenants/t1   | /a/b/c     | false | /tenants/t1/a/b/c
            /tenants/t1   | /latch/    | true  | /tenants/t1/latch/
            /tenants/t1   | /lock-     | true  | /tenants/t1/lock-
            /tenants/t1   | /a/.       | true  | /tenants/t1/a/.
            /tenants/t1   | /zookeeper | false | /tenants/t1/zookeeper
            /t            | /x         | false | /t/x
            /tenants/été  | /ü         | false | /tenants/été/ü
            """)
    void prepend(String root, String clientPath, boolean sequential, String serverPath) {
        TenantChroot chroot = new TenantChroot(root);
        assertEquals(serverPath, chroot.prepend(clientPath, sequential));
        assertEquals(serverPath, prependOnBytes(chroot, clientPath, sequential));
        if (!sequential) {
            assertEquals(clientPath, chroot.strip(serverPath), "strip undoes prepend");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "/a/", "//", "/a//b", "/a/./b", "/a/..", "/a\u0000b", "/\u0001", "/\uffff"})
    void prependRefusesWhatThePathRulesRefuse(String clientPath) {
        TenantChroot chroot = new TenantChroot("/tenants/t1");
        assertThrows(InvalidPathException.class, () -> chroot.prepend(clientPath));
    }

    @ParameterizedTest(name = "strip {1} from {0} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /tenants/t1  | /tenants/t1            | /
            /tenants/t1  | /tenants/t1/x          | /x
            /tenants/t1  | /tenants/t1/t12        | /t12
            /tenants/t1  | /tenants/t1/0000000007 | /0000000007
            /tenants/t12 | /tenants/t12/x         | /x
            /tenants/été | /tenants/été/ü         | /ü
            """)
    void strip(String root, String serverPath, String clientPath) {
        TenantChroot chroot = new TenantChroot(root);
        assertEquals(clientPath, chroot.strip(serverPath));
        assertEquals(clientPath, stripOnBytes(chroot, serverPath));
    }

    /** Prefix collisions and everything else outside the chroot: never stripped, always a violation. */
    @ParameterizedTest(name = "{1} is outside {0}")
    @CsvSource(delimiter = '|', textBlock = """
            /tenants/t1  | /tenants/t12/x
            /tenants/t1  | /tenants/t12
            /tenants/t1  | /tenants/t1x
            /tenants/t1  | /tenants/t1.
            /tenants/t1  | /tenants/t
            /tenants/t1  | /tenants
            /tenants/t1  | /
            /tenants/t1  | /other/tenants/t1
            /tenants/t1  | tenants/t1/x
            /tenants/t1  | /Tenants/t1
            /tenants/t12 | /tenants/t1
            /tenants/t12 | /tenants/t1/2
            /tenants/été | /tenants/étè/x
            """)
    void stripRefusesEverythingOutsideTheChroot(String root, String serverPath) {
        TenantChroot chroot = new TenantChroot(root);
        assertThrows(IsolationViolationException.class, () -> chroot.strip(serverPath));
        assertThrows(IsolationViolationException.class, () -> stripOnBytes(chroot, serverPath));
        assertEquals(false, chroot.contains(serverPath));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "tenants", "/tenants/", "/tenants//t1", "/tenants/./t1", "/tenants/..",
            "/tenants/t\u0000", "/tenants/\ud83d\ude00"})
    void chrootMustBeAValidPathOtherThanTheRoot(String root) {
        assertThrows(IllegalArgumentException.class, () -> new TenantChroot(root));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a", "/tenants/t1", "/tenants/t1/x"})
    void nullServerPathIsOutside(String root) {
        TenantChroot chroot = new TenantChroot(root);
        assertEquals(false, chroot.contains(null));
        assertThrows(IsolationViolationException.class, () -> chroot.strip(null));
    }

    /** The frame-level splice, as the rewriters use it: jute ustring out, length included. */
    private static String prependOnBytes(TenantChroot chroot, String clientPath, boolean sequential) {
        byte[] path = clientPath.getBytes(StandardCharsets.UTF_8);
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {9, 9}, path); // the path at a non-zero index
        ByteBuf out = Unpooled.buffer();
        chroot.writePrepended(out, in, 2, path.length, sequential);
        assertEquals(out.readableBytes(), chroot.prependedBytes(path.length, sequential));
        return Jute.readString(out, "path");
    }

    private static String stripOnBytes(TenantChroot chroot, String serverPath) {
        byte[] path = serverPath.getBytes(StandardCharsets.UTF_8);
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {9, 9, 9}, path);
        ByteBuf out = Unpooled.buffer();
        chroot.writeStripped(out, in, 3, path.length);
        return Jute.readString(out, "path");
    }
}

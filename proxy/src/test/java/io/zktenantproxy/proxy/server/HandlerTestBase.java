package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.zktenantproxy.protocol.testkit.ParanoidLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stage of every example-based test of the handler layer: a fresh {@link ConnectionHarness} per test (a test may
 * replace it with one of other limits), run under Netty's PARANOID leak detector. After every test nothing may be
 * left unread in either channel and every buffer the harness allocated must have been released.
 */
@ExtendWith(ParanoidLeakDetection.class)
abstract class HandlerTestBase {
    /** The tenant's chroot: the upstream paths the tests expect are written with it. */
    static final String C = ConnectionHarness.CHROOT;
    ConnectionHarness proxy = new ConnectionHarness();

    @AfterEach
    void nothingLeftNothingLeaked() {
        assertFalse(proxy.finish(), "unread messages left in a channel");
        proxy.alloc.assertAllReleased();
    }
}

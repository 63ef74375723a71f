package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.zktenantproxy.proxy.config.ServerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Transport#select}: the choices, {@code auto}'s order and what it says about what it passed over, and the
 * refusal of a named transport this machine cannot start. (With native transports disabled, in a JVM of its own:
 * {@code FatJarIT}.)
 */
class TransportTest {
    @BeforeAll
    static void selectFirst() {
        Transport.select("auto"); // first, as in the proxy: before anything else loads Netty's io_uring classes
    }

    @Test
    void ioUringAcceptsOneConnectionPerRequestSoThatAPausedListenerStopsAccepting() {
        if (IoUring.isAvailable()) {
            assertFalse(IoUring.isAcceptMultishotEnabled(), "a multishot accept outruns AcceptPacer");
        }
    }

    @Test
    void autoTakesIoUringThenEpollThenNio() {
        Transport auto = Transport.select("auto");
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        assertEquals(expected, auto.name());
        assertEquals(expected.equals("io_uring"), auto.passedOver().isEmpty(), auto.passedOver().toString());
        if (!IoUring.isAvailable()) {
            assertTrue(auto.passedOver().get(0).startsWith("io_uring: "), auto.passedOver().toString());
        }
    }

    @Test
    void aNamedTransportRunsAsNamedOrIsRefusedWithTheReason() {
        if (IoUring.isAvailable()) {
            Transport ioUring = Transport.select("io_uring");
            assertEquals("io_uring", ioUring.name());
            assertEquals(IoUringServerSocketChannel.class, ioUring.serverChannel());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Transport.select("io_uring"));
            assertTrue(e.getMessage().startsWith("transport io_uring cannot start on this machine: "), e.getMessage());
        }
        Transport nio = Transport.select("nio");
        assertEquals("nio", nio.name());
        assertEquals(NioServerSocketChannel.class, nio.serverChannel());
        assertTrue(nio.passedOver().isEmpty());
    }

    @Test
    void anUnknownNameIsRefusedListingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.select("uring"));
        assertEquals("transport 'uring' (expected one of auto, io_uring, epoll, nio)", e.getMessage());
    }

    @Test
    void theConfigurationNamesTheTransportElseTheSystemPropertyElseAuto() {
        String before = System.getProperty(ServerConfig.TRANSPORT_PROPERTY);
        try {
            System.clearProperty(ServerConfig.TRANSPORT_PROPERTY);
            assertEquals("auto", ServerConfig.defaults().effectiveTransport());
            System.setProperty(ServerConfig.TRANSPORT_PROPERTY, "nio");
            assertEquals("nio", ServerConfig.defaults().effectiveTransport());
            assertEquals("epoll", new ServerConfig("epoll").effectiveTransport());
        } finally {
            if (before == null) {
                System.clearProperty(ServerConfig.TRANSPORT_PROPERTY);
            } else {
                System.setProperty(ServerConfig.TRANSPORT_PROPERTY, before);
            }
        }
    }
}

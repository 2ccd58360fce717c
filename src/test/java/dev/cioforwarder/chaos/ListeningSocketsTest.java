package dev.cioforwarder.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /proc reader behind the "local services bind to 127.0.0.1 only" check, checked itself. */
class ListeningSocketsTest {

    @Test
    void decodesProcNetAddresses() {
        assertThat(ListeningSockets.ipv4("0100007F")).isEqualTo("127.0.0.1");
        assertThat(ListeningSockets.ipv4("00000000")).isEqualTo("0.0.0.0");
        assertThat(ListeningSockets.ipv4("0F02000A")).isEqualTo("10.0.2.15");
        assertThat(ListeningSockets.ipv6("0000000000000000FFFF00000100007F"))
                .isEqualTo("::ffff:127.0.0.1");
        assertThat(ListeningSockets.ipv6("00000000000000000000000000000000")).isEqualTo("::");
        assertThat(ListeningSockets.ipv6("00000000000000000000000001000000")).isEqualTo("::1");
        assertThat(ListeningSockets.ipv6("0000000000000000FFFF00000F02000A"))
                .isEqualTo("::ffff:10.0.2.15");
    }

    @Test
    void findsThisProcessesListenersAndTellsLoopbackFromAllInterfaces() throws Exception {
        try (ServerSocket loopback = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket everywhere = new ServerSocket()) {
            everywhere.bind(new InetSocketAddress(0));
            List<ListeningSockets.Listener> listeners =
                    ListeningSockets.of(Map.of("test", ProcessHandle.current().pid()));
            assertThat(listeners)
                    .anySatisfy(
                            l -> {
                                assertThat(l.port()).isEqualTo(loopback.getLocalPort());
                                assertThat(l.loopbackOnly()).isTrue();
                            })
                    .anySatisfy(
                            l -> {
                                assertThat(l.port()).isEqualTo(everywhere.getLocalPort());
                                assertThat(l.address()).isIn("0.0.0.0", "::");
                                assertThat(l.loopbackOnly()).isFalse();
                            });
        }
    }
}

package org.imdp.ch1.peer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.imdp.ch1.support.TestDiameterServer;
import org.imdp.test.LogLines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the log says of a Charging Enabler outage, through the connection's real state transitions against a Diameter
 * server that refuses every CER while the test says it is down: one WARN when the OPEN connection is lost, nothing
 * more however many reconnections fail (the reminder interval is minutes, this outage is not), one INFO when the
 * connection is OPEN again; and the peer's state meanwhile.
 */
class PeerOutageLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private LogLines capture;
    private List<String> lines;
    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private TestDiameterServer server;
    private PeerGroup group;

    @BeforeEach
    void start() throws Exception {
        capture = LogLines.capture(PeerConnection.class);
        lines = capture.lines();
        server = new TestDiameterServer("ocs.localdomain");
        group = new PeerGroup(new PeerSettings(List.of(new InetSocketAddress("127.0.0.1", server.port())),
                "im-deferred.localdomain", "localdomain", null, 0, "im-deferred-push", null, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofMillis(2),
                Duration.ofSeconds(1), 1 << 20, null), loops.next(), NioSocketChannel.class);
    }

    @AfterEach
    void stop() throws Exception {
        group.stop().get(10, TimeUnit.SECONDS);
        server.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        capture.close();
    }

    private PeerGroup.PeerStatus status() throws Exception {
        return group.peerStatus().get(5, TimeUnit.SECONDS).get(0);
    }

    @Test
    void an_outage_is_one_warn_and_one_info_however_many_reconnections_fail() throws Exception {
        group.start();
        await().atMost(WAIT).until(() -> status().open());
        assertThat(lines).hasSize(1).first().asString().startsWith("INFO CH-1 peer 127.0.0.1:" + server.port() + ": OPEN");
        assertThat(status().downFor()).isZero();

        server.refuseConnections(true);
        // every 1-2 ms a connection, a CER refused with 5012, a close
        await().atMost(WAIT).until(() -> status().failures() >= 20);
        PeerGroup.PeerStatus down = status();
        assertThat(down.open()).isFalse();
        assertThat(down.downFor()).isPositive();
        assertThat(lines).as("%s", lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("WARN CH-1 peer 127.0.0.1:" + server.port() + ": down (connection lost")
                .contains("logged again at most every 300 s");

        server.refuseConnections(false);
        await().atMost(WAIT).until(() -> status().open());
        assertThat(lines).as("%s", lines).hasSize(3);
        assertThat(lines.get(2)).startsWith("INFO CH-1 peer 127.0.0.1:" + server.port() + ": OPEN again")
                .containsPattern("after \\d+ s down and \\d+ failed connection attempt\\(s\\)");
        assertThat(status().downFor()).isZero();
        assertThat(status().failures()).isZero();
    }
}

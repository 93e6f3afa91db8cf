package org.imdp.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.sip.message.Request;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10's fault campaign, peers that fail in the middle of a push, against the packaged service with one push
 * consumer (so that a push that held its thread would hold every other): a client whose TCP connection is reset in
 * the middle of an MSRP chunk, a contact that never answers the INVITE (Timer B), a client that never answers the
 * BYE. Nothing is lost, the next registration delivers, and the push's thread is free again.
 */
class PeerFaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ALICE = "sip:alice@127.0.0.1";

    @TempDir
    static Path dataDir;

    private static final int SIP_PORT = TestPorts.next();
    private static ServiceProcess service;

    private SipTestClient client;
    private MsrpTestPeer msrp;

    @BeforeAll
    static void startService() {
        service = Services.onFreePorts(SIP_PORT, dataDir)
                .property("imdp.push.consumers", "1")
                // no timed retry within the test: the next registration is what pushes again
                .property("imdp.push.retry-delay", "10m")
                .start();
    }

    @AfterAll
    static void stopService() {
        service.close();
    }

    @BeforeEach
    void startClient() throws Exception {
        client = SipTestClient.start("127.0.0.1", SIP_PORT);
        msrp = new MsrpTestPeer().start(0);
        client.answerWithMsrp(msrp.path(), "passive");
    }

    @AfterEach
    void stopClient() {
        msrp.close();
        client.close();
    }

    private void store(String recipient, byte[] text) throws Exception {
        assertThat(client.sendMessage(ALICE, recipient, "text/plain", text)).isEqualTo(202);
    }

    private List<CpimMessage> pushedTo(String recipient) {
        return msrp.frames().stream().filter(f -> f.body().length > 0 && f.request().byteRange().start() == 1)
                .map(f -> f.request().messageId()).distinct()
                .map(id -> CpimMessage.parse(msrp.message(id)))
                .filter(c -> c.header("To").equals("<" + recipient + ">"))
                .toList();
    }

    @Test
    void a_tcp_reset_in_the_middle_of_a_chunk_ends_the_push_and_the_next_one_delivers_the_message_whole() throws Exception {
        String kim = "sip:kim@127.0.0.1";
        byte[] text = new byte[50_000];
        Random random = new Random(10);
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + random.nextInt(26));
        }
        store(kim, text);
        // the bind SEND (a few hundred octets) and then 3,000 octets more: inside the first chunk of 10,240
        try (ResettingProxy proxy = new ResettingProxy(msrp.port(), 3_000)) {
            client.answerWithMsrp(msrp.path().replace(":" + msrp.port() + "/", ":" + proxy.port() + "/"), "passive");
            client.register(kim, 600);
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(kim) + " .*1 sent, 0 acknowledged"), WAIT);
            String cut = new String(proxy.forwarded(), StandardCharsets.ISO_8859_1);
            // the reset came inside the message's first chunk: its start line and the start of the text went out,
            // no end-line but the bind SEND's
            assertThat(cut).hasSize(3_000).contains(new String(text, 0, 100, StandardCharsets.ISO_8859_1));
            assertThat(cut.split("MSRP ", -1)).as("start lines before the reset").hasSize(3);
            assertThat(cut.split("\r\n-------", -1)).as("end-lines before the reset").hasSize(2);
        }
        client.answerWithMsrp(msrp.path(), "passive");
        client.register(kim, 600);
        await().atMost(WAIT).until(() -> pushedTo(kim).size() == 1);
        assertThat(pushedTo(kim).get(0).body()).isEqualTo(text);
        service.waitForLog(Pattern.compile("Push to " + Pattern.quote(kim) + " .*1 sent, 1 acknowledged, 0 refused, complete"), WAIT);
    }

    @Test
    void an_invite_nobody_answers_fails_after_timer_b_frees_the_push_and_the_next_registration_delivers() throws Exception {
        String sam = "sip:sam@127.0.0.1";
        String tia = "sip:tia@127.0.0.1";
        store(sam, "for sam".getBytes(StandardCharsets.UTF_8));
        store(tia, "for tia".getBytes(StandardCharsets.UTF_8));
        try (SilentContact silent = new SilentContact()) {
            client.send(client.newRegister(sam, "<sip:sam@127.0.0.1:" + silent.port() + ">", 600));
            await().atMost(WAIT).until(() -> silent.datagrams() > 0);
            // tia's push waits for the only consumer, which sam's INVITE holds until Timer B
            client.register(tia, 600);
            await().atMost(WAIT).until(() -> pushedTo(tia).size() == 1);
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(tia) + " Call-ID .*complete"), WAIT);
            String log = service.logText();
            int samFailed = log.indexOf("Push to " + sam + " failed, its messages stay stored");
            assertThat(samFailed).as("sam's push failed").isNotNegative();
            assertThat(log.substring(samFailed)).contains("Push to " + tia + " Call-ID");
            // the INVITE and its retransmissions over UDP (T1 = 500 ms doubling up to Timer B = 32 s: 7)
            assertThat(silent.datagrams()).isGreaterThanOrEqualTo(6);
            System.out.printf("FAULT silent contact: %d INVITE datagrams, no answer, the push failed 408 and freed its"
                              + " consumer for the next recipient%n", silent.datagrams());
        }
        client.register(sam, 600);
        await().atMost(WAIT).until(() -> pushedTo(sam).size() == 1);
        assertThat(pushedTo(sam).get(0).body()).asString(StandardCharsets.UTF_8).isEqualTo("for sam");
    }

    @Test
    void a_bye_nobody_answers_does_not_hold_the_push_and_loses_nothing() throws Exception {
        String uma = "sip:uma@127.0.0.1";
        String val = "sip:val@127.0.0.1";
        store(uma, "for uma".getBytes(StandardCharsets.UTF_8));
        store(val, "for val".getBytes(StandardCharsets.UTF_8));
        // longer than the test: uma's BYE is never answered (JAIN-SIP retransmits it until Timer F)
        client.delayByeResponse(Duration.ofHours(1));
        client.register(uma, 600);
        client.awaitRequest(Request.BYE, WAIT);
        service.waitForLog(Pattern.compile("Push to " + Pattern.quote(uma) + " .*1 sent, 1 acknowledged, 0 refused, complete"), WAIT);
        // the only consumer is free while uma's BYE waits for its answer
        client.register(val, 600);
        await().atMost(WAIT).until(() -> pushedTo(val).size() == 1);
        // uma's message was settled at the BYE: the next push carries only what came since
        client.delayByeResponse(Duration.ZERO);
        store(uma, "again for uma".getBytes(StandardCharsets.UTF_8));
        client.register(uma, 600);
        await().atMost(WAIT).until(() -> pushedTo(uma).size() == 2);
        assertThat(pushedTo(uma)).extracting(c -> new String(c.body(), StandardCharsets.UTF_8))
                .containsExactly("for uma", "again for uma");
    }

    /** A UDP port that takes SIP requests and never answers; counts what it got. */
    private static final class SilentContact implements AutoCloseable {

        private final DatagramSocket socket = new DatagramSocket(TestPorts.next(), InetAddress.getLoopbackAddress());
        private final AtomicInteger datagrams = new AtomicInteger();
        private final Thread reader = new Thread(this::read, "silent-contact");

        SilentContact() throws IOException {
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int datagrams() {
            return datagrams.get();
        }

        private void read() {
            byte[] buffer = new byte[65_536];
            try {
                while (true) {
                    socket.receive(new DatagramPacket(buffer, buffer.length));
                    datagrams.incrementAndGet();
                }
            } catch (IOException closed) {
                // closed by the test
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * Forwards one MSRP connection to the test peer and resets it (RST: SO_LINGER 0) once the service has written
     * {@code cutAfter} octets: the peer gets a chunk cut short, the service a reset in the middle of writing it.
     */
    private static final class ResettingProxy implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(TestPorts.next(), 1, InetAddress.getLoopbackAddress());
        private final int target;
        private final int cutAfter;
        private final ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
        private final Thread acceptor = new Thread(this::serve, "resetting-proxy");

        ResettingProxy(int target, int cutAfter) throws IOException {
            this.target = target;
            this.cutAfter = cutAfter;
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        synchronized byte[] forwarded() {
            return forwarded.toByteArray();
        }

        private void serve() {
            try (Socket fromService = server.accept(); Socket toPeer = new Socket(InetAddress.getLoopbackAddress(), target)) {
                Thread back = new Thread(() -> copy(toPeer, fromService), "resetting-proxy-back");
                back.setDaemon(true);
                back.start();
                InputStream in = fromService.getInputStream();
                OutputStream out = toPeer.getOutputStream();
                byte[] buffer = new byte[1];
                int total = 0;
                while (total < cutAfter && in.read(buffer) == 1) {
                    out.write(buffer);
                    synchronized (this) {
                        forwarded.write(buffer[0]);
                    }
                    total++;
                }
                out.flush();
                fromService.setSoLinger(true, 0);
            } catch (IOException e) {
                // the test sees what was forwarded
            }
        }

        private static void copy(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException closed) {
                // one side went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}

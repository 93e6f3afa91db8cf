package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged service (its runnable jar, embedded Artemis) against real third-party peers: SIPp as
 * the IM Client's SIP side and as the intake/registration UAC, Kamailio's msrp module as the IM
 * Client's MSRP side, and tshark judging every SIP, SDP and MSRP frame on the wire.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SippKamailioPushIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String AUTH_USER = "im-deferred";
    private static final String AUTH_PASSWORD = "a-test-secret";

    @TempDir
    static Path dataDir;

    private static int sipPort;
    private static int msrpPort;
    private static TsharkCapture capture;
    private static ServiceProcess service;
    private static KamailioMsrpPeer kamailio;

    @BeforeAll
    static void start() {
        sipPort = TestPorts.next();
        msrpPort = TestPorts.next();
        int kamailioPort = TestPorts.next();
        capture = TsharkCapture.sipAndMsrp(new int[] {sipPort}, msrpPort, kamailioPort);
        kamailio = KamailioMsrpPeer.start(kamailioPort);
        // no Charging Enabler in this test: charging records wait durably (store, then im.charging)
        service = Services.onFreePorts(sipPort, dataDir).property("imdp.msrp.port", String.valueOf(msrpPort))
                .property("imdp.sip.auth.username", AUTH_USER).property("imdp.sip.auth.password", AUTH_PASSWORD)
                .property("imdp.sip.auth.realm", "imclient.test")
                .start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
        if (capture != null) {
            capture.close();
        }
    }

    private static void sendMessage(Sipp.Transport transport, String user, String text) {
        Sipp.scenario("uac-message.xml").transport(transport).remotePort(sipPort).service(user)
                .key("sender", "sip:alice@127.0.0.1").key("body", text).runClient().assertSucceeded();
    }

    private static void register(Sipp.Transport transport, String user, int clientPort) {
        String contact = "sip:127.0.0.1:" + clientPort + (transport == Sipp.Transport.TCP ? ";transport=tcp" : "");
        Sipp.scenario("uac-register.xml").transport(transport).remotePort(sipPort).service(user)
                .set("contact", contact).runClient().assertSucceeded();
    }

    /** The CPIM bodies of the SENDs for {@code user} that Kamailio logged, once {@code expected} arrived or after {@link #WAIT}. */
    private static List<String> cpimBodiesFor(String user, int expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> bodies;
        do {
            bodies = kamailio.received().stream()
                    .filter(f -> "SEND".equals(f.method()) && f.body().contains("To: <sip:" + user + "@127.0.0.1>"))
                    .map(KamailioMsrpPeer.Frame::body).toList();
        } while (bodies.size() < expected && System.nanoTime() < deadline && sleep());
        return bodies;
    }

    private static boolean sleep() {
        try {
            Thread.sleep(100);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void stored_messages_are_pushed_in_order_when_the_client_registers(Sipp.Transport transport) {
        pushThreeMessages(transport, "bob" + transport.name().toLowerCase());
    }

    private static void pushThreeMessages(Sipp.Transport transport, String user) {
        sendMessage(transport, user, "first");
        sendMessage(transport, user, "second");
        sendMessage(transport, user, "third");

        int clientPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").transport(transport).localPort(clientPort)
                .key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            register(transport, user, clientPort);

            List<String> bodies = cpimBodiesFor(user, 3);
            assertThat(bodies).hasSize(3);
            assertThat(bodies.get(0)).contains("From: <sip:alice@127.0.0.1>", "imdn.Message-ID: ", "first");
            assertThat(bodies.get(1)).contains("second");
            assertThat(bodies.get(2)).contains("third");
            assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
        }
        service.waitForLog(Pattern.compile("Push to sip:" + user + "@127.0.0.1 Call-ID \\S+: 3 sent, 3 acknowledged"), WAIT);
    }

    @Test
    void a_client_that_rejects_the_invite_gets_everything_when_it_registers_again() {
        String user = "carol";
        sendMessage(Sipp.Transport.UDP, user, "one");
        sendMessage(Sipp.Transport.UDP, user, "two");

        int busyPort = TestPorts.next();
        try (Sipp busy = Sipp.scenario("uas-486.xml").localPort(busyPort).startServer()) {
            register(Sipp.Transport.UDP, user, busyPort);
            assertThat(busy.waitForExit(WAIT)).as(busy.errors()).isZero();
        }
        service.waitForLog(Pattern.compile("Push to sip:carol@127.0.0.1 failed, its messages stay stored: .*486"), WAIT);

        int clientPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                .key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            register(Sipp.Transport.UDP, user, clientPort);
            List<String> bodies = cpimBodiesFor(user, 2);
            assertThat(bodies).hasSize(2);
            assertThat(bodies.get(0)).contains("one");
            assertThat(bodies.get(1)).contains("two");
            assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
        }
    }

    @Test
    void a_client_that_answers_without_msrp_keeps_its_messages_stored() {
        String user = "dave";
        sendMessage(Sipp.Transport.UDP, user, "kept");

        int audioPort = TestPorts.next();
        try (Sipp audio = Sipp.scenario("uas-no-msrp.xml").localPort(audioPort).startServer()) {
            register(Sipp.Transport.UDP, user, audioPort);
            assertThat(audio.waitForExit(WAIT)).as(audio.errors()).isZero();
        }
        service.waitForLog(Pattern.compile("Push to sip:dave@127.0.0.1 failed, its messages stay stored: .*without MSRP"), WAIT);

        int clientPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                .key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            register(Sipp.Transport.UDP, user, clientPort);
            assertThat(cpimBodiesFor(user, 1)).singleElement().asString().contains("kept");
            assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
        }
    }

    /**
     * Registers {@code user} at a SIPp UAS running {@code uas} and waits for the push of one stored message;
     * returns SIPp's message trace.
     */
    private static String pushOneTo(String user, Sipp.Builder uas) {
        sendMessage(Sipp.Transport.UDP, user, "for " + user);
        int clientPort = TestPorts.next();
        try (Sipp client = uas.localPort(clientPort).key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            register(Sipp.Transport.UDP, user, clientPort);
            assertThat(cpimBodiesFor(user, 1)).singleElement().asString().contains("for " + user);
            assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
            service.waitForLog(Pattern.compile("Push to sip:" + user + "@127.0.0.1 Call-ID \\S+: 1 sent, 1 acknowledged"),
                    WAIT);
            return client.messages();
        }
    }

    @Test
    void sipp_challenges_the_invite_and_judges_our_digest_answer_valid() {
        pushOneTo("frank", Sipp.scenario("uas-auth-msrp.xml").key("auth_user", AUTH_USER)
                .key("auth_password", AUTH_PASSWORD));
        assertThat(service.logText()).doesNotContain(AUTH_PASSWORD);
    }

    @Test
    void a_client_that_rings_and_answers_seconds_later_gets_its_messages() {
        pushOneTo("gina", Sipp.scenario("uas-msrp.xml").set("answer_delay", "3000"));
    }

    @Test
    void a_retransmitted_200_to_the_invite_is_acked_again() {
        String trace = pushOneTo("hank", Sipp.scenario("uas-msrp-ok-twice.xml"));

        // one ACK per 200 to the INVITE, SIPp's own retransmissions included
        List<String> messages = List.of(trace.split("(?m)^(?=(UDP|TCP) message (sent|received))"));
        long oks = messages.stream().filter(m -> m.contains("SIP/2.0 200 OK") && m.matches("(?s).*CSeq: *\\d+ INVITE.*"))
                .count();
        long acks = messages.stream().filter(m -> m.matches("(?s)[^\\n]*\\n\\s*ACK .*")).count();
        assertThat(oks).isGreaterThanOrEqualTo(2);
        assertThat(acks).isEqualTo(oks);
    }

    @Test
    void a_client_busy_with_retry_after_gets_its_messages_on_the_timed_retry() {
        pushOneTo("ivan", Sipp.scenario("uas-486-then-msrp.xml").calls(2));
        service.waitForLog(Pattern.compile("Push to sip:ivan@127.0.0.1 failed, its messages stay stored: .*486"), WAIT);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void the_wire_format_of_every_test_is_judged_clean_by_tshark() {
        pushThreeMessages(Sipp.Transport.TCP, "erin");
        capture.stop();
        capture.assertNoMalformedOrErrors();
        assertThat(capture.decode("sip.Method == \"INVITE\"")).isNotEmpty();
        assertThat(capture.decode("msrp.method == \"SEND\"")).isNotEmpty();
    }
}

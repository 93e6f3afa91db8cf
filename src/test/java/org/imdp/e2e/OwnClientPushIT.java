package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sip.message.Request;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.test.StoreFile;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged service (its jar, embedded Artemis) against the team's own IM Client: a JAIN-SIP user
 * agent ({@link SipTestClient}) and a Netty MSRP endpoint ({@link MsrpTestPeer}) that can misbehave in
 * ways third-party peers cannot be scripted to. Every failure case ends with a push that must deliver
 * everything that was stored, in order: nothing stored is lost. tshark judges the SIP and MSRP of every
 * test except those that put garbage on the wire on purpose ({@link PutsGarbageOnTheWire}).
 */
class OwnClientPushIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String ALICE = "sip:alice@127.0.0.1";

    @TempDir
    static Path dataDir;

    /** A test whose own frames are not SIP or MSRP; tshark does not judge its capture. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    private @interface PutsGarbageOnTheWire {
    }

    private static int sipPort;
    private static int msrpPort;
    private static ServiceProcess service;

    private SipTestClient client;
    private MsrpTestPeer msrp;
    /** For the test with Kamailio as MSRP relay; chosen before the capture starts, so that it is judged too. */
    private final int relayPort = TestPorts.next();
    private TsharkCapture capture;

    @BeforeAll
    static void startService() {
        sipPort = TestPorts.next();
        msrpPort = TestPorts.next();
        service = Services.onFreePorts(sipPort, dataDir).property("imdp.store.max-message-size", "4096")
                .property("imdp.msrp.port", String.valueOf(msrpPort)).start();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void startClient(TestInfo test) throws Exception {
        client = SipTestClient.start("127.0.0.1", sipPort);
        msrp = new MsrpTestPeer().start(0);
        client.answerWithMsrp(msrp.path(), "passive");
        if (!test.getTestMethod().orElseThrow().isAnnotationPresent(PutsGarbageOnTheWire.class)) {
            capture = TsharkCapture.sipAndMsrp(new int[] {sipPort, client.port()}, msrpPort, msrp.port(), relayPort);
        }
    }

    @AfterEach
    void stopClient() {
        try (TsharkCapture judged = capture) {
            if (judged != null) {
                judged.assertNoMalformedOrErrors();
            }
        } finally {
            msrp.close();
            client.close();
        }
    }

    private void store(String recipient, String... texts) throws Exception {
        for (String text : texts) {
            assertThat(client.sendMessage(ALICE, recipient, "text/plain", text.getBytes(StandardCharsets.UTF_8)))
                    .as("MESSAGE %s", text).isEqualTo(202);
        }
    }

    /** The CPIM bodies the MSRP peer received, in arrival order. */
    private List<CpimMessage> pushed() {
        return msrp.frames().stream().filter(f -> f.body().length > 0).map(f -> CpimMessage.parse(f.body())).toList();
    }

    /** The texts inside the CPIM bodies the MSRP peer received for {@code recipient}, in arrival order. */
    private List<String> delivered(String recipient) {
        return pushed().stream()
                .filter(c -> c.header("To").equals("<" + recipient + ">"))
                .map(c -> new String(c.body(), StandardCharsets.UTF_8))
                .toList();
    }

    private void awaitDelivered(String recipient, String... texts) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(delivered(recipient)).containsExactly(texts));
    }

    private void awaitPushLog(String recipient, String what) {
        service.waitForLog(Pattern.compile("Push to " + Pattern.quote(recipient) + ".*" + what), WAIT);
    }

    /** Waits for the push's INVITE and connects to the MSRP path it offers, as a client with a=setup:active does. */
    private MsrpTestPeer.Connection connectToOfferedPath() throws Exception {
        SipTestClient.Received invite = client.awaitRequest(Request.INVITE, WAIT);
        Matcher path = Pattern.compile("a=path:(\\S+)").matcher(new String(invite.request().getRawContent(), StandardCharsets.US_ASCII));
        assertThat(path.find()).isTrue();
        return msrp.connect(path.group(1));
    }

    @Test
    void several_messages_arrive_in_order_as_cpim_and_leave_the_store() throws Exception {
        String ann = "sip:ann@127.0.0.1";
        store(ann, "one", "two", "three");
        client.register(ann, 600);

        awaitDelivered(ann, "one", "two", "three");
        awaitPushLog(ann, "3 sent, 3 acknowledged, 0 refused, complete");
        CpimMessage first = CpimMessage.parse(msrp.frames().stream().filter(f -> f.body().length > 0).findFirst()
                .orElseThrow().body());
        assertThat(first.header("From")).isEqualTo("<" + ALICE + ">");
        assertThat(first.header("imdn.Message-ID")).matches("[0-9a-f]{32}");
        assertThat(first.contentType()).startsWith("text/plain");
        client.awaitRequest("BYE", WAIT);

        // a second registration finds nothing left to push
        int invites = client.received().stream().filter(r -> r.method().equals(Request.INVITE)).toList().size();
        store("sip:marker@127.0.0.1", "marker");
        client.register(ann, 600);
        store("sip:marker@127.0.0.1", "marker 2");
        assertThat(client.received().stream().filter(r -> r.method().equals(Request.INVITE))).hasSize(invites);
    }

    @Test
    void two_recipients_each_get_their_own_messages() throws Exception {
        String ben = "sip:ben@127.0.0.1";
        String cat = "sip:cat@127.0.0.1";
        store(ben, "for ben 1");
        store(cat, "for cat");
        store(ben, "for ben 2");
        client.register(cat, 600);
        client.register(ben, 600);

        awaitDelivered(ben, "for ben 1", "for ben 2");
        awaitDelivered(cat, "for cat");
    }

    @Test
    void a_client_that_connects_itself_with_setup_active_gets_its_messages() throws Exception {
        String dan = "sip:dan@127.0.0.1";
        store(dan, "active one", "active two");
        client.answerWithMsrp(msrp.path(), "active");
        client.register(dan, 600);

        try (MsrpTestPeer.Connection connection = connectToOfferedPath()) {
            assertThat(connection.bind().get().status()).isEqualTo(200);
            awaitDelivered(dan, "active one", "active two");
        }
    }

    @Test
    void a_rejected_invite_keeps_everything_for_the_next_registration() throws Exception {
        String eve = "sip:eve@127.0.0.1";
        store(eve, "first", "second");
        client.rejectInvites(486);
        client.register(eve, 600);
        awaitPushLog(eve, "failed, its messages stay stored: .*486");

        client.answerWithMsrp(msrp.path(), "passive");
        client.register(eve, 600);
        awaitDelivered(eve, "first", "second");
    }

    @Test
    void an_answer_without_msrp_keeps_everything() throws Exception {
        String fay = "sip:fay@127.0.0.1";
        store(fay, "kept");
        client.answerWithoutMsrp();
        client.register(fay, 600);
        awaitPushLog(fay, "failed, its messages stay stored");
        client.awaitRequest(Request.BYE, WAIT);

        client.answerWithMsrp(msrp.path(), "passive");
        client.register(fay, 600);
        awaitDelivered(fay, "kept");
    }

    /**
     * Issue 10, over SIP to the packaged service: a page whose inner Content-Type the push could not wrap (U+0085) is
     * refused with 400 and a Warning naming the field and the character; nothing of it is stored, so the next page
     * to the same recipient is pushed alone.
     */
    @Test
    void a_page_the_push_could_not_wrap_is_refused_400_saying_why_and_not_stored() throws Exception {
        String mia = "sip:mia@127.0.0.1";
        String page = "From: <" + ALICE + ">\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: nel-0001\r\n"
                      + "DateTime: 2026-11-26T09:00:00Z\r\n\r\nContent-Type: text/plain\u0085\r\n\r\nnever stored";
        javax.sip.message.Response refused = client.send(client.newMessage(ALICE, mia, "message/cpim",
                page.getBytes(StandardCharsets.UTF_8)));
        assertThat(refused.getStatusCode()).isEqualTo(400);
        assertThat(((javax.sip.header.WarningHeader) refused.getHeader(javax.sip.header.WarningHeader.NAME)).getText())
                .contains("CPIM Content-Type", "U+0085");

        store(mia, "stored");
        client.register(mia, 600);
        awaitPushLog(mia, "1 sent, 1 acknowledged, 0 refused, complete");
        assertThat(delivered(mia)).containsExactly("stored");
    }

    /**
     * Issue 10: a client that answers every SEND with 202 (a 2xx counts as 200, RFC 4975 §10) gets each message once
     * and they leave the store; before, the session counted as complete while nothing was removed.
     */
    @Test
    void a_client_answering_202_gets_each_message_once_and_they_are_settled() throws Exception {
        String ned = "sip:ned@127.0.0.1";
        store(ned, "one", "two", "three");
        msrp.answerWith(202);
        client.register(ned, 600);
        awaitPushLog(ned, "3 sent, 3 acknowledged, 0 refused, complete");
        assertThat(delivered(ned)).containsExactly("one", "two", "three");
    }

    @Test
    void an_msrp_error_answer_keeps_that_message_and_the_rest() throws Exception {
        String gus = "sip:gus@127.0.0.1";
        store(gus, "refused", "never tried");
        msrp.answerWith(403);
        client.register(gus, 600);
        awaitPushLog(gus, "1 sent, 0 acknowledged, 0 refused, incomplete");

        msrp.answerWith(200);
        client.register(gus, 600);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(delivered(gus)).containsSubsequence("refused", "never tried").endsWith("refused", "never tried"));
    }

    @Test
    void a_message_the_client_refuses_for_good_goes_to_the_refused_queue_and_the_session_goes_on() throws Exception {
        String kit = "sip:kit@127.0.0.1";
        store(kit, "first", "not for me", "third");
        msrp.answerInTurn(200, 415);
        client.register(kit, 600);

        awaitDelivered(kit, "first", "not for me", "third");
        awaitPushLog(kit, "3 sent, 2 acknowledged, 1 refused, complete");
        assertThat(client.received().stream().filter(r -> r.method().equals(Request.INVITE))).hasSize(1);
        await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, kit) == 0);
        // im.deferred.refused is the IMDN routes' input: they take the message with its properties, and drop it
        // as its sender asked for no negative-delivery notification
        String refusedId = pushed().stream().filter(c -> new String(c.body(), StandardCharsets.UTF_8).equals("not for me"))
                .map(c -> c.header("imdn.Message-ID")).findFirst().orElseThrow();
        service.waitForLog(Pattern.compile("Message " + refusedId + " from " + Pattern.quote(ALICE) + " to " + Pattern.quote(kit)
                                           + " dropped \\(MSRP 415 Unsupported media type\\)"), WAIT);
    }

    @Test
    void a_client_behind_kamailio_as_msrp_relay_gets_its_messages_through_it() throws Exception {
        String lou = "sip:lou@127.0.0.1";
        store(lou, "via the relay", "and again");
        try (KamailioMsrpPeer relay = KamailioMsrpPeer.startRelay(relayPort);
             MsrpTestPeer.Connection reserved = msrp.connect("127.0.0.1", relay.port(),
                     "msrp://127.0.0.1:" + relay.port() + ";tcp")) {
            // RFC 4976: the client reserves the relay and answers with the relay's Use-Path first in a=path
            MsrpResponse auth = reserved.auth().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(auth.status()).isEqualTo(200);
            String useRelay = auth.header("Use-Path");
            client.answerWithMsrp(useRelay + " " + msrp.path(), "passive");
            client.register(lou, 600);

            awaitDelivered(lou, "via the relay", "and again");
            awaitPushLog(lou, "2 sent, 2 acknowledged, 0 refused, complete");
            // the service connected to the relay, with the whole path in To-Path; the relay took its own URI off
            assertThat(relay.received()).filteredOn(f -> "SEND".equals(f.method())).hasSize(3)
                    .allSatisfy(f -> assertThat(useRelay).contains(f.sessionId()));
            assertThat(msrp.frames()).filteredOn(f -> f.body().length > 0).allSatisfy(f -> {
                assertThat(f.request().toPath()).isEqualTo(msrp.path());
                assertThat(f.request().fromPath()).startsWith(useRelay + " msrp://");
            });
        }
    }

    @Test
    void a_peer_that_closes_the_connection_mid_session_loses_nothing() throws Exception {
        String hal = "sip:hal@127.0.0.1";
        store(hal, "a", "b");
        msrp.closeOnMessage();
        client.register(hal, 600);
        awaitPushLog(hal, "0 acknowledged");

        msrp.answerWith(200);
        client.register(hal, 600);
        await().atMost(WAIT).untilAsserted(() -> assertThat(delivered(hal)).endsWith("a", "b"));
    }

    @Test
    @PutsGarbageOnTheWire
    void garbage_on_the_msrp_connection_ends_the_session_and_loses_nothing() throws Exception {
        String ian = "sip:ian@127.0.0.1";
        store(ian, "safe");
        client.answerWithMsrp(msrp.path(), "active");
        client.register(ian, 600);
        try (MsrpTestPeer.Connection connection = connectToOfferedPath()) {
            connection.writeRaw("THIS IS NOT MSRP\r\n\r\n");
            connection.closed().get();
        }
        awaitPushLog(ian, "failed, its messages stay stored");

        client.answerWithMsrp(msrp.path(), "passive");
        client.register(ian, 600);
        awaitDelivered(ian, "safe");
    }

    @Test
    @PutsGarbageOnTheWire
    void bad_sip_input_gets_a_clear_answer_and_the_service_keeps_serving() throws Exception {
        // garbage datagram: the stack drops it and serves the next request
        try (DatagramSocket socket = new DatagramSocket()) {
            byte[] junk = "NOT SIP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), sipPort));
        }
        // a MESSAGE whose Request-URI names no user: there is no recipient to store for
        assertThat(client.send(client.newMessage(ALICE, "sip:127.0.0.1", "text/plain", "x".getBytes(StandardCharsets.UTF_8)))
                .getStatusCode()).isEqualTo(400);
        // an oversized body (imdp.store.max-message-size is 4096 here), over TCP
        assertThat(client.sendMessage(ALICE, "sip:joe@127.0.0.1", "text/plain", new byte[5000])).isEqualTo(413);
        // and an ordinary one still works, and is kept
        store("sip:joe@127.0.0.1", "still serving");
        client.register("sip:joe@127.0.0.1", 600);
        awaitDelivered("sip:joe@127.0.0.1", "still serving");
    }

    @Test
    void a_page_sent_as_cpim_is_pushed_wrapped_once_with_the_senders_headers() throws Exception {
        String kim = "sip:kim@127.0.0.1";
        String page = "From: Alice <" + ALICE + ">\r\n"
                      + "To: <" + kim + ">\r\n"
                      + "NS: imdn <urn:ietf:params:imdn>\r\n"
                      + "imdn.Message-ID: page-0001\r\n"
                      + "DateTime: 2026-11-26T09:00:00Z\r\n"
                      + "imdn.Disposition-Notification: positive-delivery, negative-delivery\r\n"
                      + "Subject: lunch?\r\n"
                      + "\r\n"
                      + "Content-Type: text/plain;charset=UTF-8\r\n"
                      + "\r\n"
                      + "12:30 at the usual place";
        assertThat(client.sendMessage(ALICE, kim, "message/cpim", page.getBytes(StandardCharsets.UTF_8))).isEqualTo(202);
        client.register(kim, 600);

        awaitDelivered(kim, "12:30 at the usual place");
        CpimMessage pushed = msrp.frames().stream().filter(f -> f.body().length > 0).map(f -> CpimMessage.parse(f.body()))
                .filter(c -> c.header("To").equals("<" + kim + ">")).findFirst().orElseThrow();
        assertThat(pushed.header("imdn.Message-ID")).isEqualTo("page-0001");
        assertThat(pushed.header("imdn.Disposition-Notification")).isEqualTo("positive-delivery, negative-delivery");
        assertThat(pushed.header("DateTime")).isEqualTo("2026-11-26T09:00:00Z");
        assertThat(pushed.header("Subject")).isEqualTo("lunch?");
        assertThat(pushed.contentType()).isEqualTo("text/plain;charset=UTF-8");
    }
}

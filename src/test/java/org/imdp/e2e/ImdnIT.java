package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sip.message.Request;

import org.imdp.cpim.CpimMessage;
import org.imdp.imdn.ImdnDocument;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.store.DeferredStore;
import org.imdp.test.BrokerClient;
import org.imdp.test.StoreFile;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IMDN {@code failed} end to end (the packaged jar, embedded Artemis, a short {@code imdp.store.expiry}): an OMA IM
 * client sends its page as {@code message/cpim} asking for negative-delivery to a recipient who never registers;
 * when the message expires (or is refused for good) the client, our JAIN-SIP {@link SipTestClient}, receives the
 * notification as a SIP MESSAGE. A recipient's client ({@link SipTestClient} with a {@link MsrpTestPeer}) that
 * refuses what is pushed to it answers MSRP 415. tshark judges the SIP and MSRP of the whole class.
 */
class ImdnIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String NOBODY = "sip:nobody@127.0.0.1";

    @TempDir
    static Path dataDir;

    private static int brokerPort;
    private static ServiceProcess service;
    private static SipTestClient alice;
    /** The SIP and MSRP sides of the recipients' client; it refuses every message it is pushed. */
    private static SipTestClient recipients;
    private static MsrpTestPeer refusing;
    private static TsharkCapture capture;

    @BeforeAll
    static void start() throws Exception {
        int sipPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        brokerPort = TestPorts.next();
        service = Services.onFreePorts(sipPort, dataDir)
                .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                .property("imdp.msrp.port", String.valueOf(msrpPort))
                .property("imdp.store.expiry", "2s")
                .property("imdp.store.scan-period", "500ms")
                .start();
        alice = SipTestClient.start("127.0.0.1", sipPort);
        recipients = SipTestClient.start("127.0.0.1", sipPort);
        refusing = new MsrpTestPeer().start(0).answerWith(415);
        recipients.answerWithMsrp(refusing.path(), "passive");
        capture = TsharkCapture.sipAndMsrp(new int[] {sipPort, alice.port(), recipients.port()}, msrpPort, refusing.port());
    }

    @AfterAll
    static void stop() {
        // closed in reverse order, the capture last, after it judged the whole class
        try (TsharkCapture judged = capture; ServiceProcess s = service; SipTestClient a = alice;
             SipTestClient r = recipients; MsrpTestPeer m = refusing) {
            if (judged != null) {
                judged.assertNoMalformedOrErrors();
            }
        }
    }

    private static String aliceUri() {
        return alice.contact("alice");
    }

    /** Alice's page to nobody as her client writes it: CPIM with her IMDN request. */
    private static byte[] page(String messageId, String disposition, String text) {
        return page(NOBODY, messageId, disposition, text);
    }

    private static byte[] page(String to, String messageId, String disposition, String text) {
        return ("From: Alice <" + aliceUri() + ">\r\n"
                + "To: <" + to + ">\r\n"
                + "DateTime: 2026-11-26T09:00:00Z\r\n"
                + "NS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: " + messageId + "\r\n"
                + "imdn.Disposition-Notification: " + disposition + "\r\n"
                + "Subject: about lunch\r\n"
                + "\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\n"
                + "\r\n"
                + text).getBytes(StandardCharsets.UTF_8);
    }

    /** The IMDN documents alice received, as CPIM, in arrival order. */
    private static List<CpimMessage> notifications() {
        return alice.received().stream().filter(r -> r.method().equals(Request.MESSAGE))
                .map(r -> CpimMessage.parse(r.request().getRawContent())).toList();
    }

    private static String notifiedId(CpimMessage notification) {
        return new String(notification.body(), StandardCharsets.UTF_8)
                .replaceAll("(?s).*<message-id>(.*)</message-id>.*", "$1");
    }

    private static CpimMessage awaitNotification(String messageId) {
        await().atMost(WAIT).until(() -> notifications().stream().anyMatch(n -> notifiedId(n).equals(messageId)));
        return notifications().stream().filter(n -> notifiedId(n).equals(messageId)).findFirst().orElseThrow();
    }

    @Test
    void an_expired_message_whose_sender_asked_for_negative_delivery_comes_back_as_imdn_failed() throws Exception {
        assertThat(alice.sendMessage(aliceUri(), NOBODY, "message/cpim", page("exp-1", "negative-delivery", "Lunch?")))
                .isEqualTo(202);

        CpimMessage notification = awaitNotification("exp-1");
        assertThat(notification.header("From")).isEqualTo("<sip:im-deferred@127.0.0.1>");
        assertThat(notification.header("To")).isEqualTo("<" + aliceUri() + ">");
        assertThat(notification.imdnHeader(CpimMessage.MESSAGE_ID)).matches("[0-9a-f]{32}");
        assertThat(notification.contentType()).isEqualTo(ImdnDocument.MIME_TYPE);
        assertThat(notification.contentHeaders()).contains(Map.entry("Content-Disposition", "notification"));
        assertThat(new String(notification.body(), StandardCharsets.UTF_8)).contains(
                "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">", "<datetime>2026-11-26T09:00:00Z</datetime>",
                "<recipient-uri>" + NOBODY + "</recipient-uri>",
                "<delivery-notification><status><failed/></status></delivery-notification>");
        Request message = alice.received().stream().filter(r -> r.method().equals(Request.MESSAGE)).findFirst()
                .orElseThrow().request();
        assertThat(message.getRequestURI().toString()).isEqualTo(aliceUri());
    }

    @Test
    void an_expired_message_without_negative_delivery_is_not_notified() throws Exception {
        // one recipient, one store queue: they expire and are handled in the order they were stored
        assertThat(alice.sendMessage(aliceUri(), NOBODY, "message/cpim",
                page("quiet-1", "positive-delivery, display", "no news wanted"))).isEqualTo(202);
        assertThat(alice.sendMessage(aliceUri(), NOBODY, "message/cpim", page("loud-1", "negative-delivery", "tell me")))
                .isEqualTo(202);

        awaitNotification("loud-1");
        assertThat(notifications()).noneMatch(n -> notifiedId(n).equals("quiet-1"));
    }

    /** What a push that was refused for good leaves on im.deferred.refused (the queue contract of issue 4). */
    @Test
    void a_message_refused_for_good_comes_back_as_imdn_failed() throws Exception {
        try (BrokerClient broker = new BrokerClient("tcp://127.0.0.1:" + brokerPort)) {
            broker.send("im.deferred.refused", "Hello".getBytes(StandardCharsets.UTF_8), Map.of(
                    DeferredStore.PROP_RECIPIENT, "sip:bob@127.0.0.1", DeferredStore.PROP_SENDER, aliceUri(),
                    DeferredStore.PROP_CONTENT_TYPE, "text/plain", DeferredStore.PROP_MESSAGE_ID, "ref-1",
                    DeferredStore.PROP_DATE_TIME, "2026-11-26T09:30:00Z",
                    DeferredStore.PROP_DISPOSITION, "positive-delivery, negative-delivery",
                    "imdpRefusal", "MSRP 415 Unsupported Media Type"));
        }

        CpimMessage notification = awaitNotification("ref-1");
        assertThat(new String(notification.body(), StandardCharsets.UTF_8))
                .contains("<recipient-uri>sip:bob@127.0.0.1</recipient-uri>", "<failed/>");
    }

    @Test
    void a_message_the_recipients_client_refuses_comes_back_as_imdn_failed() throws Exception {
        String bob = "sip:bob@127.0.0.1";
        assertThat(alice.sendMessage(aliceUri(), bob, "message/cpim",
                page(bob, "refused-1", "negative-delivery", "Lunch?"))).isEqualTo(202);
        recipients.register(bob, 600);

        CpimMessage notification = awaitNotification("refused-1");
        assertThat(notification.header("To")).isEqualTo("<" + aliceUri() + ">");
        assertThat(new String(notification.body(), StandardCharsets.UTF_8)).contains(
                "<recipient-uri>" + bob + "</recipient-uri>",
                "<delivery-notification><status><failed/></status></delivery-notification>");
        // for the refusal, not for the (short) expiry: the client had it, and said 415
        service.waitForLog(Pattern.compile("IMDN failed sent to .* for message refused-1 to " + Pattern.quote(bob)
                                           + " \\(MSRP 415 "), WAIT);
        assertThat(refusing.frames()).anySatisfy(f -> assertThat(f.request().messageId()).isEqualTo("refused-1"));
        await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, bob) == 0);
    }

    @Test
    void a_refused_message_without_negative_delivery_is_not_notified() throws Exception {
        String cid = "sip:cid@127.0.0.1";
        // pushed in one session, refused, and notified (or not) in the order they were stored
        assertThat(alice.sendMessage(aliceUri(), cid, "message/cpim",
                page(cid, "quiet-refused", "positive-delivery, display", "no news wanted"))).isEqualTo(202);
        assertThat(alice.sendMessage(aliceUri(), cid, "message/cpim",
                page(cid, "loud-refused", "negative-delivery", "tell me"))).isEqualTo(202);
        recipients.register(cid, 600);

        awaitNotification("loud-refused");
        service.waitForLog(Pattern.compile("Message quiet-refused .* dropped \\(MSRP 415 .*no negative-delivery"), WAIT);
        assertThat(notifications()).noneMatch(n -> notifiedId(n).equals("quiet-refused"));
    }
}

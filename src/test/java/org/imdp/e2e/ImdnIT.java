package org.imdp.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sip.message.Request;

import org.apache.camel.test.AvailablePortFinder;
import org.imdp.cpim.CpimMessage;
import org.imdp.imdn.ImdnDocument;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.store.DeferredStore;
import org.imdp.test.BrokerClient;
import org.imdp.test.peers.ServiceProcess;
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
 * notification as a SIP MESSAGE.
 */
class ImdnIT {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String NOBODY = "sip:nobody@127.0.0.1";

    @TempDir
    static Path dataDir;

    private static int brokerPort;
    private static ServiceProcess service;
    private static SipTestClient alice;

    @BeforeAll
    static void start() throws Exception {
        int sipPort = AvailablePortFinder.getNextAvailable();
        brokerPort = AvailablePortFinder.getNextAvailable();
        service = Services.onFreePorts(sipPort, dataDir)
                .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                .property("imdp.store.expiry", "2s")
                .property("imdp.broker.expiry-scan-period", "500ms")
                .start();
        alice = SipTestClient.start("127.0.0.1", sipPort);
    }

    @AfterAll
    static void stop() {
        if (alice != null) {
            alice.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private static String aliceUri() {
        return alice.contact("alice");
    }

    /** Alice's page as her client writes it: CPIM with her IMDN request. */
    private static byte[] page(String messageId, String disposition, String text) {
        return ("From: Alice <" + aliceUri() + ">\r\n"
                + "To: <" + NOBODY + ">\r\n"
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
}

package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the project's SIPp scenarios against each other (SIPp as both sides), so that a scenario
 * the end-to-end tests rely on cannot silently break.
 */
class SippTest {

    private static final Duration RUN = Duration.ofSeconds(20);

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void imClientAcceptsAnMsrpPushSession(Sipp.Transport transport) {
        int uasPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        try (TsharkCapture capture = TsharkCapture.start(uasPort);
             Sipp client = Sipp.scenario("uas-msrp.xml").transport(transport).localPort(uasPort)
                .key("msrp_port", String.valueOf(msrpPort)).set("bye_delay", "300").timeout(RUN).startServer()) {
            Sipp server = Sipp.scenario("selftest/uac-invite-msrp.xml").transport(transport).remotePort(uasPort)
                    .service("alice").timeout(RUN).runClient();

            server.assertSucceeded();
            client.waitForExit(RUN);
            client.assertSucceeded();
            assertThat(client.scenarioLog()).contains("offer: m=message 2855 TCP/MSRP | a=path:msrp://127.0.0.1:2855/");
            assertThat(server.scenarioLog())
                    .contains("answer: m=message " + msrpPort + " TCP/MSRP *")
                    .containsPattern("a=path:msrp://127\\.0\\.0\\.1:" + msrpPort + "/sipp\\d+c1;tcp");
            assertThat(client.messages()).contains("a=setup:passive", "a=recvonly",
                    "a=accept-types:message/cpim text/plain", "BYE sip:alice@");
            // what the scenarios put on the wire is well-formed SIP and SDP to an independent parser
            capture.assertNoMalformedOrErrors();
            assertThat(capture.decode("sip", "-T", "fields", "-e", "sip.CSeq", "-e", "sip.Status-Code", "-e", "sdp.media"))
                    .containsExactly("1 INVITE\t\tmessage 2855 TCP/MSRP *", "1 INVITE\t180\t",
                            "1 INVITE\t200\tmessage " + msrpPort + " TCP/MSRP *",
                            "1 ACK\t\t", "2 BYE\t\t", "2 BYE\t200\t");
            // bye_delay holds the 200 OK to BYE back (a lower bound: SIPp pauses at least that long)
            List<String> byeTimes = capture.decode("sip.CSeq.method == \"BYE\"", "-T", "fields", "-e", "frame.time_epoch");
            assertThat(byeTimes).hasSize(2);
            assertThat(new BigDecimal(byeTimes.get(1)).subtract(new BigDecimal(byeTimes.get(0))))
                    .isGreaterThanOrEqualTo(new BigDecimal("0.300"));
        }
    }

    /**
     * The client sending its 200 twice takes the ACK to the first one whether it arrives before its second 200 left
     * (SIPp's own UAC ACKs at once, so it nearly always does) or after it, and needs both ACKs.
     */
    @Test
    void imClientSendingItsOkTwiceTakesAnAckBeforeOrAfterItsSecondOk() {
        int uasPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp-ok-twice.xml").localPort(uasPort).key("msrp_port", "2855")
                .timeout(RUN).startServer()) {
            Sipp server = Sipp.scenario("selftest/uac-invite-ok-twice.xml").remotePort(uasPort).service("alice")
                    .options("-nr").timeout(RUN).runClient();

            server.assertSucceeded();
            client.waitForExit(RUN);
            client.assertSucceeded();
            assertThat(Pattern.compile("(?m)^ACK sip:").matcher(client.messages()).results().count())
                    .as("ACKs received").isEqualTo(2);
        }
    }

    @Test
    void imClientRejectsAnOfferWithoutMsrp() {
        int uasPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(uasPort).key("msrp_port", "2856")
                .timeout(Duration.ofSeconds(5)).startServer()) {
            Sipp.scenario("selftest/uac-invite-audio.xml").remotePort(uasPort).service("alice")
                    .recvTimeout(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(5)).runClient();

            client.waitForExit(RUN);
            assertThat(client.exitCode()).isNotZero();
            assertThat(client.errors()).contains("Failed regexp match").contains("m=message [0-9]+ TCP/MSRP");
        }
    }

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void busyImClientAnswers486(Sipp.Transport transport) {
        int uasPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-486.xml").transport(transport).localPort(uasPort).timeout(RUN).startServer()) {
            Sipp.scenario("selftest/uac-invite-busy.xml").transport(transport).remotePort(uasPort).service("alice")
                    .timeout(RUN).runClient().assertSucceeded();

            client.waitForExit(RUN);
            client.assertSucceeded();
            assertThat(client.messages()).contains("SIP/2.0 486 Busy Here").contains("ACK sip:alice@");
        }
    }

    @Test
    void imClientWithoutMsrpAnswersAudioOnly() {
        int uasPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-no-msrp.xml").localPort(uasPort).timeout(RUN).startServer()) {
            Sipp.scenario("selftest/uac-invite-audio.xml").remotePort(uasPort).service("alice").timeout(RUN)
                    .runClient().assertSucceeded();

            client.waitForExit(RUN);
            client.assertSucceeded();
            assertThat(client.messages()).contains("m=audio 49170 RTP/AVP 0").doesNotContain("m=message");
        }
    }

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void messageIsSentAndAccepted(Sipp.Transport transport) {
        int intakePort = TestPorts.next();
        try (Sipp intake = Sipp.scenario("selftest/uas-intake.xml").transport(transport).localPort(intakePort)
                .timeout(RUN).startServer()) {
            Sipp sender = Sipp.scenario("uac-message.xml").transport(transport).remotePort(intakePort)
                    .service("alice").key("sender", "sip:bob@127.0.0.1").key("body", "see you at 8")
                    .timeout(RUN).runClient();

            sender.assertSucceeded();
            intake.waitForExit(RUN);
            intake.assertSucceeded();
            assertThat(intake.messages())
                    .contains("MESSAGE sip:alice@127.0.0.1 SIP/2.0", "From: <sip:bob@127.0.0.1>;tag=",
                            "To: <sip:alice@127.0.0.1>", "Content-Type: text/plain")
                    .containsPattern("Content-Length: *12\\s+see you at 8");
            assertThat(sender.messages()).contains("SIP/2.0 202 Accepted");
        }
    }

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void registerDefaultsToOneHourForItsOwnAddress(Sipp.Transport transport) {
        int intakePort = TestPorts.next();
        int clientPort = TestPorts.next();
        try (Sipp intake = Sipp.scenario("selftest/uas-intake.xml").transport(transport).localPort(intakePort)
                .timeout(RUN).startServer()) {
            Sipp.scenario("uac-register.xml").transport(transport).localPort(clientPort).remotePort(intakePort)
                    .service("alice").timeout(RUN).runClient().assertSucceeded();

            intake.waitForExit(RUN);
            intake.assertSucceeded();
            assertThat(intake.messages()).contains("REGISTER sip:127.0.0.1 SIP/2.0", "To: <sip:alice@127.0.0.1>",
                    "Contact: <sip:127.0.0.1:" + clientPort + ">;+g.oma.sip-im", "Expires: 3600");
        }
    }

    @Test
    void registerTakesContactAndExpiresFromVariables() {
        int intakePort = TestPorts.next();
        try (Sipp intake = Sipp.scenario("selftest/uas-intake.xml").localPort(intakePort).timeout(RUN).startServer()) {
            Sipp.scenario("uac-register.xml").remotePort(intakePort).service("alice")
                    .set("contact", "sip:127.0.0.1:5072;transport=tcp").set("expires", "0")
                    .timeout(RUN).runClient().assertSucceeded();

            intake.waitForExit(RUN);
            intake.assertSucceeded();
            assertThat(intake.messages())
                    .contains("Contact: <sip:127.0.0.1:5072;transport=tcp>;+g.oma.sip-im", "Expires: 0");
        }
    }
}

package org.imdp.ops.demo;

import org.imdp.test.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;
import org.imdp.test.peers.TsharkCapture;

/**
 * The one-command demo ({@code scripts/demo.sh}): the service's jar on its embedded defaults (SIP 5060, MSRP 2855,
 * embedded broker 61616, management 9876, each port changed by the environment variables {@code DEMO_SIP_PORT},
 * {@code DEMO_MSRP_PORT}, {@code DEMO_BROKER_PORT}, {@code DEMO_MANAGEMENT_PORT}), SIPp and Kamailio's msrp module as bob's IM Client, freeDiameter as the
 * Charging Enabler. Alice's two messages are stored, bob registers, the push runs, and the 8-step ladder is printed
 * from what tshark saw on the wire.
 */
public final class PushDemo {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int SIP_PORT = port("DEMO_SIP_PORT", 5060);
    private static final int MSRP_PORT = port("DEMO_MSRP_PORT", 2855);
    private static final int BROKER_PORT = port("DEMO_BROKER_PORT", 61616);
    private static final int MANAGEMENT_PORT = port("DEMO_MANAGEMENT_PORT", 9876);

    private PushDemo() {
    }

    public static void main(String... args) throws Exception {
        int clientPort = TestPorts.next();
        int clientMsrpPort = TestPorts.next();
        Path dataDir = Files.createTempDirectory("imdp-demo");
        FreeDiameter chargingEnabler = new FreeDiameter("demo", "ocs.localdomain");
        say("Charging Enabler: freeDiameter on 127.0.0.1:%d", chargingEnabler.port());
        chargingEnabler.start();
        try (TsharkCapture wire = TsharkCapture.start(SIP_PORT, clientPort, clientMsrpPort, chargingEnabler.port())
                     .decodeAsMsrp(clientMsrpPort).decodeAsDiameter(chargingEnabler.port());
             KamailioMsrpPeer clientMsrp = KamailioMsrpPeer.start(clientMsrpPort)) {
            say("IM Server: java -jar target/im-deferred-push-runner.jar (SIP %d, MSRP %d, management %d, broker %d;"
                + " journal in %s)", SIP_PORT, MSRP_PORT, MANAGEMENT_PORT, BROKER_PORT, dataDir);
            try (ServiceProcess service = ServiceProcess.builder()
                    .property("imdp.data-dir", dataDir.toString())
                    .property("imdp.ch1.peers", "127.0.0.1:" + chargingEnabler.port())
                    .property("imdp.sip.port", String.valueOf(SIP_PORT))
                    .property("imdp.msrp.port", String.valueOf(MSRP_PORT))
                    .property("imdp.broker.embedded.port", String.valueOf(BROKER_PORT))
                    .property("camel.management.port", String.valueOf(MANAGEMENT_PORT))
                    .start()) {
                for (String text : List.of("Hello Bob", "Call me when you are back")) {
                    say("alice -> IM Server: SIP MESSAGE for sip:bob@127.0.0.1 (\"%s\"), answered 202, stored", text);
                    Sipp.scenario("uac-message.xml").remotePort(SIP_PORT).service("bob")
                            .key("sender", "sip:alice@127.0.0.1").key("body", text).runClient().assertSucceeded();
                }
                say("bob's IM Client: SIPp on 127.0.0.1:%d, its MSRP side Kamailio on 127.0.0.1:%d",
                        clientPort, clientMsrpPort);
                try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                        .key("msrp_port", String.valueOf(clientMsrpPort)).set("bye_delay", "1000").startServer()) {
                    say("bob registers (REGISTER, Expires 600): the IM Server pushes");
                    Sipp.scenario("uac-register.xml").remotePort(SIP_PORT).service("bob")
                            .set("contact", "sip:127.0.0.1:" + clientPort).runClient().assertSucceeded();
                    client.waitForExit(WAIT);
                }
                String charged = service.waitForLog(Pattern.compile("Charged push .*Result-Code \\d+.*"), WAIT);
                say("IM Server log: %s", charged.strip());
                printMetrics();
            }
            printLadder(wire);
        } finally {
            chargingEnabler.stop();
        }
    }

    /** The service's own Prometheus series after the push (histogram buckets left out). */
    private static void printMetrics() throws Exception {
        String url = "http://127.0.0.1:" + MANAGEMENT_PORT + "/observe/metrics";
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        say("GET %s (the service's series):", url);
        metrics.body().lines().filter(l -> l.startsWith("imdp_") && !l.contains("_bucket"))
                .forEach(l -> System.out.println("    " + l));
    }

    private static void printLadder(TsharkCapture wire) {
        List<String> frames = wire.decode("sip.Method == \"INVITE\" || sip.Method == \"ACK\" || sip.Method == \"BYE\""
                                          + " || (sip.Status-Code >= 200 && (sip.CSeq.method == \"INVITE\" || sip.CSeq.method == \"BYE\"))"
                                          + " || msrp.method == \"SEND\" || msrp.status.code || diameter.cmd.code == 271",
                "-T", "fields", "-E", "separator=|", "-e", "frame.time_relative", "-e", "sip.Method", "-e",
                "sip.Status-Code", "-e", "sip.CSeq.method", "-e", "msrp.method", "-e", "msrp.status.code", "-e",
                "diameter.flags.request", "-e", "msrp.content.type");
        System.out.println();
        System.out.println("      IM Server (im-deferred-push)            IM Client (bob)          Charging Enabler");
        double start = -1;
        boolean byeSeen = false;
        boolean bindPending = false;
        for (String frame : frames) {
            String[] f = (frame + "||||||||").split("\\|", -1);
            double t = Double.parseDouble(f[0]);
            if (start < 0) {
                start = t;
            }
            String line = ladderLine(f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
            if ("BYE".equals(f[1])) {
                line = byeSeen ? line.replace("5 |--- SIP BYE ---------", "  |--- SIP BYE (resent)") : line;
                byeSeen = true;
            }
            if (line != null && line.startsWith("  |=== MSRP SEND (empty")) {
                bindPending = true;
            } else if (line != null && bindPending && line.startsWith("4 |<== MSRP")) {
                // the answer to the empty SEND, not to a stored message
                line = "  " + line.substring(2);
                bindPending = false;
            }
            if (line != null) {
                System.out.printf("%8.3f s  %s%n", t - start, line);
            }
        }
        System.out.println();
    }

    private static String ladderLine(String sipMethod, String sipStatus, String cseq, String msrpMethod,
                                     String msrpStatus, String diameterRequest, String msrpContentType) {
        if (!sipMethod.isEmpty()) {
            return switch (sipMethod) {
                case "INVITE" -> "1 |--- SIP INVITE (SDP: MSRP) --------------->|";
                case "ACK" -> "  |--- SIP ACK ------------------------------>|";
                case "BYE" -> "5 |--- SIP BYE ------------------------------>|";
                default -> null;
            };
        }
        if (!sipStatus.isEmpty()) {
            return "INVITE".equals(cseq) ? "2 |<-- SIP " + sipStatus + " (SDP answer) ----------------|"
                    : "8 |<-- SIP " + sipStatus + " (BYE) -------------------------|";
        }
        if ("SEND".equals(msrpMethod)) {
            return msrpContentType.isEmpty() ? "  |=== MSRP SEND (empty: binds the session) >|"
                    : "3 |=== MSRP SEND (" + msrpContentType + ") ============>|";
        }
        if (!msrpStatus.isEmpty()) {
            return "4 |<== MSRP " + msrpStatus + " ==============================|";
        }
        if (!diameterRequest.isEmpty()) {
            return "1".equals(diameterRequest) || "True".equalsIgnoreCase(diameterRequest)
                    ? "6 |--- CH-1 ACR (EVENT_RECORD) ---------------------------------------->|"
                    : "7 |<-- CH-1 ACA ---------------------------------------------------------|";
        }
        return null;
    }

    /** A port from the environment variable {@code name}, else {@code otherwise}. */
    private static int port(String name, int otherwise) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            int port = Integer.parseInt(value.strip());
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + "=" + value + " is not a port (1-65535)");
    }

    private static void say(String format, Object... args) {
        System.out.printf("* " + format + "%n", args);
    }
}

package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The judge must fail when the wire is wrong: frames that Wireshark's dissectors flag. */
class TsharkCaptureTest {

    @Test
    void flagsMalformedSipAndMsrp() throws IOException {
        int sipPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        try (TsharkCapture capture = TsharkCapture.start(sipPort, msrpPort).decodeAsMsrp(msrpPort);
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // a header line without a colon
            byte[] sip = ("MESSAGE sip:alice@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + udp.getLocalPort() + ";branch=z9hG4bK-judge\r\n"
                    + "From: <sip:bob@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: judge-1\r\n"
                    + "CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nNoColonHeader\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(sip, sip.length, new InetSocketAddress("127.0.0.1", sipPort)));
            // a SEND whose body does not parse as its declared Content-Type
            String body = "this is not SDP";
            sendOverTcp(msrpPort, "MSRP bad1 SEND\r\nTo-Path: msrp://127.0.0.1:" + msrpPort + "/s1;tcp\r\n"
                    + "From-Path: msrp://127.0.0.1:" + msrpPort + "/s2;tcp\r\nMessage-ID: m1\r\n"
                    + "Byte-Range: 1-" + body.length() + "/" + body.length() + "\r\nContent-Type: application/sdp\r\n\r\n"
                    + body + "\r\n-------bad1$\r\n");

            assertThatThrownBy(capture::assertNoMalformedOrErrors)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("2 malformed, erroneous or unreadable frame(s)")
                    .hasMessageContaining("|SIP|Request: MESSAGE sip:alice@127.0.0.1")
                    .hasMessageContaining("Header has no colon after the name")
                    .hasMessageContaining("|MSRP/SDP|Request: SEND Transaction ID: bad1")
                    .hasMessageContaining("Invalid SDP line");
            // the capture's own probe datagrams are left out
            assertThat(capture.decode("udp")).singleElement().asString().contains("MESSAGE sip:alice@127.0.0.1");
        }
    }

    /** What the dissectors pass without a word, on ports they were told carry SIP or MSRP. */
    @Test
    void flagsWhatIsNotSipOrMsrpAtAll() throws IOException {
        int sipPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        try (TsharkCapture capture = TsharkCapture.sipAndMsrp(new int[] {sipPort}, msrpPort);
             DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] junk = "NOT SIP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(junk, junk.length, new InetSocketAddress("127.0.0.1", sipPort)));
            sendOverTcp(sipPort, "\r\n\r\n");
            sendOverTcp(sipPort, "NOT SIP AT ALL\r\n\r\n");
            sendOverTcp(msrpPort, "THIS IS NOT MSRP\r\n\r\n");

            assertThatThrownBy(capture::assertNoMalformedOrErrors)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("3 malformed, erroneous or unreadable frame(s)")
                    .hasMessageContaining("|UDP|")
                    .hasMessageContaining("|SIP|Continuation")
                    .hasMessageContaining("|TCP|");
            // the keep-alive is not among them, and a test can leave out what it breaks on purpose
            capture.assertNoMalformedOrErrorsExcept("udp or sip.continuation or tcp.port == " + msrpPort);
        }
    }

    /** Connects to a listener of our own on {@code port} and writes {@code text}; returns once it was read. */
    private static void sendOverTcp(int port, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            try (Socket accepted = listener.accept()) {
                client.getOutputStream().write(bytes);
                client.getOutputStream().flush();
                assertThat(accepted.getInputStream().readNBytes(bytes.length)).isEqualTo(bytes);
            }
        }
    }
}

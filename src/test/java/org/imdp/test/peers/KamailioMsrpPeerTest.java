package org.imdp.test.peers;

import org.imdp.test.TestPorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Kamailio as the IM Client's MSRP side, fed by a plain socket with RFC 4975 frames, with tshark
 * capturing the exchange and judging it.
 */
class KamailioMsrpPeerTest {

    private static final String CPIM = String.join("\r\n",
            "From: <sip:bob@127.0.0.1>",
            "To: <sip:alice@127.0.0.1>",
            "DateTime: 2026-11-26T07:00:00Z",
            "",
            "Content-Type: text/plain",
            "",
            "see you at 8");

    @Test
    void answersSendWith200AndLogsTheFrame() throws IOException {
        int msrpPort = TestPorts.next();
        try (TsharkCapture capture = TsharkCapture.start(msrpPort).decodeAsMsrp(msrpPort);
             KamailioMsrpPeer peer = KamailioMsrpPeer.start(msrpPort);
             Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", msrpPort), 5000);
            socket.setSoTimeout(5000);
            String toPath = "msrp://127.0.0.1:" + msrpPort + "/imclient42;tcp";
            String fromPath = "msrp://127.0.0.1:" + socket.getLocalPort() + "/server7;tcp";

            String response = exchange(socket, send("a1b2c3d4", toPath, fromPath, "m-0001", CPIM));

            assertThat(response).startsWith("MSRP a1b2c3d4 200 OK\r\n")
                    .contains("To-Path: " + fromPath + "\r\n", "From-Path: " + toPath + "\r\n")
                    .endsWith("-------a1b2c3d4$\r\n");
            List<KamailioMsrpPeer.Frame> frames = peer.awaitReceived(1, Duration.ofSeconds(5));
            assertThat(frames).containsExactly(new KamailioMsrpPeer.Frame("SEND", "a1b2c3d4", "imclient42", "m-0001", CPIM));

            capture.assertNoMalformedOrErrors();
            assertThat(capture.decode("msrp", "-T", "fields", "-E", "occurrence=f", "-e", "msrp.transaction.id", "-e", "msrp.method",
                    "-e", "msrp.status.code")).containsExactly("a1b2c3d4\tSEND\t", "a1b2c3d4\t\t200");
        }
    }

    @Test
    void logsEverySendOfASession() throws IOException {
        int msrpPort = TestPorts.next();
        try (KamailioMsrpPeer peer = KamailioMsrpPeer.start(msrpPort); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", msrpPort), 5000);
            socket.setSoTimeout(5000);
            String toPath = "msrp://127.0.0.1:" + msrpPort + "/imclient43;tcp";
            String fromPath = "msrp://127.0.0.1:" + socket.getLocalPort() + "/server8;tcp";

            // the bodiless SEND an active endpoint opens its session with (RFC 4975 section 5.4)
            assertThat(exchange(socket, send("tx0", toPath, fromPath, "m-0", ""))).startsWith("MSRP tx0 200 OK");
            assertThat(exchange(socket, send("tx1", toPath, fromPath, "m-1", "first"))).startsWith("MSRP tx1 200 OK");
            // a body holding "]" and a line break must not end the logged record early
            assertThat(exchange(socket, send("tx2", toPath, fromPath, "m-2", "[second]\r\nline"))).startsWith("MSRP tx2 200 OK");

            assertThat(peer.awaitReceived(3, Duration.ofSeconds(5))).containsExactly(
                    new KamailioMsrpPeer.Frame("SEND", "tx0", "imclient43", "m-0", ""),
                    new KamailioMsrpPeer.Frame("SEND", "tx1", "imclient43", "m-1", "first"),
                    new KamailioMsrpPeer.Frame("SEND", "tx2", "imclient43", "m-2", "[second]\r\nline"));
        }
    }

    @Test
    void reportsFramesItCannotParse() throws IOException {
        int msrpPort = TestPorts.next();
        try (KamailioMsrpPeer peer = KamailioMsrpPeer.start(msrpPort); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", msrpPort), 5000);
            socket.getOutputStream().write(("MSRP nt1 SEND\r\nFrom-Path: msrp://127.0.0.1:" + socket.getLocalPort()
                    + "/server9;tcp\r\nMessage-ID: m-1\r\nByte-Range: 1-0/0\r\n-------nt1$\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            await().atMost(Duration.ofSeconds(5)).until(() -> !peer.msrpErrors().isEmpty());
            assertThat(peer.msrpErrors()).anyMatch(l -> l.contains("From-Path must be after To-Path"));
            assertThat(peer.received()).isEmpty();
        }
    }

    @Test
    void failsWithKamailiosErrorWhenThePortIsTaken() throws IOException {
        int msrpPort = TestPorts.next();
        try (ServerSocket taken = new ServerSocket(msrpPort, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> KamailioMsrpPeer.start(msrpPort).close())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited before binding TCP port " + msrpPort)
                    .hasMessageContaining("Address already in use");
        }
    }

    /** An RFC 4975 SEND of one whole message in one chunk; bodiless when {@code content} is empty. */
    static byte[] send(String transactionId, String toPath, String fromPath, String messageId, String content) {
        int length = content.getBytes(StandardCharsets.UTF_8).length;
        String frame = "MSRP " + transactionId + " SEND\r\n"
                + "To-Path: " + toPath + "\r\n"
                + "From-Path: " + fromPath + "\r\n"
                + "Message-ID: " + messageId + "\r\n"
                + "Byte-Range: 1-" + length + "/" + length + "\r\n"
                + (content.isEmpty() ? ""
                        : "Content-Type: " + (content.startsWith("From:") ? "message/cpim" : "text/plain") + "\r\n\r\n" + content + "\r\n")
                + "-------" + transactionId + "$\r\n";
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a request and reads one frame back, up to its end-line. */
    static String exchange(Socket socket, byte[] request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        while (!response.toString(StandardCharsets.UTF_8).matches("(?s).*\r\n-------\\S+[$+#]\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("MSRP peer closed the connection; read so far: " + response);
            }
            response.write(b);
        }
        return response.toString(StandardCharsets.UTF_8);
    }
}

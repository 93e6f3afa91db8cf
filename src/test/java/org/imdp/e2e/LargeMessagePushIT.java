package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.store.DeferredStore;
import org.imdp.test.BrokerClient;
import org.imdp.test.StoreFile;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A binary message of several megabytes, end to end through the packaged service: JMS intake on the embedded
 * broker's TCP acceptor (an Artemis large message on the way in and in the store), pushed in MSRP chunks of
 * {@code imdp.msrp.chunk-size} to the team's MSRP peer, put back together there octet for octet; tshark judges
 * the SIP and MSRP on the wire and reads every chunk's Byte-Range.
 */
class LargeMessagePushIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SIZE = 5 * 1024 * 1024 + 12_345;
    private static final int CHUNK_SIZE = 100_000;

    @TempDir
    Path dataDir;

    @Test
    void a_five_megabyte_binary_message_arrives_intact_in_contiguous_chunks() throws Exception {
        int sipPort = TestPorts.next();
        int brokerPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        byte[] content = new byte[SIZE];
        new Random(4975).nextBytes(content);
        String lena = "sip:lena@127.0.0.1";

        try (ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                     .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                     .property("imdp.msrp.port", String.valueOf(msrpPort))
                     .property("imdp.store.max-message-size", String.valueOf(8 * 1024 * 1024))
                     .property("imdp.msrp.chunk-size", String.valueOf(CHUNK_SIZE))
                     // one chunk in flight at a time: Wireshark 4.0's MSRP dissector loses the frames after a TCP
                     // segment that ends one chunk and begins the next, and tshark is to read every chunk's
                     // Byte-Range here (the window is KamailioRelayLargeMessageIT's and MsrpSessionsTest's)
                     .property("imdp.msrp.window", "1").start();
             BrokerClient broker = new BrokerClient("tcp://127.0.0.1:" + brokerPort);
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0);
             TsharkCapture capture = TsharkCapture.sipAndMsrp(new int[] {sipPort, client.port()}, msrpPort, msrp.port())) {
            client.answerWithMsrp(msrp.path(), "passive");
            broker.send("im.deferred.intake", content, Map.of(
                    DeferredStore.PROP_RECIPIENT, lena,
                    DeferredStore.PROP_SENDER, "sip:alice@127.0.0.1",
                    DeferredStore.PROP_CONTENT_TYPE, "application/octet-stream",
                    DeferredStore.PROP_MESSAGE_ID, "big5mb0001"));
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, lena) == 1);

            client.register(lena, 600);
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(lena)
                                               + " .*1 sent, 1 acknowledged, 0 refused, complete"), WAIT);

            // reassembled by Byte-Range: fails unless the chunks are contiguous and add up to the total
            CpimMessage cpim = CpimMessage.parse(msrp.message("big5mb0001"));
            assertThat(cpim.contentType()).startsWith("application/octet-stream");
            assertThat(sha256(cpim.body())).isEqualTo(sha256(content));
            List<MsrpTestPeer.Received> chunks = msrp.frames().stream()
                    .filter(f -> "big5mb0001".equals(f.request().messageId())).toList();
            assertThat(chunks).hasSizeGreaterThan(SIZE / CHUNK_SIZE);
            assertThat(chunks).allSatisfy(c -> assertThat(c.body().length).isLessThanOrEqualTo(CHUNK_SIZE));
            assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c ->
                    assertThat(c.request().endFlag().symbol()).isEqualTo('+'));
            assertThat(chunks.get(chunks.size() - 1).request().endFlag().symbol()).isEqualTo('$');
            assertThat(chunks.get(0).header(MsrpHeaderNames.BYTE_RANGE)).startsWith("1-" + CHUNK_SIZE + "/");
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, lena) == 0);
            // tshark 4.0's MSRP dissector throws on a few binary chunks reassembled from two TCP segments whose
            // bytes are right (the same payload replayed dissects clean; the peer put the chunks together above)
            capture.assertNoMalformedOrErrorsExcept("msrp.method == \"SEND\" and msrp.messageid == \"big5mb0001\""
                                                    + " and _ws.expert.message == \"Malformed Packet (Exception occurred)\"");
            assertThat(capture.decode("msrp.method == \"SEND\" and msrp.messageid == \"big5mb0001\"",
                    "-T", "fields", "-e", "msrp.byte.range").stream().flatMap(f -> Arrays.stream(f.split(","))))
                    .as("the chunks' Byte-Ranges as tshark read them")
                    .containsExactlyElementsOf(chunks.stream().map(c -> c.header(MsrpHeaderNames.BYTE_RANGE)).toList());
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}

package org.imdp.e2e;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.store.DeferredStore;
import org.imdp.test.BrokerClient;
import org.imdp.test.StoreFile;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.TsharkCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message of 60,012 octets, end to end through the packaged service on its default MSRP settings, to a client
 * behind Kamailio's msrp module as its MSRP relay (RFC 4976). As one SEND it overran Kamailio's TCP read buffer
 * and the push failed on every try; in chunks of {@code imdp.msrp.chunk-size} with a window of them in flight it
 * goes through the relay, which the client (the team's MSRP peer) reaches over its own connection, and is put back
 * together there octet for octet. tshark judges the SIP and both MSRP legs.
 */
class KamailioRelayLargeMessageIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SIZE = 60_012;
    private static final int DEFAULT_CHUNK_SIZE = 10_240;
    private static final String MESSAGE_ID = "relay60012";

    @TempDir
    Path dataDir;

    @Test
    void a_60012_octet_message_arrives_whole_through_kamailio_as_msrp_relay() throws Exception {
        int sipPort = TestPorts.next();
        int brokerPort = TestPorts.next();
        int msrpPort = TestPorts.next();
        int relayPort = TestPorts.next();
        // text, so that every octet can also be read in Kamailio's log of the frames it relayed
        Random random = new Random(4976);
        byte[] content = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            content[i] = (byte) ('a' + random.nextInt(26));
        }
        String mia = "sip:mia@127.0.0.1";

        try (ServiceProcess service = Services.onFreePorts(sipPort, dataDir)
                     .property("imdp.broker.embedded.port", String.valueOf(brokerPort))
                     .property("imdp.msrp.port", String.valueOf(msrpPort)).start();
             BrokerClient broker = new BrokerClient("tcp://127.0.0.1:" + brokerPort);
             KamailioMsrpPeer relay = KamailioMsrpPeer.startRelay(relayPort);
             SipTestClient client = SipTestClient.start("127.0.0.1", sipPort);
             MsrpTestPeer msrp = new MsrpTestPeer().start(0);
             TsharkCapture capture = TsharkCapture.sipAndMsrp(new int[] {sipPort, client.port()}, msrpPort,
                     msrp.port(), relayPort);
             MsrpTestPeer.Connection reserved = msrp.connect("127.0.0.1", relayPort,
                     "msrp://127.0.0.1:" + relayPort + ";tcp")) {
            // the client reserves the relay and answers with the relay's Use-Path first in its a=path
            MsrpResponse auth = reserved.auth().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(auth.status()).isEqualTo(200);
            String useRelay = auth.header("Use-Path");
            client.answerWithMsrp(useRelay + " " + msrp.path(), "passive");
            broker.send("im.deferred.intake", content, Map.of(
                    DeferredStore.PROP_RECIPIENT, mia,
                    DeferredStore.PROP_SENDER, "sip:alice@127.0.0.1",
                    DeferredStore.PROP_CONTENT_TYPE, "text/plain",
                    DeferredStore.PROP_MESSAGE_ID, MESSAGE_ID));
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, mia) == 1);

            client.register(mia, 600);
            service.waitForLog(Pattern.compile("Push to " + Pattern.quote(mia)
                                               + " .*1 sent, 1 acknowledged, 0 refused, complete"), WAIT);

            // the relay answers each chunk itself (hop by hop) and forwards it: wait until the client has all
            byte[] cpimOctets = await().atMost(WAIT).ignoreExceptions()
                    .until(() -> msrp.message(MESSAGE_ID), m -> true);
            CpimMessage cpim = CpimMessage.parse(cpimOctets);
            assertThat(cpim.contentType()).startsWith("text/plain");
            assertThat(cpim.body()).as("the content as the client reassembled it").isEqualTo(content);
            List<MsrpTestPeer.Received> chunks = msrp.frames().stream()
                    .filter(f -> MESSAGE_ID.equals(f.request().messageId())).toList();
            assertThat(chunks).hasSize((cpimOctets.length + DEFAULT_CHUNK_SIZE - 1) / DEFAULT_CHUNK_SIZE)
                    .allSatisfy(c -> {
                        assertThat(c.body().length).isLessThanOrEqualTo(DEFAULT_CHUNK_SIZE);
                        assertThat(c.request().fromPath()).startsWith(useRelay + " msrp://");
                    });
            assertThat(chunks.get(0).header(MsrpHeaderNames.BYTE_RANGE))
                    .isEqualTo("1-" + DEFAULT_CHUNK_SIZE + "/" + cpimOctets.length);
            // Kamailio handled every chunk as an MSRP frame: logged whole, nothing overran or went unparsed
            assertThat(relay.received()).filteredOn(f -> MESSAGE_ID.equals(f.messageId()))
                    .extracting(KamailioMsrpPeer.Frame::body)
                    .containsExactlyElementsOf(chunks.stream().map(MsrpTestPeer.Received::bodyText).toList());
            assertThat(relay.process().logText().lines().filter(l -> l.contains("ERROR:"))).isEmpty();
            await().atMost(WAIT).until(() -> StoreFile.storedFor(dataDir, mia) == 0);
            // Wireshark 4.0's MSRP dissector follows one frame per TCP segment: with a window of chunks in flight a
            // segment may end one chunk and begin the next, and the dissector loses the frames after it (bare TCP
            // data, or an exception on a frame cut short). The chunks' legs (to the relay, from it to the client)
            // are judged on what it did dissect; Kamailio's log and the client's reassembly above show every chunk
            // whole. SIP and the MSRP responses are judged in full.
            capture.assertNoMalformedOrErrorsExcept("(tcp.dstport == " + relayPort + " or tcp.dstport == "
                                                    + msrp.port() + ") and (not msrp or _ws.malformed)");
            assertThat(new String(cpimOctets, StandardCharsets.UTF_8)).contains("imdn.Message-ID: " + MESSAGE_ID);
        }
    }
}

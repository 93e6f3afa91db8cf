package org.imdp.sipmsrp.msrp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.imdp.sipmsrp.msrp.MsrpTestPeer.Received;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpIds;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;
import org.imdp.test.NettyLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@ExtendWith(NettyLeakDetection.class)
class MsrpSessionsTest {

    private static final long WAIT_SECONDS = 10;
    private static final String TEXT = "text/plain;charset=UTF-8";
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

    private final MsrpTestPeer peer = new MsrpTestPeer();
    private NettyMsrpSessions sessions;

    @BeforeEach
    void startPeer() {
        peer.start(0);
    }

    @AfterEach
    void stopAll() {
        if (sessions != null) {
            sessions.close();
        }
        peer.close();
    }

    @Test
    void allocatesEndpointsWithFreshSessionIdsOnTheBoundPort() {
        start(config());
        MsrpLocalEndpoint first = sessions.allocate();
        MsrpLocalEndpoint second = sessions.allocate();
        assertThat(sessions.port()).isPositive();
        assertThat(first.localPath()).matches("msrp://127\\.0\\.0\\.1:" + sessions.port() + "/[A-Za-z0-9]{16};tcp");
        assertThat(first.localPath()).isNotEqualTo(second.localPath());
    }

    @Test
    void connectsBindsAndSendsSeveralMessagesInOrder() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        MsrpSession session = get(endpoint.connect(List.of(peer.path())));

        for (String id : List.of("msg00001", "msg00002", "msg00003")) {
            MsrpSendResult result = get(session.send(id, TEXT, ("hello " + id).getBytes(StandardCharsets.UTF_8)));
            assertThat(result.acknowledged()).isTrue();
            assertThat(result.bytesSent()).isEqualTo(("hello " + id).length());
        }

        List<Received> frames = peer.frames();
        assertThat(frames).hasSize(4);
        Received bind = frames.get(0);
        assertThat(bind.request().method()).isEqualTo(MsrpRequest.SEND);
        assertThat(bind.body()).isEmpty();
        assertThat(bind.header(MsrpHeaderNames.CONTENT_TYPE)).isNull();
        assertThat(bind.header(MsrpHeaderNames.BYTE_RANGE)).isEqualTo("1-0/0");
        assertThat(bind.header(MsrpHeaderNames.MESSAGE_ID)).isNotNull();
        assertThat(frames.subList(1, 4)).extracting(r -> r.request().messageId())
                .containsExactly("msg00001", "msg00002", "msg00003");
        Received first = frames.get(1);
        assertThat(first.request().toPath()).isEqualTo(peer.path());
        assertThat(first.request().fromPath()).isEqualTo(endpoint.localPath());
        assertThat(first.request().failureReport()).isEqualTo("yes");
        assertThat(first.request().contentType()).isEqualTo(TEXT);
        assertThat(first.header(MsrpHeaderNames.BYTE_RANGE)).isEqualTo("1-14/14");
        assertThat(first.bodyText()).isEqualTo("hello msg00001");
        assertThat(frames).extracting(r -> r.request().transactionId()).doesNotHaveDuplicates();
        endpoint.close();
    }

    @Test
    void chunksALargeBinaryMessage() throws Exception {
        start(config());
        byte[] body = new byte[3_000_000];
        new Random(42).nextBytes(body);
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));

        MsrpSendResult result = get(session.send("big00001", "application/octet-stream", body));

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.bytesSent()).isEqualTo(body.length);
        assertThat(peer.message("big00001")).isEqualTo(body);
        List<Received> chunks = peer.frames().subList(1, peer.frames().size());
        int expectedChunks = (body.length + MsrpSessionsConfig.DEFAULT_CHUNK_SIZE - 1)
                             / MsrpSessionsConfig.DEFAULT_CHUNK_SIZE;
        assertThat(chunks).hasSize(expectedChunks);
        assertThat(chunks.subList(0, expectedChunks - 1)).allSatisfy(
                c -> assertThat(c.request().endFlag().symbol()).isEqualTo('+'));
        assertThat(chunks.get(expectedChunks - 1).request().endFlag().symbol()).isEqualTo('$');
        assertThat(chunks.get(1).header(MsrpHeaderNames.BYTE_RANGE)).isEqualTo("10241-20480/3000000");
    }

    @ParameterizedTest
    @ValueSource(ints = { 413, 415, 481 })
    void reportsThePeersErrorStatus(int status) throws Exception {
        start(config().withChunkSize(4).withWindow(1));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.answerWith(status);

        MsrpSendResult result = get(session.send("err00001", TEXT, "0123456789".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(status);
        assertThat(result.acknowledged()).isFalse();
        // the first chunk failed, so the rest of the message was not sent
        assertThat(peer.frames()).hasSize(2);
        assertThat(result.bytesSent()).isEqualTo(4);
    }

    @Test
    void a413MidMessageStopsThatMessageAfterTheRefusedChunkAndTheSessionGoesOn() throws Exception {
        start(config().withChunkSize(4).withWindow(1));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.answerInTurn(MsrpResponse.OK, MsrpResponse.STOP_SENDING);

        MsrpSendResult refused = get(session.send("stop0001", TEXT, "0123456789ab".getBytes(StandardCharsets.UTF_8)));
        MsrpSendResult next = get(session.send("next0001", TEXT, "next".getBytes(StandardCharsets.UTF_8)));

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.bytesSent()).isEqualTo(8);
        List<Received> chunks = peer.frames().stream().filter(f -> "stop0001".equals(f.request().messageId())).toList();
        // RFC 4975 §10: after a 413 no further chunk of that message; each chunk is written whole before its
        // response is awaited, so the refused one was complete (+) and no chunk is left to end with #
        assertThat(chunks).extracting(c -> c.header(MsrpHeaderNames.BYTE_RANGE)).containsExactly("1-4/12", "5-8/12");
        assertThat(chunks).extracting(c -> c.request().endFlag().symbol()).containsExactly('+', '+');
        assertThat(peer.frames()).noneMatch(f -> f.request().endFlag().symbol() == '#');
        assertThat(next.acknowledged()).isTrue();
        assertThat(peer.message("next0001")).asString(StandardCharsets.UTF_8).isEqualTo("next");
    }

    @Test
    void a413InAReportStopsTheMessageBeforeItsNextChunk() throws Exception {
        start(config().withChunkSize(4).withWindow(1));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        // each chunk answered 200, then a REPORT 413 for it: it overtakes the response to the next chunk
        peer.reportEveryChunkWith(MsrpResponse.STOP_SENDING);

        MsrpSendResult result = get(session.send("stop0002", TEXT, "0123456789ab".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(413);
        assertThat(result.comment()).startsWith("REPORT 000 413");
        assertThat(peer.frames()).filteredOn(f -> "stop0002".equals(f.request().messageId()))
                .extracting(f -> f.header(MsrpHeaderNames.BYTE_RANGE)).containsExactly("1-4/12", "5-8/12");
    }

    @Test
    void keepsAWindowOfChunksInFlightAndSendsOneMoreOnEach200() throws Exception {
        start(config().withChunkSize(4).withWindow(3));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();
        byte[] body = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);

        CompletableFuture<MsrpSendResult> sending = session.send("win00001", TEXT, body);

        // three chunks go out before any answer; the 200 to the first lets the fourth go, and so on
        awaitHeld(3);
        get(peer.answerHeld(0, MsrpResponse.OK));
        awaitHeld(4);
        // answered out of order: responses are matched by transaction id
        get(peer.answerHeld(2, MsrpResponse.OK));
        awaitHeld(5);
        get(peer.answerHeld(1, MsrpResponse.OK));
        get(peer.answerHeld(4, MsrpResponse.OK));
        assertThat(sending).as("the fourth chunk is not answered yet").isNotDone();
        get(peer.answerHeld(3, MsrpResponse.OK));

        MsrpSendResult result = get(sending);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.bytesSent()).isEqualTo(body.length);
        assertThat(peer.maxOutstanding()).isEqualTo(3);
        assertThat(peer.message("win00001")).isEqualTo(body);
        assertThat(peer.frames().subList(1, 6)).extracting(f -> f.header(MsrpHeaderNames.BYTE_RANGE))
                .containsExactly("1-4/20", "5-8/20", "9-12/20", "13-16/20", "17-20/20");
    }

    @Test
    void anErrorToAChunkInFlightDecidesTheMessageAndLateAnswersToItsOtherChunksAreIgnored() throws Exception {
        start(config().withChunkSize(4).withWindow(3));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();

        CompletableFuture<MsrpSendResult> sending = session.send("stop0003", TEXT,
                "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8));
        awaitHeld(3);
        // the second chunk is refused while the first and third are still in flight
        get(peer.answerHeld(1, MsrpResponse.STOP_SENDING));
        MsrpSendResult refused = get(sending);
        get(peer.answerHeld(0, MsrpResponse.OK));
        get(peer.answerHeld(2, MsrpResponse.OK));
        // the late 200s reach the sender before anything about the next message (one connection, in order)
        peer.answerWith(MsrpResponse.OK);
        MsrpSendResult next = get(session.send("next0003", TEXT, "next".getBytes(StandardCharsets.UTF_8)));

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.bytesSent()).as("octets written").isEqualTo(12);
        assertThat(next.acknowledged()).isTrue();
        // no chunk of the refused message after the 413, none of the late 200s let one go, no # end-line due
        assertThat(peer.frames()).filteredOn(f -> "stop0003".equals(f.request().messageId()))
                .extracting(f -> f.header(MsrpHeaderNames.BYTE_RANGE)).containsExactly("1-4/20", "5-8/20", "9-12/20");
        assertThat(peer.frames()).noneMatch(f -> f.request().endFlag().symbol() == '#');
        assertThat(peer.message("next0003")).asString(StandardCharsets.UTF_8).isEqualTo("next");
    }

    @Test
    void aStopSessionErrorInFlightIsTheMessagesStatusWhateverCameBefore() throws Exception {
        start(config().withChunkSize(4).withWindow(3));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();

        CompletableFuture<MsrpSendResult> sending = session.send("gone0003", TEXT,
                "0123456789ab".getBytes(StandardCharsets.UTF_8));
        awaitHeld(3);
        get(peer.answerHeld(0, MsrpResponse.OK));
        get(peer.answerHeld(2, MsrpResponse.NO_SUCH_SESSION));

        // two of three chunks answered 200 do not make a delivery: the 481 decides
        MsrpSendResult result = get(sending);
        assertThat(result.status()).isEqualTo(481);
        assertThat(MsrpStatusAction.of(result.status())).isEqualTo(MsrpStatusAction.STOP_SESSION);
        get(peer.answerHeld(1, MsrpResponse.OK));
        assertThat(peer.held()).isEqualTo(3);
    }

    @Test
    void aLostConnectionWithChunksInFlightFailsTheMessageEvenAfterSome200s() throws Exception {
        start(config().withChunkSize(4).withWindow(3));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();

        CompletableFuture<MsrpSendResult> sending = session.send("lost0001", TEXT,
                "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8));
        awaitHeld(3);
        get(peer.answerHeld(0, MsrpResponse.OK));
        get(peer.answerHeld(1, MsrpResponse.OK));
        awaitHeld(5);
        get(peer.closeHeld(2));

        assertThatThrownBy(() -> get(sending)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MsrpException.class).hasMessageContaining("peer closed the connection");
        get(session.closeFuture());
    }

    @Test
    void aChunkInFlightThatIsNeverAnsweredGives408() throws Exception {
        start(config().withChunkSize(4).withWindow(3).withTransactionTimeout(SHORT_TIMEOUT));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();

        CompletableFuture<MsrpSendResult> sending = session.send("slow0002", TEXT,
                "0123456789ab".getBytes(StandardCharsets.UTF_8));
        awaitHeld(3);
        get(peer.answerHeld(0, MsrpResponse.OK));
        get(peer.answerHeld(2, MsrpResponse.OK));

        MsrpSendResult result = get(sending);
        assertThat(result.status()).isEqualTo(408);
        assertThat(result.comment()).contains("no response");
    }

    @Test
    void withSuccessReportAndAWindowTheMessageWaitsForEveryChunkAndItsReport() throws Exception {
        start(config().withChunkSize(4).withWindow(3).withSuccessReport(true));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.hold();

        CompletableFuture<MsrpSendResult> sending = session.send("rep00005", TEXT,
                "0123456789ab".getBytes(StandardCharsets.UTF_8));
        awaitHeld(3);
        get(peer.answerHeld(2, MsrpResponse.OK));
        get(peer.answerHeld(0, MsrpResponse.OK));
        get(peer.answerHeld(1, MsrpResponse.OK));
        assertThat(sending).as("every chunk answered 200, the REPORT not in").isNotDone();
        peer.sendReport(2, MsrpResponse.OK);

        MsrpSendResult result = get(sending);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.comment()).isEqualTo("REPORT 000 200 OK");
    }

    @Test
    void sendsThroughARelayAtTheFirstUriOfThePath() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        // RFC 4976: the peer plays the relay, the client behind it is the last URI
        List<String> path = List.of(peer.path(), "msrp://client.example.invalid:2855/farend01;tcp");
        MsrpSession session = get(endpoint.connect(path));

        MsrpSendResult result = get(session.send("relay001", TEXT, "via relay".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.acknowledged()).isTrue();
        assertThat(peer.frames()).allSatisfy(f -> {
            assertThat(f.request().toPath()).isEqualTo(String.join(" ", path));
            assertThat(f.request().fromPath()).isEqualTo(endpoint.localPath());
        });
        assertThat(peer.message("relay001")).asString(StandardCharsets.UTF_8).isEqualTo("via relay");
    }

    @Test
    void withSuccessReportAMessageIsDeliveredOnItsReport() throws Exception {
        start(config().withChunkSize(4).withSuccessReport(true));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));

        MsrpSendResult result = get(session.send("rep00001", TEXT, "0123456789".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.comment()).isEqualTo("REPORT 000 200 OK");
        List<Received> frames = peer.frames();
        assertThat(frames.get(0).header(MsrpHeaderNames.SUCCESS_REPORT)).as("the binding SEND").isNull();
        assertThat(frames.subList(1, frames.size())).hasSize(3)
                .allSatisfy(f -> assertThat(f.request().successReport()).isEqualTo("yes"));
    }

    @Test
    void withSuccessReportAnErrorReportGivesItsStatus() throws Exception {
        start(config().withSuccessReport(true));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.reportWith(MsrpResponse.UNSUPPORTED_MEDIA_TYPE);

        MsrpSendResult result = get(session.send("rep00002", TEXT, "hello".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(415);
        assertThat(result.acknowledged()).isFalse();
    }

    @Test
    void withSuccessReportNoReportGives408AfterTheTransactionTimeout() throws Exception {
        start(config().withSuccessReport(true).withTransactionTimeout(SHORT_TIMEOUT));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.noReports();

        MsrpSendResult result = get(session.send("rep00003", TEXT, "hello".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(408);
        assertThat(result.comment()).contains("no REPORT");
        // the 200 to the chunk did come: only the REPORT was missing
        assertThat(peer.frames()).hasSize(2);
    }

    @Test
    void withoutSuccessReportNoneIsAskedFor() throws Exception {
        start(config());
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));

        assertThat(get(session.send("rep00004", TEXT, "hello".getBytes(StandardCharsets.UTF_8))).acknowledged()).isTrue();

        assertThat(peer.frames()).allSatisfy(f -> assertThat(f.request().successReport()).isNull());
    }

    @Test
    void answersThePeersSendsAsTheirFailureReportAsks() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofSeconds(WAIT_SECONDS));
        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());
        get(connection.bind());
        get(accepting);
        String us = endpoint.localPath();
        String notUs = "msrp://127.0.0.1:" + sessions.port() + "/notasession;tcp";

        // RFC 4975 §7.1.1: no = never answered, partial = only errors, yes or absent = always; responses come
        // in order on the connection, so the ones not sent would have arrived before the next one that is
        CompletableFuture<MsrpResponse> okNo = connection.send(us, "no", "a");
        CompletableFuture<MsrpResponse> okPartial = connection.send(us, "partial", "b");
        MsrpResponse okAbsent = get(connection.send(us, null, "c"));
        CompletableFuture<MsrpResponse> errorNo = connection.send(notUs, "no", "d");
        MsrpResponse errorPartial = get(connection.send(notUs, "partial", "e"));
        MsrpResponse okYes = get(connection.send(us, "yes", "f"));
        MsrpResponse errorYes = get(connection.send(notUs, "yes", "g"));

        assertThat(okAbsent.status()).isEqualTo(200);
        assertThat(errorPartial.status()).isEqualTo(481);
        assertThat(okYes.status()).isEqualTo(200);
        assertThat(errorYes.status()).isEqualTo(481);
        assertThat(okNo).isNotDone();
        assertThat(okPartial).isNotDone();
        assertThat(errorNo).isNotDone();
        assertThat(connection.responses()).extracting(MsrpResponse::transactionId).containsExactly(
                connection.responses().get(0).transactionId(), okAbsent.transactionId(), errorPartial.transactionId(),
                okYes.transactionId(), errorYes.transactionId());
        assertThat(connection.responses().get(0).status()).as("the binding SEND").isEqualTo(200);
        endpoint.close();
    }

    @Test
    void aSilentPeerGives408AfterTheTransactionTimeout() throws Exception {
        start(config().withTransactionTimeout(SHORT_TIMEOUT));
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.silent();

        MsrpSendResult result = get(session.send("slow0001", TEXT, "hi".getBytes(StandardCharsets.UTF_8)));

        assertThat(result.status()).isEqualTo(408);
        assertThat(result.comment()).contains("no response");
    }

    @Test
    void aPeerThatClosesFailsThePendingSend() throws Exception {
        start(config());
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        peer.closeOnMessage();

        CompletableFuture<MsrpSendResult> sending = session.send("gone0001", TEXT, "hi".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> get(sending)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MsrpException.class).hasMessageContaining("peer closed the connection");
        get(session.closeFuture());
        assertThatThrownBy(() -> get(session.send("gone0002", TEXT, new byte[1]))).cause()
                .isInstanceOf(MsrpException.class).hasMessageContaining("is closed");
    }

    @Test
    void connectFailsWhenNobodyListens() {
        start(config());
        int port = peer.port();
        peer.close();
        CompletableFuture<MsrpSession> connecting = sessions.allocate()
                .connect(List.of("msrp://127.0.0.1:" + port + "/nobody00;tcp"));
        assertThatThrownBy(() -> get(connecting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageContaining("Cannot connect MSRP session");
    }

    @Test
    void connectFailsOnAnUnusablePath() {
        start(config());
        CompletableFuture<MsrpSession> connecting = sessions.allocate().connect(List.of("msrps://x:1/s;tcp"));
        assertThatThrownBy(() -> get(connecting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageContaining("msrps (TLS), which is not configured");
    }

    @Test
    void connectFailsWhenThePeerRefusesTheBind() {
        start(config());
        // the peer answers 481 to a To-Path that is not its own
        CompletableFuture<MsrpSession> connecting = sessions.allocate()
                .connect(List.of("msrp://127.0.0.1:" + peer.port() + "/notthepeer;tcp"));
        assertThatThrownBy(() -> get(connecting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageStartingWith("MSRP peer").hasMessageContaining("answered the binding SEND with 481");
    }

    @Test
    void acceptsAConnectionFromThePeer() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofSeconds(WAIT_SECONDS));
        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());

        MsrpResponse bindResponse = get(connection.bind());
        MsrpSession session = get(accepting);
        assertThat(bindResponse.status()).isEqualTo(200);
        assertThat(bindResponse.toPath()).isEqualTo(peer.path());
        assertThat(bindResponse.fromPath()).isEqualTo(endpoint.localPath());

        MsrpSendResult result = get(session.send("back0001", TEXT, "pushed".getBytes(StandardCharsets.UTF_8)));
        assertThat(result.acknowledged()).isTrue();
        assertThat(peer.message("back0001")).asString(StandardCharsets.UTF_8).isEqualTo("pushed");
        assertThat(peer.frames().get(0).request().toPath()).isEqualTo(peer.path());

        // further requests on the bound session: SEND 200, unknown method 501, REPORT unanswered
        assertThat(get(connection.bind()).status()).isEqualTo(200);
        assertThat(get(connection.request("FOO")).status()).isEqualTo(501);
        connection.request(MsrpRequest.REPORT);
        endpoint.close();
        get(connection.closed());
        assertThat(connection.responses()).extracting(MsrpResponse::status).containsExactly(200, 200, 501);
    }

    @Test
    void dropsResponsesForUnknownTransactions() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofSeconds(WAIT_SECONDS));
        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());
        assertThat(get(connection.bind()).status()).isEqualTo(200);
        MsrpSession session = get(accepting);

        connection.writeRaw("MSRP unknown1 200 OK\r\nTo-Path: " + endpoint.localPath() + "\r\nFrom-Path: " + peer.path()
                            + "\r\n-------unknown1$\r\n");

        assertThat(get(session.send("afte0001", TEXT, new byte[] { 1 })).acknowledged()).isTrue();
        assertThat(connection.closed()).isNotDone();
    }

    @Test
    void closesAnAcceptedConnectionThatStaysSilent() throws Exception {
        start(config().withTransactionTimeout(SHORT_TIMEOUT));
        MsrpTestPeer.Connection connection = peer.connect(sessions.allocate().localPath());
        get(connection.closed());
    }

    @Test
    void acceptTimesOutAndLateConnectionsGet481() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), SHORT_TIMEOUT);

        assertThatThrownBy(() -> get(accepting)).cause().isInstanceOf(MsrpException.class)
                .hasMessageContaining("No MSRP connection for session");
        MsrpTestPeer.Connection late = peer.connect(endpoint.localPath());
        assertThat(get(late.bind()).status()).isEqualTo(481);
        get(late.closed());
    }

    @Test
    void aConnectionForAnUnknownSessionGets481AndIsClosed() throws Exception {
        start(config());
        MsrpTestPeer.Connection connection = peer.connect(
                "msrp://127.0.0.1:" + sessions.port() + "/" + MsrpIds.newSessionId() + ";tcp");

        assertThat(get(connection.bind()).status()).isEqualTo(481);
        get(connection.closed());
    }

    @Test
    void aSecondConnectionForABoundSessionGets506() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        CompletableFuture<MsrpSession> accepting = endpoint.accept(List.of(peer.path()), Duration.ofSeconds(WAIT_SECONDS));
        assertThat(get(peer.connect(endpoint.localPath()).bind()).status()).isEqualTo(200);
        get(accepting);

        MsrpTestPeer.Connection second = peer.connect(endpoint.localPath());
        assertThat(get(second.bind()).status()).isEqualTo(506);
        get(second.closed());
    }

    @Test
    void aConnectionFromAnotherPeerPathGets481() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        endpoint.accept(List.of("msrp://127.0.0.1:9/someoneelse;tcp"), Duration.ofSeconds(WAIT_SECONDS));
        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());
        assertThat(get(connection.bind()).status()).isEqualTo(481);
        get(connection.closed());
    }

    @Test
    void garbageWithoutATransactionIdClosesTheConnection() throws Exception {
        start(config());
        MsrpTestPeer.Connection connection = peer.connect(sessions.allocate().localPath());

        connection.writeRaw("HELLO THERE\r\n\r\n");

        get(connection.closed());
        assertThat(connection.responses()).isEmpty();
    }

    @Test
    void aMalformedRequestWithATransactionIdGets400() throws Exception {
        start(config());
        MsrpLocalEndpoint endpoint = sessions.allocate();
        MsrpTestPeer.Connection connection = peer.connect(endpoint.localPath());

        connection.writeRaw("MSRP bad00001 SEND\r\nTo-Path: " + endpoint.localPath() + "\r\nFrom-Path: " + peer.path()
                            + "\r\nthis is no header\r\n-------bad00001$\r\n");

        await().atMost(WAIT_SECONDS, TimeUnit.SECONDS).until(() -> !connection.responses().isEmpty());
        MsrpResponse response = connection.responses().get(0);
        assertThat(response.transactionId()).isEqualTo("bad00001");
        assertThat(response.status()).isEqualTo(400);
        // still usable: the decoder resynchronised at the next start line
        assertThat(get(connection.bind()).status()).isEqualTo(200);
    }

    @Test
    void futuresCompleteOffTheEventLoop() throws Exception {
        start(config());
        MsrpSession session = get(sessions.allocate().connect(List.of(peer.path())));
        String thread = get(session.send("thrd0001", TEXT, new byte[] { 1 })
                .thenApply(r -> Thread.currentThread().getName()));
        assertThat(thread).doesNotStartWith("imdp-msrp");
    }

    private void awaitHeld(int chunks) {
        await().atMost(WAIT_SECONDS, TimeUnit.SECONDS).until(() -> peer.held() >= chunks);
        assertThat(peer.held()).isEqualTo(chunks);
    }

    private static MsrpSessionsConfig config() {
        return MsrpSessionsConfig.of("127.0.0.1", 0).withConnectTimeout(Duration.ofSeconds(WAIT_SECONDS));
    }

    private void start(MsrpSessionsConfig config) {
        sessions = new NettyMsrpSessions(config);
        sessions.start();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}

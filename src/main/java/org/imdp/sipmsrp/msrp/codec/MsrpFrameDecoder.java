package org.imdp.sipmsrp.msrp.codec;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ByteProcessor;

/**
 * Decodes a byte stream into {@link MsrpRequest}s and {@link MsrpResponse}s (RFC 4975 §7.1, §9).
 * <p>
 * A state machine in the style of Netty's {@code RedisDecoder}: each state returns {@code false} when it
 * needs more bytes. A body has no length field; it ends where {@code CRLF "-------" transact-id flag CRLF}
 * appears, with this frame's own transaction id, so a body may contain the end-line of any other
 * transaction. A decoded body is a retained slice of the input, released by the receiver of the request.
 * <p>
 * <b>Bad input</b> (a start line that is not MSRP, a malformed or oversized line, too many headers, an
 * oversized body, a missing To-Path or From-Path) is emitted as a frame whose {@link DecoderResult} is a
 * failure: an {@link MsrpRequest} or {@link MsrpResponse} with the headers read so far when the start line
 * was understood (so the transaction id is known and a 400 can be sent), else an {@link MsrpInvalidFrame}.
 * The decoder then <b>resynchronises</b>: it drops input up to the next line that begins with
 * {@code "MSRP "} and carries on from there; closing the connection is left to the handler. A new start
 * line found where a header or the end-line was expected ends the current frame as a failure ("missing
 * end-line") and is decoded as the next frame.
 * <p>
 * Limits: {@code maxLineLength} octets per start, header or end line without its CRLF (default
 * {@value #DEFAULT_MAX_LINE_LENGTH}), {@code maxHeaders} header fields per frame (default
 * {@value #DEFAULT_MAX_HEADERS}) and {@code maxBodySize} octets per body (default
 * {@value #DEFAULT_MAX_BODY_SIZE}, 4 MiB: a whole message in one chunk, as python-msrplib sends it, fits
 * for ordinary IM sizes; a peer that needs more must chunk).
 * <p>
 * Header order is not enforced on input (To-Path and From-Path must be present, anywhere), and Byte-Range
 * is not checked against the body length: both are the receiving application's business.
 */
public final class MsrpFrameDecoder extends ByteToMessageDecoder {

    public static final int DEFAULT_MAX_LINE_LENGTH = 4096;
    public static final int DEFAULT_MAX_HEADERS = 64;
    public static final int DEFAULT_MAX_BODY_SIZE = 4 * 1024 * 1024;

    static final String PROTOCOL_PREFIX = "MSRP ";
    static final String END_LINE_PREFIX = "-------";
    private static final byte[] PROTOCOL_PREFIX_BYTES = PROTOCOL_PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int CRLF_LENGTH = 2;
    private static final int STATUS_CODE_LENGTH = 3;
    private static final int MIN_STATUS = 100;

    private enum State {
        READ_START_LINE,
        READ_HEADERS,
        READ_BODY,
        READ_END_LINE,
        BAD_FRAME
    }

    private final int maxLineLength;
    private final int maxHeaders;
    private final int maxBodySize;

    private State state = State.READ_START_LINE;
    /** The frame being read, without its body; {@code null} between frames. */
    private MsrpFrame frame;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    /** {@code CRLF "-------" tid} of the current request, searched for to find the end of its body. */
    private byte[] bodyDelimiter;
    /** Body octets already searched without finding the delimiter, so they are not searched again. */
    private int bodyScanned;
    /** The body found by READ_BODY, handed to the request in READ_END_LINE. */
    private ByteBuf body;
    /** Length of the line found by the last {@link #peekLine}, including its CRLF. */
    private int peekedLineLength;
    /** In BAD_FRAME: whether the reader index is at the start of a line. */
    private boolean atLineStart;

    public MsrpFrameDecoder() {
        this(DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_HEADERS, DEFAULT_MAX_BODY_SIZE);
    }

    public MsrpFrameDecoder(int maxLineLength, int maxHeaders, int maxBodySize) {
        this.maxLineLength = checkPositive(maxLineLength, "maxLineLength");
        this.maxHeaders = checkPositive(maxHeaders, "maxHeaders");
        this.maxBodySize = checkPositive(maxBodySize, "maxBodySize");
    }

    private static int checkPositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be a positive integer: " + value);
        }
        return value;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            try {
                boolean progressed = switch (state) {
                    case READ_START_LINE -> readStartLine(in);
                    case READ_HEADERS -> readHeaders(in, out);
                    case READ_BODY -> readBody(in);
                    case READ_END_LINE -> readEndLine(in, out);
                    case BAD_FRAME -> skipToStartLine(in);
                };
                if (!progressed) {
                    return;
                }
            } catch (MsrpCodecException | TooLongFrameException e) {
                fail(e, out);
            }
        }
    }

    private boolean readStartLine(ByteBuf in) {
        String line = peekLine(in, true);
        if (line == null) {
            return false;
        }
        in.skipBytes(peekedLineLength);
        if (!line.startsWith(PROTOCOL_PREFIX)) {
            throw new MsrpCodecException("Not an MSRP start line: " + abbreviate(line));
        }
        int tidEnd = line.indexOf(' ', PROTOCOL_PREFIX.length());
        String tid = line.substring(PROTOCOL_PREFIX.length(), tidEnd < 0 ? line.length() : tidEnd);
        if (!MsrpIds.isIdent(tid)) {
            throw new MsrpCodecException("Malformed transaction id in start line: " + abbreviate(line));
        }
        if (tidEnd < 0 || tidEnd == line.length() - 1) {
            throw new MsrpCodecException("Start line has neither method nor status code: " + abbreviate(line));
        }
        String rest = line.substring(tidEnd + 1);
        headers.clear();
        if (isStatusCode(rest)) {
            String comment = rest.length() > STATUS_CODE_LENGTH + 1 ? rest.substring(STATUS_CODE_LENGTH + 1) : null;
            int status = Integer.parseInt(rest.substring(0, STATUS_CODE_LENGTH));
            if (status < MIN_STATUS) {
                throw new MsrpCodecException("Status code below 100 in start line: " + abbreviate(line));
            }
            frame = new MsrpResponse(tid, status, comment);
        } else {
            // built before the method is checked, so that a failure still names the transaction
            frame = new MsrpRequest(tid, rest);
            if (!isMethod(rest)) {
                throw new MsrpCodecException("Malformed method in start line: " + abbreviate(line));
            }
        }
        bodyDelimiter = ("\r\n" + END_LINE_PREFIX + tid).getBytes(StandardCharsets.US_ASCII);
        state = State.READ_HEADERS;
        return true;
    }

    private boolean readHeaders(ByteBuf in, List<Object> out) {
        String line = peekLine(in, true);
        if (line == null) {
            return false;
        }
        if (line.startsWith(PROTOCOL_PREFIX)) {
            // leave the line for READ_START_LINE: it is most likely the next frame
            MsrpFrame incomplete = frame;
            frame = null;
            emitFailure(incomplete, new MsrpCodecException("Missing end-line of transaction "
                    + incomplete.transactionId() + " before the next start line"), out);
            state = State.READ_START_LINE;
            return true;
        }
        in.skipBytes(peekedLineLength);
        if (line.isEmpty()) {
            if (frame instanceof MsrpResponse) {
                throw new MsrpCodecException("A response must not have a body, transaction " + frame.transactionId());
            }
            bodyScanned = 0;
            state = State.READ_BODY;
            return true;
        }
        if (line.startsWith(END_LINE_PREFIX)) {
            complete(line, out);
            return true;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new MsrpCodecException("Malformed header line: " + abbreviate(line));
        }
        if (headers.size() == maxHeaders) {
            throw new TooLongFrameException("An MSRP frame has more than " + maxHeaders + " headers");
        }
        headers.add(new SimpleImmutableEntry<>(line.substring(0, colon), line.substring(colon + 1).strip()));
        return true;
    }

    /** Searches for {@code CRLF "-------" tid}; the flag and CRLF after it are checked in READ_END_LINE. */
    private boolean readBody(ByteBuf in) {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int from = start + bodyScanned;
        while (true) {
            int cr = in.indexOf(from, limit, CR);
            if (cr < 0) {
                bodyScanned = limit - start;
                checkBodySize(bodyScanned);
                return false;
            }
            // the delimiter must be followed by the flag and CRLF before the body can be cut
            if (limit - cr < bodyDelimiter.length + 1 + CRLF_LENGTH) {
                bodyScanned = cr - start;
                checkBodySize(bodyScanned);
                return false;
            }
            if (isEndLineAt(in, cr)) {
                checkBodySize(cr - start);
                body = in.readRetainedSlice(cr - start);
                in.skipBytes(CRLF_LENGTH);
                state = State.READ_END_LINE;
                return true;
            }
            from = cr + 1;
        }
    }

    private boolean isEndLineAt(ByteBuf in, int index) {
        for (int i = 0; i < bodyDelimiter.length; i++) {
            if (in.getByte(index + i) != bodyDelimiter[i]) {
                return false;
            }
        }
        int after = index + bodyDelimiter.length;
        return MsrpEndFlag.of(in.getByte(after)) != null && in.getByte(after + 1) == CR
               && in.getByte(after + 2) == LF;
    }

    private void checkBodySize(int atLeast) {
        if (atLeast > maxBodySize) {
            throw new TooLongFrameException("An MSRP body is larger than " + maxBodySize + " bytes, transaction "
                                            + frame.transactionId());
        }
    }

    private boolean readEndLine(ByteBuf in, List<Object> out) {
        String line = peekLine(in, false);
        if (line == null) {
            return false;
        }
        in.skipBytes(peekedLineLength);
        complete(line, out);
        return true;
    }

    private void complete(String endLine, List<Object> out) {
        String expected = END_LINE_PREFIX + frame.transactionId();
        MsrpEndFlag flag = endLine.length() == expected.length() + 1 && endLine.startsWith(expected)
                ? MsrpEndFlag.of(endLine.charAt(expected.length())) : null;
        if (flag == null) {
            throw new MsrpCodecException("Malformed end-line for transaction " + frame.transactionId() + ": "
                                         + abbreviate(endLine));
        }
        MsrpFrame done = withHeadersAndBody(frame);
        frame = null;
        done.setEndFlag(flag);
        if (done.toPath() == null || done.fromPath() == null) {
            emitFailure(done, new MsrpCodecException("Missing To-Path or From-Path in transaction "
                                                     + done.transactionId()), out);
        } else {
            out.add(done);
        }
        state = State.READ_START_LINE;
    }

    /** Moves the collected headers (and body, for a request) into a frame that can be emitted. */
    private MsrpFrame withHeadersAndBody(MsrpFrame partial) {
        partial.headerList().addAll(headers);
        headers.clear();
        if (partial instanceof MsrpRequest request && body != null) {
            MsrpRequest withBody = request.replace(body);
            body = null;
            return withBody;
        }
        return partial;
    }

    private void fail(RuntimeException cause, List<Object> out) {
        // every failure but an oversized line or body is raised after its whole line was consumed
        atLineStart = state != State.READ_BODY && state != State.BAD_FRAME && peekedLineLength > 0;
        if (frame != null) {
            MsrpFrame failed = withHeadersAndBody(frame);
            frame = null;
            emitFailure(failed, cause, out);
        } else {
            out.add(new MsrpInvalidFrame(cause));
        }
        peekedLineLength = 0;
        state = State.BAD_FRAME;
    }

    private static void emitFailure(MsrpFrame failed, RuntimeException cause, List<Object> out) {
        if (failed instanceof MsrpRequest request && request.content().isReadable()) {
            // the body of a bad frame is of no use to anyone
            request.release();
            failed = request.replace(Unpooled.EMPTY_BUFFER);
        }
        failed.setDecoderResult(DecoderResult.failure(cause));
        out.add(failed);
    }

    /** Drops input up to the next line that starts with {@code "MSRP "}. */
    private boolean skipToStartLine(ByteBuf in) {
        while (in.isReadable()) {
            if (atLineStart) {
                int prefix = Math.min(in.readableBytes(), PROTOCOL_PREFIX_BYTES.length);
                boolean matches = true;
                for (int i = 0; i < prefix && matches; i++) {
                    matches = in.getByte(in.readerIndex() + i) == PROTOCOL_PREFIX_BYTES[i];
                }
                if (matches && prefix == PROTOCOL_PREFIX_BYTES.length) {
                    state = State.READ_START_LINE;
                    return true;
                }
                if (matches) {
                    return false;
                }
            }
            int lf = in.forEachByte(ByteProcessor.FIND_LF);
            if (lf < 0) {
                in.skipBytes(in.readableBytes());
                atLineStart = false;
                return false;
            }
            in.readerIndex(lf + 1);
            atLineStart = true;
        }
        return false;
    }

    /**
     * Finds the next CRLF-terminated line without consuming it; its length with CRLF is left in
     * {@link #peekedLineLength}.
     *
     * @return the line without CRLF, or {@code null} when it is not complete yet
     * @throws TooLongFrameException when the line is longer than {@code maxLineLength}
     */
    private String peekLine(ByteBuf in, boolean utf8) {
        int start = in.readerIndex();
        int searchLength = Math.min(in.readableBytes(), maxLineLength + CRLF_LENGTH);
        int lf = in.indexOf(start, start + searchLength, LF);
        if (lf < 0) {
            if (in.readableBytes() >= maxLineLength + CRLF_LENGTH) {
                peekedLineLength = 0;
                throw new TooLongFrameException("An MSRP line is larger than " + maxLineLength + " bytes");
            }
            return null;
        }
        if (lf == start || in.getByte(lf - 1) != CR) {
            in.readerIndex(lf + 1);
            peekedLineLength = lf + 1 - start;
            throw new MsrpCodecException("MSRP lines must end with CRLF, found a bare LF");
        }
        peekedLineLength = lf + 1 - start;
        return in.toString(start, lf - 1 - start, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
    }

    private static boolean isStatusCode(String text) {
        if (text.length() < STATUS_CODE_LENGTH
            || text.length() > STATUS_CODE_LENGTH && text.charAt(STATUS_CODE_LENGTH) != ' ') {
            return false;
        }
        for (int i = 0; i < STATUS_CODE_LENGTH; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code other-method = 1*UPALPHA} */
    static boolean isMethod(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    /** Keeps a log line short and free of control characters from the wire. */
    private static String abbreviate(String line) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}

package org.imdp.sipmsrp.msrp.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

/**
 * Encodes {@link MsrpRequest}s and {@link MsrpResponse}s (RFC 4975 §7.1, §9). The start line and headers go
 * into one buffer, the body is passed on as it is (no copy), and the end-line follows in a second buffer.
 * <p>
 * The frame is validated first, so nothing malformed reaches the wire: the transaction id must be an
 * {@code ident}, the method {@code 1*UPALPHA}; header names must be tokens and no name, value or comment may
 * contain CR, LF or another control character (header injection is impossible). To-Path and From-Path are
 * required and written first; Content-Type is written last and is required exactly when there is a body;
 * a body must not contain its own end-line. A frame that fails validation is released and the write
 * fails with {@link MsrpCodecException}.
 */
@Sharable
public final class MsrpFrameEncoder extends MessageToMessageEncoder<MsrpFrame> {

    private static final byte[] CRLF = { '\r', '\n' };
    private static final String HEADER_SEPARATOR = ": ";

    @Override
    protected void encode(ChannelHandlerContext ctx, MsrpFrame frame, List<Object> out) {
        validate(frame);
        MsrpRequest request = frame instanceof MsrpRequest r ? r : null;
        boolean hasBody = request != null && request.content().isReadable();
        ByteBuf head = ctx.alloc().buffer();
        ByteBuf tail = null;
        try {
            head.writeCharSequence(MsrpFrameDecoder.PROTOCOL_PREFIX, StandardCharsets.US_ASCII);
            head.writeCharSequence(frame.transactionId(), StandardCharsets.US_ASCII);
            head.writeByte(' ');
            if (request != null) {
                head.writeCharSequence(request.method(), StandardCharsets.US_ASCII);
            } else {
                MsrpResponse response = (MsrpResponse) frame;
                head.writeCharSequence(Integer.toString(response.status()), StandardCharsets.US_ASCII);
                if (response.comment() != null) {
                    head.writeByte(' ');
                    ByteBufUtil.writeUtf8(head, response.comment());
                }
            }
            head.writeBytes(CRLF);
            writeHeader(head, MsrpHeaderNames.TO_PATH, frame.toPath());
            writeHeader(head, MsrpHeaderNames.FROM_PATH, frame.fromPath());
            for (Map.Entry<String, String> header : frame.headers()) {
                if (!isPlacedHeader(header.getKey())) {
                    writeHeader(head, header.getKey(), header.getValue());
                }
            }
            if (hasBody) {
                writeHeader(head, MsrpHeaderNames.CONTENT_TYPE, request.contentType());
                head.writeBytes(CRLF);
            }
            tail = ctx.alloc().buffer();
            if (hasBody) {
                tail.writeBytes(CRLF);
            }
            tail.writeCharSequence(MsrpFrameDecoder.END_LINE_PREFIX, StandardCharsets.US_ASCII);
            tail.writeCharSequence(frame.transactionId(), StandardCharsets.US_ASCII);
            tail.writeByte(frame.endFlag().symbol());
            tail.writeBytes(CRLF);
        } catch (RuntimeException e) {
            head.release();
            if (tail != null) {
                tail.release();
            }
            throw e;
        }
        out.add(head);
        if (hasBody) {
            // the superclass releases the frame after encode, so the body needs its own reference
            out.add(request.content().retain());
        }
        out.add(tail);
    }

    private static boolean isPlacedHeader(String name) {
        return MsrpHeaderNames.TO_PATH.equalsIgnoreCase(name) || MsrpHeaderNames.FROM_PATH.equalsIgnoreCase(name)
               || MsrpHeaderNames.CONTENT_TYPE.equalsIgnoreCase(name);
    }

    private static void writeHeader(ByteBuf buf, String name, String value) {
        buf.writeCharSequence(name, StandardCharsets.US_ASCII);
        buf.writeCharSequence(HEADER_SEPARATOR, StandardCharsets.US_ASCII);
        ByteBufUtil.writeUtf8(buf, value);
        buf.writeBytes(CRLF);
    }

    private static void validate(MsrpFrame frame) {
        if (frame.decoderResult().isFailure() || frame.transactionId() == null) {
            throw new MsrpCodecException("Cannot encode a frame that failed to decode: " + frame);
        }
        if (!MsrpIds.isIdent(frame.transactionId())) {
            throw new MsrpCodecException("Malformed transaction id: " + frame.transactionId());
        }
        if (frame.toPath() == null || frame.fromPath() == null) {
            throw new MsrpCodecException("To-Path and From-Path are required, transaction " + frame.transactionId());
        }
        for (Map.Entry<String, String> header : frame.headers()) {
            if (!isToken(header.getKey())) {
                throw new MsrpCodecException("Illegal MSRP header name: " + header.getKey());
            }
            checkText(header.getKey(), header.getValue());
        }
        if (frame instanceof MsrpRequest request) {
            if (!MsrpFrameDecoder.isMethod(request.method())) {
                throw new MsrpCodecException("Illegal MSRP method: " + request.method());
            }
            boolean hasBody = request.content().isReadable();
            if (hasBody != (request.contentType() != null)) {
                throw new MsrpCodecException("Content-Type must be present exactly when there is a body,"
                                             + " transaction " + frame.transactionId());
            }
            if (hasBody && containsEndLine(request.content(), endLineMarker(frame))) {
                throw new MsrpCodecException("The body contains its own end-line, transaction "
                                             + frame.transactionId());
            }
        } else if (frame instanceof MsrpResponse response && response.comment() != null) {
            checkText("comment", response.comment());
        }
    }

    private static byte[] endLineMarker(MsrpFrame frame) {
        return (MsrpFrameDecoder.END_LINE_PREFIX + frame.transactionId()).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether the body holds {@code marker} (which starts with a dash): a word-at-a-time search for each dash
     * ({@link ByteBuf#indexOf}), then a compare there. A generic substring search read the body a byte at a time
     * and was the hottest frame of a push under load.
     */
    static boolean containsEndLine(ByteBuf body, byte[] marker) {
        int last = body.writerIndex() - marker.length;
        int from = body.readerIndex();
        while (from <= last) {
            int dash = body.indexOf(from, last + 1, marker[0]);
            if (dash < 0) {
                return false;
            }
            int i = 1;
            while (i < marker.length && body.getByte(dash + i) == marker[i]) {
                i++;
            }
            if (i == marker.length) {
                return true;
            }
            from = dash + 1;
        }
        return false;
    }

    /** Rejects CR, LF and every other control character but HTAB: they could end the line early. */
    private static void checkText(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7f) {
                throw new MsrpCodecException("Control character 0x" + Integer.toHexString(c) + " in MSRP " + what);
            }
        }
    }

    /** {@code hname = ALPHA *token} (RFC 4975 §9), with the RFC 3261 token characters. */
    private static boolean isToken(String name) {
        char first = name.isEmpty() ? 0 : name.charAt(0);
        if (!(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && "-.!%*_+`'~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}

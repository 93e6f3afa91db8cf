package org.imdp.sipmsrp.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Frames the byte stream of one SIP/TCP connection into whole messages before JAIN-SIP's NIO parser sees them, so
 * that the parser never holds a partial message and never sizes a body from a Content-Length whose body has not
 * arrived (RFC 3261 §18.3: on a stream the Content-Length says where a message ends).
 * <p>
 * A pure state machine over the bytes fed to it: {@link #feed} returns what may go on to the parser, in order: whole
 * messages, and the empty lines between messages (RFC 5626 keep-alives, which the parser answers), and keeps the
 * incomplete rest. A message is held here until all of its body arrived, in a buffer that grows with the octets
 * received, never with the octets announced. It fails with {@link SipStreamLimitException} (the connection must be
 * closed, nothing of the message went on) when
 * <ul>
 * <li>the start line and headers exceed {@code maxMessageSize} octets, or they and the announced Content-Length do
 * (checked at the end of the headers, before any body octet is kept);</li>
 * <li>a message has no {@code Content-Length} header in its long form (the compact {@code l:} is refused: the RI's
 * NIO parser reads only the long form, so it would cut the stream elsewhere than this framer);</li>
 * <li>the Content-Length is not what the RI reads as a non-negative number;</li>
 * <li>a CR is not followed by LF.</li>
 * </ul>
 * The end of the headers and the Content-Length are found the way the RI's {@code NioPipelineParser} (1.3.0-91)
 * finds them, so the two agree on where each message ends: a header line is the octets up to LF; the headers end at
 * a line that is exactly CRLF; empty lines before a message are keep-alives; a header line whose lower case starts
 * with {@code content-length} holds the length after its 15th character, trimmed, as {@link Integer#parseInt}
 * reads it, and the last such line counts.
 */
public final class SipStreamFramer {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final String CONTENT_LENGTH = "content-length";
    /** Where the RI reads the value: after "content-length" and one more character (the colon). */
    private static final int CONTENT_LENGTH_VALUE_AT = CONTENT_LENGTH.length() + 1;
    private static final int INITIAL_BUFFER = 1024;

    private enum State {
        BETWEEN_MESSAGES,
        HEADERS,
        BODY
    }

    private final int maxMessageSize;
    private State state = State.BETWEEN_MESSAGES;
    /** The message read so far: start line, the whole header lines and the part of the body received. */
    private ByteArrayOutputStream message = new ByteArrayOutputStream(INITIAL_BUFFER);
    /** The header line being read. */
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(INITIAL_BUFFER);
    private boolean afterCr;
    private int contentLength = -1;
    private int bodyRemaining;

    /** @param maxMessageSize largest message (start line, headers and body) in octets */
    public SipStreamFramer(int maxMessageSize) {
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be positive: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Takes the next octets of the stream.
     *
     * @return the octets the parser may read now (whole messages and keep-alive lines), possibly none
     * @throws SipStreamLimitException when the stream broke a limit or cannot be framed; the framer is then unusable
     */
    public byte[] feed(byte[] bytes) throws SipStreamLimitException {
        ByteArrayOutputStream ready = new ByteArrayOutputStream(0);
        int i = 0;
        while (i < bytes.length) {
            if (state == State.BODY) {
                int n = Math.min(bodyRemaining, bytes.length - i);
                message.write(bytes, i, n);
                bodyRemaining -= n;
                i += n;
                if (bodyRemaining == 0) {
                    complete(ready);
                }
                continue;
            }
            byte b = bytes[i++];
            if (afterCr && b != LF) {
                throw new SipStreamLimitException("a CR not followed by LF");
            }
            afterCr = b == CR;
            line.write(b);
            if (message.size() + line.size() > maxMessageSize) {
                throw new SipStreamLimitException("headers of more than " + maxMessageSize + " octets");
            }
            if (b == LF) {
                endOfLine(ready);
            }
        }
        return ready.toByteArray();
    }

    private void endOfLine(ByteArrayOutputStream ready) throws SipStreamLimitException {
        byte[] read = line.toByteArray();
        line.reset();
        boolean empty = read.length == 2 && read[0] == CR;
        if (state == State.BETWEEN_MESSAGES && empty) {
            ready.writeBytes(read);
            return;
        }
        message.writeBytes(read);
        if (!empty) {
            state = State.HEADERS;
            contentLength(new String(read, StandardCharsets.UTF_8));
            return;
        }
        if (contentLength < 0) {
            throw new SipStreamLimitException("a message without a Content-Length header (RFC 3261 §18.3; the "
                                              + "compact form l: is not read on TCP)");
        }
        if ((long) message.size() + contentLength > maxMessageSize) {
            throw new SipStreamLimitException("a message of " + message.size() + " octets of headers and a "
                                              + "Content-Length of " + contentLength + ", over " + maxMessageSize
                                              + " octets");
        }
        bodyRemaining = contentLength;
        state = State.BODY;
        if (bodyRemaining == 0) {
            complete(ready);
        }
    }

    /** A header line as the RI reads it (CR removed, LF kept): a Content-Length line sets the length. */
    private void contentLength(String line) throws SipStreamLimitException {
        String withoutCr = line.replace("\r", "");
        if (!withoutCr.toLowerCase(Locale.ROOT).startsWith(CONTENT_LENGTH)) {
            return;
        }
        String value = withoutCr.length() < CONTENT_LENGTH_VALUE_AT ? ""
                : withoutCr.substring(CONTENT_LENGTH_VALUE_AT).trim();
        try {
            contentLength = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SipStreamLimitException("a Content-Length that is not a number: " + abbreviate(value));
        }
        if (contentLength < 0) {
            throw new SipStreamLimitException("a negative Content-Length: " + contentLength);
        }
    }

    private void complete(ByteArrayOutputStream ready) {
        ready.writeBytes(message.toByteArray());
        // a new buffer: one large message must not keep its buffer for the life of the connection
        message = new ByteArrayOutputStream(INITIAL_BUFFER);
        contentLength = -1;
        state = State.BETWEEN_MESSAGES;
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }
}

package org.imdp.cpim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.imdp.store.DeferredMessage;

/**
 * A {@code message/cpim} document (RFC 3862) as used for deferred messages (RFC 5438 IMDN headers): CPIM
 * message headers, a blank line, the MIME headers of the content, a blank line, the content.
 * <p>
 * {@link #wrap} builds it from a stored message; every value is checked so that no header can be injected:
 * CR, LF and other control characters are refused everywhere, and the URIs, which go inside {@code <...>},
 * may not contain {@code <}, {@code >} or white space. {@link #parse} reads one back.
 */
public final class CpimMessage {

    public static final String MIME_TYPE = "message/cpim";
    public static final String FROM = "From";
    public static final String TO = "To";
    public static final String DATE_TIME = "DateTime";
    public static final String NS = "NS";
    public static final String IMDN_MESSAGE_ID = "imdn.Message-ID";
    public static final String IMDN_DISPOSITION_NOTIFICATION = "imdn.Disposition-Notification";
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String CONTENT_LENGTH = "Content-Length";
    /** Declares the {@code imdn.} prefix (RFC 5438 §6). */
    public static final String IMDN_NAMESPACE = "imdn <urn:ietf:params:imdn>";

    private static final String CRLF = "\r\n";
    private static final String SEPARATOR = ": ";
    private static final byte LF = '\n';
    private static final byte CR = '\r';

    private final List<Map.Entry<String, String>> headers;
    private final List<Map.Entry<String, String>> contentHeaders;
    private final byte[] body;

    private CpimMessage(List<Map.Entry<String, String>> headers, List<Map.Entry<String, String>> contentHeaders,
            byte[] body) {
        this.headers = List.copyOf(headers);
        this.contentHeaders = List.copyOf(contentHeaders);
        this.body = body;
    }

    /**
     * Wraps a deferred message, keeping its original sender, recipient, submission time and IMDN request.
     *
     * @throws IllegalArgumentException when a field would break the CPIM syntax (control characters, or
     *                                  {@code <}, {@code >} or white space in a URI)
     */
    public static byte[] wrap(DeferredMessage message) {
        String from = uri("sender", message.sender());
        String to = uri("recipient", message.recipient());
        String messageId = token("message id", message.messageId());
        String contentType = text("content type", message.contentType());
        String disposition = message.dispositionNotification();
        StringBuilder head = new StringBuilder(256)
                .append(FROM).append(SEPARATOR).append('<').append(from).append('>').append(CRLF)
                .append(TO).append(SEPARATOR).append('<').append(to).append('>').append(CRLF)
                .append(DATE_TIME).append(SEPARATOR)
                .append(DateTimeFormatter.ISO_INSTANT.format(message.dateTime())).append(CRLF)
                .append(NS).append(SEPARATOR).append(IMDN_NAMESPACE).append(CRLF)
                .append(IMDN_MESSAGE_ID).append(SEPARATOR).append(messageId).append(CRLF);
        if (disposition != null && !disposition.isBlank()) {
            head.append(IMDN_DISPOSITION_NOTIFICATION).append(SEPARATOR)
                    .append(text("disposition notification", disposition)).append(CRLF);
        }
        head.append(CRLF)
                .append(CONTENT_TYPE).append(SEPARATOR).append(contentType).append(CRLF)
                .append(CONTENT_LENGTH).append(SEPARATOR).append(message.body().length).append(CRLF)
                .append(CRLF);
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = Arrays.copyOf(headBytes, headBytes.length + message.body().length);
        System.arraycopy(message.body(), 0, wrapped, headBytes.length, message.body().length);
        return wrapped;
    }

    /**
     * Parses a {@code message/cpim} document. Lines may end with CRLF or a bare LF (some clients send that);
     * when the content headers have a Content-Length, the body is exactly that many octets.
     *
     * @throws IllegalArgumentException when the document has no header/content separation or a malformed
     *                                  header line, or when Content-Length disagrees with the data
     */
    public static CpimMessage parse(byte[] data) {
        Objects.requireNonNull(data, "data");
        int[] position = { 0 };
        List<Map.Entry<String, String>> headers = readHeaders(data, position, "message headers");
        List<Map.Entry<String, String>> contentHeaders = readHeaders(data, position, "content headers");
        byte[] body = Arrays.copyOfRange(data, position[0], data.length);
        String length = find(contentHeaders, CONTENT_LENGTH);
        if (length != null) {
            int declared;
            try {
                declared = Integer.parseInt(length.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Malformed CPIM Content-Length: " + length);
            }
            if (declared < 0 || declared > body.length) {
                throw new IllegalArgumentException(
                        "CPIM Content-Length " + declared + " does not fit the " + body.length + " octets of content");
            }
            body = Arrays.copyOf(body, declared);
        }
        return new CpimMessage(headers, contentHeaders, body);
    }

    private static List<Map.Entry<String, String>> readHeaders(byte[] data, int[] position, String section) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        while (true) {
            int lf = indexOf(data, LF, position[0]);
            if (lf < 0) {
                throw new IllegalArgumentException("CPIM " + section + " are not ended by a blank line");
            }
            int end = lf > position[0] && data[lf - 1] == CR ? lf - 1 : lf;
            String line = new String(data, position[0], end - position[0], StandardCharsets.UTF_8);
            position[0] = lf + 1;
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Malformed CPIM header line in " + section + ": " + line);
            }
            headers.add(new SimpleImmutableEntry<>(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
    }

    private static int indexOf(byte[] data, byte value, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** @return the CPIM message headers (From, To, DateTime, NS, imdn.*, ...) in document order */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** @return the first CPIM message header called {@code name} (any case), or {@code null} */
    public String header(String name) {
        return find(headers, name);
    }

    /** @return the MIME headers of the content (Content-Type, Content-Length, ...) in document order */
    public List<Map.Entry<String, String>> contentHeaders() {
        return contentHeaders;
    }

    public String contentType() {
        return find(contentHeaders, CONTENT_TYPE);
    }

    /** @return a copy of the content */
    public byte[] body() {
        return body.clone();
    }

    private static String find(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** A URI that goes between {@code <} and {@code >}. */
    private static String uri(String what, String value) {
        String checked = token(what, value);
        if (checked.indexOf('<') >= 0 || checked.indexOf('>') >= 0) {
            throw new IllegalArgumentException("CPIM " + what + " must not contain '<' or '>'");
        }
        return checked;
    }

    /** A value without white space. */
    private static String token(String what, String value) {
        String checked = text(what, value);
        if (checked.isEmpty() || checked.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("CPIM " + what + " must be non-empty and without white space");
        }
        return checked;
    }

    /** Any header value: no CR, LF or other control characters, which could end the header line. */
    private static String text(String what, String value) {
        Objects.requireNonNull(value, what);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        "CPIM " + what + " contains control character 0x" + Integer.toHexString(c));
            }
        }
        return value;
    }

    @Override
    public String toString() {
        // headers only: message content stays out of logs
        return "CpimMessage[" + headers + ", " + contentHeaders + ", " + body.length + " octets]";
    }
}

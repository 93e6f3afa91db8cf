package org.imdp.cpim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code message/cpim} document (RFC 3862) as used for deferred messages (RFC 5438 IMDN headers): CPIM
 * message headers, a blank line, the MIME headers of the content, a blank line, the content.
 * <p>
 * {@link #wrap} builds it from a message's {@link CpimEnvelope} (a stored message is one); every value is checked so that no header can be injected
 * ({@link #headerValue}, the rule the intake applies too: no control characters or line breaks), and the URIs,
 * which go inside {@code <...>}, may not contain {@code <}, {@code >} or white space ({@link #headerUri}); the
 * sender's other headers come as {@link CpimHeaders}, checked when they were made. {@link #parse} reads a document
 * (strictly, bounded), and {@link #imdnHeader}/{@link #otherHeaders} take it apart the way {@link #wrap} puts it
 * together again.
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
    /** The IMDN namespace (RFC 5438). */
    public static final String IMDN_URN = "urn:ietf:params:imdn";
    /** The prefix the wrapper declares for {@link #IMDN_URN}. */
    public static final String IMDN_PREFIX = "imdn";
    /** Declares the {@code imdn.} prefix (RFC 5438). */
    public static final String IMDN_NAMESPACE = IMDN_PREFIX + " <" + IMDN_URN + ">";
    /** Local names of the IMDN headers the wrapper writes itself. */
    public static final String MESSAGE_ID = "Message-ID";
    public static final String DISPOSITION_NOTIFICATION = "Disposition-Notification";

    private static final String CRLF = "\r\n";
    private static final String SEPARATOR = ": ";
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    /** Bounds of {@link #parse}: headers per section, octets per header line. */
    static final int MAX_HEADERS = 100;
    static final int MAX_LINE = 4096;
    /** RFC 3862 NS value: {@code [prefix SP] <URI>}. */
    private static final Pattern NS_VALUE = Pattern.compile("(?:(\\S+)\\s+)?<([^<>\\s]+)>");

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
     * Wraps a message, keeping its original sender, recipient, submission time, IMDN request and the other headers
     * the sender put into its own CPIM ({@link CpimEnvelope#cpimHeaders}).
     *
     * @throws IllegalArgumentException when a field would break the CPIM syntax (control characters, or
     *                                  {@code <}, {@code >} or white space in a URI)
     */
    public static byte[] wrap(CpimEnvelope message) {
        String from = headerUri("CPIM sender", message.sender());
        String to = headerUri("CPIM recipient", message.recipient());
        String messageId = headerToken("CPIM message id", message.messageId());
        String contentType = headerValue("CPIM content type", message.contentType());
        String disposition = message.dispositionNotification();
        StringBuilder head = new StringBuilder(256)
                .append(FROM).append(SEPARATOR).append('<').append(from).append('>').append(CRLF)
                .append(TO).append(SEPARATOR).append('<').append(to).append('>').append(CRLF)
                .append(DATE_TIME).append(SEPARATOR)
                .append(DateTimeFormatter.ISO_INSTANT.format(message.dateTime())).append(CRLF)
                .append(NS).append(SEPARATOR).append(IMDN_NAMESPACE).append(CRLF);
        // after our NS, so that an imdn.* header of the sender's (e.g. imdn.Original-To) has its prefix declared
        CpimHeaders.writeLines(head, message.cpimHeaders().message());
        head.append(IMDN_MESSAGE_ID).append(SEPARATOR).append(messageId).append(CRLF);
        if (disposition != null && !disposition.isBlank()) {
            head.append(IMDN_DISPOSITION_NOTIFICATION).append(SEPARATOR)
                    .append(headerValue("CPIM disposition notification", disposition)).append(CRLF);
        }
        head.append(CRLF)
                .append(CONTENT_TYPE).append(SEPARATOR).append(contentType).append(CRLF)
                .append(CONTENT_LENGTH).append(SEPARATOR).append(message.body().length).append(CRLF);
        CpimHeaders.writeLines(head, message.cpimHeaders().content());
        head.append(CRLF);
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] wrapped = Arrays.copyOf(headBytes, headBytes.length + message.body().length);
        System.arraycopy(message.body(), 0, wrapped, headBytes.length, message.body().length);
        return wrapped;
    }

    /**
     * Parses a {@code message/cpim} document. Lines may end with CRLF or a bare LF (some clients send that);
     * when the content headers have a Content-Length, the body is exactly that many octets. At most
     * {@value #MAX_HEADERS} headers per section of at most {@value #MAX_LINE} octets each; a header name is a token
     * with an optional {@code prefix.}.
     *
     * @throws IllegalArgumentException when the document has no header/content separation, a malformed or too
     *                                  long header line or too many, or when Content-Length disagrees with the data
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
            if (end - position[0] > MAX_LINE) {
                throw new IllegalArgumentException("CPIM header line in " + section + " longer than " + MAX_LINE
                                                   + " octets");
            }
            String line = new String(data, position[0], end - position[0], StandardCharsets.UTF_8);
            position[0] = lf + 1;
            if (line.isEmpty()) {
                return headers;
            }
            if (headers.size() == MAX_HEADERS) {
                throw new IllegalArgumentException("more than " + MAX_HEADERS + " CPIM " + section);
            }
            headers.add(headerLine(line, section));
        }
    }

    /** One {@code Name: value} line; the name must be a CPIM header name. */
    static Map.Entry<String, String> headerLine(String line, String section) {
        int colon = line.indexOf(':');
        if (colon <= 0 || !CpimHeaders.isName(line.substring(0, colon))) {
            throw new IllegalArgumentException("Malformed CPIM header line in " + section + ": " + line);
        }
        return new SimpleImmutableEntry<>(line.substring(0, colon), line.substring(colon + 1).strip());
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

    /**
     * An IMDN header of this document, whatever prefix its NS header gave the IMDN namespace (RFC 3862:
     * prefixes are local to a document), e.g. {@code imdnHeader("Message-ID")}.
     *
     * @return its value, or {@code null} when there is none
     * @throws IllegalArgumentException when the document's NS headers are malformed or give {@code imdn} another
     *                                  namespace
     */
    public String imdnHeader(String localName) {
        return header(imdnPrefix() + "." + localName);
    }

    /**
     * What the sender put into this document besides what {@link #wrap} writes itself: the headers to store with
     * the message. IMDN headers are renamed to the {@code imdn.} prefix the wrapper declares.
     *
     * @throws IllegalArgumentException when a header could not be carried safely (see {@link CpimHeaders})
     */
    public CpimHeaders otherHeaders() {
        String prefix = imdnPrefix().toLowerCase(Locale.ROOT) + ".";
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals(FROM.toLowerCase(Locale.ROOT)) || lower.equals(TO.toLowerCase(Locale.ROOT))
                || lower.equals(DATE_TIME.toLowerCase(Locale.ROOT))
                || (lower.equals(NS.toLowerCase(Locale.ROOT)) && IMDN_URN.equals(namespace(h.getValue())[1]))) {
                continue;
            }
            if (lower.startsWith(prefix)) {
                String local = name.substring(prefix.length());
                if (local.equalsIgnoreCase(MESSAGE_ID) || local.equalsIgnoreCase(DISPOSITION_NOTIFICATION)) {
                    continue;
                }
                name = IMDN_PREFIX + "." + local;
            }
            kept.add(new SimpleImmutableEntry<>(name, h.getValue()));
        }
        List<Map.Entry<String, String>> content = contentHeaders.stream()
                .filter(h -> !h.getKey().equalsIgnoreCase(CONTENT_TYPE) && !h.getKey().equalsIgnoreCase(CONTENT_LENGTH))
                .toList();
        return new CpimHeaders(kept, content);
    }

    /** The prefix this document declares for {@link #IMDN_URN}; {@code imdn} when it declares none. */
    private String imdnPrefix() {
        String declared = null;
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(NS)) {
                String[] ns = namespace(h.getValue());
                if (IMDN_URN.equals(ns[1]) && ns[0] != null) {
                    declared = ns[0];
                } else if (IMDN_PREFIX.equalsIgnoreCase(ns[0])) {
                    throw new IllegalArgumentException("CPIM NS gives the imdn prefix another namespace: " + h.getValue());
                }
            }
        }
        if (declared != null && !declared.equalsIgnoreCase(IMDN_PREFIX)) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().toLowerCase(Locale.ROOT).startsWith(IMDN_PREFIX + ".")) {
                    throw new IllegalArgumentException("CPIM header " + h.getKey() + " uses the undeclared imdn prefix");
                }
            }
        }
        return declared == null ? IMDN_PREFIX : declared;
    }

    /** {@code {prefix or null, URI}} of an NS header value. */
    private static String[] namespace(String value) {
        Matcher m = NS_VALUE.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("Malformed CPIM NS header: " + value);
        }
        return new String[] { m.group(1), m.group(2) };
    }

    /** Whether an NS header value declares the {@code imdn} prefix or the IMDN namespace (the wrapper's own). */
    static boolean declaresImdnPrefix(String value) {
        String[] ns = namespace(value);
        return IMDN_PREFIX.equalsIgnoreCase(ns[0]) || IMDN_URN.equals(ns[1]);
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

    /**
     * A URI that goes between {@code <} and {@code >} in a CPIM header (From, To): a {@link #headerToken} without
     * {@code <} or {@code >}.
     *
     * @param what names the value in the error, e.g. {@code "CPIM sender"}
     * @return {@code value}
     * @throws IllegalArgumentException saying which character of {@code what} is not allowed
     */
    public static String headerUri(String what, String value) {
        String checked = headerToken(what, value);
        if (checked.indexOf('<') >= 0 || checked.indexOf('>') >= 0) {
            throw new IllegalArgumentException(what + " must not contain '<' or '>'");
        }
        return checked;
    }

    /**
     * A CPIM header value without white space (a message id): a {@link #headerValue}, not empty, without any
     * character Java counts as white space (which includes U+2028 and the other Unicode spaces).
     *
     * @param what names the value in the error
     * @return {@code value}
     * @throws IllegalArgumentException saying why {@code what} is not allowed
     */
    public static String headerToken(String what, String value) {
        String checked = headerValue(what, value);
        if (checked.isEmpty() || checked.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(what + " must be non-empty and without white space");
        }
        return checked;
    }

    /**
     * The one rule for what may go into a CPIM header value, applied by {@link #wrap} (and {@link CpimHeaders})
     * when a message is pushed and by the intake when it is received, so that whatever is stored can be pushed.
     * A value is one line: no control character (C0, DEL and C1, e.g. CR, LF, TAB and U+0085 NEXT LINE), no
     * U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR (Unicode counts NEL, LS and PS as line breaks, so a
     * client's line reader may end the header there) and no unpaired surrogate (it has no UTF-8 form). RFC 3862's
     * grammar only excludes the ASCII controls; the wrapper is stricter, because a header line that a client splits
     * differently from us is an injected header.
     *
     * @param what names the value in the error, e.g. {@code "CPIM Content-Type"}
     * @return {@code value}
     * @throws IllegalArgumentException saying which character of {@code what} is not allowed (as {@code U+XXXX},
     *                                  never the character itself)
     */
    public static String headerValue(String what, String value) {
        Objects.requireNonNull(value, what);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String refused = null;
            if (Character.isISOControl(c)) {
                refused = "control character";
            } else if (c == '\u2028' || c == '\u2029') {
                refused = "line break";
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                       && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                refused = "unpaired surrogate";
            }
            if (refused != null) {
                throw new IllegalArgumentException(what + " contains " + refused + " "
                                                   + String.format(Locale.ROOT, "U+%04X", (int) c)
                                                   + ", which cannot go into a CPIM header");
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

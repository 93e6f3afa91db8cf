package org.imdp.cpim;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The headers a sender put into its {@code message/cpim} document besides those {@link CpimMessage#wrap} writes
 * itself (From, To, DateTime, the {@code imdn} NS declaration, imdn.Message-ID, imdn.Disposition-Notification,
 * Content-Type, Content-Length): e.g. Subject, cc, other NS declarations and the headers of their prefix,
 * imdn.Original-To, Content-Disposition. They are stored with the message and written again into the push's CPIM.
 * <p>
 * Every header is checked when the object is made: the name must be a CPIM header name ({@code [prefix.]name} of
 * token characters) other than the ones the wrapper writes, the value a single line ({@link CpimMessage#headerValue}).
 * So neither a sender nor a stored property can add a line break, a blank line or a second From.
 *
 * @param message the CPIM message headers, in document order
 * @param content the MIME headers of the content, in document order
 */
public record CpimHeaders(List<Map.Entry<String, String>> message, List<Map.Entry<String, String>> content) {

    public static final CpimHeaders NONE = new CpimHeaders(List.of(), List.of());

    /** Longest header value kept (the SIP/MSRP size limits apply to the whole message anyway). */
    static final int MAX_VALUE_LENGTH = 1000;
    /** Most headers kept per section. */
    static final int MAX_HEADERS = 64;

    private static final String TOKEN = "[A-Za-z0-9!#$%&'*+\\-^_`|~]+";
    private static final Pattern NAME = Pattern.compile(TOKEN + "(\\." + TOKEN + ")?");
    private static final Set<String> WRAPPER_MESSAGE_HEADERS = lowerCase(CpimMessage.FROM, CpimMessage.TO,
            CpimMessage.DATE_TIME, CpimMessage.IMDN_MESSAGE_ID, CpimMessage.IMDN_DISPOSITION_NOTIFICATION);
    private static final Set<String> WRAPPER_CONTENT_HEADERS = lowerCase(CpimMessage.CONTENT_TYPE,
            CpimMessage.CONTENT_LENGTH);
    private static final String CRLF = "\r\n";
    private static final String SEPARATOR = ": ";

    /** @throws IllegalArgumentException when a header could break the CPIM document or duplicate the wrapper's */
    public CpimHeaders {
        message = checked(message, WRAPPER_MESSAGE_HEADERS, "message header");
        content = checked(content, WRAPPER_CONTENT_HEADERS, "content header");
        for (Map.Entry<String, String> h : message) {
            if (h.getKey().equalsIgnoreCase(CpimMessage.NS) && CpimMessage.declaresImdnPrefix(h.getValue())) {
                throw new IllegalArgumentException("CPIM NS " + h.getValue() + " is the wrapper's own");
            }
        }
    }

    public boolean isEmpty() {
        return message.isEmpty() && content.isEmpty();
    }

    /**
     * The headers as text: one {@code Name: value} line each, ended by CRLF, the message headers, an empty line,
     * the content headers. {@link #parse} reads it back.
     */
    public String serialize() {
        StringBuilder b = new StringBuilder();
        writeLines(b, message);
        b.append(CRLF);
        writeLines(b, content);
        return b.toString();
    }

    /**
     * Reads what {@link #serialize} wrote, checking every line again.
     *
     * @throws IllegalArgumentException when the text is not such a block or a line is not an acceptable header
     */
    public static CpimHeaders parse(String block) {
        if (block == null || block.isEmpty()) {
            return NONE;
        }
        if (!block.endsWith(CRLF)) {
            throw new IllegalArgumentException("CPIM header block does not end with CRLF");
        }
        List<String> lines = List.of(block.substring(0, block.length() - CRLF.length()).split(CRLF, -1));
        int blank = lines.indexOf("");
        if (blank < 0) {
            throw new IllegalArgumentException("CPIM header block has no empty line between its two sections");
        }
        return new CpimHeaders(headers(lines.subList(0, blank)), headers(lines.subList(blank + 1, lines.size())));
    }

    private static List<Map.Entry<String, String>> headers(List<String> lines) {
        return lines.stream().map(line -> CpimMessage.headerLine(line, "stored headers")).toList();
    }

    /** A CPIM header name: a token, with an optional {@code prefix.} (RFC 3862). */
    static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Appends the headers to a CPIM document under construction, each ended by CRLF. */
    static void writeLines(StringBuilder document, List<Map.Entry<String, String>> headers) {
        for (Map.Entry<String, String> h : headers) {
            document.append(h.getKey()).append(SEPARATOR).append(h.getValue()).append(CRLF);
        }
    }

    private static List<Map.Entry<String, String>> checked(List<Map.Entry<String, String>> headers,
            Set<String> reserved, String what) {
        if (headers == null) {
            return List.of();
        }
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("more than " + MAX_HEADERS + " CPIM " + what + "s");
        }
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (name == null || !isName(name)) {
                throw new IllegalArgumentException("CPIM " + what + " name is not a token: " + name);
            }
            if (reserved.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("CPIM " + what + " " + name + " is written by the wrapper");
            }
            String value = CpimMessage.headerValue("CPIM " + what + " " + name, h.getValue()).strip();
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("CPIM " + what + " " + name + " is longer than "
                                                   + MAX_VALUE_LENGTH + " characters");
            }
            copy.add(new SimpleImmutableEntry<>(name, value));
        }
        return List.copyOf(copy);
    }

    private static Set<String> lowerCase(String... names) {
        Set<String> set = new java.util.HashSet<>();
        for (String n : names) {
            set.add(n.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(set);
    }
}

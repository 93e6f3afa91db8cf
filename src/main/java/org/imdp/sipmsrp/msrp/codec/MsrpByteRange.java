package org.imdp.sipmsrp.msrp.codec;

/**
 * The value of a Byte-Range header, {@code start-end/total} (RFC 4975 §9), 1-based and inclusive.
 *
 * @param start first octet of the chunk, 1-based
 * @param end   last octet of the chunk, or {@link #UNKNOWN} for {@code *}
 * @param total size of the whole message, or {@link #UNKNOWN} for {@code *}
 */
public record MsrpByteRange(long start, long end, long total) {

    /** Stands for {@code *}. */
    public static final long UNKNOWN = -1;
    private static final String UNKNOWN_TEXT = "*";

    public MsrpByteRange {
        if (start < 1) {
            throw new IllegalArgumentException("Byte-Range start must be >= 1: " + start);
        }
        // an empty message is 1-0/0, so end may be start - 1
        if (end != UNKNOWN && end < start - 1) {
            throw new IllegalArgumentException("Byte-Range end " + end + " is before start " + start);
        }
        if (total != UNKNOWN && end != UNKNOWN && end > total) {
            throw new IllegalArgumentException("Byte-Range end " + end + " is beyond total " + total);
        }
    }

    /** @throws MsrpCodecException when {@code value} is not {@code start-end/total} */
    public static MsrpByteRange parse(String value) {
        int dash = value.indexOf('-');
        int slash = value.indexOf('/', dash + 1);
        if (dash <= 0 || slash < 0) {
            throw new MsrpCodecException("Malformed Byte-Range: " + value);
        }
        try {
            return new MsrpByteRange(Long.parseLong(value.substring(0, dash)),
                    parseOrUnknown(value.substring(dash + 1, slash)), parseOrUnknown(value.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new MsrpCodecException("Malformed Byte-Range: " + value);
        }
    }

    private static long parseOrUnknown(String text) {
        return UNKNOWN_TEXT.equals(text) ? UNKNOWN : Long.parseLong(text);
    }

    @Override
    public String toString() {
        return start + "-" + (end == UNKNOWN ? UNKNOWN_TEXT : end) + "/" + (total == UNKNOWN ? UNKNOWN_TEXT : total);
    }
}

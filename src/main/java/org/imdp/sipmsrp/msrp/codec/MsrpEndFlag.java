package org.imdp.sipmsrp.msrp.codec;

/** The continuation flag of an MSRP end-line (RFC 4975 §7.1). */
public enum MsrpEndFlag {

    /** {@code $}: the last (or only) chunk of the message. */
    COMPLETE('$'),
    /** {@code +}: more chunks of the same message follow. */
    CONTINUES('+'),
    /** {@code #}: the sender aborted the message. */
    ABORTED('#');

    private final char symbol;

    MsrpEndFlag(char symbol) {
        this.symbol = symbol;
    }

    public char symbol() {
        return symbol;
    }

    /** @return the flag for {@code symbol}, or {@code null} when it is none of {@code $ + #} */
    public static MsrpEndFlag of(int symbol) {
        for (MsrpEndFlag flag : values()) {
            if (flag.symbol == symbol) {
                return flag;
            }
        }
        return null;
    }
}

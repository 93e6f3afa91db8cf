package org.imdp.sipmsrp.msrp.codec;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Random identifiers for MSRP. All are alphanumeric (base62), so they are valid as transaction ids and
 * Message-IDs ({@code ident}, RFC 4975 §9) and as URI session-ids without any escaping.
 */
public final class MsrpIds {

    /** 12 base62 characters = 71 random bits; RFC 4975 §7.1 asks for at least 64. */
    public static final int TRANSACTION_ID_LENGTH = 12;
    /** 16 base62 characters = 95 random bits; RFC 4975 §14.1 asks for at least 80 in a session-id. */
    public static final int SESSION_ID_LENGTH = 16;
    /** 16 base62 characters = 95 random bits: unique across sessions, not only within one. */
    public static final int MESSAGE_ID_LENGTH = 16;

    /** {@code ident = ALPHANUM 3*31ident-char}, used by transaction ids and Message-IDs. */
    private static final Pattern IDENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.\\-+%=]{3,31}");
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private MsrpIds() {
    }

    public static String newTransactionId() {
        return random(TRANSACTION_ID_LENGTH);
    }

    public static String newSessionId() {
        return random(SESSION_ID_LENGTH);
    }

    public static String newMessageId() {
        return random(MESSAGE_ID_LENGTH);
    }

    /** @return whether {@code value} matches the {@code ident} rule of RFC 4975 §9 */
    public static boolean isIdent(String value) {
        return value != null && IDENT.matcher(value).matches();
    }

    private static String random(int length) {
        char[] id = new char[length];
        for (int i = 0; i < length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}

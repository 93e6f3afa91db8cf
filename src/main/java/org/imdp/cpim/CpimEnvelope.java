package org.imdp.cpim;

import java.time.Instant;

/**
 * What {@link CpimMessage#wrap} puts into a {@code message/cpim} document: the message headers (From, To, DateTime,
 * imdn.Message-ID, imdn.Disposition-Notification and the sender's other ones) and the content with its type. The
 * store's messages are one (so the format knows nothing of the store); whoever sends them wraps them.
 */
public interface CpimEnvelope {

    /** imdn.Message-ID. */
    String messageId();

    /** CPIM From: the original sender's URI. */
    String sender();

    /** CPIM To: the recipient's URI. */
    String recipient();

    /** Content-Type of the content. */
    String contentType();

    /** CPIM DateTime: when the sender submitted the message. */
    Instant dateTime();

    /** imdn.Disposition-Notification, or {@code null} when the sender asked for none. */
    String dispositionNotification();

    /** The content. */
    byte[] body();

    /** The sender's other headers, written again ({@link CpimHeaders#NONE} for none). */
    CpimHeaders cpimHeaders();
}

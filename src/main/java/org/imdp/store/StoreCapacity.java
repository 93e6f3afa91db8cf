package org.imdp.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The store's global caps, which no sender can exhaust however many recipients it invents: all stored messages
 * ({@code imdp.store.max-messages}), all their octets ({@code imdp.store.max-bytes}) and the recipients with messages
 * stored ({@code imdp.store.max-recipients}), besides the per-recipient quota. Past a cap a message is refused with
 * {@link RejectedMessageException.Reason#STORE_FULL}, whose message names the key.
 * <p>
 * What is stored is counted by the database itself (tables {@code store_usage} and {@code store_recipient}, kept exact
 * by triggers in the transaction of every insert and delete, migration V6): {@link #refusal} reads one row in the
 * insert's own transaction, so it sees what that transaction wrote before, and nothing is counted per message.
 */
public final class StoreCapacity {

    private final StoreDatabase db;
    private final long maxMessages;
    private final long maxBytes;
    private final long maxRecipients;

    /** What the store holds now: messages (refused ones until they leave), their octets, recipients with messages. */
    public record Usage(long messages, long bytes, long recipients) {
    }

    public StoreCapacity(StoreDatabase db, long maxMessages, long maxBytes, long maxRecipients) {
        this.db = db;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.maxRecipients = maxRecipients;
    }

    /**
     * Why {@code m} cannot be stored, or {@code null} when it fits; called in the insert's transaction, before the
     * insert.
     */
    RejectedMessageException refusal(Connection c, DeferredMessage m) throws SQLException {
        Usage u = usage(c);
        if (u.messages() >= maxMessages) {
            return full("the store holds " + u.messages() + " messages (imdp.store.max-messages " + maxMessages + ")");
        }
        if (u.bytes() + m.size() > maxBytes) {
            return full("the store holds " + u.bytes() + " octets, " + m.size() + " more would pass imdp.store.max-bytes "
                        + maxBytes);
        }
        if (u.recipients() >= maxRecipients && !hasMessages(c, m.recipient())) {
            return full("the store holds messages for " + u.recipients() + " recipients (imdp.store.max-recipients "
                        + maxRecipients + "), none for " + m.recipient());
        }
        return null;
    }

    /** What the store holds now, read on a pooled connection (health, operations). */
    public Usage usage() throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return usage(c);
        }
    }

    /** The caps reached by {@code u}, e.g. "imdp.store.max-recipients 100000"; empty when none is. */
    public String reached(Usage u) {
        StringBuilder caps = new StringBuilder();
        if (u.messages() >= maxMessages) {
            caps.append("imdp.store.max-messages ").append(maxMessages);
        }
        if (u.bytes() >= maxBytes) {
            caps.append(caps.isEmpty() ? "" : ", ").append("imdp.store.max-bytes ").append(maxBytes);
        }
        if (u.recipients() >= maxRecipients) {
            caps.append(caps.isEmpty() ? "" : ", ").append("imdp.store.max-recipients ").append(maxRecipients);
        }
        return caps.toString();
    }

    public long maxMessages() {
        return maxMessages;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long maxRecipients() {
        return maxRecipients;
    }

    private static Usage usage(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT messages, bytes, recipients FROM store_usage WHERE id = 1");
             ResultSet rs = q.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("table store_usage has no row: the store's schema is not at version 6");
            }
            return new Usage(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    private static boolean hasMessages(Connection c, String recipient) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM store_recipient WHERE recipient = ?")) {
            q.setString(1, recipient);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static RejectedMessageException full(String why) {
        return new RejectedMessageException(RejectedMessageException.Reason.STORE_FULL, why);
    }
}

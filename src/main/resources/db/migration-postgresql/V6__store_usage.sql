-- What the store holds, counted as it changes, for the global caps (imdp.store.max-messages, max-bytes,
-- max-recipients, org.imdp.store.StoreCapacity): one row of totals and one row per recipient with messages stored,
-- kept exact by a trigger in the transaction of every insert and delete of deferred_message, so the intake reads
-- one row instead of counting the table. Exact with several instances too: the per-recipient row is changed under
-- its row lock (INSERT ... ON CONFLICT), and the totals row under its own. Seeded here from what is stored. The
-- SQLite twin of this migration (db/migration-sqlite) does the same with two triggers.
CREATE TABLE store_usage (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    messages   BIGINT NOT NULL,  -- rows of deferred_message (refused ones too, until their relay moves them)
    bytes      BIGINT NOT NULL,  -- their sizes, octets of body
    recipients BIGINT NOT NULL   -- rows of store_recipient
);
CREATE TABLE store_recipient (
    recipient TEXT   PRIMARY KEY,  -- canonical URI, as deferred_message.recipient
    messages  BIGINT NOT NULL      -- its rows in deferred_message; the row goes with the last one
);
INSERT INTO store_recipient (recipient, messages) SELECT recipient, count(*) FROM deferred_message GROUP BY recipient;
INSERT INTO store_usage (id, messages, bytes, recipients)
SELECT 1, count(*), coalesce(sum(size), 0), (SELECT count(*) FROM store_recipient) FROM deferred_message;

CREATE FUNCTION deferred_message_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_stored BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO store_recipient AS r (recipient, messages) VALUES (NEW.recipient, 1)
            ON CONFLICT (recipient) DO UPDATE SET messages = r.messages + 1
            RETURNING r.messages INTO now_stored;
        UPDATE store_usage SET messages = messages + 1, bytes = bytes + NEW.size,
            recipients = recipients + CASE WHEN now_stored = 1 THEN 1 ELSE 0 END;
    ELSE
        UPDATE store_recipient SET messages = messages - 1 WHERE recipient = OLD.recipient
            RETURNING messages INTO now_stored;
        IF now_stored = 0 THEN
            DELETE FROM store_recipient WHERE recipient = OLD.recipient;
        END IF;
        UPDATE store_usage SET messages = messages - 1, bytes = bytes - OLD.size,
            recipients = recipients - CASE WHEN now_stored = 0 THEN 1 ELSE 0 END;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER deferred_message_usage AFTER INSERT OR DELETE ON deferred_message
    FOR EACH ROW EXECUTE FUNCTION deferred_message_usage();

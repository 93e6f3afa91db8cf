-- What the store holds, counted as it changes, for the global caps (imdp.store.max-messages, max-bytes,
-- max-recipients, org.imdp.store.StoreCapacity): one row of totals and one row per recipient with messages stored,
-- kept exact by triggers in the transaction of every insert and delete of deferred_message, so the intake reads
-- one row instead of counting the table. Seeded here from what is stored. The PostgreSQL twin of this migration
-- (db/migration-postgresql) does the same in a trigger function.
CREATE TABLE store_usage (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
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

CREATE TRIGGER deferred_message_usage_insert AFTER INSERT ON deferred_message
BEGIN
    INSERT OR IGNORE INTO store_recipient (recipient, messages) VALUES (NEW.recipient, 0);
    UPDATE store_recipient SET messages = messages + 1 WHERE recipient = NEW.recipient;
    UPDATE store_usage SET messages = messages + 1, bytes = bytes + NEW.size,
        recipients = recipients + (SELECT messages = 1 FROM store_recipient WHERE recipient = NEW.recipient);
END;

CREATE TRIGGER deferred_message_usage_delete AFTER DELETE ON deferred_message
BEGIN
    UPDATE store_recipient SET messages = messages - 1 WHERE recipient = OLD.recipient;
    UPDATE store_usage SET messages = messages - 1, bytes = bytes - OLD.size,
        recipients = recipients - (SELECT messages = 0 FROM store_recipient WHERE recipient = OLD.recipient);
    DELETE FROM store_recipient WHERE recipient = OLD.recipient AND messages = 0;
END;

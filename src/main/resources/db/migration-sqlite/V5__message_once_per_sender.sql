-- A message is one per (recipient, sender, message_id): imdn.Message-ID is unique per sender (RFC 5438), so another
-- sender's message that happens to carry the same id is another message, not a copy to drop. SQLite cannot drop a
-- table constraint, so the table is built again with every row (the same ids: the storage order is kept) and its
-- indexes; the PostgreSQL twin of this migration (db/migration-postgresql) alters the constraint in place.
CREATE TABLE deferred_message_v5 (
    id           INTEGER PRIMARY KEY,
    recipient    TEXT    NOT NULL,
    message_id   TEXT    NOT NULL,
    sender       TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    date_time    TEXT    NOT NULL,
    disposition  TEXT,
    cpim_headers TEXT,
    expires_at   BIGINT  NOT NULL,
    size         INTEGER NOT NULL,
    refusal      TEXT,
    body         BLOB    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT deferred_message_once UNIQUE (recipient, sender, message_id)
);
INSERT INTO deferred_message_v5 (id, recipient, message_id, sender, content_type, date_time, disposition, cpim_headers,
                                 expires_at, size, refusal, body, failures)
SELECT id, recipient, message_id, sender, content_type, date_time, disposition, cpim_headers, expires_at, size, refusal,
       body, failures
FROM deferred_message;
DROP TABLE deferred_message;
ALTER TABLE deferred_message_v5 RENAME TO deferred_message;
CREATE INDEX deferred_message_expiry ON deferred_message (expires_at);
CREATE INDEX deferred_message_refused ON deferred_message (id) WHERE refusal IS NOT NULL;

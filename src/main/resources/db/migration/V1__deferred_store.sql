-- The deferred-message store, keyed by recipient, on SQLite (embedded) and PostgreSQL alike. The two column
-- types they spell differently are Flyway placeholders that StoreDatabase sets per database: row_id (an ever
-- growing row id: INTEGER PRIMARY KEY / BIGINT identity) and octets (BLOB / BYTEA).
-- One row per stored message; a push fetches one recipient's rows through the unique index, oldest first.
CREATE TABLE deferred_message (
    id           ${row_id},                                        -- storage order
    recipient    TEXT    NOT NULL,                                 -- canonical URI (Recipients.canonical)
    message_id   TEXT    NOT NULL,                                 -- imdn.Message-ID: a second copy is dropped
    sender       TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    date_time    TEXT    NOT NULL,                                 -- CPIM DateTime, ISO-8601
    disposition  TEXT,                                             -- imdn.Disposition-Notification
    cpim_headers TEXT,                                             -- the sender's other CPIM headers
    expires_at   BIGINT  NOT NULL,                                 -- epoch milliseconds
    size         INTEGER NOT NULL,                                 -- octets of body
    refusal      TEXT,                                             -- set when the client refused it for good
    body         ${octets} NOT NULL,
    CONSTRAINT deferred_message_once UNIQUE (recipient, message_id)
);
CREATE INDEX deferred_message_expiry ON deferred_message (expires_at);
CREATE INDEX deferred_message_refused ON deferred_message (id) WHERE refusal IS NOT NULL;

-- The charging record of each push, written in the transaction that removes its delivered messages. It is
-- deleted once the Charging Enabler answered 2001, or once it was handed to the charging queue.
CREATE TABLE charging_record (
    event_id TEXT   PRIMARY KEY,
    due_at   BIGINT NOT NULL,  -- epoch milliseconds: from then on the relay hands it to the charging queue
    event    TEXT   NOT NULL   -- the charging event, JSON
);
CREATE INDEX charging_record_due ON charging_record (due_at);

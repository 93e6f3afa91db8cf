-- A message is one per (recipient, sender, message_id): imdn.Message-ID is unique per sender (RFC 5438), so another
-- sender's message that happens to carry the same id is another message, not a copy to drop. The SQLite twin of this
-- migration (db/migration-sqlite) builds the table again, as SQLite cannot drop a constraint.
ALTER TABLE deferred_message DROP CONSTRAINT deferred_message_once;
ALTER TABLE deferred_message ADD CONSTRAINT deferred_message_once UNIQUE (recipient, sender, message_id);

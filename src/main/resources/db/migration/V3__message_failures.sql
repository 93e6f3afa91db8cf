-- Sessions in a row that stopped at this message without the client deciding so (no answer, connection lost, a
-- message that could not be sent): at imdp.push.max-message-failures it is refused for good, so that the messages
-- behind it flow and its sender gets the IMDN "failed".
ALTER TABLE deferred_message ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;

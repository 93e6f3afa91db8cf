-- Whether a charging record's ACR may have reached the Charging Enabler already: the relay's ACR then carries the
-- T flag (RFC 6733 section 3). A record is written as possibly sent (its push sends the ACR right after, and a crash in
-- between cannot tell); the push clears it when its ACR never left (no open peer), so that the relay's ACR, the first
-- the Charging Enabler sees, goes without T. Records stored before this version count as possibly sent.
ALTER TABLE charging_record ADD COLUMN possibly_sent BOOLEAN NOT NULL DEFAULT TRUE;

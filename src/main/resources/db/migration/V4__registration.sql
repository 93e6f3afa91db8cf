-- Registrations: which recipients have an IM Client registered, and where (REGISTER, or im.availability), shared by
-- every instance using the store. One row per recipient; a refresh rewrites it. An expired row is never returned
-- (the lookup compares expires_at) and is deleted by the periodic cleanup (imdp.store.scan-period); a deregistration
-- (Expires 0, Contact *) deletes it at once.
CREATE TABLE registration (
    recipient  TEXT   PRIMARY KEY,  -- canonical URI (Recipients.canonical): one primary-key lookup per MESSAGE
    contact    TEXT   NOT NULL,     -- the registered Contact URI, where the push goes
    expires_at BIGINT NOT NULL      -- epoch milliseconds: not registered from then on
);
CREATE INDEX registration_expiry ON registration (expires_at);

-- Push requests, one row per recipient at most: a request that arrives while one is pending is merged into it
-- (the newest contact wins). The row is leased while its push session runs, so that one recipient has one session
-- at a time on every instance sharing the store; a lease that is not renewed (its instance died) runs out and the
-- request is taken by another instance. Requests that arrive during the session bump generation: when the
-- session ends, a changed generation means "push again at once" instead of "done".
CREATE TABLE push_request (
    recipient   TEXT    PRIMARY KEY,  -- canonical URI (Recipients.canonical)
    contact     TEXT    NOT NULL,     -- where the push goes (the registered Contact)
    due_at      BIGINT  NOT NULL,     -- epoch milliseconds: not before (a timed retry is in the future)
    retries     INTEGER NOT NULL,     -- timed retries so far (PushRetryPolicy)
    generation  INTEGER NOT NULL,     -- bumped by every request
    lease_owner TEXT,                 -- the instance whose session runs now, or NULL
    lease_until BIGINT                -- epoch milliseconds: the lease runs out then unless renewed
);
CREATE INDEX push_request_due ON push_request (due_at);

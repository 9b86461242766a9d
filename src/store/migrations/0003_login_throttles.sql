-- Throttled login attempts, counted per account or address and throttling window instead of
-- journaled one by one (issue 9): a flood of refused logins must not fill the disk. The journal
-- gets one entry when a window's first refused attempt comes (D189 §10.1.3).
CREATE TABLE login_throttles (
    -- `account:NAME` when the account is locked, `address:IP` when the address is.
    subject      TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);

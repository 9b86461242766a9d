-- govsite schema, version 2: the admin panel's users, groups and sessions.
-- D189 §6.5: at least two groups (administrators and content managers), more as needed, each
-- allowed specific modules. §6.11: passwords are stored only as argon2id hashes.

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- 1 for the built-in groups administrator, content_manager and moderator.
    builtin     INTEGER NOT NULL DEFAULT 0,
    -- JSON list of module names (see `admin::permissions::Module`).
    modules     TEXT NOT NULL DEFAULT '[]',
    -- May publish, unpublish and schedule, not only write drafts and submit them for review.
    can_publish INTEGER NOT NULL DEFAULT 0
);

INSERT INTO groups (name, builtin, modules, can_publish) VALUES
    ('administrator', 1, '["pages","news","documents","media","structure","templates","strings","users","statistics","backups","forms","journal"]', 1),
    ('content_manager', 1, '["pages","news","documents","media"]', 0),
    ('moderator', 1, '["pages","news","documents","forms"]', 1);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    group_id             INTEGER NOT NULL REFERENCES groups(id),
    password_hash        TEXT NOT NULL,
    -- Set for generated (one-time) passwords: the user must choose their own at next login.
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled             INTEGER NOT NULL DEFAULT 0,
    -- Content the user may edit: JSON lists of section translation keys (with everything
    -- below them) and language codes; empty means all.
    sections             TEXT NOT NULL DEFAULT '[]',
    languages            TEXT NOT NULL DEFAULT '[]',
    -- The admin interface's language.
    ui_lang              TEXT NOT NULL DEFAULT 'az',
    created_at           TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL
);

-- Only the SHA-256 of a session id is stored: a copy of the database does not let anyone in.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    address    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins, for throttling per account and per address.
CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account, at);
CREATE INDEX login_failures_address ON login_failures(address, at);

-- Why a page was taken off the site (D189 §4.3), kept with the revision that did it.
ALTER TABLE revisions ADD COLUMN status_note TEXT;

-- D189 §4.4: a section's publishing deadline, in days between publications; NULL for none.
ALTER TABLE sections ADD COLUMN update_days INTEGER;

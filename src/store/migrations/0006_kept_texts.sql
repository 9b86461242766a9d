-- Issue 11, nothing typed is lost: an editor's form posted after its session ended (logout
-- elsewhere, expiry, a password change) is kept until the same user signs in again.

-- A session that ends leaves its CSRF token here for a day: a form posted with it after the
-- end proves whose it is (a form from another site cannot know it).
CREATE TABLE ended_sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    ended_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions BEGIN
    INSERT OR REPLACE INTO ended_sessions (id_hash, user_id, csrf_token, ended_at)
    VALUES (old.id_hash, old.user_id, old.csrf_token, CAST(strftime('%s', 'now') AS INTEGER));
END;

-- The form as posted, under the hash of a random token given to the browser that posted it.
CREATE TABLE kept_texts (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    page_id    INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
    form       BLOB NOT NULL,
    kept_at    INTEGER NOT NULL
) WITHOUT ROWID;

//! Users, groups, sessions and failed logins of the admin panel (D189 §6.5, §6.11). Only hashes
//! are stored: argon2id for passwords (computed by `admin::auth`), SHA-256 for session ids.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::json;

use super::journal::{self, Actor};
use super::{Error, Result, Store, from_json, to_json};

/// A group of users and what it may do (D189 §6.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub builtin: bool,
    /// Module names, see `admin::permissions::Module`.
    pub modules: Vec<String>,
    pub can_publish: bool,
}

/// A user of the admin panel, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub group: Group,
    pub must_change_password: bool,
    pub disabled: bool,
    /// Section translation keys the user may edit (with their subsections); empty: all.
    pub sections: Vec<String>,
    /// Languages the user may edit; empty: all.
    pub languages: Vec<String>,
    pub ui_lang: String,
    pub created_at: String,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_seen: i64,
}

/// How long an ended session's token and a text kept after it last: a day.
pub const KEPT_SECONDS: i64 = 24 * 60 * 60;

/// The limits on failed logins (D189 §6.11), set by `admin::auth`.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_seconds: i64,
    pub max_per_account: i64,
    pub max_per_address: i64,
}

/// May a login attempt have its password checked?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    /// Yes; the attempt is already recorded as a failure, cleared if the password is right.
    Check,
    /// No: the account or the address had too many failures in the window.
    Throttled,
}

const USER_COLUMNS: &str = "u.id, u.name, u.must_change_password, u.disabled, u.sections, u.languages, u.ui_lang, u.created_at, g.id, g.name, g.builtin, g.modules, g.can_publish";

fn group_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Group> {
    Ok(Group {
        id: row.get(at)?,
        name: row.get(at + 1)?,
        builtin: row.get(at + 2)?,
        modules: from_json(&row.get::<_, String>(at + 3)?),
        can_publish: row.get(at + 4)?,
    })
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        must_change_password: row.get(2)?,
        disabled: row.get(3)?,
        sections: from_json(&row.get::<_, String>(4)?),
        languages: from_json(&row.get::<_, String>(5)?),
        ui_lang: row.get(6)?,
        created_at: row.get(7)?,
        group: group_from_row(row, 8)?,
    })
}

impl Store {
    /// How many users exist, disabled ones included.
    pub fn user_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))?)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN groups g ON g.id = u.group_id ORDER BY u.name"
        ))?;
        let rows = statement.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn user(&self, id: i64) -> Result<User> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS} FROM users u JOIN groups g ON g.id = u.group_id WHERE u.id = ?1"
                ),
                params![id],
                user_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("user {id}")))
    }

    /// A user and their password hash, by name.
    pub fn user_with_hash(&self, name: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS}, u.password_hash FROM users u JOIN groups g ON g.id = u.group_id WHERE u.name = ?1"
                ),
                params![name],
                |row| Ok((user_from_row(row)?, row.get::<_, String>(13)?)),
            )
            .optional()?)
    }

    /// Every group, built-in ones first.
    pub fn groups(&self) -> Result<Vec<Group>> {
        let mut statement = self.conn.prepare(
            "SELECT id, name, builtin, modules, can_publish FROM groups ORDER BY builtin DESC, id",
        )?;
        let rows = statement.query_map([], |row| group_from_row(row, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn group_id(&self, name: &str) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM groups WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("group `{name}`")))
    }

    /// Creates a user in a group; the name must be free.
    pub fn create_user(
        &mut self,
        name: &str,
        group: &str,
        password_hash: &str,
        must_change_password: bool,
        actor: &Actor,
    ) -> Result<i64> {
        let group_id = self.group_id(group)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let taken: Option<i64> = tx
            .query_row(
                "SELECT id FROM users WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(Error::Refused {
                summary: format!("a user named `{name}` already exists; choose another name"),
                problems: Vec::new(),
            });
        }
        let now = super::edit::now_text();
        tx.execute(
            "INSERT INTO users (name, group_id, password_hash, must_change_password, created_at, password_changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![name, group_id, password_hash, must_change_password, now],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(
            &tx,
            actor,
            "create",
            "user",
            name,
            json!({ "group": group }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(id)
    }

    /// Replaces a user's password hash and ends their sessions except `keep_session` (the
    /// session of the user changing their own password).
    pub fn set_password(
        &mut self,
        user_id: i64,
        password_hash: &str,
        must_change_password: bool,
        keep_session: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let name = self.user(user_id)?.name;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET password_hash = ?2, must_change_password = ?3, password_changed_at = ?4 WHERE id = ?1",
            params![user_id, password_hash, must_change_password, super::edit::now_text()],
        )?;
        let ended = tx.execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND id_hash IS NOT ?2",
            params![user_id, keep_session],
        )?;
        journal::append(
            &tx,
            actor,
            "change_password",
            "user",
            &name,
            json!({ "one_time": must_change_password, "sessions_ended": ended }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }

    /// Disables or enables an account; disabling ends its sessions. Journal entries stay.
    pub fn set_disabled(&mut self, user_id: i64, disabled: bool, actor: &Actor) -> Result<()> {
        let name = self.user(user_id)?.name;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET disabled = ?2 WHERE id = ?1",
            params![user_id, disabled],
        )?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", params![user_id])?;
        }
        journal::append(
            &tx,
            actor,
            if disabled { "disable" } else { "enable" },
            "user",
            &name,
            json!({}),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }

    /// Changes a user's group and the sections and languages they may edit; journaled as a
    /// permission change with before and after.
    pub fn set_user_access(
        &mut self,
        user_id: i64,
        group: &str,
        sections: &[String],
        languages: &[String],
        actor: &Actor,
    ) -> Result<()> {
        let before = self.user(user_id)?;
        let group_id = self.group_id(group)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET group_id = ?2, sections = ?3, languages = ?4 WHERE id = ?1",
            params![user_id, group_id, to_json(sections), to_json(languages)],
        )?;
        journal::append(
            &tx,
            actor,
            "change_permissions",
            "user",
            &before.name,
            json!({
                "before": { "group": before.group.name, "sections": before.sections, "languages": before.languages },
                "after": { "group": group, "sections": sections, "languages": languages },
            }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }

    /// The language of a user's admin interface.
    pub fn set_ui_lang(&mut self, user_id: i64, lang: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET ui_lang = ?2 WHERE id = ?1",
            params![user_id, lang],
        )?;
        Ok(())
    }

    /// Creates or changes a custom group; built-in groups cannot be changed.
    pub fn save_group(
        &mut self,
        name: &str,
        modules: &[String],
        can_publish: bool,
        actor: &Actor,
    ) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let existing: Option<(i64, bool, String, bool)> = tx
            .query_row(
                "SELECT id, builtin, modules, can_publish FROM groups WHERE name = ?1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let id = match existing {
            Some((_, true, ..)) => {
                return Err(Error::Refused {
                    summary: format!(
                        "`{name}` is a built-in group and cannot be changed; create a custom group instead"
                    ),
                    problems: Vec::new(),
                });
            }
            Some((id, false, before_modules, before_publish)) => {
                tx.execute(
                    "UPDATE groups SET modules = ?2, can_publish = ?3 WHERE id = ?1",
                    params![id, to_json(modules), can_publish],
                )?;
                journal::append(
                    &tx,
                    actor,
                    "change_permissions",
                    "group",
                    name,
                    json!({
                        "before": { "modules": from_json(&before_modules), "can_publish": before_publish },
                        "after": { "modules": modules, "can_publish": can_publish },
                    }),
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO groups (name, builtin, modules, can_publish) VALUES (?1, 0, ?2, ?3)",
                    params![name, to_json(modules), can_publish],
                )?;
                journal::append(
                    &tx,
                    actor,
                    "create",
                    "group",
                    name,
                    json!({ "modules": modules, "can_publish": can_publish }),
                )?;
                tx.last_insert_rowid()
            }
        };
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(id)
    }

    /// Starts a session; `id_hash` is the SHA-256 of the cookie's id.
    pub fn create_session(
        &mut self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        now: i64,
        address: &str,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, address) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![id_hash, user_id, csrf_token, now, address],
        )?;
        Ok(())
    }

    /// A session and its user.
    pub fn session(&self, id_hash: &str) -> Result<Option<(Session, User)>> {
        let found: Option<(Session, i64)> = self
            .conn
            .query_row(
                "SELECT user_id, csrf_token, created_at, last_seen FROM sessions WHERE id_hash = ?1",
                params![id_hash],
                |row| {
                    Ok((
                        Session {
                            user_id: row.get(0)?,
                            csrf_token: row.get(1)?,
                            created_at: row.get(2)?,
                            last_seen: row.get(3)?,
                        },
                        row.get(0)?,
                    ))
                },
            )
            .optional()?;
        match found {
            Some((session, user_id)) => Ok(Some((session, self.user(user_id)?))),
            None => Ok(None),
        }
    }

    pub fn touch_session(&mut self, id_hash: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1",
            params![id_hash, now],
        )?;
        Ok(())
    }

    pub fn end_session(&mut self, id_hash: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
        Ok(())
    }

    /// Removes sessions idle since `idle_before` or started before `started_before`, and the
    /// ended sessions and kept texts older than [`KEPT_SECONDS`].
    pub fn purge_sessions(&mut self, idle_before: i64, started_before: i64) -> Result<usize> {
        let purged = self.conn.execute(
            "DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2",
            params![idle_before, started_before],
        )?;
        // By the database's clock, which also stamps `ended_at` (the trigger of migration 0006).
        self.conn.execute(
            "DELETE FROM ended_sessions WHERE ended_at < CAST(strftime('%s', 'now') AS INTEGER) - ?1",
            params![KEPT_SECONDS],
        )?;
        self.conn.execute(
            "DELETE FROM kept_texts WHERE kept_at < CAST(strftime('%s', 'now') AS INTEGER) - ?1",
            params![KEPT_SECONDS],
        )?;
        Ok(purged)
    }

    /// The user and CSRF token of a session that ended less than [`KEPT_SECONDS`] before
    /// `now` (logout, expiry, logout elsewhere): what a form posted after the end is checked
    /// against (issue 11).
    pub fn ended_session(&self, id_hash: &str, now: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT user_id, csrf_token FROM ended_sessions WHERE id_hash = ?1 AND ended_at >= ?2",
                params![id_hash, now - KEPT_SECONDS],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Keeps an editor's form, posted after its session ended, for its writer (issue 11).
    pub fn keep_text(
        &mut self,
        token_hash: &str,
        user_id: i64,
        page_id: i64,
        form: &[u8],
        now: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO kept_texts (token_hash, user_id, page_id, form, kept_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, user_id, page_id, form, now],
        )?;
        Ok(())
    }

    /// The page of a kept text of this user, if there is one under the token.
    pub fn kept_text_page(&self, token_hash: &str, user_id: i64, now: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT page_id FROM kept_texts WHERE token_hash = ?1 AND user_id = ?2 AND kept_at >= ?3",
                params![token_hash, user_id, now - KEPT_SECONDS],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Takes (returns and forgets) the kept form of this user for this page: the form and when
    /// it was kept.
    pub fn take_kept_text(
        &mut self,
        token_hash: &str,
        user_id: i64,
        page_id: i64,
        now: i64,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        let found: Option<(Vec<u8>, i64)> = self
            .conn
            .query_row(
                "SELECT form, kept_at FROM kept_texts
                 WHERE token_hash = ?1 AND user_id = ?2 AND page_id = ?3 AND kept_at >= ?4",
                params![token_hash, user_id, page_id, now - KEPT_SECONDS],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if found.is_some() {
            self.conn.execute(
                "DELETE FROM kept_texts WHERE token_hash = ?1",
                params![token_hash],
            )?;
        }
        Ok(found)
    }

    /// Decides whether a login attempt may have its password checked, atomically: in one
    /// IMMEDIATE transaction the failures of the window are counted and the attempt is either
    /// refused or recorded as a failure *before* the password is checked (D189 §6.11), so
    /// parallel attempts cannot all pass the count. A successful login then clears the
    /// account's failures ([`clear_login_failures`](Self::clear_login_failures)).
    ///
    /// A refused attempt is counted in `login_throttles` per locked account or address and
    /// window; only the window's first one is journaled, so a flood of refused logins writes
    /// one journal entry per window, not one per attempt.
    pub fn begin_login_attempt(
        &mut self,
        account: &str,
        address: &str,
        now: i64,
        limits: &LoginLimits,
    ) -> Result<LoginGate> {
        let window_start = now - now.rem_euclid(limits.window_seconds);
        let since = now - limits.window_seconds;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let count = |column: &str, value: &str| -> Result<i64> {
            Ok(tx.query_row(
                &format!("SELECT COUNT(*) FROM login_failures WHERE {column} = ?1 AND at >= ?2"),
                params![value, since],
                |row| row.get(0),
            )?)
        };
        let subject = if count("account", account)? >= limits.max_per_account {
            Some(format!("account:{account}"))
        } else if count("address", address)? >= limits.max_per_address {
            Some(format!("address:{address}"))
        } else {
            None
        };
        let Some(subject) = subject else {
            tx.execute(
                "INSERT INTO login_failures (account, address, at) VALUES (?1, ?2, ?3)",
                params![account, address, now],
            )?;
            // Old failures and counts are of no use for throttling.
            tx.execute(
                "DELETE FROM login_failures WHERE at < ?1",
                params![now - 86_400],
            )?;
            tx.execute(
                "DELETE FROM login_throttles WHERE last_at < ?1",
                params![now - 86_400],
            )?;
            tx.commit()?;
            return Ok(LoginGate::Check);
        };
        let attempts: i64 = tx.query_row(
            "INSERT INTO login_throttles (subject, window_start, attempts, first_at, last_at)
             VALUES (?1, ?2, 1, ?3, ?3)
             ON CONFLICT (subject, window_start) DO UPDATE SET attempts = attempts + 1, last_at = ?3
             RETURNING attempts",
            params![subject, window_start, now],
            |row| row.get(0),
        )?;
        if attempts > 1 {
            tx.commit()?;
            return Ok(LoginGate::Throttled);
        }
        // The window's first refused attempt: one journal entry, with the count of the
        // window before, if there was one.
        let previous: Option<(i64, i64, i64)> = tx
            .query_row(
                "SELECT attempts, first_at, last_at FROM login_throttles
                 WHERE subject = ?1 AND window_start < ?2 ORDER BY window_start DESC LIMIT 1",
                params![subject, window_start],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        journal::append(
            &tx,
            &Actor(format!("anonymous@{address}")),
            "login_throttled",
            "user",
            account,
            json!({
                "address": address,
                "locked": subject,
                "window_start": window_start,
                "window_seconds": limits.window_seconds,
                "note": "further refused attempts in this window are counted, not journaled one by one",
                "previous_window": previous.map(|(attempts, first, last)| json!({
                    "attempts": attempts, "first_at": first, "last_at": last
                })),
            }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(LoginGate::Throttled)
    }

    /// Forgets an account's failed logins after a successful one.
    pub fn clear_login_failures(&mut self, account: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM login_failures WHERE account = ?1",
            params![account],
        )?;
        Ok(())
    }

    /// Journals an event that changes no content: login, failed login, logout, export, a
    /// refused action (D189 §10.1.3).
    pub fn journal_event(
        &mut self,
        actor: &Actor,
        action: &str,
        object_type: &str,
        object: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        journal::append(&tx, actor, action, object_type, object, detail)?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }
}

//! The SQLite database: schema and migrations, and all SQL of govsite. Every change to content
//! goes through a `Store` method that writes its journal entry in the same transaction.

mod edit;
mod import;
pub mod journal;
mod panel;
mod publishing;
mod read;
mod users;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use time::UtcOffset;

pub use edit::PageEdit;
pub use import::{ImportBaseline, ImportOptions, ImportReport};
pub use journal::{Actor, JournalCheckpoint, JournalEntry, JournalFilter, JournalProblem};
pub use panel::{PageMeta, PageSummary, RevisionInfo};
pub use publishing::{ManifestEntry, PendingChanges, PublishRecord, PublishState, ReadSnapshot};
pub use read::{LivePage, MediaRecord, SectionRecord, SiteModel};
pub use users::{Group, LoginGate, LoginLimits, Session, User};

/// What went wrong in the store, for callers that branch on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(String),
    /// The change would lose or break something; nothing was changed.
    #[error("{summary}")]
    Refused {
        summary: String,
        problems: Vec<String>,
    },
    /// The page's head revision is no longer the one the user's form was opened from
    /// (`base_revision`): someone saved after it was opened. Nothing was written (issue 10,
    /// lost update).
    #[error(
        "this page was changed by {by} at {at} after you opened it (now revision {number}); nothing was saved — check the changes and save again"
    )]
    Stale {
        /// Who saved the head revision.
        by: String,
        /// When, as stored.
        at: String,
        /// The head revision's id: the base a form must carry to save over it.
        head: i64,
        /// The head revision's number, for the link to its changes.
        number: i64,
    },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// The user-facing form of a refusal, or `None` for internal errors.
    pub fn into_user_error(self) -> Result<crate::UserError, Error> {
        match self {
            Error::Refused { summary, problems } => {
                Ok(crate::UserError::with_problems(summary, problems))
            }
            Error::NotFound(what) => Ok(crate::UserError::new(format!("{what} not found"))),
            stale @ Error::Stale { .. } => Ok(crate::UserError::new(stale.to_string())),
            other => Err(other),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Migrations, in order; append only. `PRAGMA user_version` counts the applied ones.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_admin.sql"),
    include_str!("migrations/0003_login_throttles.sql"),
    include_str!("migrations/0004_publishing.sql"),
    include_str!("migrations/0005_source_files.sql"),
    include_str!("migrations/0006_kept_texts.sql"),
];

/// The database of one installation.
pub struct Store {
    conn: Connection,
    site_id: i64,
    utc_offset: UtcOffset,
    /// The file beside the database that records the journal's chain head after each
    /// entry (D189 §10.1.3); `None` for a database in memory.
    journal_head_path: Option<std::path::PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path, domain: &str, utc_offset: UtcOffset) -> Result<Store> {
        let conn = Connection::open(path)?;
        // D189 §6.10, §10.1.5: durable writes that survive a crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut store = Store::setup(conn, domain, utc_offset)?;
        store.journal_head_path = Some(journal_head_path(path));
        Ok(store)
    }

    /// A fresh database in memory, for tests.
    pub fn open_in_memory(domain: &str, utc_offset: UtcOffset) -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, domain, utc_offset)
    }

    fn setup(mut conn: Connection, domain: &str, utc_offset: UtcOffset) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn)?;
        // Opening writes only when there is something to write: readers (the search page,
        // the scheduler) open the database concurrently.
        let select = |conn: &Connection| {
            conn.query_row(
                "SELECT id FROM sites WHERE domain = ?1",
                params![domain],
                |row| row.get::<_, i64>(0),
            )
            .optional()
        };
        let site_id = match select(&conn)? {
            Some(id) => id,
            None => {
                conn.execute(
                    "INSERT OR IGNORE INTO sites (domain) VALUES (?1)",
                    params![domain],
                )?;
                select(&conn)?.ok_or_else(|| Error::NotFound(format!("site `{domain}`")))?
            }
        };
        Ok(Store {
            conn,
            site_id,
            utc_offset,
            journal_head_path: None,
        })
    }

    /// The schema version: how many migrations have been applied.
    pub fn schema_version(&self) -> Result<usize> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize)
    }

    /// Does the database hold no content yet?
    pub fn is_empty(&self) -> Result<bool> {
        let sections: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sections WHERE site_id = ?1",
            params![self.site_id],
            |row| row.get(0),
        )?;
        Ok(sections == 0)
    }

    /// The id of a page by language and translation key.
    pub fn page_id(&self, lang: &str, translation_key: &str) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT p.id FROM pages p JOIN sections s ON s.id = p.section_id
                 WHERE s.site_id = ?1 AND p.lang = ?2 AND p.translation_key = ?3",
                params![self.site_id, lang, translation_key],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("page `{translation_key}` in `{lang}`")))
    }

    /// The journal, oldest first.
    pub fn journal(&self) -> Result<Vec<JournalEntry>> {
        journal::entries(&self.conn)
    }

    /// Recomputes the journal's hash chain; the id of the first entry that does not match.
    pub fn verify_journal(&self) -> Result<Option<i64>> {
        journal::verify(&self.conn)
    }

    /// Recomputes the chain and checks it against the head file beside the database
    /// (`govsite audit-log verify`): the entry count and the first problem found.
    pub fn verify_journal_with_head(&self) -> Result<(usize, Option<JournalProblem>)> {
        let (count, problem, _) = self.verify_journal_since(None)?;
        Ok((count, problem))
    }

    /// Like [`verify_journal_with_head`](Self::verify_journal_with_head) from a checkpoint
    /// of an earlier verification (see [`journal::verify_since`] for what that leaves out);
    /// also returns the new checkpoint when nothing is wrong.
    pub fn verify_journal_since(
        &self,
        checkpoint: Option<&JournalCheckpoint>,
    ) -> Result<(usize, Option<JournalProblem>, Option<JournalCheckpoint>)> {
        let lines = match &self.journal_head_path {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => Some(text),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    let (count, _) = journal::head(&self.conn)?;
                    if count > 0 {
                        return Ok((
                            count as usize,
                            Some(JournalProblem {
                                entry: None,
                                message: format!(
                                    "the head file {} is missing; it records every entry and must be restored from a backup",
                                    path.display()
                                ),
                            }),
                            None,
                        ));
                    }
                    None
                }
                Err(error) => {
                    return Ok((
                        0,
                        Some(JournalProblem {
                            entry: None,
                            message: format!("cannot read {}: {error}", path.display()),
                        }),
                        None,
                    ));
                }
            },
            None => None,
        };
        journal::verify_since(&self.conn, checkpoint, lines.as_deref())
    }

    /// Journal entries matching a filter, newest first, and the number matching in all.
    pub fn journal_filtered(&self, filter: &JournalFilter) -> Result<(Vec<JournalEntry>, usize)> {
        journal::filtered(&self.conn, filter)
    }

    /// Commits a transaction that journaled something and appends the journal's head to the
    /// head file (D189 §10.1.3). The head is read inside the transaction (IMMEDIATE, so
    /// writers are serialised and it is exactly this commit's head) and the file is locked
    /// from before the commit until the line is written and synced, so that lines of
    /// concurrent writers, in this process or another, land whole and in chain order.
    pub(crate) fn commit_journaled(
        tx: rusqlite::Transaction<'_>,
        head_path: Option<&Path>,
    ) -> Result<()> {
        let Some(path) = head_path else {
            tx.commit()?;
            return Ok(());
        };
        let (count, hash) = journal::head(&tx)?;
        let io_error = |error: std::io::Error| {
            Error::Io(format!(
                "cannot write the journal head {}: {error}",
                path.display()
            ))
        };
        let file = journal::lock_head_file(path).map_err(io_error)?;
        tx.commit()?;
        if count > 0 {
            journal::record_head(&file, count, &hash).map_err(io_error)?;
        }
        // Dropping the file releases the lock.
        Ok(())
    }
}

/// The journal head file of a database: `govsite.sqlite` → `govsite.sqlite.journal-head`.
pub fn journal_head_path(database: &Path) -> std::path::PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".journal-head");
    std::path::PathBuf::from(name)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version =
        |conn: &Connection| conn.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0));
    if version(conn)? as usize >= MIGRATIONS.len() {
        return Ok(());
    }
    // IMMEDIATE: take the write lock first, so two processes opening a new database at once
    // wait for each other instead of failing.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied = version(&tx)? as usize;
    for migration in MIGRATIONS.iter().skip(applied) {
        tx.execute_batch(migration)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    tx.commit()?;
    Ok(())
}

/// `Vec<String>` ↔ the JSON text stored in list columns.
fn to_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn from_json(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_apply_migrations_twice() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'pages'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn can_reopen_a_file_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let store = Store::open(&path, "test.gov.az", UtcOffset::UTC).unwrap();
        assert!(store.is_empty().unwrap());
        let site_id = store.site_id;
        drop(store);
        let store = Store::open(&path, "test.gov.az", UtcOffset::UTC).unwrap();
        assert_eq!(store.site_id, site_id);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
}

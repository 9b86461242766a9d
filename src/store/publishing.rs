//! What the publisher reads and records: the changes since its last publish (written by the
//! triggers of migration 0004), its state and last failure, and the build manifest.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{OptionalExtension as _, params};

use super::journal::{self, Actor};
use super::{Result, Store};

/// What changed since a publish: the pages and sections named by changed rows, and the kinds
/// of site-wide changes (`media`, `template`, `strings`, `menu`, `redirect`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PendingChanges {
    /// The newest change id read; publishing it publishes everything up to it.
    pub upto: i64,
    pub pages: BTreeSet<i64>,
    pub sections: BTreeSet<i64>,
    pub site_wide: BTreeSet<String>,
}

impl PendingChanges {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.sections.is_empty() && self.site_wide.is_empty()
    }
}

/// The publisher's record of its last publish and its last failure.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PublishState {
    /// Every change up to this id is on the site.
    pub published_change: i64,
    /// When the last publish ran (unix seconds): publications and expiries scheduled after it
    /// are still due.
    pub published_at: Option<i64>,
    /// The configuration and program the last publish ran with.
    pub fingerprint: String,
    /// Why the last publish failed, if it has not succeeded since.
    pub failure: Option<String>,
    pub failed_at: Option<i64>,
}

/// One file of the last publish: path, digest of its inputs, and the object it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub digest: String,
    pub owner: String,
}

/// What a successful publish changes in the manifest and the state, in one transaction.
pub struct PublishRecord<'a> {
    /// `(path, digest, owner)` of every file written or confirmed.
    pub written: &'a [(String, String, String)],
    pub removed: &'a [String],
    /// A full build: the manifest is replaced, not updated.
    pub replace_all: bool,
    pub upto: i64,
    pub at: i64,
    pub fingerprint: &'a str,
}

/// A read transaction: what the store reads while it lives comes from one snapshot of the
/// database, whatever other connections commit meanwhile. Ends when dropped.
pub struct ReadSnapshot<'a> {
    conn: &'a rusqlite::Connection,
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        // A read transaction has nothing to lose; ending it cannot fail in a way that matters.
        let _ = self.conn.execute_batch("COMMIT");
    }
}

impl Store {
    /// Starts a read transaction (the publisher reads its state, the changes and the site in
    /// one snapshot).
    pub fn read_snapshot(&self) -> Result<ReadSnapshot<'_>> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        Ok(ReadSnapshot { conn: &self.conn })
    }

    pub fn publish_state(&self) -> Result<PublishState> {
        Ok(self
            .conn
            .query_row(
                "SELECT published_change, published_at, fingerprint, failure, failed_at
                 FROM publish_state WHERE id = 1",
                [],
                |row| {
                    Ok(PublishState {
                        published_change: row.get(0)?,
                        published_at: row.get(1)?,
                        fingerprint: row.get(2)?,
                        failure: row.get(3)?,
                        failed_at: row.get(4)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The changes recorded after change `after`.
    pub fn pending_changes(&self, after: i64) -> Result<PendingChanges> {
        let mut changes = PendingChanges {
            upto: after,
            ..PendingChanges::default()
        };
        let mut statement = self
            .conn
            .prepare("SELECT id, kind, object_id FROM site_changes WHERE id > ?1 ORDER BY id")?;
        let mut rows = statement.query(params![after])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let kind: String = row.get(1)?;
            let object: Option<i64> = row.get(2)?;
            changes.upto = changes.upto.max(id);
            match (kind.as_str(), object) {
                ("page", Some(page)) => {
                    changes.pages.insert(page);
                }
                ("section", Some(section)) => {
                    changes.sections.insert(section);
                }
                _ => {
                    changes.site_wide.insert(kind);
                }
            }
        }
        Ok(changes)
    }

    /// Pages with a publication or an expiry scheduled in `(since, now]` (unix seconds).
    pub fn pages_due_between(&self, since: i64, now: i64) -> Result<BTreeSet<i64>> {
        let mut statement = self.conn.prepare(
            "SELECT page_id FROM revisions
             WHERE (publish_at_utc > ?1 AND publish_at_utc <= ?2)
                OR (valid_until_utc > ?1 AND valid_until_utc <= ?2)",
        )?;
        let rows = statement.query_map(params![since, now], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the last publish wrote: path → digest and owner.
    pub fn build_manifest(&self) -> Result<HashMap<String, ManifestEntry>> {
        let mut statement = self
            .conn
            .prepare("SELECT path, digest, owner FROM build_outputs")?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get(0)?,
                ManifestEntry {
                    digest: row.get(1)?,
                    owner: row.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The manifest rows of some owners only: path → digest and owner.
    pub fn build_manifest_of(
        &self,
        owners: &BTreeSet<String>,
    ) -> Result<HashMap<String, ManifestEntry>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT path, digest FROM build_outputs WHERE owner = ?1")?;
        let mut manifest = HashMap::new();
        for owner in owners {
            let rows = statement.query_map(params![owner], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (path, digest) = row?;
                manifest.insert(
                    path,
                    ManifestEntry {
                        digest,
                        owner: owner.clone(),
                    },
                );
            }
        }
        Ok(manifest)
    }

    /// Records a successful publish: the manifest, the changes it published (forgotten), the
    /// time and fingerprint; a previous failure is cleared, and journaled as mended.
    pub fn record_publish(&mut self, record: &PublishRecord<'_>) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if record.replace_all {
            tx.execute("DELETE FROM build_outputs", [])?;
        }
        {
            let mut upsert = tx.prepare(
                "INSERT OR REPLACE INTO build_outputs (path, digest, owner) VALUES (?1, ?2, ?3)",
            )?;
            for (path, digest, owner) in record.written {
                upsert.execute(params![path, digest, owner])?;
            }
            let mut delete = tx.prepare("DELETE FROM build_outputs WHERE path = ?1")?;
            for path in record.removed {
                delete.execute(params![path])?;
            }
        }
        tx.execute(
            "DELETE FROM site_changes WHERE id <= ?1",
            params![record.upto],
        )?;
        let failed: Option<String> = tx.query_row(
            "SELECT failure FROM publish_state WHERE id = 1",
            [],
            |row| row.get(0),
        )?;
        tx.execute(
            "UPDATE publish_state SET published_change = MAX(published_change, ?1),
                 published_at = ?2, fingerprint = ?3, failure = NULL, failed_at = NULL
             WHERE id = 1",
            params![record.upto, record.at, record.fingerprint],
        )?;
        if failed.is_some() {
            journal::append(
                &tx,
                &Actor("system:publisher".into()),
                "publish_recovered",
                "site",
                "public",
                serde_json::json!({ "previous_failure": failed }),
            )?;
            Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        } else {
            tx.commit()?;
        }
        Ok(())
    }

    /// Records that a publish failed: the changes stay pending (the next publish and the
    /// scheduler retry them), the dashboard shows the reason, and the journal says so, once
    /// per distinct failure.
    pub fn record_publish_failure(&mut self, failure: &str, at: i64) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let previous: Option<String> = tx.query_row(
            "SELECT failure FROM publish_state WHERE id = 1",
            [],
            |row| row.get(0),
        )?;
        tx.execute(
            "UPDATE publish_state SET failure = ?1, failed_at = ?2 WHERE id = 1",
            params![failure, at],
        )?;
        // The scheduler retries every minute: the same failure is journaled once.
        if previous.as_deref() == Some(failure) {
            tx.commit()?;
            return Ok(());
        }
        journal::append(
            &tx,
            &Actor("system:publisher".into()),
            "publish_failed",
            "site",
            "public",
            serde_json::json!({ "error": failure }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }
}

//! The journal of changes (D189 §10.1.3): who, exact time, action, object and what changed,
//! written in the same transaction as the change and hash-chained entry to entry.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::content::sha256_hex;

/// Who makes a change: the OS user for the command line, the signed-in user for the admin panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    /// The operating-system user running this process, as `os:NAME`.
    pub fn os_user() -> Actor {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Actor(format!("os:{name}"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: i64,
    /// UTC, RFC 3339 with nanoseconds.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object: String,
    /// JSON: what changed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn entry_hash(
    prev_hash: &str,
    at: &str,
    actor: &str,
    action: &str,
    object_type: &str,
    object: &str,
    detail: &str,
) -> String {
    // Fields joined with a separator that cannot occur in them unescaped (JSON escapes it).
    let joined = [prev_hash, at, actor, action, object_type, object, detail].join("\u{1f}");
    sha256_hex(joined.as_bytes())
}

/// Appends an entry; call inside the transaction that makes the change.
pub fn append(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object: &str,
    detail: Value,
) -> rusqlite::Result<()> {
    let at = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let detail = detail.to_string();
    let prev_hash: String = conn
        .query_row(
            "SELECT hash FROM journal ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let hash = entry_hash(
        &prev_hash,
        &at,
        &actor.0,
        action,
        object_type,
        object,
        &detail,
    );
    conn.execute(
        "INSERT INTO journal (at, actor, action, object_type, object, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            at,
            actor.0,
            action,
            object_type,
            object,
            detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

pub fn entries(conn: &Connection) -> super::Result<Vec<JournalEntry>> {
    let mut statement = conn.prepare(
        "SELECT id, at, actor, action, object_type, object, detail, prev_hash, hash FROM journal ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(JournalEntry {
            id: row.get(0)?,
            at: row.get(1)?,
            actor: row.get(2)?,
            action: row.get(3)?,
            object_type: row.get(4)?,
            object: row.get(5)?,
            detail: row.get(6)?,
            prev_hash: row.get(7)?,
            hash: row.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The id of the first entry whose hash or link to its predecessor does not hold.
pub fn verify(conn: &Connection) -> super::Result<Option<i64>> {
    let mut expected_prev = GENESIS.to_string();
    for entry in entries(conn)? {
        let hash = entry_hash(
            &entry.prev_hash,
            &entry.at,
            &entry.actor,
            &entry.action,
            &entry.object_type,
            &entry.object,
            &entry.detail,
        );
        if entry.prev_hash != expected_prev || entry.hash != hash {
            return Ok(Some(entry.id));
        }
        expected_prev = entry.hash;
    }
    Ok(None)
}

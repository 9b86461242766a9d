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
    let rows = statement.query_map([], entry_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Which entries to show, for the admin's journal view and its CSV export.
#[derive(Debug, Clone, Default)]
pub struct JournalFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    /// Part of the object, e.g. a page's address.
    pub object: Option<String>,
    /// UTC RFC 3339 bounds, inclusive `from`, exclusive `until`.
    pub from: Option<String>,
    pub until: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// Entries matching a filter, newest first, and how many match in all.
pub fn filtered(
    conn: &Connection,
    filter: &JournalFilter,
) -> super::Result<(Vec<JournalEntry>, usize)> {
    let mut conditions = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut add = |condition: &str, value: &Option<String>, wrap: bool| {
        if let Some(value) = value.as_ref().filter(|v| !v.is_empty()) {
            values.push(if wrap {
                format!("%{value}%")
            } else {
                value.clone()
            });
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        }
    };
    add("actor = ?", &filter.actor, false);
    add("action = ?", &filter.action, false);
    add("object_type = ?", &filter.object_type, false);
    add("object LIKE ?", &filter.object, true);
    add("at >= ?", &filter.from, false);
    add("at < ?", &filter.until, false);
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM journal {clause}"),
        rusqlite::params_from_iter(values.iter()),
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare(&format!(
        "SELECT id, at, actor, action, object_type, object, detail, prev_hash, hash FROM journal {clause} ORDER BY id DESC LIMIT {} OFFSET {}",
        filter.limit.max(1),
        filter.offset
    ))?;
    let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), entry_from_row)?;
    Ok((rows.collect::<Result<_, _>>()?, total as usize))
}

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<JournalEntry> {
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
}

/// The chain head: how many entries there are and the hash of the last one.
/// Call inside the transaction whose head it is: both are read in one statement.
pub fn head(conn: &Connection) -> rusqlite::Result<(u64, String)> {
    let (count, hash): (i64, Option<String>) = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM journal), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok((count as u64, hash.unwrap_or_else(|| GENESIS.to_string())))
}

/// Opens the head file kept beside the database and takes its exclusive lock (shared by
/// every process writing this database); the lock holds until the file is dropped.
pub fn lock_head_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    file.lock()?;
    Ok(file)
}

/// Appends the chain head to the (locked) head file in one write, unless its last line
/// already says the same. The file lets `verify` catch a chain rewritten as a whole or cut
/// short, which the chain alone cannot show.
pub fn record_head(mut file: &std::fs::File, count: u64, hash: &str) -> std::io::Result<()> {
    use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
    let line = format!("{count} {hash}");
    let length = file.metadata()?.len();
    let mut tail = String::new();
    file.seek(SeekFrom::Start(length.saturating_sub(200)))?;
    file.read_to_string(&mut tail)?;
    if tail.lines().last() == Some(line.as_str()) {
        return Ok(());
    }
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_data()
}

/// What `verify` found wrong first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalProblem {
    /// The id of the first entry that cannot be trusted, when there is one.
    pub entry: Option<i64>,
    pub message: String,
}

/// Where a verification got to: the entries up to `id`, `count` of them, were found intact
/// and `id`'s hash is `hash`. The panel keeps one in memory so that its journal page checks
/// only what was added since (issue 9); `govsite audit-log verify` always checks everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalCheckpoint {
    pub id: i64,
    pub count: usize,
    pub hash: String,
}

/// Recomputes the hash chain and compares it with the recorded heads (`head_lines`: the
/// lines of the head file, if there is one), from a checkpoint (`None`: from the first
/// entry): the checkpoint's entry must still be there, at the same position and with the
/// same (recomputed) hash; the entries after it are recomputed and head lines beyond it
/// compared. Entries before the checkpoint are not read again: an edit of one of them is caught by the next full check (`audit-log verify`,
/// or the panel's first journal page after a restart), not by this one. Returns the entry
/// count, the first problem and, when there is none, the new checkpoint.
pub fn verify_since(
    conn: &Connection,
    checkpoint: Option<&JournalCheckpoint>,
    head_lines: Option<&str>,
) -> super::Result<(usize, Option<JournalProblem>, Option<JournalCheckpoint>)> {
    let (start_id, start_count, mut expected_prev) = match checkpoint {
        None => (0, 0, GENESIS.to_string()),
        Some(checkpoint) => {
            let entry: Option<JournalEntry> = conn
                .query_row(
                    "SELECT id, at, actor, action, object_type, object, detail, prev_hash, hash FROM journal WHERE id = ?1",
                    params![checkpoint.id],
                    entry_from_row,
                )
                .optional()?;
            let position: i64 = conn.query_row(
                "SELECT COUNT(*) FROM journal WHERE id <= ?1",
                params![checkpoint.id],
                |row| row.get(0),
            )?;
            let intact = entry.as_ref().is_some_and(|entry| {
                entry.hash == checkpoint.hash && recomputed_hash(entry) == entry.hash
            }) && position as usize == checkpoint.count;
            if !intact {
                let problem = JournalProblem {
                    entry: Some(checkpoint.id),
                    message: format!(
                        "entry {} or one before it was changed or removed after the journal was last verified",
                        checkpoint.id
                    ),
                };
                return Ok((position as usize, Some(problem), None));
            }
            (checkpoint.id, checkpoint.count, checkpoint.hash.clone())
        }
    };
    let entries: Vec<JournalEntry> = {
        let mut statement = conn.prepare(
            "SELECT id, at, actor, action, object_type, object, detail, prev_hash, hash FROM journal WHERE id > ?1 ORDER BY id",
        )?;
        let rows = statement.query_map(params![start_id], entry_from_row)?;
        rows.collect::<Result<_, _>>()?
    };
    let total = start_count + entries.len();
    let problem = |entry: Option<i64>, message: String| {
        Ok((total, Some(JournalProblem { entry, message }), None))
    };
    for entry in &entries {
        let hash = recomputed_hash(entry);
        if entry.prev_hash != expected_prev || entry.hash != hash {
            let message = if entry.hash != hash {
                format!(
                    "entry {} ({} {} {} `{}` at {}) does not match its hash: it was changed after it was written",
                    entry.id, entry.actor, entry.action, entry.object_type, entry.object, entry.at
                )
            } else {
                format!(
                    "entry {} does not follow the entry before it: an entry before it was removed or changed",
                    entry.id
                )
            };
            return problem(Some(entry.id), message);
        }
        expected_prev = entry.hash.clone();
    }
    if let Some(lines) = head_lines {
        for (number, line) in lines.lines().enumerate() {
            let Some((count, hash)) = line
                .split_once(' ')
                .and_then(|(count, hash)| Some((count.parse::<usize>().ok()?, hash)))
            else {
                return problem(
                    None,
                    format!(
                        "the head file's line {} is unreadable: {line:?}",
                        number + 1
                    ),
                );
            };
            if count > total {
                return problem(
                    entries.last().map(|e| e.id).or(checkpoint.map(|c| c.id)),
                    format!(
                        "the journal has {total} entries but had {count} (head file line {}): entries after the last one were deleted",
                        number + 1
                    ),
                );
            }
            // Lines up to the checkpoint were compared when it was made.
            if count > start_count && entries[count - start_count - 1].hash != hash {
                let entry = &entries[count - start_count - 1];
                return problem(
                    Some(entry.id),
                    format!(
                        "entry {} is not the one recorded in the head file (line {}): the chain was rewritten up to it",
                        entry.id,
                        number + 1
                    ),
                );
            }
        }
    }
    let reached = match entries.last() {
        Some(last) => Some(JournalCheckpoint {
            id: last.id,
            count: total,
            hash: last.hash.clone(),
        }),
        None => checkpoint.cloned(),
    };
    Ok((total, None, reached))
}

fn recomputed_hash(entry: &JournalEntry) -> String {
    entry_hash(
        &entry.prev_hash,
        &entry.at,
        &entry.actor,
        &entry.action,
        &entry.object_type,
        &entry.object,
        &entry.detail,
    )
}

/// The id of the first entry whose hash or link to its predecessor does not hold: the full
/// check of [`verify_since`] without head lines.
pub fn verify(conn: &Connection) -> super::Result<Option<i64>> {
    let (_, problem, _) = verify_since(conn, None, None)?;
    Ok(problem.and_then(|problem| problem.entry))
}

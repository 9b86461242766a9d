//! Changing pages in the database: saving revisions, changing status, renaming, deleting.
//! Each change is one transaction with its journal entry.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::journal::{self, Actor};
use super::{Error, Result, Store, from_json, to_json};
use crate::content::sha256_hex;
use crate::model::{Correction, DublinCore, PageContent, Stamp, Status, page_url};
use crate::slug::{is_valid_slug, slugify};

/// A change to a page's place or order, beside its content.
#[derive(Debug, Clone, Default)]
pub struct PageEdit {
    pub slug: Option<String>,
    pub weight: Option<i64>,
}

pub(super) fn now_text() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The fingerprint of a revision's content: what the build compares.
pub(super) fn content_hash(content: &PageContent) -> String {
    sha256_hex(
        serde_json::to_string(content)
            .unwrap_or_default()
            .as_bytes(),
    )
}

/// The revision columns [`revision_from_row`] reads, from a table aliased `r`.
pub(super) const REVISION_COLUMNS: &str = "r.status, r.title, r.description, r.keywords, r.content_type, r.template, r.created, r.issued, r.modified, r.publish_at, r.valid_until, r.summary, r.files, r.dc_creator, r.dc_subject, r.dc_contributor, r.dc_publisher, r.dc_type, r.dc_format, r.dc_identifier, r.dc_source, r.dc_language, r.dc_relation, r.dc_coverage, r.dc_rights, r.correction_date, r.correction_note, r.body";

fn stamp(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<Stamp>> {
    Ok(row
        .get::<_, Option<String>>(index)?
        .and_then(|text| Stamp::parse(&text).ok()))
}

/// Reads a revision selected with [`REVISION_COLUMNS`] starting at column `at`.
pub(super) fn revision_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<PageContent> {
    let status: String = row.get(at)?;
    let content_type: String = row.get(at + 4)?;
    let correction = match (stamp(row, at + 25)?, row.get::<_, Option<String>>(at + 26)?) {
        (Some(date), Some(note)) => Some(Correction { date, note }),
        _ => None,
    };
    Ok(PageContent {
        status: status.parse().unwrap_or(Status::Draft),
        title: row.get(at + 1)?,
        description: row.get(at + 2)?,
        keywords: from_json(&row.get::<_, String>(at + 3)?),
        content_type: content_type
            .parse()
            .unwrap_or(crate::model::ContentType::Page),
        template: row.get(at + 5)?,
        created: stamp(row, at + 6)?,
        issued: stamp(row, at + 7)?,
        modified: stamp(row, at + 8)?,
        publish_at: stamp(row, at + 9)?,
        valid_until: stamp(row, at + 10)?,
        summary: row.get(at + 11)?,
        files: from_json(&row.get::<_, String>(at + 12)?),
        dc: DublinCore {
            creator: row.get(at + 13)?,
            subject: row.get(at + 14)?,
            contributor: row.get(at + 15)?,
            publisher: row.get(at + 16)?,
            dc_type: row.get(at + 17)?,
            format: row.get(at + 18)?,
            identifier: row.get(at + 19)?,
            source: row.get(at + 20)?,
            language: row.get(at + 21)?,
            relation: row.get(at + 22)?,
            coverage: row.get(at + 23)?,
            rights: row.get(at + 24)?,
        },
        correction,
        body: row.get(at + 27)?,
    })
}

/// Adds a revision to a page; returns its id.
pub(super) fn insert_revision(
    conn: &Connection,
    page_id: i64,
    content: &PageContent,
    author: &Actor,
    utc_offset: UtcOffset,
) -> rusqlite::Result<i64> {
    let number: i64 = conn.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM revisions WHERE page_id = ?1",
        params![page_id],
        |row| row.get(0),
    )?;
    let utc = |stamp: &Option<Stamp>| {
        stamp
            .as_ref()
            .and_then(|s| s.instant(utc_offset))
            .map(|t| t.unix_timestamp())
    };
    let text = |stamp: &Option<Stamp>| stamp.as_ref().map(|s| s.as_str().to_string());
    let dc = &content.dc;
    conn.execute(
        "INSERT INTO revisions (page_id, number, status, title, description, keywords, content_type, template,
            created, issued, modified, publish_at, publish_at_utc, valid_until, valid_until_utc, summary, files,
            dc_creator, dc_subject, dc_contributor, dc_publisher, dc_type, dc_format, dc_identifier, dc_source,
            dc_language, dc_relation, dc_coverage, dc_rights, correction_date, correction_note, body,
            content_hash, author, saved_at, parts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
            ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)",
        params![
            page_id,
            number,
            content.status.as_str(),
            content.title,
            content.description,
            to_json(&content.keywords),
            content.content_type.as_str(),
            content.template,
            text(&content.created),
            text(&content.issued),
            text(&content.modified),
            text(&content.publish_at),
            utc(&content.publish_at),
            text(&content.valid_until),
            utc(&content.valid_until),
            content.summary,
            to_json(&content.files),
            dc.creator,
            dc.subject,
            dc.contributor,
            dc.publisher,
            dc.dc_type,
            dc.format,
            dc.identifier,
            dc.source,
            dc.language,
            dc.relation,
            dc.coverage,
            dc.rights,
            content.correction.as_ref().map(|c| c.date.as_str().to_string()),
            content.correction.as_ref().map(|c| c.note.clone()),
            content.body,
            content_hash(content),
            author.0,
            now_text(),
            crate::markdown::split_parts(&content.body).len() as i64,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The names of the fields that differ between two revisions, for the journal.
pub(super) fn changed_fields(before: &PageContent, after: &PageContent) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("title", before.title != after.title);
    check("description", before.description != after.description);
    check("keywords", before.keywords != after.keywords);
    check("type", before.content_type != after.content_type);
    check("status", before.status != after.status);
    check("template", before.template != after.template);
    check("created", before.created != after.created);
    check("issued", before.issued != after.issued);
    check("modified", before.modified != after.modified);
    check("publish_at", before.publish_at != after.publish_at);
    check("valid_until", before.valid_until != after.valid_until);
    check("summary", before.summary != after.summary);
    check("files", before.files != after.files);
    check("dc", before.dc != after.dc);
    check("correction", before.correction != after.correction);
    check("body", before.body != after.body);
    changed
}

pub(super) fn head_revision(
    conn: &Connection,
    page_id: i64,
) -> rusqlite::Result<Option<(i64, PageContent)>> {
    conn.query_row(
        &format!("SELECT r.id, {REVISION_COLUMNS} FROM revisions r WHERE r.page_id = ?1 ORDER BY r.number DESC LIMIT 1"),
        params![page_id],
        |row| Ok((row.get(0)?, revision_from_row(row, 1)?)),
    )
    .optional()
}

/// Refuses a write made from a form opened on `base_revision` when the page's head revision
/// is another one (issue 10, lost update): a missing base is refused too, as it cannot be
/// checked. Called inside the transaction that writes, so no save can slip in between.
pub(super) fn check_base_revision(
    conn: &Connection,
    page_id: i64,
    base_revision: Option<i64>,
) -> Result<()> {
    let (head, number, by, at): (i64, i64, String, String) = conn
        .query_row(
            "SELECT id, number, author, saved_at FROM revisions WHERE page_id = ?1 ORDER BY number DESC LIMIT 1",
            params![page_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("page {page_id}")))?;
    if base_revision == Some(head) {
        Ok(())
    } else {
        Err(Error::Stale {
            by,
            at,
            head,
            number,
        })
    }
}

/// After a page's address changed (renamed or moved): its old address redirects to it with 301,
/// and a redirect that pointed away from its new address is dropped. Returns the new address.
pub(super) fn redirect_old_address(
    conn: &Connection,
    site_id: i64,
    page_id: i64,
    old_url: &str,
) -> rusqlite::Result<String> {
    let (_, _, new_url) = page_location(conn, page_id)?;
    conn.execute(
        "DELETE FROM redirects WHERE site_id = ?1 AND from_path = ?2",
        params![site_id, new_url],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO redirects (site_id, from_path, page_id) VALUES (?1, ?2, ?3)",
        params![site_id, old_url, page_id],
    )?;
    Ok(new_url)
}

/// The `@/` path and URL of every page that links to this page, for refusals.
pub(super) fn pages_linking_to(conn: &Connection, page_id: i64) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT DISTINCT l.from_page_id FROM links l WHERE l.target_page_id = ?1 AND l.from_page_id <> ?1",
    )?;
    let ids: Vec<i64> = statement
        .query_map(params![page_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    ids.into_iter()
        .map(|id| page_location(conn, id).map(|(_, _, url)| url))
        .collect()
}

/// (lang, section path, URL) of a page.
pub(super) fn page_location(
    conn: &Connection,
    page_id: i64,
) -> rusqlite::Result<(String, Vec<String>, String)> {
    let (lang, slug, mut section_id): (String, String, Option<i64>) = conn.query_row(
        "SELECT lang, slug, section_id FROM pages WHERE id = ?1",
        params![page_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let mut path = Vec::new();
    while let Some(id) = section_id {
        let (slug, parent): (String, Option<i64>) = conn.query_row(
            "SELECT slug, parent_id FROM sections WHERE id = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if parent.is_some() {
            path.push(slug);
        }
        section_id = parent;
    }
    path.reverse();
    let url = page_url(&lang, &path, &slug);
    Ok((lang, path, url))
}

impl Store {
    /// The newest revision of a page.
    pub fn head_revision(&self, page_id: i64) -> Result<PageContent> {
        head_revision(&self.conn, page_id)?
            .map(|(_, content)| content)
            .ok_or_else(|| Error::NotFound(format!("page {page_id}")))
    }

    /// The newest revision of a page with its id (the editor's `base_revision`).
    pub fn head_revision_with_id(&self, page_id: i64) -> Result<(i64, PageContent)> {
        head_revision(&self.conn, page_id)?
            .ok_or_else(|| Error::NotFound(format!("page {page_id}")))
    }

    /// Saves a new revision of a page; editing a published page this way with status `draft`
    /// leaves the published revision live until the draft is published (see `build`).
    pub fn save_revision(
        &mut self,
        page_id: i64,
        content: &PageContent,
        actor: &Actor,
    ) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (_, before) = head_revision(&tx, page_id)?
            .ok_or_else(|| Error::NotFound(format!("page {page_id}")))?;
        let revision_id = insert_revision(&tx, page_id, content, actor, self.utc_offset)?;
        super::panel::record_links(&tx, self.site_id, page_id, &content.body)?;
        let (_, _, url) = page_location(&tx, page_id)?;
        journal::append(
            &tx,
            actor,
            "update",
            "page",
            &url,
            json!({ "revision": revision_id, "status": content.status.as_str(), "changed": changed_fields(&before, content) }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(revision_id)
    }

    /// Gives a page a new slug; its old URL then redirects to the new one with 301.
    pub fn rename_page(&mut self, page_id: i64, new_slug: &str, actor: &Actor) -> Result<String> {
        if !is_valid_slug(new_slug) {
            return Err(Error::Refused {
                summary: format!(
                    "`{new_slug}` is not a valid slug; use only `a-z`, `0-9`, `-`, `_`, e.g. `{}` (D189 §6.15)",
                    slugify(new_slug)
                ),
                problems: Vec::new(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (_, _, old_url) = page_location(&tx, page_id)?;
        let taken: Option<i64> = tx
            .query_row(
                "SELECT p2.id FROM pages p JOIN pages p2 ON p2.section_id = p.section_id AND p2.slug = ?2 WHERE p.id = ?1",
                params![page_id, new_slug],
                |row| row.get(0),
            )
            .optional()?;
        if taken.is_some_and(|id| id != page_id) {
            return Err(Error::Refused {
                summary: format!("another page in this section already has the slug `{new_slug}`"),
                problems: Vec::new(),
            });
        }
        tx.execute(
            "UPDATE pages SET slug = ?2 WHERE id = ?1",
            params![page_id, new_slug],
        )?;
        let new_url = redirect_old_address(&tx, self.site_id, page_id, &old_url)?;
        journal::append(
            &tx,
            actor,
            "rename",
            "page",
            &new_url,
            json!({ "from": old_url, "to": new_url }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(new_url)
    }

    /// Deletes a page with all its revisions; refused while other pages link to it.
    pub fn delete_page(&mut self, page_id: i64, actor: &Actor) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        delete_page_in(&tx, page_id, actor)?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }
}

/// Deletes a page inside `tx`, journaled; refused while other pages link to it.
pub(super) fn delete_page_in(tx: &Connection, page_id: i64, actor: &Actor) -> Result<()> {
    let (_, _, url) = page_location(tx, page_id)?;
    let linking = pages_linking_to(tx, page_id)?;
    if !linking.is_empty() {
        return Err(Error::Refused {
            summary: format!(
                "`{url}` cannot be deleted: {} page(s) link to it; change their links first",
                linking.len()
            ),
            problems: linking,
        });
    }
    let title = head_revision(tx, page_id)?
        .map(|(_, c)| c.title)
        .unwrap_or_default();
    tx.execute("DELETE FROM pages WHERE id = ?1", params![page_id])?;
    journal::append(tx, actor, "delete", "page", &url, json!({ "title": title }))?;
    Ok(())
}

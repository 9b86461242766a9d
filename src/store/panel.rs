//! What the admin panel reads and changes beside page revisions: page overviews, revision
//! history, new and moved pages, sections and menu order, footer links, templates, interface
//! strings and media. Every change is one transaction with its journal entry (D189 §10.1.3).

use std::collections::{BTreeMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use super::edit::{
    REVISION_COLUMNS, changed_fields, head_revision, insert_revision, page_location,
    redirect_old_address, revision_from_row,
};
use super::journal::{self, Actor};
use super::read::SectionRecord;
use super::{Error, Result, Store};
use crate::content::sha256_hex;
use crate::model::{PageContent, Status};
use crate::slug::{is_valid_slug, slugify};
use crate::workflow::{Change, Revision, Step};

/// One page as the panel's lists show it: where it is and the state of its newest revision.
#[derive(Debug, Clone, Serialize)]
pub struct PageSummary {
    pub id: i64,
    pub lang: String,
    pub section_id: i64,
    pub translation_key: String,
    pub slug: String,
    pub title: String,
    pub content_type: String,
    /// The newest revision's status.
    pub status: String,
    pub author: String,
    /// UTC, RFC 3339.
    pub saved_at: String,
    pub publish_at: Option<String>,
    pub publish_at_utc: Option<i64>,
    pub valid_until_utc: Option<i64>,
    /// Some published revision of it is on the site now.
    pub live: bool,
    pub issued: Option<String>,
}

/// One entry of a page's history.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    pub id: i64,
    pub number: i64,
    pub status: String,
    pub title: String,
    pub author: String,
    pub saved_at: String,
    /// Why it was unpublished, or the explanation of a correction.
    pub note: Option<String>,
}

/// Where a page is: its ids and address.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    pub id: i64,
    pub lang: String,
    pub section_id: i64,
    pub slug: String,
    pub translation_key: String,
    pub url: String,
    pub weight: i64,
}

impl Store {
    /// Every page with its newest revision, for the dashboard and the page list.
    pub fn page_summaries(&self, now: i64) -> Result<Vec<PageSummary>> {
        self.summaries(now, None)
    }

    /// One page with its newest revision (the editor's header).
    pub fn page_summary(&self, page_id: i64, now: i64) -> Result<Option<PageSummary>> {
        Ok(self.summaries(now, Some(page_id))?.pop())
    }

    fn summaries(&self, now: i64, only: Option<i64>) -> Result<Vec<PageSummary>> {
        let mut statement = self.conn.prepare(
            "SELECT p.id, p.lang, p.section_id, p.translation_key, p.slug, r.title, r.content_type, r.status,
                    r.author, r.saved_at, r.publish_at, r.publish_at_utc, r.valid_until_utc, r.issued,
                    EXISTS (SELECT 1 FROM revisions l WHERE l.id = (
                        SELECT r2.id FROM revisions r2 WHERE r2.page_id = p.id AND r2.status IN ('published', 'unpublished')
                          AND (r2.publish_at_utc IS NULL OR r2.publish_at_utc <= ?2)
                        ORDER BY r2.number DESC LIMIT 1) AND l.status = 'published')
             FROM pages p JOIN sections s ON s.id = p.section_id
             JOIN revisions r ON r.id = (SELECT id FROM revisions WHERE page_id = p.id ORDER BY number DESC LIMIT 1)
             WHERE s.site_id = ?1 AND (?3 IS NULL OR p.id = ?3) ORDER BY r.saved_at DESC, p.id",
        )?;
        let rows = statement.query_map(params![self.site_id, now, only], |row| {
            Ok(PageSummary {
                id: row.get(0)?,
                lang: row.get(1)?,
                section_id: row.get(2)?,
                translation_key: row.get(3)?,
                slug: row.get(4)?,
                title: row.get(5)?,
                content_type: row.get(6)?,
                status: row.get(7)?,
                author: row.get(8)?,
                saved_at: row.get(9)?,
                publish_at: row.get(10)?,
                publish_at_utc: row.get(11)?,
                valid_until_utc: row.get(12)?,
                issued: row.get(13)?,
                live: row.get(14)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where a page is.
    pub fn page_meta(&self, page_id: i64) -> Result<PageMeta> {
        let found: Option<(String, i64, String, String, i64)> = self
            .conn
            .query_row(
                "SELECT lang, section_id, slug, translation_key, weight FROM pages WHERE id = ?1",
                params![page_id],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()?;
        let (lang, section_id, slug, translation_key, weight) =
            found.ok_or_else(|| Error::NotFound(format!("page {page_id}")))?;
        let (_, _, url) = page_location(&self.conn, page_id)?;
        Ok(PageMeta {
            id: page_id,
            lang,
            section_id,
            slug,
            translation_key,
            url,
            weight,
        })
    }

    /// The pages that are translations of each other: language → page id.
    pub fn translations(&self, translation_key: &str) -> Result<BTreeMap<String, i64>> {
        let mut statement = self.conn.prepare(
            "SELECT p.lang, p.id FROM pages p JOIN sections s ON s.id = p.section_id
             WHERE s.site_id = ?1 AND p.translation_key = ?2",
        )?;
        let rows = statement.query_map(params![self.site_id, translation_key], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A page's revisions, newest first.
    pub fn revisions(&self, page_id: i64) -> Result<Vec<RevisionInfo>> {
        let mut statement = self.conn.prepare(
            "SELECT id, number, status, title, author, saved_at, COALESCE(status_note, correction_note)
             FROM revisions WHERE page_id = ?1 ORDER BY number DESC",
        )?;
        let rows = statement.query_map(params![page_id], |row| {
            Ok(RevisionInfo {
                id: row.get(0)?,
                number: row.get(1)?,
                status: row.get(2)?,
                title: row.get(3)?,
                author: row.get(4)?,
                saved_at: row.get(5)?,
                note: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One revision of a page, by its number.
    pub fn revision(&self, page_id: i64, number: i64) -> Result<PageContent> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {REVISION_COLUMNS} FROM revisions r WHERE r.page_id = ?1 AND r.number = ?2"
                ),
                params![page_id, number],
                |row| revision_from_row(row, 0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("revision {number} of page {page_id}")))
    }

    /// Creates a page in a section with its first revision. The slug is made from the title
    /// when empty; a new translation key is made from the slug unless one is given (adding a
    /// translation of an existing page).
    pub fn create_page(
        &mut self,
        section_id: i64,
        slug: &str,
        translation_key: Option<&str>,
        content: &PageContent,
        actor: &Actor,
    ) -> Result<i64> {
        let slug = if slug.trim().is_empty() {
            slugify(&content.title)
        } else {
            slug.trim().to_string()
        };
        if !is_valid_slug(&slug) {
            return Err(Error::Refused {
                summary: format!(
                    "`{slug}` is not a valid address part; use only `a-z`, `0-9`, `-`, `_`, e.g. `{}` (D189 §6.15)",
                    slugify(&slug)
                ),
                problems: Vec::new(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let lang: String = tx
            .query_row(
                "SELECT lang FROM sections WHERE id = ?1 AND site_id = ?2",
                params![section_id, self.site_id],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("section {section_id}")))?;
        let taken: Option<i64> = tx
            .query_row(
                "SELECT id FROM pages WHERE section_id = ?1 AND slug = ?2",
                params![section_id, slug],
                |row| row.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(Error::Refused {
                summary: format!(
                    "another page in this section already has the address `{slug}`; choose another"
                ),
                problems: Vec::new(),
            });
        }
        let key = translation_key.map_or_else(|| slug.clone(), str::to_string);
        let key_taken: Option<i64> = tx
            .query_row(
                "SELECT p.id FROM pages p JOIN sections s ON s.id = p.section_id
                 WHERE s.site_id = ?1 AND p.lang = ?2 AND p.translation_key = ?3",
                params![self.site_id, lang, key],
                |row| row.get(0),
            )
            .optional()?;
        if key_taken.is_some() {
            let summary = if translation_key.is_some() {
                format!("this page already has a translation in `{lang}`; edit that one")
            } else {
                format!(
                    "a page with the key `{key}` already exists in `{lang}`; choose another address"
                )
            };
            return Err(Error::Refused {
                summary,
                problems: Vec::new(),
            });
        }
        tx.execute(
            "INSERT INTO pages (section_id, lang, slug, translation_key, weight, created_at) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            params![section_id, lang, slug, key, super::edit::now_text()],
        )?;
        let page_id = tx.last_insert_rowid();
        let revision_id = insert_revision(&tx, page_id, content, actor, self.utc_offset)?;
        record_links(&tx, self.site_id, page_id, &content.body)?;
        let (_, _, url) = page_location(&tx, page_id)?;
        journal::append(
            &tx,
            actor,
            "create",
            "page",
            &url,
            json!({ "revision": revision_id, "status": content.status.as_str(), "title": content.title, "translation_key": key }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(page_id)
    }

    /// The page's newest revision and the one on the site at `now` (unix seconds), with who
    /// saved them and when: what [`crate::workflow::decide`] decides on.
    pub fn head_and_live(&self, page_id: i64, now: i64) -> Result<(Revision, Option<Revision>)> {
        let read = |row: &rusqlite::Row<'_>| {
            Ok(Revision {
                id: row.get(0)?,
                number: row.get(1)?,
                author: row.get(2)?,
                saved_at: row.get(3)?,
                content: revision_from_row(row, 4)?,
            })
        };
        let head = self
            .conn
            .query_row(
                &format!(
                    "SELECT r.id, r.number, r.author, r.saved_at, {REVISION_COLUMNS} FROM revisions r
                     WHERE r.page_id = ?1 ORDER BY r.number DESC LIMIT 1"
                ),
                params![page_id],
                read,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("page {page_id}")))?;
        let live = self
            .conn
            .query_row(
                &format!(
                    "SELECT r.id, r.number, r.author, r.saved_at, {REVISION_COLUMNS} FROM revisions r WHERE r.id = (
                        SELECT r2.id FROM revisions r2 WHERE r2.page_id = ?1
                          AND r2.status IN ('published', 'unpublished')
                          AND (r2.publish_at_utc IS NULL OR r2.publish_at_utc <= ?2)
                        ORDER BY r2.number DESC LIMIT 1)"
                ),
                params![page_id, now],
                read,
            )
            .optional()?
            .filter(|live| live.content.status == Status::Published);
        Ok((head, live))
    }

    /// Applies a workflow step ([`crate::workflow::decide`]) to a page in one transaction
    /// with its journal entries: the check of the form's base revision
    /// ([`Error::Stale`] when someone saved after it was opened), the confidentiality
    /// override, the move and the new revision or the deletion. On any error nothing is
    /// written.
    pub fn apply_step(&mut self, page_id: i64, step: &Step, actor: &Actor) -> Result<()> {
        let site = self.site_keys();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(base_revision) = step.base_revision {
            super::edit::check_base_revision(&tx, page_id, Some(base_revision))?;
        }
        let mut journaled = false;
        if !step.guard_override.is_empty() {
            // D189 §4.5: whoever publishes stamps or personal identifiers answers for it.
            let (_, _, url) = page_location(&tx, page_id)?;
            let findings: Vec<serde_json::Value> = step
                .guard_override
                .iter()
                .map(|f| json!({ "kind": f.kind, "label": f.kind.describe("en"), "text": f.text, "line": f.line }))
                .collect();
            journal::append(
                &tx,
                actor,
                "override_confidentiality",
                "page",
                &url,
                json!({ "findings": findings }),
            )?;
            journaled = true;
        }
        if let Some(section_id) = step.move_to {
            move_page_in(&tx, site.site_id, page_id, section_id, actor)?;
            journaled = true;
        }
        match &step.change {
            Change::Nothing => {}
            Change::Revision { content, note } => {
                let action = step.outcome.journal_action();
                write_revision_in(&tx, site, page_id, content, action, note.as_deref(), actor)?;
                journaled = true;
            }
            Change::DeletePage => {
                super::edit::delete_page_in(&tx, page_id, actor)?;
                journaled = true;
            }
        }
        if journaled {
            Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        }
        Ok(())
    }

    /// Moves a page to another section of its language; its old address then redirects to the
    /// new one with 301 (D189 §6.4.4: links between sections stay valid). The panel moves pages
    /// as part of a workflow step ([`Store::apply_step`]).
    pub fn move_page(&mut self, page_id: i64, section_id: i64, actor: &Actor) -> Result<String> {
        let site_id = self.site_id;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let new_url = move_page_in(&tx, site_id, page_id, section_id, actor)?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(new_url)
    }

    /// Creates a section under a parent section (same language), at the end of its menu.
    pub fn create_section(
        &mut self,
        parent_id: i64,
        slug: &str,
        title: &str,
        translation_key: &str,
        types: &[crate::model::ContentType],
        actor: &Actor,
    ) -> Result<i64> {
        let types: Vec<String> = if types.is_empty() {
            vec!["page".to_string()]
        } else {
            types.iter().map(|t| t.as_str().to_string()).collect()
        };
        let slug = if slug.trim().is_empty() {
            slugify(title)
        } else {
            slug.trim().to_string()
        };
        if !is_valid_slug(&slug) || title.trim().is_empty() {
            return Err(Error::Refused {
                summary: format!(
                    "a section needs a title and an address of `a-z`, `0-9`, `-`, `_` (D189 §6.15); `{slug}` is not one, e.g. `{}`",
                    slugify(&slug)
                ),
                problems: Vec::new(),
            });
        }
        let key = if translation_key.trim().is_empty() {
            slug.clone()
        } else {
            slugify(translation_key)
        };
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let lang: String = tx
            .query_row(
                "SELECT lang FROM sections WHERE id = ?1 AND site_id = ?2",
                params![parent_id, self.site_id],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("section {parent_id}")))?;
        let clash: Option<String> = tx
            .query_row(
                "SELECT slug FROM sections WHERE site_id = ?1 AND ((parent_id = ?2 AND slug = ?3) OR (lang = ?4 AND translation_key = ?5))",
                params![self.site_id, parent_id, slug, lang, key],
                |row| row.get(0),
            )
            .optional()?;
        if clash.is_some() {
            return Err(Error::Refused {
                summary: format!(
                    "a section with the address `{slug}` or the key `{key}` already exists in `{lang}`; choose another"
                ),
                problems: Vec::new(),
            });
        }
        let weight: i64 = tx.query_row(
            "SELECT COALESCE(MAX(weight), 0) + 10 FROM sections WHERE parent_id = ?1",
            params![parent_id],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO sections (site_id, lang, parent_id, slug, translation_key, title, weight, menu, types)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
            params![self.site_id, lang, parent_id, slug, key, title.trim(), weight, super::to_json(&types)],
        )?;
        let id = tx.last_insert_rowid();
        journal::append(
            &tx,
            actor,
            "create",
            "section",
            &format!("{lang}: {}", title.trim()),
            json!({ "slug": slug, "translation_key": key, "parent": parent_id, "types": types }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(id)
    }

    /// The newest revision, with its status.
    pub fn head_status(&self, page_id: i64) -> Result<Status> {
        Ok(head_revision(&self.conn, page_id)?
            .ok_or_else(|| Error::NotFound(format!("page {page_id}")))?
            .1
            .status)
    }

    /// Every section of the site, parents before children within a language.
    pub fn sections(&self) -> Result<Vec<SectionRecord>> {
        self.section_records()
    }

    /// Sections with a publishing deadline (D189 §4.4): (section id, days).
    pub fn section_deadlines(&self) -> Result<Vec<(i64, i64)>> {
        let mut statement = self.conn.prepare(
            "SELECT id, update_days FROM sections WHERE site_id = ?1 AND update_days IS NOT NULL ORDER BY id",
        )?;
        let rows =
            statement.query_map(params![self.site_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes a section's place in the menu: its order and whether it is in the main menu
    /// (D189 §6.4.4, §6.4.6), and its publishing deadline in days (D189 §4.4).
    pub fn set_section_order(
        &mut self,
        section_id: i64,
        weight: i64,
        menu: bool,
        update_days: Option<i64>,
        actor: &Actor,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        type Before = (i64, bool, Option<i64>, String, String);
        let before: Option<Before> = tx
            .query_row(
                "SELECT weight, menu, update_days, lang, title FROM sections WHERE id = ?1 AND site_id = ?2",
                params![section_id, self.site_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .optional()?;
        let (old_weight, old_menu, old_days, lang, title) =
            before.ok_or_else(|| Error::NotFound(format!("section {section_id}")))?;
        if (old_weight, old_menu, old_days) == (weight, menu, update_days) {
            return Ok(());
        }
        tx.execute(
            "UPDATE sections SET weight = ?2, menu = ?3, update_days = ?4 WHERE id = ?1",
            params![section_id, weight, menu, update_days],
        )?;
        journal::append(
            &tx,
            actor,
            "update",
            "section",
            &format!("{lang}: {title}"),
            json!({
                "before": { "weight": old_weight, "menu": old_menu, "update_days": old_days },
                "after": { "weight": weight, "menu": menu, "update_days": update_days },
            }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }

    /// The templates of a theme, name → body.
    pub fn templates(&self, theme: &str) -> Result<BTreeMap<String, String>> {
        let mut statement = self
            .conn
            .prepare("SELECT name, body FROM templates WHERE site_id = ?1 AND theme = ?2")?;
        let rows = statement.query_map(params![self.site_id, theme], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces one template (the caller has compiled the whole theme with it first).
    pub fn save_template(
        &mut self,
        theme: &str,
        name: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before: Option<String> = tx
            .query_row(
                "SELECT body FROM templates WHERE site_id = ?1 AND theme = ?2 AND name = ?3",
                params![self.site_id, theme, name],
                |row| row.get(0),
            )
            .optional()?;
        let Some(before) = before else {
            return Err(Error::NotFound(format!("template `{name}`")));
        };
        if before == body {
            return Ok(());
        }
        tx.execute(
            "UPDATE templates SET body = ?4 WHERE site_id = ?1 AND theme = ?2 AND name = ?3",
            params![self.site_id, theme, name, body],
        )?;
        journal::append(
            &tx,
            actor,
            "update",
            "template",
            &format!("{theme}/{name}"),
            json!({ "before": before, "after": body }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }

    /// Changes interface strings of a language; only those that differ are written.
    pub fn save_ui_strings(
        &mut self,
        lang: &str,
        strings: &[(String, String)],
        actor: &Actor,
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = Vec::new();
        for (key, value) in strings {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT value FROM ui_strings WHERE site_id = ?1 AND lang = ?2 AND key = ?3",
                    params![self.site_id, lang, key],
                    |row| row.get(0),
                )
                .optional()?;
            if existing.is_none() {
                return Err(Error::Refused {
                    summary: format!("`{key}` is not an interface string of `{lang}`"),
                    problems: Vec::new(),
                });
            }
            if existing.as_deref() != Some(value.as_str()) {
                tx.execute(
                    "UPDATE ui_strings SET value = ?4 WHERE site_id = ?1 AND lang = ?2 AND key = ?3",
                    params![self.site_id, lang, key, value],
                )?;
                changed.push(json!({ "key": key, "before": existing, "after": value }));
            }
        }
        if !changed.is_empty() {
            journal::append(
                &tx,
                actor,
                "update",
                "ui_strings",
                lang,
                json!({ "changed": changed }),
            )?;
        }
        if changed.is_empty() {
            tx.commit()?;
        } else {
            Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        }
        Ok(changed.len())
    }

    /// The footer links of a language, in order: (title, link).
    pub fn footer_links(&self, lang: &str) -> Result<Vec<(String, String)>> {
        let mut statement = self.conn.prepare(
            "SELECT title, link FROM menu_items WHERE site_id = ?1 AND lang = ?2 AND menu = 'footer' ORDER BY position",
        )?;
        let rows = statement.query_map(params![self.site_id, lang], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Replaces the footer links of a language (D189 §6.4.4: navigation), journaled with the
    /// links before and after.
    pub fn save_footer_links(
        &mut self,
        lang: &str,
        links: &[(String, String)],
        actor: &Actor,
    ) -> Result<bool> {
        let before = self.footer_links(lang)?;
        if before == links {
            return Ok(false);
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM menu_items WHERE site_id = ?1 AND lang = ?2 AND menu = 'footer'",
            params![self.site_id, lang],
        )?;
        for (position, (title, link)) in links.iter().enumerate() {
            tx.execute(
                "INSERT INTO menu_items (site_id, lang, menu, position, title, link) VALUES (?1, ?2, 'footer', ?3, ?4, ?5)",
                params![self.site_id, lang, position as i64, title, link],
            )?;
        }
        journal::append(
            &tx,
            actor,
            "update",
            "menu",
            &format!("{lang}/footer"),
            json!({ "before": before, "after": links }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(true)
    }

    /// The files of the media library.
    /// Whether a stored file is at `path` (relative to the public folder).
    pub fn has_media(&self, path: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM media WHERE site_id = ?1 AND path = ?2)",
            params![self.site_id, path],
            |row| row.get(0),
        )?)
    }

    pub fn media_list(&self) -> Result<Vec<super::MediaRecord>> {
        let mut statement = self.conn.prepare(
            "SELECT path, mime, size, sha256 FROM media WHERE site_id = ?1 ORDER BY path",
        )?;
        let rows = statement.query_map(params![self.site_id], |row| {
            Ok(super::MediaRecord {
                path: row.get(0)?,
                mime: row.get(1)?,
                size: row.get::<_, i64>(2)? as u64,
                sha256: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a file to the media library; an existing path is refused (no silent overwrite).
    pub fn add_media(&mut self, path: &str, mime: &str, bytes: &[u8], actor: &Actor) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM media WHERE site_id = ?1 AND path = ?2",
                params![self.site_id, path],
                |row| row.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(Error::Refused {
                summary: format!("a file `/{path}` already exists; rename the new file"),
                problems: Vec::new(),
            });
        }
        let sha256 = sha256_hex(bytes);
        tx.execute(
            "INSERT INTO media (site_id, path, mime, size, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![self.site_id, path, mime, bytes.len() as i64, sha256, bytes],
        )?;
        journal::append(
            &tx,
            actor,
            "create",
            "media",
            path,
            json!({ "size": bytes.len(), "mime": mime, "sha256": sha256 }),
        )?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(())
    }
}

/// The site and time zone a store writes for, copied out before a transaction borrows it.
#[derive(Debug, Clone, Copy)]
struct SiteKeys {
    site_id: i64,
    utc_offset: time::UtcOffset,
}

impl Store {
    fn site_keys(&self) -> SiteKeys {
        SiteKeys {
            site_id: self.site_id,
            utc_offset: self.utc_offset,
        }
    }
}

/// Writes a revision as a workflow step (`action`) inside `tx`, with its note, links and
/// journal entry (the changed fields and the text before and after); returns its id.
fn write_revision_in(
    tx: &Connection,
    site: SiteKeys,
    page_id: i64,
    content: &PageContent,
    action: &str,
    note: Option<&str>,
    actor: &Actor,
) -> Result<i64> {
    let (_, before) =
        head_revision(tx, page_id)?.ok_or_else(|| Error::NotFound(format!("page {page_id}")))?;
    let revision_id = insert_revision(tx, page_id, content, actor, site.utc_offset)?;
    if note.is_some() {
        tx.execute(
            "UPDATE revisions SET status_note = ?2 WHERE id = ?1",
            params![revision_id, note],
        )?;
    }
    record_links(tx, site.site_id, page_id, &content.body)?;
    let (_, _, url) = page_location(tx, page_id)?;
    let changed = changed_fields(&before, content);
    let mut detail = json!({
        "revision": revision_id,
        "status": content.status.as_str(),
        "changed": changed,
    });
    if let Some(note) = note {
        detail["note"] = json!(note);
    }
    // D189 §10.1.3: the change itself, not only that there was one.
    if before.title != content.title {
        detail["title"] = json!({ "before": before.title, "after": content.title });
    }
    if before.body != content.body {
        detail["body"] = json!({ "before": before.body, "after": content.body });
    }
    journal::append(tx, actor, action, "page", &url, detail)?;
    Ok(revision_id)
}

/// Moves a page to another section of its language inside `tx`, journaled; returns its new
/// address. The old one redirects to it.
fn move_page_in(
    tx: &Connection,
    site_id: i64,
    page_id: i64,
    section_id: i64,
    actor: &Actor,
) -> Result<String> {
    let (lang, _, old_url) = page_location(tx, page_id)?;
    let slug: String = tx.query_row(
        "SELECT slug FROM pages WHERE id = ?1",
        params![page_id],
        |row| row.get(0),
    )?;
    let target_lang: Option<String> = tx
        .query_row(
            "SELECT lang FROM sections WHERE id = ?1 AND site_id = ?2",
            params![section_id, site_id],
            |row| row.get(0),
        )
        .optional()?;
    if target_lang.as_deref() != Some(lang.as_str()) {
        return Err(Error::Refused {
            summary: format!("a page in `{lang}` can move only to a section of `{lang}`"),
            problems: Vec::new(),
        });
    }
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM pages WHERE section_id = ?1 AND slug = ?2 AND id <> ?3",
            params![section_id, slug, page_id],
            |row| row.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(Error::Refused {
            summary: format!(
                "the section already has a page with the address `{slug}`; rename one of them first"
            ),
            problems: Vec::new(),
        });
    }
    tx.execute(
        "UPDATE pages SET section_id = ?2 WHERE id = ?1",
        params![page_id, section_id],
    )?;
    let new_url = redirect_old_address(tx, site_id, page_id, &old_url)?;
    journal::append(
        tx,
        actor,
        "move",
        "page",
        &new_url,
        json!({ "from": old_url, "to": new_url }),
    )?;
    Ok(new_url)
}

/// Records which pages and sections a page's body links to (`@/…` source paths), so that
/// deleting a linked page is refused.
pub(super) fn record_links(
    conn: &Connection,
    site_id: i64,
    page_id: i64,
    body: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM links WHERE from_page_id = ?1",
        params![page_id],
    )?;
    let wanted: HashSet<String> = crate::markdown::links(body)
        .into_iter()
        .filter(|link| link.target.starts_with("@/"))
        .map(|link| {
            link.target
                .split('#')
                .next()
                .unwrap_or(&link.target)
                .to_string()
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let targets = super::import::link_targets_of(conn, site_id, wanted.iter().map(String::as_str))?;
    for path in &wanted {
        if let Some(&(target_page, target_section)) = targets.get(path.as_str()) {
            conn.execute(
                "INSERT INTO links (from_page_id, target_page_id, target_section_id) VALUES (?1, ?2, ?3)",
                params![page_id, target_page, target_section],
            )?;
        }
    }
    Ok(())
}

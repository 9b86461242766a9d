//! Reading the database out: the published view that the publisher renders ([`SiteModel`])
//! and the whole content that `export` writes ([`SiteSource`]).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{OptionalExtension, params};

use super::edit::{REVISION_COLUMNS, revision_from_row};
use super::{Result, Store, from_json};
use crate::content::sha256_hex;
use crate::model::{
    ContentType, MediaSource, MenuItem, PageContent, PageSource, SectionContent, SectionSource,
    SiteSource, TemplateSource,
};

/// A section as the build sees it.
#[derive(Debug, Clone)]
pub struct SectionRecord {
    pub id: i64,
    pub lang: String,
    pub parent_id: Option<i64>,
    /// Slugs from the language root; empty for the home page.
    pub path: Vec<String>,
    pub translation_key: String,
    pub content: SectionContent,
    /// Fingerprint of everything above.
    pub digest: String,
}

/// A page with its live (published, in effect) revision; the body is loaded separately.
#[derive(Debug, Clone)]
pub struct LivePage {
    pub page_id: i64,
    pub revision_id: i64,
    pub lang: String,
    pub section_id: i64,
    pub slug: String,
    pub translation_key: String,
    pub weight: i64,
    /// The revision without its body.
    pub content: PageContent,
    pub content_hash: String,
    /// How many parts the body splits into (long documents, D189 §7.6).
    pub parts: usize,
    /// When the live revision was saved (UTC, RFC 3339): the publication date of last resort.
    pub saved_at: String,
    /// Its validity period has passed (D189 §4.2): it drops out of lists and feeds.
    pub expired: bool,
}

#[derive(Debug, Clone)]
pub struct MediaRecord {
    pub path: String,
    pub mime: String,
    pub size: u64,
    pub sha256: String,
}

/// Everything the build needs except page bodies and file bytes.
#[derive(Debug, Clone, Default)]
pub struct SiteModel {
    pub sections: Vec<SectionRecord>,
    pub pages: Vec<LivePage>,
    pub media: Vec<MediaRecord>,
    /// Template name → body, of the configured theme.
    pub templates: BTreeMap<String, String>,
    pub ui_strings: HashMap<String, BTreeMap<String, String>>,
    pub footer: HashMap<String, Vec<MenuItem>>,
    /// Old URL path → page id.
    pub redirects: Vec<(String, i64)>,
}

fn section_content(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SectionContent> {
    let types: Vec<ContentType> = from_json(&row.get::<_, String>(at + 3)?)
        .iter()
        .filter_map(|t| t.parse().ok())
        .collect();
    Ok(SectionContent {
        title: row.get(at)?,
        description: row.get(at + 1)?,
        keywords: from_json(&row.get::<_, String>(at + 2)?),
        types,
        weight: row.get(at + 4)?,
        menu: row.get(at + 5)?,
        template: row.get(at + 6)?,
        page_size: row.get(at + 7)?,
        body: row.get(at + 8)?,
    })
}

const SECTION_COLUMNS: &str =
    "title, description, keywords, types, weight, menu, template, page_size, body";

impl Store {
    pub(super) fn section_records(&self) -> Result<Vec<SectionRecord>> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT id, lang, parent_id, slug, translation_key, {SECTION_COLUMNS} FROM sections WHERE site_id = ?1 ORDER BY id"
        ))?;
        let rows: Vec<(SectionRecord, String)> = statement
            .query_map(params![self.site_id], |row| {
                Ok((
                    SectionRecord {
                        id: row.get(0)?,
                        lang: row.get(1)?,
                        parent_id: row.get(2)?,
                        path: Vec::new(),
                        translation_key: row.get(4)?,
                        content: section_content(row, 5)?,
                        digest: String::new(),
                    },
                    row.get(3)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let by_id: HashMap<i64, (Option<i64>, &str)> = rows
            .iter()
            .map(|(s, slug)| (s.id, (s.parent_id, slug.as_str())))
            .collect();
        let mut sections = Vec::with_capacity(rows.len());
        for (mut section, _) in rows.iter().cloned() {
            let mut path = Vec::new();
            let mut current = Some(section.id);
            while let Some(id) = current {
                let Some(&(parent, slug)) = by_id.get(&id) else {
                    break;
                };
                if parent.is_some() {
                    path.push(slug.to_string());
                }
                current = parent;
                if path.len() > 64 {
                    break;
                }
            }
            path.reverse();
            section.path = path;
            section.digest = sha256_hex(
                format!(
                    "{}\u{1f}{:?}\u{1f}{}\u{1f}{}",
                    section.lang,
                    section.path,
                    section.translation_key,
                    serde_json::to_string(&section.content).unwrap_or_default()
                )
                .as_bytes(),
            );
            sections.push(section);
        }
        Ok(sections)
    }

    /// The published view at `now` (unix seconds): live revisions only.
    pub fn load_model(&self, theme: &str, now: i64) -> Result<SiteModel> {
        let sections = self.section_records()?;
        let pages = self.live_pages(now, None)?;
        let mut statement = self.conn.prepare(
            "SELECT path, mime, size, sha256 FROM media WHERE site_id = ?1 ORDER BY path",
        )?;
        let media = statement
            .query_map(params![self.site_id], |row| {
                Ok(MediaRecord {
                    path: row.get(0)?,
                    mime: row.get(1)?,
                    size: row.get::<_, i64>(2)? as u64,
                    sha256: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut statement = self
            .conn
            .prepare("SELECT name, body FROM templates WHERE site_id = ?1 AND theme = ?2")?;
        let templates = statement
            .query_map(params![self.site_id, theme], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut ui_strings: HashMap<String, BTreeMap<String, String>> = HashMap::new();
        let mut statement = self
            .conn
            .prepare("SELECT lang, key, value FROM ui_strings WHERE site_id = ?1")?;
        for row in statement.query_map(params![self.site_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })? {
            let (lang, key, value) = row?;
            ui_strings.entry(lang).or_default().insert(key, value);
        }
        let mut footer: HashMap<String, Vec<MenuItem>> = HashMap::new();
        let mut statement = self
            .conn
            .prepare("SELECT lang, title, link FROM menu_items WHERE site_id = ?1 AND menu = 'footer' ORDER BY lang, position")?;
        for row in statement.query_map(params![self.site_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })? {
            let (lang, title, link) = row?;
            footer
                .entry(lang)
                .or_default()
                .push(MenuItem { title, link });
        }
        let mut statement = self.conn.prepare(
            "SELECT from_path, page_id FROM redirects WHERE site_id = ?1 ORDER BY from_path",
        )?;
        let redirects = statement
            .query_map(params![self.site_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(SiteModel {
            sections,
            pages,
            media,
            templates,
            ui_strings,
            footer,
            redirects,
        })
    }

    /// The interface strings of a language, key → text.
    pub fn ui_strings(&self, lang: &str) -> Result<BTreeMap<String, String>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT key, value FROM ui_strings WHERE site_id = ?1 AND lang = ?2")?;
        let rows = statement.query_map(params![self.site_id, lang], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The bodies of some revisions, by revision id.
    pub fn revision_bodies(&self, revision_ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT body FROM revisions WHERE id = ?1")?;
        let mut bodies = HashMap::with_capacity(revision_ids.len());
        for &id in revision_ids {
            let body: String = statement.query_row(params![id], |row| row.get(0))?;
            bodies.insert(id, body);
        }
        Ok(bodies)
    }

    /// The stored bytes of a file.
    pub fn media_bytes(&self, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes FROM media WHERE site_id = ?1 AND path = ?2",
                params![self.site_id, path],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The live pages at `now` (unix seconds), in page-id order: all of them, or only those
    /// of `only` (the publisher refreshes the pages that changed in the view it keeps).
    pub fn live_pages(&self, now: i64, only: Option<&[i64]>) -> Result<Vec<LivePage>> {
        let only_json = only.map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
        // The live revision of a page is its newest published or unpublished revision that is
        // in effect (publish_at reached); it is live when that revision is published.
        let mut statement = self.conn.prepare(&format!(
            "SELECT p.id, r.id, p.lang, p.section_id, p.slug, p.translation_key, p.weight, r.content_hash, r.valid_until_utc,
                    r.parts, r.saved_at, {}
             FROM pages p JOIN sections s ON s.id = p.section_id
             JOIN revisions r ON r.id = (
                SELECT r2.id FROM revisions r2 WHERE r2.page_id = p.id AND r2.status IN ('published', 'unpublished')
                  AND (r2.publish_at_utc IS NULL OR r2.publish_at_utc <= ?2)
                ORDER BY r2.number DESC LIMIT 1)
             WHERE s.site_id = ?1 AND r.status = 'published'
               AND (?3 IS NULL OR p.id IN (SELECT value FROM json_each(?3)))
             ORDER BY p.id",
            // The build reads bodies only of the pages it renders.
            REVISION_COLUMNS.replace("r.body", "'' AS body")
        ))?;
        let rows = statement
            .query_map(params![self.site_id, now, only_json], |row| {
                let valid_until: Option<i64> = row.get(8)?;
                let mut content = revision_from_row(row, 11)?;
                content.body = String::new();
                Ok(LivePage {
                    page_id: row.get(0)?,
                    revision_id: row.get(1)?,
                    lang: row.get(2)?,
                    section_id: row.get(3)?,
                    slug: row.get(4)?,
                    translation_key: row.get(5)?,
                    weight: row.get(6)?,
                    content_hash: row.get(7)?,
                    parts: row.get::<_, i64>(9)?.max(1) as usize,
                    saved_at: row.get(10)?,
                    expired: valid_until.is_some_and(|until| until <= now),
                    content,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The earliest scheduled publication or expiry after `now` (unix seconds), if any.
    pub fn next_scheduled_change(&self, now: i64) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT MIN(t) FROM (
                SELECT publish_at_utc AS t FROM revisions WHERE publish_at_utc > ?1
                UNION ALL SELECT valid_until_utc FROM revisions WHERE valid_until_utc > ?1)",
            params![now],
            |row| row.get(0),
        )?)
    }

    /// Everything in the database, as `export` writes it: each page's newest revision.
    pub fn export(&self) -> Result<SiteSource> {
        let sections = self.section_records()?;
        let by_id: HashMap<i64, &SectionRecord> = sections.iter().map(|s| (s.id, s)).collect();
        let mut site = SiteSource::default();
        for section in &sections {
            site.sections.push(SectionSource {
                lang: section.lang.clone(),
                path: section.path.clone(),
                translation_key: section.translation_key.clone(),
                content: section.content.clone(),
                file: crate::model::source_path(&section.lang, &section.path, None),
                source_hash: String::new(),
                unchanged: false,
            });
        }
        let mut statement = self.conn.prepare(&format!(
            "SELECT p.section_id, p.slug, p.translation_key, p.weight, {REVISION_COLUMNS}
             FROM pages p JOIN sections s ON s.id = p.section_id
             JOIN revisions r ON r.id = (SELECT id FROM revisions WHERE page_id = p.id ORDER BY number DESC LIMIT 1)
             WHERE s.site_id = ?1 ORDER BY p.id"
        ))?;
        let rows: Vec<(i64, String, String, i64, PageContent)> = statement
            .query_map(params![self.site_id], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    revision_from_row(row, 4)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        for (section_id, slug, translation_key, weight, content) in rows {
            let Some(section) = by_id.get(&section_id) else {
                continue;
            };
            site.pages.push(PageSource {
                lang: section.lang.clone(),
                section_path: section.path.clone(),
                file: crate::model::source_path(&section.lang, &section.path, Some(&slug)),
                slug,
                translation_key,
                weight,
                content,
                links: Vec::new(),
                source_hash: String::new(),
                unchanged: false,
            });
        }
        let mut statement = self
            .conn
            .prepare("SELECT path, mime, bytes FROM media WHERE site_id = ?1 ORDER BY path")?;
        site.media = statement
            .query_map(params![self.site_id], |row| {
                Ok(MediaSource {
                    path: row.get(0)?,
                    mime: row.get(1)?,
                    bytes: row.get(2)?,
                    unchanged: false,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut statement = self.conn.prepare(
            "SELECT theme, name, body FROM templates WHERE site_id = ?1 ORDER BY theme, name",
        )?;
        site.templates = statement
            .query_map(params![self.site_id], |row| {
                Ok(TemplateSource {
                    theme: row.get(0)?,
                    name: row.get(1)?,
                    body: row.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let model_strings = {
            let mut statement = self.conn.prepare(
                "SELECT lang, key, value FROM ui_strings WHERE site_id = ?1 ORDER BY lang, key",
            )?;
            let mut by_lang: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
            for row in statement.query_map(params![self.site_id], |row| {
                Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
            })? {
                let (lang, key, value) = row?;
                by_lang.entry(lang).or_default().push((key, value));
            }
            by_lang
        };
        site.ui_strings = model_strings.into_iter().collect();
        let mut statement = self
            .conn
            .prepare("SELECT lang, title, link FROM menu_items WHERE site_id = ?1 AND menu = 'footer' ORDER BY lang, position")?;
        let mut menus: BTreeMap<String, Vec<MenuItem>> = BTreeMap::new();
        for row in statement.query_map(params![self.site_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })? {
            let (lang, title, link) = row?;
            menus
                .entry(lang)
                .or_default()
                .push(MenuItem { title, link });
        }
        site.menus = menus.into_iter().collect();
        Ok(site)
    }
}

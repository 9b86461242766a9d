//! Import: brings a [`SiteSource`] into the database in one transaction. New items are added,
//! changed ones get a new revision, pages edited here since their last import are conflicts.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rustc_hash::FxHashMap;
use serde_json::json;

use super::edit::{
    changed_fields, head_revision, insert_revision, now_text, page_location, pages_linking_to,
};
use super::journal::{self, Actor};
use super::{Error, Result, Store, to_json};
use crate::content::sha256_hex;
use crate::model::{PreviousFile, SiteSource, SourceFacts, source_path};

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Overwrite pages edited in the database since their last import.
    pub force: bool,
    /// Remove imported pages, sections and files whose source is gone.
    pub prune: bool,
    /// Read every file, also those whose size and mtime match the last import (`--full`);
    /// the caller passes no baseline then.
    pub full: bool,
    /// The journal position of the [`ImportBaseline`] the sources were read against: items
    /// skipped as unchanged were checked against the database as it was then, so an import
    /// that finds the journal moved on (an edit in the panel meanwhile) is refused.
    pub baseline_journal: Option<i64>,
}

/// What the last imports stored of the source files, for `content::read_site` to skip files
/// whose size and mtime did not change (issue 10).
#[derive(Debug, Default)]
pub struct ImportBaseline {
    /// Relative path → size, mtime, hash and facts, only for files the database still holds
    /// as that import left them: a page or section edited, moved or deleted in the panel, or
    /// a file replaced there, is read again, as a full import would.
    pub files: FxHashMap<String, PreviousFile>,
    /// The journal's last entry when the baseline was taken (see
    /// [`ImportOptions::baseline_journal`]).
    pub journal: i64,
}

/// Which govsite read and checked a stored file: another version's records are not trusted.
const READER: &str = env!("CARGO_PKG_VERSION");

/// What an import changed, for the user.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl ImportReport {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

impl Store {
    /// The stored records of the source files, for skipping unchanged files (see
    /// [`ImportBaseline`]).
    pub fn import_baseline(&self) -> Result<ImportBaseline> {
        let journal = journal_position(&self.conn)?;
        let mut statement = self.conn.prepare(
            "SELECT path, size, mtime_ns, sha256, facts FROM source_files
             WHERE site_id = ?1 AND reader = ?2 AND mtime_ns IS NOT NULL",
        )?;
        let rows: Vec<(String, i64, i64, String, String)> = statement
            .query_map(params![self.site_id, READER], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        drop(statement);
        let mut files = FxHashMap::with_capacity_and_hasher(rows.len(), Default::default());
        if rows.is_empty() {
            return Ok(ImportBaseline { files, journal });
        }
        let held = HeldSources::load(&self.conn, self.site_id)?;
        for (path, size, mtime_ns, sha256, facts) in rows {
            let Ok(facts) = serde_json::from_str::<SourceFacts>(&facts) else {
                continue;
            };
            if held.holds(&facts, &sha256) {
                files.insert(
                    path,
                    PreviousFile {
                        size: size as u64,
                        mtime_ns,
                        sha256,
                        facts,
                    },
                );
            }
        }
        Ok(ImportBaseline { files, journal })
    }

    /// Every `@/` path of the pages and sections in the database, for link checks.
    pub fn source_paths(&self) -> Result<HashSet<String>> {
        Ok(link_targets(&self.conn, self.site_id)?
            .into_keys()
            .collect())
    }

    /// Imports a site in one transaction: all of it, or — on any conflict or refusal — none.
    pub fn import(
        &mut self,
        site: &SiteSource,
        options: ImportOptions,
        actor: &Actor,
    ) -> Result<ImportReport> {
        let site_id = self.site_id;
        let utc_offset = self.utc_offset;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let skipped_any = site.pages.iter().any(|p| p.unchanged)
            || site.sections.iter().any(|s| s.unchanged)
            || site.media.iter().any(|m| m.unchanged);
        if skipped_any
            && let Some(baseline) = options.baseline_journal
            && journal_position(&tx)? != baseline
        {
            return Err(Error::Refused {
                summary: "the database changed while import read the files (an edit in the admin panel?); nothing was imported; run the import again".into(),
                problems: Vec::new(),
            });
        }
        let mut run = Import {
            tx: &tx,
            site_id,
            actor,
            options,
            report: ImportReport::default(),
            conflicts: Vec::new(),
            collisions: Vec::new(),
        };
        run.templates(site)?;
        run.ui_strings(site)?;
        run.media(site)?;
        let section_ids = run.sections(site)?;
        run.pages(site, &section_ids, utc_offset)?;
        run.menus(site)?;
        if options.prune {
            run.prune(site)?;
        }
        let Import {
            report,
            conflicts,
            collisions,
            ..
        } = run;
        if !collisions.is_empty() {
            return Err(Error::Refused {
                summary: format!(
                    "{} page(s) would take an address another page already has; nothing was imported:",
                    collisions.len()
                ),
                problems: collisions,
            });
        }
        if !conflicts.is_empty() {
            return Err(Error::Refused {
                summary: format!(
                    "{} page(s) were edited in the database since their last import; nothing was imported. Export them first to keep the edits, or import with `--force` to overwrite them:",
                    conflicts.len()
                ),
                problems: conflicts,
            });
        }
        remember_files(&tx, site_id, site)?;
        Store::commit_journaled(tx, self.journal_head_path.as_deref())?;
        Ok(report)
    }
}

/// The id of the journal's last entry (0 when empty).
fn journal_position(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(id), 0) FROM journal", [], |row| {
        row.get(0)
    })
}

/// Stores the size, mtime, hash and facts of every file read, and forgets files gone.
fn remember_files(tx: &Transaction, site_id: i64, site: &SiteSource) -> Result<()> {
    let present: HashSet<&str> = site
        .files
        .iter()
        .map(|f| f.file.as_str())
        .chain(site.kept_files.iter().map(String::as_str))
        .collect();
    let mut statement = tx.prepare("SELECT path FROM source_files WHERE site_id = ?1")?;
    let stored: Vec<String> = statement
        .query_map(params![site_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    drop(statement);
    let mut delete = tx.prepare("DELETE FROM source_files WHERE site_id = ?1 AND path = ?2")?;
    for path in stored
        .iter()
        .filter(|path| !present.contains(path.as_str()))
    {
        delete.execute(params![site_id, path])?;
    }
    let mut insert = tx.prepare(
        "INSERT OR REPLACE INTO source_files (site_id, path, size, mtime_ns, sha256, reader, facts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for file in &site.files {
        let facts = serde_json::to_string(&file.facts).unwrap_or_default();
        insert.execute(params![
            site_id,
            file.file,
            file.size as i64,
            file.mtime_ns,
            file.sha256,
            READER,
            facts
        ])?;
    }
    Ok(())
}

/// A page as the database holds it: source hash, section id, slug, weight.
type HeldPage = (Option<String>, i64, String, i64);

/// What the database holds of imported pages, sections and files, to tell whether it still
/// holds a stored file as that file gave it — exactly when a full import would find the file
/// unchanged and leave the item alone.
struct HeldSources {
    tree: SectionTree,
    /// (lang, translation key) → (id, source hash).
    sections: FxHashMap<(String, String), (i64, Option<String>)>,
    /// (lang, translation key) → (source hash, section id, slug, weight).
    pages: FxHashMap<(String, String), HeldPage>,
    /// Path → SHA-256.
    media: FxHashMap<String, String>,
}

impl HeldSources {
    fn load(conn: &Connection, site_id: i64) -> rusqlite::Result<HeldSources> {
        let tree = SectionTree::load(conn, site_id)?;
        let mut statement = conn.prepare(
            "SELECT id, lang, translation_key, source_hash FROM sections WHERE site_id = ?1",
        )?;
        let sections = statement
            .query_map(params![site_id], |row| {
                Ok(((row.get(1)?, row.get(2)?), (row.get(0)?, row.get(3)?)))
            })?
            .collect::<Result<_, _>>()?;
        let mut statement = conn.prepare(
            "SELECT p.lang, p.translation_key, p.source_hash, p.section_id, p.slug, p.weight
             FROM pages p JOIN sections s ON s.id = p.section_id WHERE s.site_id = ?1",
        )?;
        let pages = statement
            .query_map(params![site_id], |row| {
                Ok((
                    (row.get(0)?, row.get(1)?),
                    (row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut statement = conn.prepare("SELECT path, sha256 FROM media WHERE site_id = ?1")?;
        let media = statement
            .query_map(params![site_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(HeldSources {
            tree,
            sections,
            pages,
            media,
        })
    }

    fn section_at(&self, id: i64, lang: &str, path: &[String]) -> bool {
        self.tree.langs.get(&id).is_some_and(|l| l == lang)
            && self.tree.paths.get(&id).is_some_and(|p| p == path)
    }

    fn holds(&self, facts: &SourceFacts, sha256: &str) -> bool {
        match facts {
            SourceFacts::Page {
                lang,
                section_path,
                slug,
                translation_key,
                weight,
                ..
            } => self
                .pages
                .get(&(lang.clone(), translation_key.clone()))
                .is_some_and(|(hash, section_id, held_slug, held_weight)| {
                    hash.as_deref() == Some(sha256)
                        && held_slug == slug
                        && held_weight == weight
                        && self.section_at(*section_id, lang, section_path)
                }),
            SourceFacts::Section {
                lang,
                path,
                translation_key,
                ..
            } => self
                .sections
                .get(&(lang.clone(), translation_key.clone()))
                .is_some_and(|(id, hash)| {
                    hash.as_deref() == Some(sha256) && self.section_at(*id, lang, path)
                }),
            SourceFacts::Media { path, .. } => {
                self.media.get(path).is_some_and(|held| held == sha256)
            }
        }
    }
}

/// What the database knows of an imported page: id, source hash, imported revision,
/// section, slug, weight.
type ImportedPage = (i64, Option<String>, Option<i64>, i64, String, i64);

/// What an `@/…` source path names: (page id, section id), one of them set.
type LinkTarget = (Option<i64>, Option<i64>);

/// The `@/…` source path of every section and page of the site, with what it names. Links and
/// link checks resolve through it.
pub(super) fn link_targets(
    conn: &Connection,
    site_id: i64,
) -> rusqlite::Result<HashMap<String, LinkTarget>> {
    let tree = SectionTree::load(conn, site_id)?;
    let mut targets: HashMap<String, LinkTarget> = HashMap::new();
    for (id, path) in &tree.paths {
        targets.insert(source_path(&tree.langs[id], path, None), (None, Some(*id)));
    }
    let mut statement = conn.prepare(
        "SELECT p.id, p.section_id, p.slug FROM pages p JOIN sections s ON s.id = p.section_id WHERE s.site_id = ?1",
    )?;
    let rows = statement.query_map(params![site_id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (page_id, section_id, slug) = row?;
        if let Some(path) = tree.paths.get(&section_id) {
            targets.insert(
                source_path(&tree.langs[&section_id], path, Some(&slug)),
                (Some(page_id), None),
            );
        }
    }
    Ok(targets)
}

/// The targets of some `@/…` source paths, each looked up on its own: what one saved page
/// links to, without listing every page of the site as [`link_targets`] does.
pub(super) fn link_targets_of<'p>(
    conn: &Connection,
    site_id: i64,
    paths: impl IntoIterator<Item = &'p str>,
) -> rusqlite::Result<HashMap<&'p str, LinkTarget>> {
    let tree = SectionTree::load(conn, site_id)?;
    let sections: HashMap<String, i64> = tree
        .paths
        .iter()
        .map(|(id, path)| (source_path(&tree.langs[id], path, None), *id))
        .collect();
    let mut page_in =
        conn.prepare_cached("SELECT id FROM pages WHERE section_id = ?1 AND slug = ?2")?;
    let mut targets = HashMap::new();
    for path in paths {
        if let Some(&section) = sections.get(path) {
            targets.insert(path, (None, Some(section)));
            continue;
        }
        let Some((folder, file)) = path.rsplit_once('/') else {
            continue;
        };
        let (Some(slug), Some(&section)) = (
            file.strip_suffix(".md"),
            sections.get(&format!("{folder}/_section.md")),
        ) else {
            continue;
        };
        if let Some(page) = page_in
            .query_row(params![section, slug], |row| row.get::<_, i64>(0))
            .optional()?
        {
            targets.insert(path, (Some(page), None));
        }
    }
    Ok(targets)
}

/// Section ids and their paths inside the language, read from the database.
struct SectionTree {
    paths: HashMap<i64, Vec<String>>,
    langs: HashMap<i64, String>,
}

impl SectionTree {
    fn load(conn: &Connection, site_id: i64) -> rusqlite::Result<SectionTree> {
        let mut statement =
            conn.prepare("SELECT id, parent_id, slug, lang FROM sections WHERE site_id = ?1")?;
        let rows: Vec<(i64, Option<i64>, String, String)> = statement
            .query_map(params![site_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let by_id: HashMap<i64, (Option<i64>, &str)> = rows
            .iter()
            .map(|(id, parent, slug, _)| (*id, (*parent, slug.as_str())))
            .collect();
        let mut paths = HashMap::new();
        for (id, ..) in &rows {
            let mut path = Vec::new();
            let mut current = Some(*id);
            let mut guard = 0;
            while let Some(section) = current {
                let Some((parent, slug)) = by_id.get(&section) else {
                    break;
                };
                if parent.is_some() {
                    path.push(slug.to_string());
                }
                current = *parent;
                guard += 1;
                if guard > 64 {
                    break;
                }
            }
            path.reverse();
            paths.insert(*id, path);
        }
        let langs = rows
            .into_iter()
            .map(|(id, _, _, lang)| (id, lang))
            .collect();
        Ok(SectionTree { paths, langs })
    }
}

struct Import<'a> {
    tx: &'a Transaction<'a>,
    site_id: i64,
    actor: &'a Actor,
    options: ImportOptions,
    report: ImportReport,
    conflicts: Vec<String>,
    /// Pages whose address another page of the database already has, for the user.
    collisions: Vec<String>,
}

/// How a page that would take another page's address is reported: the file, what it asks
/// for, and which page holds the address.
fn collision(page: &crate::model::PageSource, url: &str, holder: &str) -> String {
    format!(
        "{}: `translation` = \"{}\" names a new page, but its address `{url}` belongs to the page with `translation` = \"{holder}\"; keep `translation` = \"{holder}\" to update that page, or give the new page another file name",
        page.file, page.translation_key
    )
}

impl Import<'_> {
    fn journal(
        &self,
        action: &str,
        object_type: &str,
        object: &str,
        detail: serde_json::Value,
    ) -> rusqlite::Result<()> {
        journal::append(self.tx, self.actor, action, object_type, object, detail)
    }

    fn templates(&mut self, site: &SiteSource) -> Result<()> {
        for template in &site.templates {
            let object = format!("{}/{}", template.theme, template.name);
            let existing: Option<(i64, String)> = self
                .tx
                .query_row(
                    "SELECT id, body FROM templates WHERE site_id = ?1 AND theme = ?2 AND name = ?3",
                    params![self.site_id, template.theme, template.name],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            match existing {
                Some((_, body)) if body == template.body => self.report.unchanged += 1,
                Some((id, _)) => {
                    self.tx.execute(
                        "UPDATE templates SET body = ?2 WHERE id = ?1",
                        params![id, template.body],
                    )?;
                    self.journal(
                        "update",
                        "template",
                        &object,
                        json!({ "bytes": template.body.len() }),
                    )?;
                    self.report.updated.push(format!("template {object}"));
                }
                None => {
                    self.tx.execute(
                        "INSERT INTO templates (site_id, theme, name, body) VALUES (?1, ?2, ?3, ?4)",
                        params![self.site_id, template.theme, template.name, template.body],
                    )?;
                    self.journal(
                        "create",
                        "template",
                        &object,
                        json!({ "bytes": template.body.len() }),
                    )?;
                    self.report.added.push(format!("template {object}"));
                }
            }
        }
        Ok(())
    }

    fn ui_strings(&mut self, site: &SiteSource) -> Result<()> {
        for (lang, strings) in &site.ui_strings {
            let mut changed = Vec::new();
            let mut added = 0;
            for (key, value) in strings {
                let existing: Option<String> = self
                    .tx
                    .query_row(
                        "SELECT value FROM ui_strings WHERE site_id = ?1 AND lang = ?2 AND key = ?3",
                        params![self.site_id, lang, key],
                        |row| row.get(0),
                    )
                    .optional()?;
                if existing.as_deref() != Some(value.as_str()) {
                    self.tx.execute(
                        "INSERT OR REPLACE INTO ui_strings (site_id, lang, key, value) VALUES (?1, ?2, ?3, ?4)",
                        params![self.site_id, lang, key, value],
                    )?;
                    added += usize::from(existing.is_none());
                    changed.push(json!({ "key": key, "before": existing, "after": value }));
                }
            }
            if !changed.is_empty() {
                let line = format!("{} interface string(s) in {lang}", changed.len());
                if added == changed.len() {
                    self.report.added.push(line)
                } else {
                    self.report.updated.push(line)
                }
                self.journal("update", "ui_strings", lang, json!({ "changed": changed }))?;
            }
        }
        Ok(())
    }

    fn media(&mut self, site: &SiteSource) -> Result<()> {
        for media in &site.media {
            if media.unchanged {
                self.report.unchanged += 1;
                continue;
            }
            let sha256 = sha256_hex(&media.bytes);
            let existing: Option<(i64, String)> = self
                .tx
                .query_row(
                    "SELECT id, sha256 FROM media WHERE site_id = ?1 AND path = ?2",
                    params![self.site_id, media.path],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let detail = json!({ "size": media.bytes.len(), "mime": media.mime, "sha256": sha256 });
            match existing {
                Some((_, stored)) if stored == sha256 => self.report.unchanged += 1,
                Some((id, _)) => {
                    self.tx.execute(
                        "UPDATE media SET mime = ?2, size = ?3, sha256 = ?4, bytes = ?5 WHERE id = ?1",
                        params![id, media.mime, media.bytes.len() as i64, sha256, media.bytes],
                    )?;
                    self.journal("update", "media", &media.path, detail)?;
                    self.report.updated.push(format!("file /{}", media.path));
                }
                None => {
                    self.tx.execute(
                        "INSERT INTO media (site_id, path, mime, size, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![self.site_id, media.path, media.mime, media.bytes.len() as i64, sha256, media.bytes],
                    )?;
                    self.journal("create", "media", &media.path, detail)?;
                    self.report.added.push(format!("file /{}", media.path));
                }
            }
        }
        Ok(())
    }

    /// Sections, parents before children (the order `content::read_site` gives).
    fn sections(&mut self, site: &SiteSource) -> Result<HashMap<(String, Vec<String>), i64>> {
        let mut ids: HashMap<(String, Vec<String>), i64> = HashMap::new();
        for section in &site.sections {
            let parent_id = match section.path.split_last() {
                Some((_, parent_path)) => ids
                    .get(&(section.lang.clone(), parent_path.to_vec()))
                    .copied(),
                None => None,
            };
            let slug = section.path.last().cloned().unwrap_or_default();
            if section.unchanged {
                // Skipped as unchanged: `import_baseline` saw the database hold it as imported.
                let held: Option<(i64, Option<i64>, String)> = self
                    .tx
                    .query_row(
                        "SELECT id, parent_id, slug FROM sections WHERE site_id = ?1 AND lang = ?2 AND translation_key = ?3",
                        params![self.site_id, section.lang, section.translation_key],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )
                    .optional()?;
                match held {
                    Some((id, held_parent, held_slug))
                        if held_parent == parent_id && held_slug == slug =>
                    {
                        self.report.unchanged += 1;
                        ids.insert((section.lang.clone(), section.path.clone()), id);
                        continue;
                    }
                    _ => {
                        return Err(Error::Refused {
                            summary: format!(
                                "{}: skipped as unchanged, but the database no longer holds the section as imported; nothing was imported; run `govsite import --full`",
                                section.file
                            ),
                            problems: Vec::new(),
                        });
                    }
                }
            }
            let content = &section.content;
            let types: Vec<String> = content
                .types
                .iter()
                .map(|t| t.as_str().to_string())
                .collect();
            let existing: Option<(i64, Option<String>, Option<i64>, String)> = self
                .tx
                .query_row(
                    "SELECT id, source_hash, parent_id, slug FROM sections WHERE site_id = ?1 AND lang = ?2 AND translation_key = ?3",
                    params![self.site_id, section.lang, section.translation_key],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let values = params![
                self.site_id,
                section.lang,
                parent_id,
                slug,
                section.translation_key,
                content.title,
                content.description,
                to_json(&content.keywords),
                to_json(&types),
                content.weight,
                content.menu,
                content.template,
                content.page_size,
                content.body,
                section.source_hash,
            ];
            let url = crate::model::section_url(&section.lang, &section.path);
            let id = match existing {
                Some((id, hash, old_parent, old_slug))
                    if hash.as_deref() == Some(section.source_hash.as_str())
                        && old_parent == parent_id
                        && old_slug == slug =>
                {
                    self.report.unchanged += 1;
                    id
                }
                Some((id, ..)) => {
                    self.tx.execute(
                        "UPDATE sections SET site_id = ?1, lang = ?2, parent_id = ?3, slug = ?4, translation_key = ?5,
                            title = ?6, description = ?7, keywords = ?8, types = ?9, weight = ?10, menu = ?11,
                            template = ?12, page_size = ?13, body = ?14, source_hash = ?15 WHERE id = ?16",
                        rusqlite::params_from_iter(values.iter().copied().chain(std::iter::once(&id as &dyn rusqlite::ToSql))),
                    )?;
                    self.journal("update", "section", &url, json!({ "title": content.title }))?;
                    self.report.updated.push(format!("section {url}"));
                    id
                }
                None => {
                    self.tx.execute(
                        "INSERT INTO sections (site_id, lang, parent_id, slug, translation_key, title, description,
                            keywords, types, weight, menu, template, page_size, body, source_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                        values,
                    )?;
                    let id = self.tx.last_insert_rowid();
                    self.journal("create", "section", &url, json!({ "title": content.title }))?;
                    self.report.added.push(format!("section {url}"));
                    id
                }
            };
            ids.insert((section.lang.clone(), section.path.clone()), id);
        }
        Ok(ids)
    }

    fn pages(
        &mut self,
        site: &SiteSource,
        section_ids: &HashMap<(String, Vec<String>), i64>,
        utc_offset: time::UtcOffset,
    ) -> Result<()> {
        let mut imported: Vec<(i64, &crate::model::PageSource)> = Vec::new();
        for page in &site.pages {
            if page.unchanged {
                // Skipped as unchanged: `import_baseline` saw the database hold it as imported;
                // its links stay as recorded.
                self.report.unchanged += 1;
                continue;
            }
            let Some(&section_id) =
                section_ids.get(&(page.lang.clone(), page.section_path.clone()))
            else {
                continue;
            };
            let url = crate::model::page_url(&page.lang, &page.section_path, &page.slug);
            let existing: Option<ImportedPage> = self
                .tx
                .query_row(
                    "SELECT p.id, p.source_hash, p.imported_revision_id, p.section_id, p.slug, p.weight FROM pages p
                     JOIN sections s ON s.id = p.section_id
                     WHERE s.site_id = ?1 AND p.lang = ?2 AND p.translation_key = ?3",
                    params![self.site_id, page.lang, page.translation_key],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)),
                )
                .optional()?;
            match existing {
                Some((id, hash, imported_revision, old_section, old_slug, old_weight)) => {
                    let same_place = old_section == section_id
                        && old_slug == page.slug
                        && old_weight == page.weight;
                    let (head_id, before) = head_revision(self.tx, id)?
                        .ok_or_else(|| Error::NotFound(format!("revisions of {url}")))?;
                    let edited_here = imported_revision != Some(head_id);
                    if hash.as_deref() == Some(page.source_hash.as_str()) && same_place {
                        // The source did not change; edits made in the database are kept.
                        self.report.unchanged += 1;
                    } else if edited_here && !self.options.force {
                        self.conflicts.push(format!(
                            "{}: `{url}` has revision(s) saved in the database after its last import",
                            page.file
                        ));
                    } else if let Some(holder) =
                        self.address_holder(section_id, &page.slug, Some(id))?
                    {
                        self.collisions.push(collision(page, &url, &holder));
                    } else {
                        let (_, _, old_url) = page_location(self.tx, id)?;
                        let changed = changed_fields(&before, &page.content);
                        let revision_id = if changed.is_empty() {
                            head_id
                        } else {
                            insert_revision(self.tx, id, &page.content, self.actor, utc_offset)?
                        };
                        self.tx.execute(
                            "UPDATE pages SET section_id = ?2, slug = ?3, weight = ?4, source_hash = ?5, imported_revision_id = ?6 WHERE id = ?1",
                            params![id, section_id, page.slug, page.weight, page.source_hash, revision_id],
                        )?;
                        if old_url != url {
                            // A changed address leaves a permanent redirect behind.
                            self.tx.execute(
                                "INSERT OR REPLACE INTO redirects (site_id, from_path, page_id) VALUES (?1, ?2, ?3)",
                                params![self.site_id, old_url, id],
                            )?;
                        }
                        self.tx.execute(
                            "DELETE FROM redirects WHERE site_id = ?1 AND from_path = ?2",
                            params![self.site_id, url],
                        )?;
                        self.journal(
                            "update",
                            "page",
                            &url,
                            json!({ "revision": revision_id, "changed": changed, "from": (old_url != url).then_some(old_url), "forced": edited_here }),
                        )?;
                        self.report.updated.push(format!("page {url}"));
                    }
                    imported.push((id, page));
                }
                None => {
                    if let Some(holder) = self.address_holder(section_id, &page.slug, None)? {
                        self.collisions.push(collision(page, &url, &holder));
                        continue;
                    }
                    self.tx.execute(
                        "INSERT INTO pages (section_id, lang, slug, translation_key, weight, source_hash, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![section_id, page.lang, page.slug, page.translation_key, page.weight, page.source_hash, now_text()],
                    )?;
                    let id = self.tx.last_insert_rowid();
                    let revision_id =
                        insert_revision(self.tx, id, &page.content, self.actor, utc_offset)?;
                    self.tx.execute(
                        "UPDATE pages SET imported_revision_id = ?2 WHERE id = ?1",
                        params![id, revision_id],
                    )?;
                    self.tx.execute(
                        "DELETE FROM redirects WHERE site_id = ?1 AND from_path = ?2",
                        params![self.site_id, url],
                    )?;
                    self.journal(
                        "create",
                        "page",
                        &url,
                        json!({ "revision": revision_id, "title": page.content.title, "status": page.content.status.as_str() }),
                    )?;
                    self.report.added.push(format!("page {url}"));
                    imported.push((id, page));
                }
            }
        }
        self.links(&imported)
    }

    /// The translation key of another page already at `slug` in the section, if any.
    fn address_holder(
        &self,
        section_id: i64,
        slug: &str,
        except: Option<i64>,
    ) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT translation_key FROM pages WHERE section_id = ?1 AND slug = ?2 AND id IS NOT ?3",
                params![section_id, slug, except],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Records which pages and sections each imported page links to.
    fn links(&mut self, imported: &[(i64, &crate::model::PageSource)]) -> Result<()> {
        if imported.is_empty() {
            return Ok(());
        }
        let targets = link_targets(self.tx, self.site_id)?;
        for (page_id, page) in imported {
            self.tx.execute(
                "DELETE FROM links WHERE from_page_id = ?1",
                params![page_id],
            )?;
            let mut seen = HashSet::new();
            for (target, _) in &page.links {
                let path = target.split('#').next().unwrap_or(target);
                if let Some(&(target_page, target_section)) = targets.get(path)
                    && seen.insert(path)
                {
                    self.tx.execute(
                        "INSERT INTO links (from_page_id, target_page_id, target_section_id) VALUES (?1, ?2, ?3)",
                        params![page_id, target_page, target_section],
                    )?;
                }
            }
        }
        Ok(())
    }

    fn menus(&mut self, site: &SiteSource) -> Result<()> {
        for (lang, items) in &site.menus {
            let mut statement =
                self.tx.prepare("SELECT title, link FROM menu_items WHERE site_id = ?1 AND lang = ?2 AND menu = 'footer' ORDER BY position")?;
            let existing: Vec<(String, String)> = statement
                .query_map(params![self.site_id, lang], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<Result<_, _>>()?;
            let wanted: Vec<(String, String)> = items
                .iter()
                .map(|item| (item.title.clone(), item.link.clone()))
                .collect();
            if existing == wanted {
                continue;
            }
            self.tx.execute(
                "DELETE FROM menu_items WHERE site_id = ?1 AND lang = ?2 AND menu = 'footer'",
                params![self.site_id, lang],
            )?;
            for (position, (title, link)) in wanted.iter().enumerate() {
                self.tx.execute(
                    "INSERT INTO menu_items (site_id, lang, menu, position, title, link) VALUES (?1, ?2, 'footer', ?3, ?4, ?5)",
                    params![self.site_id, lang, position as i64, title, link],
                )?;
            }
            self.journal(
                "update",
                "menu",
                &format!("{lang}/footer"),
                json!({ "before": existing, "after": wanted }),
            )?;
            let line = format!("footer menu of {lang}");
            if existing.is_empty() {
                self.report.added.push(line)
            } else {
                self.report.updated.push(line)
            }
        }
        Ok(())
    }

    /// Removes imported pages, then sections and files, whose source is gone.
    fn prune(&mut self, site: &SiteSource) -> Result<()> {
        let wanted_pages: HashSet<(&str, &str)> = site
            .pages
            .iter()
            .map(|p| (p.lang.as_str(), p.translation_key.as_str()))
            .collect();
        let mut statement = self.tx.prepare(
            "SELECT p.id, p.lang, p.translation_key FROM pages p JOIN sections s ON s.id = p.section_id
             WHERE s.site_id = ?1 AND p.source_hash IS NOT NULL",
        )?;
        let gone: Vec<i64> = statement
            .query_map(params![self.site_id], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|(_, lang, key)| !wanted_pages.contains(&(lang.as_str(), key.as_str())))
            .map(|(id, ..)| id)
            .collect();
        drop(statement);
        let mut gone_urls = Vec::with_capacity(gone.len());
        for &id in &gone {
            gone_urls.push(page_location(self.tx, id)?.2);
        }
        let mut refusals = Vec::new();
        for (&id, url) in gone.iter().zip(&gone_urls) {
            // Links from pages that go too do not hold a page back.
            let linking: Vec<String> = pages_linking_to(self.tx, id)?
                .into_iter()
                .filter(|from| !gone_urls.contains(from))
                .collect();
            if !linking.is_empty() {
                refusals.push(format!(
                    "`{url}` is linked from {}; remove those links first",
                    linking.join(", ")
                ));
            }
        }
        if !refusals.is_empty() {
            return Err(Error::Refused {
                summary: "some pages whose source is gone are still linked from other pages; nothing was imported:".into(),
                problems: refusals,
            });
        }
        for &id in &gone {
            self.tx
                .execute("DELETE FROM links WHERE from_page_id = ?1", params![id])?;
        }
        for (&id, url) in gone.iter().zip(&gone_urls) {
            self.tx
                .execute("DELETE FROM pages WHERE id = ?1", params![id])?;
            self.journal(
                "delete",
                "page",
                url,
                json!({ "reason": "source removed, import --prune" }),
            )?;
            self.report.removed.push(format!("page {url}"));
        }
        let wanted_media: HashSet<&str> = site.media.iter().map(|m| m.path.as_str()).collect();
        let mut statement = self
            .tx
            .prepare("SELECT id, path FROM media WHERE site_id = ?1")?;
        let media: Vec<(i64, String)> = statement
            .query_map(params![self.site_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        drop(statement);
        for (id, path) in media {
            if !wanted_media.contains(path.as_str()) {
                self.tx
                    .execute("DELETE FROM media WHERE id = ?1", params![id])?;
                self.journal(
                    "delete",
                    "media",
                    &path,
                    json!({ "reason": "source removed, import --prune" }),
                )?;
                self.report.removed.push(format!("file /{path}"));
            }
        }
        let wanted_sections: HashSet<(&str, &str)> = site
            .sections
            .iter()
            .map(|s| (s.lang.as_str(), s.translation_key.as_str()))
            .collect();
        // Children first, so a parent is empty when its turn comes.
        let mut statement = self.tx.prepare(
            "SELECT id, lang, translation_key FROM sections WHERE site_id = ?1 AND source_hash IS NOT NULL ORDER BY id DESC",
        )?;
        let sections: Vec<(i64, String, String)> = statement
            .query_map(params![self.site_id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        drop(statement);
        for (id, lang, key) in sections {
            if wanted_sections.contains(&(lang.as_str(), key.as_str())) {
                continue;
            }
            let in_use: i64 = self.tx.query_row(
                "SELECT (SELECT COUNT(*) FROM pages WHERE section_id = ?1) + (SELECT COUNT(*) FROM sections WHERE parent_id = ?1)
                   + (SELECT COUNT(*) FROM links WHERE target_section_id = ?1)",
                params![id],
                |row| row.get(0),
            )?;
            if in_use == 0 {
                self.tx
                    .execute("DELETE FROM sections WHERE id = ?1", params![id])?;
                self.journal(
                    "delete",
                    "section",
                    &format!("{lang}:{key}"),
                    json!({ "reason": "source removed, import --prune" }),
                )?;
                self.report.removed.push(format!("section {lang}:{key}"));
            }
        }
        Ok(())
    }
}

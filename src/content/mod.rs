//! The exchange format: reads `content/`, `themes/` and `i18n/` into a [`SiteSource`] with every
//! problem located by file, line and field, and writes a `SiteSource` back in canonical form.
//! Touches no database: files in, data out (see `docs/content-format.md`).

pub mod front_matter;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::UserError;
use crate::markdown;
use crate::model::{
    ContentType, MediaSource, MenuItem, PageContent, PageSource, PreviousFile, SectionContent,
    SectionSource, SiteSource, SourceFacts, SourceFile, Status, TemplateSource, source_path,
};
use crate::slug::{is_valid_file_name, is_valid_slug, slugify};

/// The UI string that names the pagination segment of list URLs (`/az/xeberler/sehife/2/`).
pub const PAGINATION_SEGMENT_KEY: &str = "pagination_segment";

/// Hex SHA-256 of some bytes: how sources and outputs are fingerprinted.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(HEX[(byte >> 4) as usize] as char);
        hex.push(HEX[(byte & 0xf) as usize] as char);
    }
    hex
}

/// A folder entry: name, path, whether it is a folder, size and mtime (for files).
type FolderEntry = (String, PathBuf, bool, Option<(u64, i64)>);

/// Problems found while reading a tree, each already located and phrased for the user.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn at(&mut self, file: &str, line: usize, message: impl AsRef<str>) {
        self.0.push(format!("{file}:{line}: {}", message.as_ref()));
    }
    fn file(&mut self, file: &str, message: impl AsRef<str>) {
        self.0.push(format!("{file}: {}", message.as_ref()));
    }
}

/// A file modified less than this before it is read may change again within the same mtime
/// tick (or the clock of a network file system may differ): its mtime is not remembered, so
/// the next import reads it again (git's "racily clean" entries).
const RACY_NS: i64 = 2_000_000_000;

/// The last import's records of the files it read, used to skip files whose size and
/// modification time did not change (issue 10).
struct Skipping {
    previous: FxHashMap<String, PreviousFile>,
    /// When this read started, in nanoseconds since the Unix epoch.
    started_ns: i64,
}

impl Skipping {
    /// Takes the last record of `file` (each file is looked at once).
    fn take(&mut self, file: &str) -> Option<PreviousFile> {
        self.previous.remove(file)
    }

    /// How a file that was read is remembered.
    fn record(
        &self,
        file: &str,
        stat: Option<(u64, i64)>,
        sha256: String,
        facts: SourceFacts,
    ) -> Option<SourceFile> {
        let (size, mtime_ns) = stat?;
        Some(SourceFile {
            file: file.to_string(),
            size,
            mtime_ns: (mtime_ns < self.started_ns - RACY_NS).then_some(mtime_ns),
            sha256,
            facts,
        })
    }
}

/// Size and modification time (ns since the Unix epoch) of a file, without following a link.
fn stat(path: &Path) -> Option<(u64, i64)> {
    size_and_mtime(&fs::symlink_metadata(path).ok()?)
}

fn size_and_mtime(metadata: &fs::Metadata) -> Option<(u64, i64)> {
    let since_epoch = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((metadata.len(), i64::try_from(since_epoch.as_nanos()).ok()?))
}

/// Whether a file still has the size and mtime the last import stored.
fn is_unchanged(previous: &PreviousFile, stat: Option<(u64, i64)>) -> bool {
    stat == Some((previous.size, previous.mtime_ns))
}

/// Reads the site's `content/`, `themes/<theme>/` and `i18n/` under `from`.
///
/// `known_paths` are `@/…` paths that exist elsewhere (pages already in the database), so links
/// to them are not reported as broken.
///
/// `previous` holds the last import's record of each file it read (relative path → size,
/// mtime, hash, facts; see `Store::import_baseline`, which leaves out files the database no
/// longer holds as they were): a page, section or media file whose size and mtime match is
/// not read; its facts stand in for it in the checks across files, and it comes back with
/// `unchanged` set. Templates, `i18n/*.toml` and `_menus.toml` are always read (a handful of
/// small files that the template compilation and the checks of every language's strings need
/// whole). Pass an empty map to read everything (`import --full`, `check`).
pub fn read_site(
    from: &Path,
    config: &Config,
    known_paths: &HashSet<String>,
    previous: FxHashMap<String, PreviousFile>,
) -> Result<SiteSource, UserError> {
    let mut problems = Problems::default();
    let mut site = SiteSource::default();
    let started_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)
        });
    let mut skipping = Skipping {
        previous,
        started_ns,
    };
    read_ui_strings(from, config, &mut site, &mut problems);
    read_theme(from, &config.theme, &mut site, &mut skipping, &mut problems);
    let content_dir = from.join("content");
    if let Ok(entries) = fs::read_dir(&content_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && entry.file_type().is_ok_and(|t| t.is_symlink()) {
                problems.file(
                    &format!("content/{name}"),
                    "is a symbolic link; govsite imports only real files and folders inside content/ — copy the folder here instead",
                );
            }
            if !name.starts_with('.') && !config.languages.contains(&name) {
                problems.file(
                    &format!("content/{name}"),
                    format!("`{name}` is not a language of the site; add it to `site.languages` in site.toml or remove the folder"),
                );
            }
        }
    }
    for lang in &config.languages {
        let root = content_dir.join(lang);
        if !root.join("_section.md").is_file() {
            problems.file(
                &format!("content/{lang}/_section.md"),
                "missing: every language needs a home page; create it with a `title`",
            );
            continue;
        }
        let mut reader = TreeReader {
            lang,
            site: &mut site,
            skipping: &mut skipping,
            problems: &mut problems,
        };
        reader.read_section(&root, &mut Vec::new(), true);
    }
    let pagination_segments: HashMap<&str, &str> = site
        .ui_strings
        .iter()
        .filter_map(|(lang, strings)| {
            strings
                .iter()
                .find(|(key, _)| key == PAGINATION_SEGMENT_KEY)
                .map(|(_, value)| (lang.as_str(), value.as_str()))
        })
        .collect();
    validate(&site, known_paths, &pagination_segments, &mut problems);
    if problems.0.is_empty() {
        Ok(site)
    } else {
        Err(UserError::with_problems(
            format!(
                "{} problem(s) in the site's sources; nothing was changed:",
                problems.0.len()
            ),
            problems.0,
        ))
    }
}

struct TreeReader<'a> {
    lang: &'a str,
    site: &'a mut SiteSource,
    skipping: &'a mut Skipping,
    problems: &'a mut Problems,
}

/// What a page or section that is not read again says, for the checks across files; the
/// rest of the content is left empty and import does not use it.
fn placeholder_page(
    content_type: ContentType,
    template: Option<String>,
    files: Vec<String>,
) -> PageContent {
    PageContent {
        title: String::new(),
        description: None,
        keywords: Vec::new(),
        content_type,
        status: Status::Draft,
        template,
        created: None,
        issued: None,
        modified: None,
        publish_at: None,
        valid_until: None,
        summary: None,
        files,
        dc: Default::default(),
        correction: None,
        body: String::new(),
    }
}

fn placeholder_section(types: Vec<ContentType>, template: Option<String>) -> SectionContent {
    SectionContent {
        title: String::new(),
        description: None,
        keywords: Vec::new(),
        types,
        weight: 0,
        menu: false,
        template,
        page_size: None,
        body: String::new(),
    }
}

impl TreeReader<'_> {
    fn display(&self, section_path: &[String], name: &str) -> String {
        let mut display = format!("content/{}/", self.lang);
        for part in section_path {
            display.push_str(part);
            display.push('/');
        }
        display.push_str(name);
        display
    }

    /// Reads a section and what it holds. `may_skip`: files of this folder may be skipped when
    /// unchanged; not when a section above was new or changed its translation key, because
    /// the database's section of the folder then changes and every item below with it.
    fn read_section(&mut self, dir: &Path, section_path: &mut Vec<String>, may_skip: bool) {
        let file = self.display(section_path, "_section.md");
        let section_file = dir.join("_section.md");
        let stat = stat(&section_file);
        let previous = self.skipping.take(&file);
        let previous_key = match &previous {
            Some(PreviousFile {
                facts:
                    SourceFacts::Section {
                        translation_key, ..
                    },
                ..
            }) => Some(translation_key.clone()),
            _ => None,
        };
        let mut children_may_skip = may_skip && previous_key.is_some();
        match previous {
            Some(previous)
                if may_skip
                    && is_unchanged(&previous, stat)
                    && matches!(previous.facts, SourceFacts::Section { .. }) =>
            {
                if let SourceFacts::Section {
                    translation_key,
                    types,
                    template,
                    ..
                } = &previous.facts
                {
                    let types: Vec<ContentType> =
                        types.iter().filter_map(|t| t.parse().ok()).collect();
                    if let Some((template, line)) = template {
                        check_template_name(self.site, template, &file, *line, self.problems);
                    }
                    self.site.sections.push(SectionSource {
                        lang: self.lang.to_string(),
                        path: section_path.clone(),
                        translation_key: translation_key.clone(),
                        content: placeholder_section(
                            types,
                            template.as_ref().map(|(name, _)| name.clone()),
                        ),
                        file: file.clone(),
                        source_hash: previous.sha256.clone(),
                        unchanged: true,
                    });
                    self.site.kept_files.push(file.clone());
                }
            }
            _ => {
                // An unreadable `_section.md` (or not UTF-8) stops the folder here.
                let Some(translation_key) =
                    self.read_section_file(&section_file, &file, section_path, stat)
                else {
                    return;
                };
                children_may_skip &= translation_key.is_some() && translation_key == previous_key;
            }
        }
        self.read_folder(dir, section_path, children_may_skip);
    }

    /// Reads a `_section.md`: `None` when it cannot be read as text, else its translation key
    /// when it is valid.
    fn read_section_file(
        &mut self,
        section_file: &Path,
        file: &str,
        section_path: &[String],
        stat: Option<(u64, i64)>,
    ) -> Option<Option<String>> {
        let file = file.to_string();
        let bytes = read_bytes(section_file, &file, self.problems)?;
        let text = as_utf8(bytes.clone(), &file, self.problems)?;
        match front_matter::split(&text)
            .map_err(|problem| vec![problem])
            .and_then(|split| front_matter::parse_section(&split))
        {
            Ok(parsed) => {
                let body_line = text[..text.len() - parsed.content.body.len()]
                    .matches('\n')
                    .count()
                    + 1;
                if let Err(limit) = markdown::check_limits(&parsed.content.body) {
                    self.problems.at(
                        &file,
                        limit_line(&limit, body_line),
                        format!("`body`: {limit}"),
                    );
                }
                if let Some(template) = &parsed.content.template {
                    check_template_name(
                        self.site,
                        template,
                        &file,
                        parsed.template_line,
                        self.problems,
                    );
                }
                let translation_key = parsed.translation.unwrap_or_else(|| section_path.join("/"));
                let source_hash = sha256_hex(&bytes);
                let facts = SourceFacts::Section {
                    lang: self.lang.to_string(),
                    path: section_path.to_vec(),
                    translation_key: translation_key.clone(),
                    types: parsed
                        .content
                        .types
                        .iter()
                        .map(|t| t.as_str().to_string())
                        .collect(),
                    template: parsed
                        .content
                        .template
                        .clone()
                        .map(|name| (name, parsed.template_line)),
                };
                self.site.files.extend(self.skipping.record(
                    &file,
                    stat,
                    source_hash.clone(),
                    facts,
                ));
                self.site.sections.push(SectionSource {
                    lang: self.lang.to_string(),
                    path: section_path.to_vec(),
                    translation_key: translation_key.clone(),
                    content: parsed.content,
                    file,
                    source_hash,
                    unchanged: false,
                });
                Some(Some(translation_key))
            }
            Err(found) => {
                for problem in found {
                    self.problems.at(&file, problem.line, problem.message);
                }
                Some(None)
            }
        }
    }

    /// The pages, files and subsections of a section's folder.
    fn read_folder(&mut self, dir: &Path, section_path: &mut Vec<String>, may_skip: bool) {
        // (name, path, is a folder, size and mtime): `DirEntry::metadata` is an `fstatat` in the
        // open folder that does not follow links, cheaper than a `stat` of the whole path.
        let mut entries: Vec<FolderEntry> = match fs::read_dir(dir) {
            Ok(entries) => entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.starts_with('.') {
                        return None;
                    }
                    // `file_type` does not follow links: a link could publish any file of
                    // the machine (`/etc/passwd`) as a download or a page (D189 §6.3.10).
                    let file_type = entry.file_type().ok();
                    if file_type.is_some_and(|t| t.is_symlink()) {
                        self.problems.file(
                            &self.display(section_path, &name),
                            "is a symbolic link; govsite imports only real files and folders inside content/ (a link could publish a file from elsewhere on the machine) — copy the file here instead",
                        );
                        return None;
                    }
                    let is_dir = file_type.is_some_and(|t| t.is_dir());
                    let stat = if is_dir {
                        None
                    } else {
                        entry.metadata().ok().as_ref().and_then(size_and_mtime)
                    };
                    Some((name, entry.path(), is_dir, stat))
                })
                .collect(),
            Err(error) => {
                self.problems.file(
                    &self.display(section_path, ""),
                    format!("cannot read the folder: {error}"),
                );
                return;
            }
        };
        entries.sort();
        for (name, path, is_dir, stat) in entries {
            let display = self.display(section_path, &name);
            if is_dir {
                if !path.join("_section.md").is_file() {
                    self.problems.file(
                        &display,
                        "this folder has no `_section.md`; every folder is a section and needs one with a `title`",
                    );
                    continue;
                }
                if !is_valid_slug(&name) {
                    self.problems.file(
                        &display,
                        format!("folder names become URLs and may use only `a-z`, `0-9`, `-`, `_` (D189 §6.15); rename it to `{}`", slugify(&name)),
                    );
                    continue;
                }
                section_path.push(name);
                self.read_section(&path, section_path, may_skip);
                section_path.pop();
            } else if name == "_section.md" {
                continue;
            } else if name == "_menus.toml" {
                if section_path.is_empty() {
                    self.read_menus(&path, &display);
                } else {
                    self.problems.file(
                        &display,
                        format!(
                            "menus belong in `content/{}/_menus.toml`; move it there",
                            self.lang
                        ),
                    );
                }
            } else if let Some(stem) = name.strip_suffix(".md") {
                self.read_page(&path, &display, section_path, stem, stat, may_skip);
            } else {
                self.read_media(&path, &display, section_path, &name, stat, may_skip);
            }
        }
    }

    fn read_page(
        &mut self,
        path: &Path,
        file: &str,
        section_path: &[String],
        stem: &str,
        stat: Option<(u64, i64)>,
        may_skip: bool,
    ) {
        if let Some(previous) = self.skipping.take(file)
            && may_skip
            && is_unchanged(&previous, stat)
            && let SourceFacts::Page { .. } = previous.facts
        {
            self.skip_page(path, file, section_path, previous);
            return;
        }
        let Some(bytes) = read_bytes(path, file, self.problems) else {
            return;
        };
        let source_hash = sha256_hex(&bytes);
        let Some(text) = as_utf8(bytes, file, self.problems) else {
            return;
        };
        let slug = if is_valid_slug(stem) {
            stem.to_string()
        } else {
            slugify(stem)
        };
        if slug.is_empty() {
            self.problems.file(file, "the file name gives an empty slug; name the file with letters or digits, like `illik-hesabat.md`");
            return;
        }
        let split = match front_matter::split(&text) {
            Ok(split) => split,
            Err(problem) => {
                self.problems.at(file, problem.line, problem.message);
                return;
            }
        };
        let body_line = text[..text.len() - split.body.len()].matches('\n').count() + 1;
        let parsed = match front_matter::parse_page(&split) {
            Ok(parsed) => parsed,
            Err(found) => {
                for problem in found {
                    self.problems.at(file, problem.line, problem.message);
                }
                return;
            }
        };
        let mut content = parsed.content;
        let template = content
            .template
            .clone()
            .map(|name| (name, parsed.template_line));
        let files: Vec<(String, usize)> = content
            .files
            .iter()
            .cloned()
            .zip(parsed.file_lines.iter().copied())
            .collect();
        if let Some(content_type) = self.check_in_site(
            path,
            file,
            section_path,
            parsed.content_type,
            template.as_ref(),
            &files,
        ) {
            content.content_type = content_type;
        }
        // Issue 9: a body too large or nested too deep is refused before the passes below.
        if let Err(limit) = markdown::check_limits(&content.body) {
            self.problems.at(
                file,
                limit_line(&limit, body_line),
                format!("`body`: {limit}"),
            );
            return;
        }
        for offset in markdown::images_without_alt(&content.body) {
            let line = body_line + content.body[..offset].matches('\n').count();
            self.problems.at(file, line, "image without alternative text (D189 §7.9); describe it: `![Binanın fasadı](bina.jpg)` or `alt=\"…\"`");
        }
        let links: Vec<(String, usize)> = markdown::links(&content.body)
            .into_iter()
            .filter(|link| link.target.starts_with("@/") || markdown::is_sibling_file(&link.target))
            .map(|link| {
                let line = body_line + content.body[..link.offset].matches('\n').count();
                (link.target, line)
            })
            .collect();
        let translation_key = parsed.translation.unwrap_or_else(|| {
            let mut key = section_path.join("/");
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(&slug);
            key
        });
        let facts = SourceFacts::Page {
            lang: self.lang.to_string(),
            section_path: section_path.to_vec(),
            slug: slug.clone(),
            translation_key: translation_key.clone(),
            weight: parsed.weight,
            declared_type: parsed
                .content_type
                .map(|(content_type, line)| (content_type.as_str().to_string(), line)),
            template,
            files,
            links: links.clone(),
        };
        self.site
            .files
            .extend(self.skipping.record(file, stat, source_hash.clone(), facts));
        self.site.pages.push(PageSource {
            lang: self.lang.to_string(),
            section_path: section_path.to_vec(),
            slug,
            translation_key,
            weight: parsed.weight,
            content,
            links,
            file: file.to_string(),
            source_hash,
            unchanged: false,
        });
    }

    /// A page whose file is unchanged since the last import: its facts go through the checks
    /// that depend on other files (its section's types, the theme's templates, the files
    /// beside it); the file itself is not read.
    fn skip_page(
        &mut self,
        path: &Path,
        file: &str,
        section_path: &[String],
        previous: PreviousFile,
    ) {
        let SourceFacts::Page {
            slug,
            translation_key,
            weight,
            declared_type,
            template,
            files,
            links,
            ..
        } = previous.facts
        else {
            return;
        };
        let declared = declared_type
            .as_ref()
            .and_then(|(name, line)| Some((name.parse::<ContentType>().ok()?, *line)));
        let content_type = self
            .check_in_site(
                path,
                file,
                section_path,
                declared,
                template.as_ref(),
                &files,
            )
            .unwrap_or(ContentType::Page);
        self.site.pages.push(PageSource {
            lang: self.lang.to_string(),
            section_path: section_path.to_vec(),
            slug,
            translation_key,
            weight,
            content: placeholder_page(
                content_type,
                template.map(|(name, _)| name),
                files.into_iter().map(|(name, _)| name).collect(),
            ),
            links,
            file: file.to_string(),
            source_hash: previous.sha256,
            unchanged: true,
        });
        self.site.kept_files.push(file.to_string());
    }

    /// The checks of a page that depend on other files: its type against its section's types,
    /// its template against the theme, the files it lists against its folder. Gives the
    /// page's type when the section settles it.
    fn check_in_site(
        &mut self,
        path: &Path,
        file: &str,
        section_path: &[String],
        declared: Option<(ContentType, usize)>,
        template: Option<&(String, usize)>,
        files: &[(String, usize)],
    ) -> Option<ContentType> {
        let section = self
            .site
            .sections
            .iter()
            .rev()
            .find(|s| s.lang == self.lang && s.path == section_path);
        let mut settled = None;
        if let Some(section) = section {
            let types = &section.content.types;
            match declared {
                Some((content_type, line)) if !types.contains(&content_type) => self.problems.at(
                    file,
                    line,
                    format!(
                        "`type` = \"{content_type}\" is not held by this section, which holds {}; change the type or add it to the section's `types`",
                        types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                    ),
                ),
                Some((content_type, _)) => settled = Some(content_type),
                None => settled = types.first().copied(),
            }
        }
        if let Some((template, line)) = template {
            check_template_name(self.site, template, file, *line, self.problems);
        }
        for (name, line) in files {
            let sibling = path.with_file_name(name);
            if !sibling.is_file() {
                self.problems.at(file, *line, format!("`files`: `{name}` is not in this folder; put the file beside the page or remove it from the list"));
            }
        }
        settled
    }

    fn read_media(
        &mut self,
        path: &Path,
        file: &str,
        section_path: &[String],
        name: &str,
        stat: Option<(u64, i64)>,
        may_skip: bool,
    ) {
        if !is_valid_file_name(name) {
            let (stem, extension) = name.rsplit_once('.').unwrap_or((name, "bin"));
            self.problems.file(
                file,
                format!(
                    "file names become URLs and may use only `a-z`, `0-9`, `-`, `_` and one extension (D189 §6.15); rename it to `{}.{}`",
                    slugify(stem),
                    extension.to_ascii_lowercase()
                ),
            );
            return;
        }
        let mut published = format!("{}/", self.lang);
        for part in section_path {
            published.push_str(part);
            published.push('/');
        }
        published.push_str(name);
        if let Some(previous) = self.skipping.take(file)
            && may_skip
            && is_unchanged(&previous, stat)
            && let SourceFacts::Media { mime, .. } = &previous.facts
        {
            self.site.media.push(MediaSource {
                mime: mime.clone(),
                path: published,
                bytes: Vec::new(),
                unchanged: true,
            });
            self.site.kept_files.push(file.to_string());
            return;
        }
        let Some(bytes) = read_bytes(path, file, self.problems) else {
            return;
        };
        // Files beside pages pass the panel's upload allow-list, checked by content: nothing a
        // browser would run is published on the public origin (issue 9, item 10).
        let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
        let mime = match crate::media::check(extension, &bytes) {
            Ok(mime) => mime,
            Err(refusal) => {
                self.problems.file(
                    file,
                    format!("{refusal}; remove the file or convert it to one of these types"),
                );
                return;
            }
        };
        let facts = SourceFacts::Media {
            path: published.clone(),
            mime: mime.to_string(),
        };
        self.site
            .files
            .extend(self.skipping.record(file, stat, sha256_hex(&bytes), facts));
        self.site.media.push(MediaSource {
            mime: mime.to_string(),
            path: published,
            bytes,
            unchanged: false,
        });
    }

    fn read_menus(&mut self, path: &Path, file: &str) {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawMenus {
            #[serde(default)]
            footer: Vec<RawItem>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawItem {
            title: String,
            link: String,
        }
        let Some(bytes) = read_bytes(path, file, self.problems) else {
            return;
        };
        let Some(text) = as_utf8(bytes, file, self.problems) else {
            return;
        };
        match toml::from_str::<RawMenus>(&text) {
            Ok(menus) => {
                let items = menus
                    .footer
                    .into_iter()
                    .map(|item| MenuItem {
                        title: item.title,
                        link: item.link,
                    })
                    .collect();
                self.site.menus.push((self.lang.to_string(), items));
            }
            Err(error) => {
                let line = error
                    .span()
                    .map(|span| crate::config::line_of(&text, span.start))
                    .unwrap_or(1);
                self.problems.at(file, line, error.message().trim_end());
            }
        }
    }
}

/// The line of the file a body limit is about: where the nesting goes too deep, or where the
/// body starts.
fn limit_line(limit: &markdown::BodyLimit, body_line: usize) -> usize {
    match limit {
        markdown::BodyLimit::TooDeep { line } => body_line + line - 1,
        markdown::BodyLimit::TooLarge { .. } => body_line,
    }
}

fn read_bytes(path: &Path, file: &str, problems: &mut Problems) -> Option<Vec<u8>> {
    fs::read(path)
        .map_err(|error| problems.file(file, format!("cannot read: {error}")))
        .ok()
}

fn as_utf8(bytes: Vec<u8>, file: &str, problems: &mut Problems) -> Option<String> {
    String::from_utf8(bytes)
        .map_err(|error| {
            let valid = error.utf8_error().valid_up_to();
            let before = &error.as_bytes()[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            problems.at(
                file,
                line,
                format!("is not UTF-8 text (byte {column} of the line); save the file as UTF-8 (D189 §6.7)"),
            )
        })
        .ok()
}

/// The line of a TOML file where `key` is set (`key = …`) or opened as a table (`[key]`).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let bare = line
                .strip_prefix(key)
                .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            let table = line
                .strip_prefix('[')
                .and_then(|rest| rest.split(']').next())
                .is_some_and(|name| name.trim().trim_matches('"') == key);
            bare || table
        })
        .map_or(1, |index| index + 1)
}

fn check_template_name(
    site: &SiteSource,
    template: &str,
    file: &str,
    line: usize,
    problems: &mut Problems,
) {
    if !site.templates.iter().any(|t| t.name == template) {
        let known: Vec<&str> = site
            .templates
            .iter()
            .map(|t| t.name.as_str())
            .filter(|n| !n.starts_with('_'))
            .collect();
        problems.at(
            file,
            line,
            format!(
                "`template`: unknown template `{template}`; the theme has {}",
                known.join(", ")
            ),
        );
    }
}

fn read_ui_strings(from: &Path, config: &Config, site: &mut SiteSource, problems: &mut Problems) {
    let mut default_keys: Option<Vec<String>> = None;
    for lang in &config.languages {
        let file = format!("i18n/{lang}.toml");
        let Some(bytes) = read_bytes(&from.join(&file), &file, problems) else {
            continue;
        };
        let Some(text) = as_utf8(bytes, &file, problems) else {
            continue;
        };
        let table: BTreeMap<String, toml::Value> = match toml::from_str(&text) {
            Ok(table) => table,
            Err(error) => {
                let line = error
                    .span()
                    .map(|span| crate::config::line_of(&text, span.start))
                    .unwrap_or(1);
                problems.at(&file, line, error.message().trim_end());
                continue;
            }
        };
        let mut strings = Vec::new();
        for (key, value) in table {
            let line = line_of_key(&text, &key);
            match value {
                toml::Value::String(value) => {
                    if let Some(problem) = crate::i18n::url_segment_problem(&key, &value) {
                        problems.at(&file, line, problem);
                    }
                    // Issue 11: the placeholders the code fills in stay as they are.
                    if let Some((expected, found)) = crate::i18n::placeholder_problem(&key, &value)
                    {
                        problems.at(
                            &file,
                            line,
                            format!("`{key}`: the site fills in {expected}, but the string has {found}; keep exactly those placeholders"),
                        );
                    }
                    strings.push((key, value));
                }
                other => problems.at(
                    &file,
                    line,
                    format!(
                        "`{key}` is a {}, but UI strings must be text; write it as `{key} = \"…\"`",
                        other.type_str()
                    ),
                ),
            }
        }
        let keys: Vec<String> = strings.iter().map(|(key, _)| key.clone()).collect();
        match &default_keys {
            None => default_keys = Some(keys),
            Some(expected) => {
                let missing: Vec<&str> = expected
                    .iter()
                    .filter(|k| !keys.contains(k))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    problems.file(
                        &file,
                        format!(
                            "missing strings (D189 §3.3: all interface text in each language): {}",
                            missing.join(", ")
                        ),
                    );
                }
                let extra: Vec<&str> = keys
                    .iter()
                    .filter(|k| !expected.contains(k))
                    .map(String::as_str)
                    .collect();
                if !extra.is_empty() {
                    problems.file(
                        &file,
                        format!(
                            "strings not in i18n/{}.toml: {}; add them there too",
                            config.languages[0],
                            extra.join(", ")
                        ),
                    );
                }
            }
        }
        site.ui_strings.push((lang.clone(), strings));
    }
}

fn read_theme(
    from: &Path,
    theme: &str,
    site: &mut SiteSource,
    skipping: &mut Skipping,
    problems: &mut Problems,
) {
    let theme_dir = from.join("themes").join(theme);
    if !theme_dir.join("templates").is_dir() {
        problems.file(
            &format!("themes/{theme}/templates"),
            "missing: the theme named in site.toml `build.theme` must have a templates folder",
        );
        return;
    }
    for (kind, folder) in [
        ("templates", theme_dir.join("templates")),
        ("static", theme_dir.join("static")),
    ] {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&folder)
            .into_iter()
            .flatten()
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| entry.into_path())
            .collect();
        files.sort();
        for path in files {
            let relative = path
                .strip_prefix(&folder)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if relative.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            let file = format!("themes/{theme}/{kind}/{relative}");
            let published = format!("static/{relative}");
            let stat = stat(&path);
            if kind == "static"
                && relative
                    .split('/')
                    .all(|part| is_valid_slug(part) || is_valid_file_name(part))
                && let Some(previous) = skipping.take(&file)
                && is_unchanged(&previous, stat)
                && let SourceFacts::Media { mime, .. } = &previous.facts
            {
                site.media.push(MediaSource {
                    mime: mime.clone(),
                    path: published,
                    bytes: Vec::new(),
                    unchanged: true,
                });
                site.kept_files.push(file.clone());
                continue;
            }
            let Some(bytes) = read_bytes(&path, &file, problems) else {
                continue;
            };
            if kind == "templates" {
                let Some(body) = as_utf8(bytes, &file, problems) else {
                    continue;
                };
                site.templates.push(TemplateSource {
                    theme: theme.to_string(),
                    name: relative,
                    body,
                });
            } else {
                if !relative
                    .split('/')
                    .all(|part| is_valid_slug(part) || is_valid_file_name(part))
                {
                    problems.file(&file, "theme file names become URLs and may use only `a-z`, `0-9`, `-`, `_` and one extension (D189 §6.15)");
                    continue;
                }
                let mime = mime_guess::from_path(&relative)
                    .first_or_octet_stream()
                    .essence_str()
                    .to_string();
                let facts = SourceFacts::Media {
                    path: published.clone(),
                    mime: mime.clone(),
                };
                site.files
                    .extend(skipping.record(&file, stat, sha256_hex(&bytes), facts));
                site.media.push(MediaSource {
                    mime,
                    path: published,
                    bytes,
                    unchanged: false,
                });
            }
        }
    }
}

/// Checks that need the whole tree: duplicates, translation keys, links.
fn validate(
    site: &SiteSource,
    known_paths: &HashSet<String>,
    pagination_segments: &HashMap<&str, &str>,
    problems: &mut Problems,
) {
    // The site's own paths; `known_paths` (the database's) are looked up beside them rather
    // than copied in (tens of thousands of strings on a large site).
    let mut paths: HashSet<String> = HashSet::with_capacity(site.sections.len() + site.pages.len());
    let mut urls: HashMap<String, &str> = HashMap::new();
    let mut section_keys: HashMap<(&str, &str), &str> = HashMap::new();
    for section in &site.sections {
        paths.insert(source_path(&section.lang, &section.path, None));
        urls.insert(
            crate::model::section_url(&section.lang, &section.path),
            &section.file,
        );
        if let Some(first) =
            section_keys.insert((&section.lang, &section.translation_key), &section.file)
        {
            problems.file(&section.file, format!("`translation` = \"{}\" is also used by {first}; each section of a language needs its own key", section.translation_key));
        }
    }
    let mut page_keys: HashMap<(&str, &str), &str> = HashMap::new();
    for page in &site.pages {
        paths.insert(source_path(
            &page.lang,
            &page.section_path,
            Some(&page.slug),
        ));
        let url = crate::model::page_url(&page.lang, &page.section_path, &page.slug);
        if let Some(first) = urls.insert(url.clone(), &page.file) {
            problems.file(
                &page.file,
                format!(
                    "duplicate slug: `{url}` is also the address of {first}; rename one of them"
                ),
            );
        }
        if pagination_segments.get(page.lang.as_str()) == Some(&page.slug.as_str()) {
            problems.file(
                &page.file,
                format!(
                    "the slug `{}` is reserved for list pages (`{}2/`); rename the file",
                    page.slug, url
                ),
            );
        }
        if let Some(first) = page_keys.insert((&page.lang, &page.translation_key), &page.file) {
            problems.file(&page.file, format!("`translation` = \"{}\" is also used by {first}; each page of a language needs its own key", page.translation_key));
        }
    }
    let media: HashSet<&str> = site.media.iter().map(|m| m.path.as_str()).collect();
    for page in &site.pages {
        for (target, line) in &page.links {
            if target.starts_with("@/") {
                let path = target.split('#').next().unwrap_or(target);
                if !paths.contains(path) && !known_paths.contains(path) {
                    problems.at(&page.file, *line, format!("broken link: `{path}` is not a page or section of the site; write the target's source path, like `@/{}/…/slug.md` or `@/{}/…/_section.md`", page.lang, page.lang));
                }
            } else {
                let mut published = format!("{}/", page.lang);
                for part in &page.section_path {
                    published.push_str(part);
                    published.push('/');
                }
                published.push_str(target);
                if !media.contains(published.as_str()) {
                    problems.at(&page.file, *line, format!("broken link: the file `{target}` is not beside this page; add it to the folder or fix the name"));
                }
            }
        }
    }
    for (lang, items) in &site.menus {
        for item in items {
            if item.link.starts_with("@/")
                && !paths.contains(&item.link)
                && !known_paths.contains(&item.link)
            {
                problems.file(
                    &format!("content/{lang}/_menus.toml"),
                    format!(
                        "broken link: `{}` is not a page or section of the site",
                        item.link
                    ),
                );
            } else if !item.link.starts_with("@/") && !crate::model::is_web_address(&item.link) {
                // The panel's rule for footer links: no `data:`, `javascript:` or other schemes.
                problems.file(
                    &format!("content/{lang}/_menus.toml"),
                    format!(
                        "the link `{}` is neither a page of the site (`@/{lang}/….md`) nor an address on the web (`https://…`); write one of those",
                        item.link
                    ),
                );
            }
        }
    }
}

/// Writes a site in canonical form into `to` (`content/`, `themes/`, `i18n/`), which must not
/// hold any of them yet.
pub fn write_site(site: &SiteSource, to: &Path, theme: &str) -> anyhow::Result<()> {
    for folder in ["content", "themes", "i18n"] {
        let path = to.join(folder);
        if path.exists()
            && fs::read_dir(&path)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(UserError::new(format!(
                "`{}` already exists and is not empty; export into a new folder so nothing is overwritten",
                path.display()
            ))
            .into());
        }
    }
    let write = |relative: String, bytes: &[u8]| -> anyhow::Result<()> {
        let path = to.join(&relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("failed to write {}", path.display()))
    };
    let folder_of = |lang: &str, path: &[String]| {
        let mut folder = format!("content/{lang}/");
        for part in path {
            folder.push_str(part);
            folder.push('/');
        }
        folder
    };
    for section in &site.sections {
        let text = front_matter::write_section(&section.translation_key, &section.content);
        write(
            format!("{}_section.md", folder_of(&section.lang, &section.path)),
            text.as_bytes(),
        )?;
    }
    for page in &site.pages {
        let text = front_matter::write_page(&page.translation_key, page.weight, &page.content);
        write(
            format!(
                "{}{}.md",
                folder_of(&page.lang, &page.section_path),
                page.slug
            ),
            text.as_bytes(),
        )?;
    }
    for media in &site.media {
        match media.path.strip_prefix("static/") {
            Some(relative) => write(format!("themes/{theme}/static/{relative}"), &media.bytes)?,
            None => write(format!("content/{}", media.path), &media.bytes)?,
        }
    }
    for template in &site.templates {
        write(
            format!("themes/{}/templates/{}", template.theme, template.name),
            template.body.as_bytes(),
        )?;
    }
    for (lang, strings) in &site.ui_strings {
        let mut sorted: Vec<&(String, String)> = strings.iter().collect();
        sorted.sort();
        let mut text = String::new();
        for (key, value) in sorted {
            let bare = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            let key = if bare {
                key.clone()
            } else {
                front_matter::toml_string(key)
            };
            text.push_str(&format!("{key} = {}\n", front_matter::toml_string(value)));
        }
        write(format!("i18n/{lang}.toml"), text.as_bytes())?;
    }
    for (lang, items) in &site.menus {
        let blocks: Vec<String> = items
            .iter()
            .map(|item| {
                format!(
                    "[[footer]]\ntitle = {}\nlink = {}\n",
                    front_matter::toml_string(&item.title),
                    front_matter::toml_string(&item.link)
                )
            })
            .collect();
        write(
            format!("content/{lang}/_menus.toml"),
            blocks.join("\n").as_bytes(),
        )?;
    }
    Ok(())
}

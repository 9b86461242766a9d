//! The domain types: sections, pages and their revisions, the Dublin Core record, media,
//! templates, UI strings and menus. Plain data shared by `content`, `store`, `render`, `build`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// What a page is; each section says which types it holds. Search filters and admin
/// permissions use these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentType {
    Page,
    News,
    /// A page whose point is its attached files.
    Document,
    Announcement,
}

impl ContentType {
    pub const ALL: [ContentType; 4] = [
        ContentType::Page,
        ContentType::News,
        ContentType::Document,
        ContentType::Announcement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Page => "page",
            ContentType::News => "news",
            ContentType::Document => "document",
            ContentType::Announcement => "announcement",
        }
    }

    /// Dated items are listed newest first and appear in feeds.
    pub fn is_dated(self) -> bool {
        !matches!(self, ContentType::Page)
    }
}

impl FromStr for ContentType {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        ContentType::ALL
            .into_iter()
            .find(|t| t.as_str() == text)
            .ok_or_else(|| format!("unknown content type `{text}`; expected one of `page`, `news`, `document`, `announcement`"))
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The workflow status of a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Review,
    Published,
    Unpublished,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Review,
        Status::Published,
        Status::Unpublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
            Status::Unpublished => "unpublished",
        }
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("unknown status `{text}`; expected one of `draft`, `review`, `published`, `unpublished`"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A date, or a date and time with an offset, kept exactly as written (`2026-11-22` or
/// `2026-11-22T09:30:00+04:00`) so that export reproduces it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Stamp(String);

impl Stamp {
    /// Parses and checks the text; the error says what was expected.
    pub fn parse(text: &str) -> Result<Stamp, String> {
        let stamp = Stamp(text.to_string());
        stamp.instant(UtcOffset::UTC).map(|_| stamp).ok_or_else(|| {
            format!("`{text}` is not a date; write `2026-11-22` or `2026-11-22T09:30:00+04:00`")
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_date_only(&self) -> bool {
        self.0.len() == 10
    }

    /// The calendar date as written.
    pub fn date(&self) -> Option<Date> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(self.0.get(..10)?, format).ok()
    }

    /// The moment this stamp stands for; a bare date means midnight at `site_offset`.
    pub fn instant(&self, site_offset: UtcOffset) -> Option<OffsetDateTime> {
        let date = self.date()?;
        if self.is_date_only() {
            return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(site_offset));
        }
        OffsetDateTime::parse(&self.0, &time::format_description::well_known::Rfc3339).ok()
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Dublin Core elements a page may set itself (D189 §4.6–4.7). `title`, `description`,
/// `date` and `subject` (keywords) live on the revision; missing elements get defaults from
/// `site.toml` when rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct DublinCore {
    pub creator: Option<String>,
    pub subject: Option<String>,
    pub contributor: Option<String>,
    pub publisher: Option<String>,
    pub dc_type: Option<String>,
    pub format: Option<String>,
    pub identifier: Option<String>,
    pub source: Option<String>,
    pub language: Option<String>,
    pub relation: Option<String>,
    pub coverage: Option<String>,
    pub rights: Option<String>,
}

impl DublinCore {
    /// The element names in canonical order, with their values.
    pub fn fields(&self) -> [(&'static str, &Option<String>); 12] {
        [
            ("creator", &self.creator),
            ("subject", &self.subject),
            ("contributor", &self.contributor),
            ("publisher", &self.publisher),
            ("type", &self.dc_type),
            ("format", &self.format),
            ("identifier", &self.identifier),
            ("source", &self.source),
            ("language", &self.language),
            ("relation", &self.relation),
            ("coverage", &self.coverage),
            ("rights", &self.rights),
        ]
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "creator" => &mut self.creator,
            "subject" => &mut self.subject,
            "contributor" => &mut self.contributor,
            "publisher" => &mut self.publisher,
            "type" => &mut self.dc_type,
            "format" => &mut self.format,
            "identifier" => &mut self.identifier,
            "source" => &mut self.source,
            "language" => &mut self.language,
            "relation" => &mut self.relation,
            "coverage" => &mut self.coverage,
            "rights" => &mut self.rights,
            _ => return None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, value)| value.is_none())
    }
}

/// A published correction (D189 §4.3): when, and the explanation shown to readers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Correction {
    pub date: Stamp,
    pub note: String,
}

/// Everything one revision of a page says: its text, metadata and workflow state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PageContent {
    pub title: String,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub content_type: ContentType,
    pub status: Status,
    pub template: Option<String>,
    pub created: Option<Stamp>,
    pub issued: Option<Stamp>,
    pub modified: Option<Stamp>,
    pub publish_at: Option<Stamp>,
    pub valid_until: Option<Stamp>,
    pub summary: Option<String>,
    pub files: Vec<String>,
    pub dc: DublinCore,
    pub correction: Option<Correction>,
    pub body: String,
}

/// Everything a section says; sections form a tree per language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SectionContent {
    pub title: String,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub types: Vec<ContentType>,
    pub weight: i64,
    pub menu: bool,
    pub template: Option<String>,
    pub page_size: Option<u32>,
    pub body: String,
}

/// One footer link of a language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MenuItem {
    pub title: String,
    /// `@/az/…/x.md` for a page or section of the site, or an absolute URL.
    pub link: String,
}

/// A section in the exchange format: where it sits and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSource {
    pub lang: String,
    /// Slugs from the language root, empty for the root section (the home page).
    pub path: Vec<String>,
    pub translation_key: String,
    pub content: SectionContent,
    /// `content/az/xeberler/_section.md`, for messages.
    pub file: String,
    pub source_hash: String,
    /// The file was not read: its size and mtime match the last import, which stored it. Only
    /// what checks across files use is set (`translation_key`, `content.types`,
    /// `content.template`); import leaves the section as it is.
    pub unchanged: bool,
}

/// A page in the exchange format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSource {
    pub lang: String,
    pub section_path: Vec<String>,
    pub slug: String,
    pub translation_key: String,
    pub weight: i64,
    pub content: PageContent,
    /// Internal links (`@/…`) found in the body, with their 1-based line in the file.
    pub links: Vec<(String, usize)>,
    pub file: String,
    pub source_hash: String,
    /// The file was not read: its size and mtime match the last import, which stored it. Only
    /// what checks across files use is set (`translation_key`, `weight`, `links`,
    /// `content.content_type`, `content.template`, `content.files`); import leaves the page
    /// as it is.
    pub unchanged: bool,
}

/// A stored file: an attachment beside pages, or a theme's static asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSource {
    /// Where it is published, relative to the site root: `az/senedler/hesabat.pdf`,
    /// `static/css/site.css`.
    pub path: String,
    pub bytes: Vec<u8>,
    pub mime: String,
    /// The file was not read (size and mtime match the last import): `bytes` is empty and
    /// import leaves the stored file as it is.
    pub unchanged: bool,
}

/// A template of a theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    pub theme: String,
    pub name: String,
    pub body: String,
}

/// Everything `import` reads and `export` writes.
#[derive(Debug, Clone, Default)]
pub struct SiteSource {
    pub sections: Vec<SectionSource>,
    pub pages: Vec<PageSource>,
    pub media: Vec<MediaSource>,
    pub templates: Vec<TemplateSource>,
    /// Per language, key → text.
    pub ui_strings: Vec<(String, Vec<(String, String)>)>,
    /// Per language, footer links.
    pub menus: Vec<(String, Vec<MenuItem>)>,
    /// The pages, sections and media files that were read, as import remembers them.
    pub files: Vec<SourceFile>,
    /// The relative paths of those not read (unchanged since the last import): their records
    /// stay as they are.
    pub kept_files: Vec<String>,
}

/// A source file as import remembers it, so that the next import can skip it when its size
/// and modification time are the same (`source_files` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Relative to the imported folder: `content/az/xeberler/x.md`.
    pub file: String,
    pub size: u64,
    /// Nanoseconds since the Unix epoch; `None` when the file changed so shortly before it was
    /// read that a later change could keep the same mtime (it is then read again next time).
    pub mtime_ns: Option<i64>,
    pub sha256: String,
    pub facts: SourceFacts,
}

/// What the checks across files (and the store's test that the database still holds what the
/// file gave) need of a file that is not read again. Lines are 1-based lines in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFacts {
    Page {
        lang: String,
        section_path: Vec<String>,
        slug: String,
        translation_key: String,
        weight: i64,
        /// `type` as written in the front matter, if it was.
        declared_type: Option<(String, usize)>,
        template: Option<(String, usize)>,
        files: Vec<(String, usize)>,
        links: Vec<(String, usize)>,
    },
    Section {
        lang: String,
        path: Vec<String>,
        translation_key: String,
        types: Vec<String>,
        template: Option<(String, usize)>,
    },
    Media {
        /// Where it is published: `az/senedler/hesabat.pdf`, `static/css/site.css`.
        path: String,
        mime: String,
    },
}

/// A file as the last import stored it, and what it knew of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousFile {
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: String,
    pub facts: SourceFacts,
}

/// The `@/…` source path of a page or section, the form links use.
pub fn source_path(lang: &str, section_path: &[String], slug: Option<&str>) -> String {
    let mut path = format!("@/{lang}/");
    for part in section_path {
        path.push_str(part);
        path.push('/');
    }
    match slug {
        Some(slug) => {
            path.push_str(slug);
            path.push_str(".md");
        }
        None => path.push_str("_section.md"),
    }
    path
}

/// Where an entry of a page's `files` list is stored, relative to the public folder: a name
/// beside the page (`hesabat.pdf` in `/az/senedler/` → `az/senedler/hesabat.pdf`), or a
/// media-library address as the library shows it (`/files/xeberler/x.pdf` → `files/xeberler/x.pdf`;
/// issue 11: such entries were ignored).
pub fn attachment_path(section_url: &str, entry: &str) -> String {
    match entry.strip_prefix('/') {
        Some(address) => address.to_string(),
        None if entry.starts_with("files/") => entry.to_string(),
        None => format!("{}{entry}", section_url.trim_start_matches('/')),
    }
}

/// The public URL path of a section: `/az/xeberler/`.
pub fn section_url(lang: &str, section_path: &[String]) -> String {
    let mut url = format!("/{lang}/");
    for part in section_path {
        url.push_str(part);
        url.push('/');
    }
    url
}

/// The public URL path of a page: `/az/xeberler/slug/`.
pub fn page_url(lang: &str, section_path: &[String], slug: &str) -> String {
    let mut url = section_url(lang, section_path);
    url.push_str(slug);
    url.push('/');
    url
}

/// Is a link an address on the web (`https://…`, `http://…`)? A footer link is one of these
/// or a page or section of the site (`@/…`); anything else (`data:`, `javascript:`, `//host`)
/// is refused, in the panel and at import alike.
pub fn is_web_address(link: &str) -> bool {
    let lowered = link.to_ascii_lowercase();
    (lowered.starts_with("https://") || lowered.starts_with("http://"))
        && link.len() > "https://".len()
        && !link.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_parse_stamps() {
        let offset = UtcOffset::from_hms(4, 0, 0).unwrap();
        let date = Stamp::parse("2026-11-22").unwrap();
        assert!(date.is_date_only());
        assert_eq!(
            date.instant(offset)
                .unwrap()
                .to_offset(UtcOffset::UTC)
                .hour(),
            20
        );
        let moment = Stamp::parse("2026-11-22T09:30:00+04:00").unwrap();
        assert_eq!(
            moment
                .instant(offset)
                .unwrap()
                .to_offset(UtcOffset::UTC)
                .hour(),
            5
        );
        assert!(Stamp::parse("22.11.2026").is_err());
        assert!(Stamp::parse("2026-13-01").is_err());
    }

    #[test]
    fn can_make_urls() {
        let path = vec!["haqqimizda".to_string(), "struktur".to_string()];
        assert_eq!(section_url("az", &path), "/az/haqqimizda/struktur/");
        assert_eq!(
            page_url("az", &path, "idare"),
            "/az/haqqimizda/struktur/idare/"
        );
        assert_eq!(
            source_path("az", &path, None),
            "@/az/haqqimizda/struktur/_section.md"
        );
        assert_eq!(source_path("en", &[], Some("x")), "@/en/x.md");
    }
}

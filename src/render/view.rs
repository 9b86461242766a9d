//! The site as readers see it: URLs, section tree, lists and pagination, language alternates,
//! menus; every output file with a digest of exactly the inputs it is rendered from.

use std::collections::BTreeMap;
use std::fmt::Write as _;

// FxHash: every publish hashes the keys of 50,000 pages several times; these maps never hold
// keys chosen by an attacker against a live server, only the site's own content.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::Serialize;
use tera::Value;

use super::{RENDER_VERSION, feeds};
use crate::config::Config;
use crate::content::{PAGINATION_SEGMENT_KEY, sha256_hex};
use crate::model::{Stamp, page_url, section_url};
use crate::store::{LivePage, MediaRecord, SectionRecord, SiteModel};

/// One file of the published site.
#[derive(Debug, Clone)]
pub struct Output {
    /// Relative to the public folder: `az/xeberler/index.html`.
    pub path: String,
    /// Fingerprint of every input the file is made from.
    pub digest: String,
    pub kind: OutputKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// Part `part` (from 1) of a page; `text_only` for its twin under `/text/` (D189 §6.3.4).
    Page {
        index: usize,
        part: usize,
        text_only: bool,
    },
    /// Page `number` (from 1) of a section's list.
    List {
        section: usize,
        number: usize,
        text_only: bool,
    },
    /// The HTML site map of a language (D189 §4.9.3).
    SiteMapPage {
        lang: String,
        text_only: bool,
    },
    /// The search page of a language: the form, and the place where `serve` puts the results
    /// (D189 §4.9.2, §4.10).
    SearchPage {
        lang: String,
        text_only: bool,
    },
    /// An error page (D189 §6.25–6.26): 401, 403, 404 or 500.
    Error {
        lang: String,
        code: u16,
    },
    Feed {
        lang: String,
        section: Option<usize>,
        atom: bool,
    },
    Sitemap {
        part: Option<usize>,
    },
    /// `_redirects`: one `from to` line per redirect, read by `govsite serve`.
    RedirectMap,
    /// A static page at an old address pointing to the new one, for copies of `public/`
    /// served by other web servers.
    RedirectStub {
        to: String,
    },
    /// A stored file, copied as is; the publisher fetches its bytes.
    Media {
        path: String,
    },
}

/// Which objects a partial plan covers, by index into the model's pages and sections.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub pages: HashSet<usize>,
    pub sections: HashSet<usize>,
    /// Sections of which only these pages of the list (from 1) are planned: the changed pages
    /// kept their places, so the other pages of a long list are as they were.
    pub list_pages: HashMap<usize, std::collections::BTreeSet<usize>>,
}

/// Sections with at most this many pages list them in the menu shown on each of their pages.
const SECTION_MENU_PAGES: usize = 30;

/// The HTML site map shows this many of the newest items of a dated section.
pub(super) const SITEMAP_SECTION_ITEMS: usize = 10;

/// Above this many URLs the sitemap is split into parts under an index (sitemaps.org limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// The theme's icon, also published at `/favicon.ico`.
pub const FAVICON: &str = "static/favicon.ico";

/// The error pages every language gets (D189 §6.25).
pub const ERROR_CODES: [u16; 4] = [401, 403, 404, 500];

/// The UI string naming the HTML site map's address (`/az/sayt-xeritesi/`).
pub const SITEMAP_SEGMENT_KEY: &str = "sitemap_segment";

/// The UI string naming the search page's address (`/az/axtaris/`).
pub const SEARCH_SEGMENT_KEY: &str = "search_segment";

#[derive(Serialize, Clone)]
pub(super) struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Serialize, Clone)]
pub(super) struct Alternate {
    pub lang: String,
    pub url: String,
    pub name: String,
    pub current: bool,
}

/// Everything derived from the model that rendering needs: URLs, the section tree, list order,
/// language alternates, menus, the shared inputs of each language. Owned, so that `serve` can
/// keep it between publishes and reuse it while the changed pages keep their place
/// ([`same_place`]): deriving it again for 50,000 pages is most of a one-page publish.
pub struct SiteLayout {
    pub(super) section_index: HashMap<i64, usize>,
    pub(super) page_index: HashMap<i64, usize>,
    pub(super) children: Vec<Vec<usize>>,
    /// Live pages of each section, in list order (expired ones included; lists skip them).
    pub(super) section_pages: Vec<Vec<usize>>,
    pub(super) roots: HashMap<String, usize>,
    pub(super) page_urls: Vec<String>,
    pub(super) section_urls: Vec<String>,
    /// Language → translation key → live page.
    pub(super) live_by_key: HashMap<String, HashMap<String, usize>>,
    /// Language → translation key → section.
    pub(super) section_by_key: HashMap<String, HashMap<String, usize>>,
    /// Per language: the digest of the shared inputs (templates, strings, menus, identity, files).
    pub(super) lang_digests: HashMap<String, String>,
    /// Per language: the values every template gets (`site`, `t`, `menu`, `footer`).
    pub(super) lang_values: HashMap<String, [(&'static str, Value); 4]>,
    /// Per language: the newest dated items, for the home page and the language feeds.
    pub(super) latest: HashMap<String, Vec<usize>>,
    /// Per language: the newest publication date of any live page, for pages without their own.
    pub(super) newest_date: HashMap<String, String>,
    /// Per section: titles and URLs of its subsections and (for undated sections) pages, the
    /// local menu shown in the main block of its pages (D189 §7.4).
    pub(super) section_menus: Vec<(Vec<Link>, String)>,
    pub(super) media_by_path: HashMap<String, usize>,
    /// URLs per sitemap file; [`SITEMAP_LIMIT`] except in tests.
    pub(super) sitemap_limit: usize,
    /// What every plan needs of the whole site, computed on first use: it too depends only on
    /// what [`same_place`] compares.
    site_wide: std::sync::OnceLock<SiteWide>,
}

/// The parts of a plan that walk every page.
struct SiteWide {
    /// The sitemap's digest and its number of URLs.
    sitemap: (String, usize),
    redirects: Vec<(String, String)>,
    /// Page address without its leading slash → the pages there (one, unless slugs collide).
    pages_at: HashMap<String, Vec<usize>>,
}

/// Whether the layout derived with `old` holds with `new` in its place: the same page, at the
/// same address, in the same place of its lists, menus and site maps, with the same dates.
/// Its text, summary and files may differ (their outputs are planned by digest as ever).
pub fn same_place(old: &LivePage, new: &LivePage) -> bool {
    old.page_id == new.page_id
        && old.lang == new.lang
        && old.section_id == new.section_id
        && old.slug == new.slug
        && old.translation_key == new.translation_key
        && old.weight == new.weight
        && old.expired == new.expired
        && old.content.content_type == new.content.content_type
        && old.content.title == new.content.title
        && old.content.issued == new.content.issued
        && published_date(old) == published_date(new)
        && sitemap_date(old) == sitemap_date(new)
}

/// The last modification date the sitemap gives a page (`YYYY-MM-DD`), if any.
fn sitemap_date(page: &LivePage) -> Option<&str> {
    sitemap_lastmod(page).and_then(stamp_date)
}

/// A page's last modification as the sitemap gives it: `modified`, else `issued`.
fn sitemap_lastmod(page: &LivePage) -> Option<&Stamp> {
    page.content
        .modified
        .as_ref()
        .or(page.content.issued.as_ref())
}

/// The date part of a stamp as written (`YYYY-MM-DD`), what the sitemap's digest holds.
fn stamp_date(stamp: &Stamp) -> Option<&str> {
    stamp.as_str().get(..10)
}

/// The site as rendering sees it: the model and what is derived from it.
pub struct SiteView<'a> {
    pub config: &'a Config,
    pub model: &'a SiteModel,
    pub(super) layout: SiteLayout,
}

impl<'a> SiteView<'a> {
    pub fn new(config: &'a Config, model: &'a SiteModel) -> SiteView<'a> {
        let layout = SiteLayout::derive(config, model);
        SiteView::with_layout(config, model, layout)
    }

    /// A view over `model` with a layout derived earlier from a model whose pages were each in
    /// the same place ([`same_place`]) and whose sections, menus, strings, templates and files
    /// were the same.
    pub fn with_layout(
        config: &'a Config,
        model: &'a SiteModel,
        layout: SiteLayout,
    ) -> SiteView<'a> {
        SiteView {
            config,
            model,
            layout,
        }
    }

    /// The layout, to keep for the next publish.
    pub fn into_layout(self) -> SiteLayout {
        self.layout
    }
}

impl SiteLayout {
    fn derive(config: &Config, model: &SiteModel) -> SiteLayout {
        let section_index: HashMap<i64, usize> = model
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        let mut children = vec![Vec::new(); model.sections.len()];
        let mut roots = HashMap::default();
        for (index, section) in model.sections.iter().enumerate() {
            match section.parent_id.and_then(|id| section_index.get(&id)) {
                Some(&parent) => children[parent].push(index),
                None => {
                    roots.insert(section.lang.clone(), index);
                }
            }
        }
        for list in &mut children {
            list.sort_by(|&a, &b| {
                let (a, b) = (&model.sections[a], &model.sections[b]);
                (a.content.weight, &a.path).cmp(&(b.content.weight, &b.path))
            });
        }
        let section_urls: Vec<String> = model
            .sections
            .iter()
            .map(|s| section_url(&s.lang, &s.path))
            .collect();
        let mut section_pages = vec![Vec::new(); model.sections.len()];
        let mut page_urls = Vec::with_capacity(model.pages.len());
        let mut page_index =
            HashMap::with_capacity_and_hasher(model.pages.len(), Default::default());
        let mut live_by_key: HashMap<String, HashMap<String, usize>> = HashMap::default();
        for (index, page) in model.pages.iter().enumerate() {
            let section = section_index.get(&page.section_id).copied();
            page_urls.push(match section {
                Some(section) => page_url(&page.lang, &model.sections[section].path, &page.slug),
                None => String::new(),
            });
            if let Some(section) = section {
                section_pages[section].push(index);
            }
            page_index.insert(page.page_id, index);
            live_by_key
                .entry(page.lang.clone())
                .or_default()
                .insert(page.translation_key.clone(), index);
        }
        let offset = config.utc_offset;
        // Publication moments, parsed once: the sorts below compare them many times.
        let issued: Vec<i64> = model
            .pages
            .iter()
            .map(|page| {
                page.content
                    .issued
                    .as_ref()
                    .and_then(|s| s.instant(offset))
                    .map(|t| t.unix_timestamp())
                    .unwrap_or(0)
            })
            .collect();
        let issued_at = |index: usize| issued[index];
        for list in &mut section_pages {
            list.sort_by(|&a, &b| {
                let (pa, pb) = (&model.pages[a], &model.pages[b]);
                let dated_a = if pa.content.content_type.is_dated() {
                    -issued_at(a)
                } else {
                    0
                };
                let dated_b = if pb.content.content_type.is_dated() {
                    -issued_at(b)
                } else {
                    0
                };
                (pa.weight, dated_a, &pa.slug).cmp(&(pb.weight, dated_b, &pb.slug))
            });
        }
        let mut section_by_key: HashMap<String, HashMap<String, usize>> = HashMap::default();
        for (index, section) in model.sections.iter().enumerate() {
            section_by_key
                .entry(section.lang.clone())
                .or_default()
                .insert(section.translation_key.clone(), index);
        }
        let mut latest: HashMap<String, Vec<usize>> = HashMap::default();
        let mut newest_date: HashMap<String, String> = HashMap::default();
        for (index, page) in model.pages.iter().enumerate() {
            if page.content.content_type.is_dated() && !page.expired {
                latest.entry(page.lang.clone()).or_default().push(index);
            }
            let date = published_date(page);
            match newest_date.get_mut(page.lang.as_str()) {
                Some(newest) if date > *newest => *newest = date,
                Some(_) => {}
                None => {
                    newest_date.insert(page.lang.clone(), date);
                }
            }
        }
        for list in latest.values_mut() {
            list.sort_by(|&a, &b| {
                (issued_at(b), &page_urls[a]).cmp(&(issued_at(a), &page_urls[b]))
            });
            list.truncate(config.feed_size as usize);
        }
        let media_by_path = model
            .media
            .iter()
            .enumerate()
            .map(|(i, m)| (m.path.clone(), i))
            .collect();
        let layout = SiteLayout {
            section_index,
            page_index,
            children,
            section_pages,
            roots,
            page_urls,
            section_urls,
            live_by_key,
            section_by_key,
            lang_digests: HashMap::default(),
            lang_values: HashMap::default(),
            latest,
            newest_date,
            section_menus: Vec::new(),
            media_by_path,
            sitemap_limit: SITEMAP_LIMIT,
            site_wide: std::sync::OnceLock::new(),
        };
        // Menus and the shared inputs of each language read the layout derived so far.
        let mut view = SiteView::with_layout(config, model, layout);
        let section_menus = (0..model.sections.len())
            .map(|index| view.section_menu(index))
            .collect();
        let mut lang_digests = HashMap::default();
        let mut lang_values = HashMap::default();
        for lang in &config.languages {
            let (digest, values) = view.language_shared(lang);
            lang_digests.insert(lang.clone(), digest);
            lang_values.insert(lang.clone(), values);
        }
        view.layout.section_menus = section_menus;
        view.layout.lang_digests = lang_digests;
        view.layout.lang_values = lang_values;
        view.layout
    }
}

impl<'a> SiteView<'a> {
    /// The live page of a language with a translation key.
    fn live_page(&self, lang: &str, key: &str) -> Option<usize> {
        self.layout.live_by_key.get(lang)?.get(key).copied()
    }

    /// The section of a language with a translation key.
    fn section_in(&self, lang: &str, key: &str) -> Option<usize> {
        self.layout.section_by_key.get(lang)?.get(key).copied()
    }

    pub(super) fn strings(&self, lang: &str) -> &BTreeMap<String, String> {
        static EMPTY: std::sync::LazyLock<BTreeMap<String, String>> =
            std::sync::LazyLock::new(Default::default);
        self.model.ui_strings.get(lang).unwrap_or(&EMPTY)
    }

    pub(super) fn text(&self, lang: &str, key: &str) -> String {
        crate::i18n::text(self.strings(lang), key).into_owned()
    }

    /// Resolves an internal `@/…` link to a URL.
    pub(super) fn resolve_link(&self, link: &str) -> Option<String> {
        let rest = link.strip_prefix("@/")?;
        let (lang, rest) = rest.split_once('/')?;
        let mut parts: Vec<String> = rest.split('/').map(str::to_string).collect();
        let file = parts.pop()?;
        if file == "_section.md" {
            Some(section_url(lang, &parts))
        } else {
            Some(page_url(lang, &parts, file.strip_suffix(".md")?))
        }
    }

    /// The page every footer links to (D189 §10.1.8): translation key `personal-data`.
    fn personal_data_url(&self, lang: &str) -> Option<String> {
        self.live_page(lang, "personal-data")
            .map(|i| self.layout.page_urls[i].clone())
    }

    /// The search page's URL in a language (`/az/axtaris/`, `/en/search/`).
    pub fn search_page_url(&self, lang: &str) -> String {
        format!("/{lang}/{}/", self.text(lang, SEARCH_SEGMENT_KEY))
    }

    /// The sections a search can be limited to, in tree order, indented by depth.
    pub(super) fn search_sections(&self, lang: &str) -> Vec<(String, String)> {
        let mut sections = Vec::new();
        let mut stack: Vec<(usize, usize)> = self
            .layout
            .roots
            .get(lang)
            .map(|&r| (r, 0))
            .into_iter()
            .collect();
        while let Some((index, depth)) = stack.pop() {
            if depth > 0 {
                let indent = "\u{a0}\u{a0}".repeat(depth - 1);
                sections.push((
                    format!("{indent}{}", self.model.sections[index].content.title),
                    self.layout.section_urls[index].clone(),
                ));
            }
            stack.extend(
                self.layout.children[index]
                    .iter()
                    .rev()
                    .map(|&c| (c, depth + 1)),
            );
        }
        sections
    }

    /// The HTML site map's URL in a language.
    pub fn sitemap_page_url(&self, lang: &str) -> String {
        format!("/{lang}/{}/", self.text(lang, SITEMAP_SEGMENT_KEY))
    }

    /// The main menu (sections marked `menu`, in tree order), footer, identity and strings of a
    /// language; shared by all its pages, and their digest.
    fn language_shared(&self, lang: &'a str) -> (String, [(&'static str, Value); 4]) {
        let mut menu = Vec::new();
        let mut stack: Vec<usize> = self.layout.roots.get(lang).into_iter().copied().collect();
        while let Some(index) = stack.pop() {
            let section = &self.model.sections[index];
            if section.content.menu {
                menu.push(Link {
                    title: section.content.title.clone(),
                    url: self.layout.section_urls[index].clone(),
                });
            }
            stack.extend(self.layout.children[index].iter().rev());
        }
        let footer: Vec<Link> = self
            .model
            .footer
            .get(lang)
            .map(|items| {
                items
                    .iter()
                    .map(|item| Link {
                        title: item.title.clone(),
                        url: self
                            .resolve_link(&item.link)
                            .unwrap_or_else(|| item.link.clone()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        // The footer repeats the main menu (D189 §7.8); its own links add what the menu lacks.
        // The personal-data page has its own link beside the copyright (D189 §10.1.8), so a
        // footer item to it would name it twice, in two wordings (issue 16).
        let personal_data = self.personal_data_url(lang);
        let footer: Vec<Link> = footer
            .into_iter()
            .filter(|link| !menu.iter().any(|m| m.url == link.url))
            .filter(|link| personal_data.as_deref() != Some(link.url.as_str()))
            .collect();
        let config = self.config;
        let languages: Vec<Alternate> = config
            .languages
            .iter()
            .map(|code| Alternate {
                lang: code.clone(),
                url: format!("/{code}/"),
                name: self.text(code, "language_name"),
                current: code == lang,
            })
            .collect();
        let site = serde_json::json!({
            "name": config.localized(&config.name, lang),
            "domain": config.domain,
            "base_url": config.base_url,
            "email": config.email,
            "phone": config.phone,
            "phone_href": format!("tel:{}", config.phone.replace(' ', "")),
            "address": config.localized(&config.address, lang),
            "lang": lang,
            "home_url": format!("/{lang}/"),
            "languages": languages,
            "feed_atom": format!("/{lang}/atom.xml"),
            "feed_rss": format!("/{lang}/rss.xml"),
            "sitemap_url": self.sitemap_page_url(lang),
            "search_url": self.search_page_url(lang),
            "personal_data_url": self.personal_data_url(lang),
        });
        let strings = self.strings(lang);
        let mut key = String::new();
        let _ = write!(
            key,
            "{RENDER_VERSION}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            site,
            serde_json::to_string(&menu).unwrap_or_default(),
            serde_json::to_string(&footer).unwrap_or_default(),
            serde_json::to_string(strings).unwrap_or_default(),
            serde_json::to_string(&config.dublin_core_defaults(lang)).unwrap_or_default(),
        );
        for (name, body) in &self.model.templates {
            let _ = write!(key, "\u{1f}{name}\u{1f}{}", sha256_hex(body.as_bytes()));
        }
        // Download links anywhere carry the size of the file they point to (D189 §6.18).
        for media in &self.model.media {
            let _ = write!(key, "\u{1f}{}\u{1f}{}", media.path, media.size);
        }
        let values = [
            ("site", Value::from_serializable(&site)),
            ("t", Value::from_serializable(strings)),
            ("menu", Value::from_serializable(&menu)),
            ("footer", Value::from_serializable(&footer)),
        ];
        (sha256_hex(key.as_bytes()), values)
    }

    /// Subsections and, unless the section is a dated list, its pages.
    fn section_menu(&self, index: usize) -> (Vec<Link>, String) {
        let mut links: Vec<Link> = self.layout.children[index]
            .iter()
            .map(|&c| Link {
                title: self.model.sections[c].content.title.clone(),
                url: self.layout.section_urls[c].clone(),
            })
            .collect();
        let listed = self.listed(index);
        // A long list is reached through the section's own paginated list; repeating it on
        // every page would make each page (and the build) grow with the section.
        if !self.holds_dated(index) && listed.len() <= SECTION_MENU_PAGES {
            links.extend(listed.into_iter().map(|i| Link {
                title: self.model.pages[i].content.title.clone(),
                url: self.layout.page_urls[i].clone(),
            }));
        }
        let mut key = String::new();
        for link in &links {
            let _ = write!(key, "{}\u{1f}{}\u{1f}", link.title, link.url);
        }
        // Pages carry the digest, not the whole list, in their own keys.
        (links, sha256_hex(key.as_bytes()))
    }

    pub(super) fn section_of(&self, page: &LivePage) -> Option<usize> {
        self.layout.section_index.get(&page.section_id).copied()
    }

    /// Sections from the home page down to this one.
    fn ancestors(&self, mut index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        while let Some(parent) = self.model.sections[index]
            .parent_id
            .and_then(|id| self.layout.section_index.get(&id))
        {
            index = *parent;
            chain.push(index);
            if chain.len() > 64 {
                break;
            }
        }
        chain.reverse();
        chain
    }

    /// Title and URL of each section in the chain, and their digest.
    pub(super) fn breadcrumbs(&self, section: usize) -> (Vec<Link>, String) {
        let links: Vec<Link> = self
            .ancestors(section)
            .iter()
            .map(|&i| Link {
                title: self.model.sections[i].content.title.clone(),
                url: self.layout.section_urls[i].clone(),
            })
            .collect();
        let mut key = String::new();
        for link in &links {
            let _ = write!(key, "{}\u{1f}{}\u{1f}", link.title, link.url);
        }
        (links, key)
    }

    /// D189 §3.4: the same page in each other language; failing that, the first page of the
    /// current section in that language; failing that, that language's home page.
    pub(super) fn page_alternates(&self, page: &LivePage) -> Vec<Alternate> {
        let section_key = self
            .section_of(page)
            .map(|i| self.model.sections[i].translation_key.as_str());
        self.config
            .languages
            .iter()
            .map(|lang| {
                let url = if let Some(other) = self.live_page(lang, &page.translation_key) {
                    self.layout.page_urls[other].clone()
                } else if let Some(other) = section_key.and_then(|key| self.section_in(lang, key)) {
                    self.layout.section_urls[other].clone()
                } else {
                    format!("/{lang}/")
                };
                Alternate {
                    lang: lang.clone(),
                    url,
                    name: self.text(lang, "language_name"),
                    current: *lang == page.lang,
                }
            })
            .collect()
    }

    pub(super) fn section_alternates(&self, section: &SectionRecord) -> Vec<Alternate> {
        self.config
            .languages
            .iter()
            .map(|lang| {
                let url = match self.section_in(lang, &section.translation_key) {
                    Some(other) => self.layout.section_urls[other].clone(),
                    None => format!("/{lang}/"),
                };
                Alternate {
                    lang: lang.clone(),
                    url,
                    name: self.text(lang, "language_name"),
                    current: *lang == section.lang,
                }
            })
            .collect()
    }

    /// Each language's own page of a language-wide output (site map, error pages).
    pub(super) fn language_alternates(
        &self,
        lang: &str,
        url_of: impl Fn(&str) -> String,
    ) -> Vec<Alternate> {
        self.config
            .languages
            .iter()
            .map(|l| Alternate {
                lang: l.clone(),
                url: url_of(l),
                name: self.text(l, "language_name"),
                current: l == lang,
            })
            .collect()
    }

    /// Pages of a section that appear in its list: live and not expired.
    pub(super) fn listed(&self, section: usize) -> Vec<usize> {
        self.layout.section_pages[section]
            .iter()
            .copied()
            .filter(|&i| !self.model.pages[i].expired)
            .collect()
    }

    pub(super) fn page_size(&self, section: usize) -> usize {
        self.model.sections[section]
            .content
            .page_size
            .unwrap_or(self.config.page_size)
            .max(1) as usize
    }

    fn paged_url(&self, base: &str, lang: &str, number: usize) -> String {
        if number <= 1 {
            base.to_string()
        } else {
            format!(
                "{base}{}/{number}/",
                self.text(lang, PAGINATION_SEGMENT_KEY)
            )
        }
    }

    /// URL of page `number` of a section's list: `/az/xeberler/` or `/az/xeberler/sehife/2/`.
    pub fn list_url(&self, section: usize, number: usize) -> String {
        self.paged_url(
            &self.layout.section_urls[section],
            &self.model.sections[section].lang,
            number,
        )
    }

    /// URL of part `part` of a long page: `/az/senedler/x/` or `/az/senedler/x/sehife/2/`.
    pub fn part_url(&self, page: usize, part: usize) -> String {
        self.paged_url(
            &self.layout.page_urls[page],
            &self.model.pages[page].lang,
            part,
        )
    }

    /// "səhifə 2 / 5" (D189 §7.7: the current page number and the total).
    pub(super) fn page_label(&self, lang: &str, number: usize, total: usize) -> String {
        self.text(lang, "page_n_of_m")
            .replace("{n}", &number.to_string())
            .replace("{m}", &total.to_string())
    }

    pub(super) fn holds_dated(&self, section: usize) -> bool {
        self.model.sections[section]
            .content
            .types
            .iter()
            .any(|t| t.is_dated())
    }

    pub(super) fn media(&self, path: &str) -> Option<&MediaRecord> {
        let &index = self.layout.media_by_path.get(path)?;
        self.model.media.get(index)
    }

    /// Every file of the site with its digest, in a stable order.
    pub fn outputs(&self) -> Vec<Output> {
        self.plan(None)
    }

    /// The files of the objects in `scope` and the files of every language and of the whole
    /// site (feeds, site maps, error and search pages, sitemaps, redirects), with their
    /// digests; stored files are left out. Each digest is the one [`SiteView::outputs`] gives.
    pub fn outputs_in(&self, scope: &Scope) -> Vec<Output> {
        self.plan(Some(scope))
    }

    /// What a change to the pages `changed` (page ids; at most that many pages came or went)
    /// can alter besides the site-wide files: the pages themselves and their translations,
    /// their sections' lists and feeds, every home page (the newest items), and every page
    /// of a small undated section, whose menu lists its pages' titles.
    ///
    /// `in_place`: every changed page kept its place ([`same_place`]), so of a section's list
    /// only the page that shows a changed page is planned (a news section of 12,500 items has
    /// 1,250 list pages).
    pub fn scope_of_pages(
        &self,
        changed: &std::collections::BTreeSet<i64>,
        in_place: bool,
    ) -> Scope {
        let mut scope = Scope::default();
        for (index, section) in self.model.sections.iter().enumerate() {
            if section.parent_id.is_none() {
                scope.sections.insert(index);
            }
        }
        for id in changed {
            let Some(&index) = self.layout.page_index.get(id) else {
                continue;
            };
            let page = &self.model.pages[index];
            scope.pages.insert(index);
            for lang in &self.config.languages {
                if let Some(partner) = self.live_page(lang, &page.translation_key) {
                    scope.pages.insert(partner);
                }
            }
            let Some(section) = self.section_of(page) else {
                continue;
            };
            scope.sections.insert(section);
            // Otherwise the list is planned whole: a page that came, went or moved shifts the
            // pages after it. A home page shows the newest items, not a place in a list.
            if in_place && self.model.sections[section].parent_id.is_some() {
                let numbers = scope.list_pages.entry(section).or_default();
                if let Some(position) = self.listed(section).iter().position(|&i| i == index) {
                    numbers.insert(position / self.page_size(section) + 1);
                }
            }
            if !self.holds_dated(section)
                && self.listed(section).len() <= SECTION_MENU_PAGES + changed.len()
            {
                scope
                    .pages
                    .extend(self.layout.section_pages[section].iter().copied());
            }
        }
        scope
    }

    fn plan(&self, scope: Option<&Scope>) -> Vec<Output> {
        let mut outputs = Vec::with_capacity(match scope {
            None => {
                self.model.pages.len() * 2
                    + self.model.sections.len() * 4
                    + self.model.media.len()
                    + 32
            }
            Some(scope) => (scope.pages.len() + scope.sections.len()) * 4 + 32,
        });
        for (index, page) in self.model.pages.iter().enumerate() {
            if scope.is_some_and(|scope| !scope.pages.contains(&index)) {
                continue;
            }
            let Some(section) = self.section_of(page) else {
                continue;
            };
            let (_, crumbs) = self.breadcrumbs(section);
            let mut key = format!(
                "{}\u{1f}page\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                self.layout.lang_digests[page.lang.as_str()],
                self.layout.page_urls[index],
                page.content_hash,
                page.expired,
                published_date(page),
                crumbs,
                self.layout.section_menus[section].1,
            );
            for alternate in self.page_alternates(page) {
                let _ = write!(key, "\u{1f}{}", alternate.url);
            }
            for part in 1..=page.parts {
                let digest = sha256_hex(format!("{key}\u{1f}{part}/{}", page.parts).as_bytes());
                let url = self.part_url(index, part);
                push_with_text_twin(&mut outputs, &url, &digest, |text_only| OutputKind::Page {
                    index,
                    part,
                    text_only,
                });
            }
        }
        for (index, section) in self.model.sections.iter().enumerate() {
            if scope.is_some_and(|scope| !scope.sections.contains(&index)) {
                continue;
            }
            let only = scope.and_then(|scope| scope.list_pages.get(&index));
            self.section_outputs(index, section, only, &mut outputs);
        }
        for lang in &self.config.languages {
            let lang_key = format!(
                "{}\u{1f}{}",
                self.layout.lang_digests[lang.as_str()],
                self.newest(lang)
            );
            let mut key = format!("{RENDER_VERSION}\u{1f}{lang_key}");
            for &item in self.layout.latest.get(lang.as_str()).into_iter().flatten() {
                let page = &self.model.pages[item];
                let _ = write!(
                    key,
                    "\u{1f}{}\u{1f}{}\u{1f}{}",
                    self.layout.page_urls[item],
                    page.content_hash,
                    published_date(page)
                );
            }
            for atom in [true, false] {
                outputs.push(Output {
                    path: format!("{lang}/{}", if atom { "atom.xml" } else { "rss.xml" }),
                    digest: sha256_hex(format!("{key}\u{1f}{atom}").as_bytes()),
                    kind: OutputKind::Feed {
                        lang: lang.clone(),
                        section: None,
                        atom,
                    },
                });
            }
            for code in ERROR_CODES {
                outputs.push(Output {
                    path: format!("{lang}/{code}.html"),
                    digest: sha256_hex(format!("{lang_key}\u{1f}error\u{1f}{code}").as_bytes()),
                    kind: OutputKind::Error {
                        lang: lang.clone(),
                        code,
                    },
                });
            }
            let sitemap_digest = sha256_hex(
                format!(
                    "{lang_key}\u{1f}sitemap\u{1f}{}",
                    self.sitemap_tree_key(lang)
                )
                .as_bytes(),
            );
            let url = self.sitemap_page_url(lang);
            push_with_text_twin(&mut outputs, &url, &sitemap_digest, |text_only| {
                OutputKind::SiteMapPage {
                    lang: lang.clone(),
                    text_only,
                }
            });
            let mut search_key = format!("{lang_key}\u{1f}search");
            for (title, url) in self.search_sections(lang) {
                let _ = write!(search_key, "\u{1f}{title}\u{1f}{url}");
            }
            let search_digest = sha256_hex(search_key.as_bytes());
            let url = self.search_page_url(lang);
            push_with_text_twin(&mut outputs, &url, &search_digest, |text_only| {
                OutputKind::SearchPage {
                    lang: lang.clone(),
                    text_only,
                }
            });
        }
        self.sitemap_outputs(&mut outputs);
        let mut redirect_key = String::from(RENDER_VERSION);
        for (from, to) in self.redirects() {
            let _ = write!(redirect_key, "\u{1f}{from}\u{1f}{to}");
            if from != "/" {
                outputs.push(Output {
                    path: format!("{}index.html", &from[1..]),
                    digest: sha256_hex(format!("{RENDER_VERSION}\u{1f}stub\u{1f}{to}").as_bytes()),
                    kind: OutputKind::RedirectStub { to: to.clone() },
                });
            }
        }
        outputs.push(Output {
            path: "_redirects".into(),
            digest: sha256_hex(redirect_key.as_bytes()),
            kind: OutputKind::RedirectMap,
        });
        for media in self.model.media.iter().filter(|_| scope.is_none()) {
            outputs.push(Output {
                path: media.path.clone(),
                digest: media.sha256.clone(),
                kind: OutputKind::Media {
                    path: media.path.clone(),
                },
            });
            // Browsers and crawlers ask for /favicon.ico whatever the page says (issue 16).
            if media.path == FAVICON {
                outputs.push(Output {
                    path: "favicon.ico".into(),
                    digest: media.sha256.clone(),
                    kind: OutputKind::Media {
                        path: media.path.clone(),
                    },
                });
            }
        }
        // Two outputs at one path would overwrite each other: the first one wins, in a
        // stable order (content validation keeps slugs from colliding). Pages come first, so
        // a partial plan also leaves the addresses of the pages it does not plan to them.
        let mut seen = HashSet::default();
        if let Some(scope) = scope {
            let pages_at = &self.site_wide().pages_at;
            let elsewhere = |url: &str| {
                pages_at
                    .get(url)
                    .is_some_and(|pages| pages.iter().any(|page| !scope.pages.contains(page)))
            };
            outputs.retain(|output| {
                matches!(output.kind, OutputKind::Page { .. })
                    || !url_of_path(&output.path).is_some_and(elsewhere)
            });
        }
        outputs.retain(|output| seen.insert(output.path.clone()));
        outputs
    }

    /// The files of a section: its list pages (only the numbers in `only`, if given) and feeds.
    fn section_outputs(
        &self,
        index: usize,
        section: &SectionRecord,
        only: Option<&std::collections::BTreeSet<usize>>,
        outputs: &mut Vec<Output>,
    ) {
        let listed = self.listed(index);
        let size = self.page_size(index);
        let total = listed.len().div_ceil(size).max(1);
        let (_, crumbs) = self.breadcrumbs(index);
        let mut shared = format!(
            "{}\u{1f}list\u{1f}{}\u{1f}{}\u{1f}{total}\u{1f}{}",
            self.layout.lang_digests[section.lang.as_str()],
            section.digest,
            crumbs,
            self.newest(&section.lang)
        );
        for &child in &self.layout.children[index] {
            let _ = write!(
                shared,
                "\u{1f}{}\u{1f}{}",
                self.model.sections[child].content.title, self.layout.section_urls[child]
            );
        }
        for alternate in self.section_alternates(section) {
            let _ = write!(shared, "\u{1f}{}", alternate.url);
        }
        if section.parent_id.is_none() {
            for &latest in self
                .layout
                .latest
                .get(section.lang.as_str())
                .into_iter()
                .flatten()
                .take(super::html::HOME_LATEST)
            {
                let page = &self.model.pages[latest];
                let _ = write!(
                    shared,
                    "\u{1f}{}\u{1f}{}\u{1f}{}",
                    self.layout.page_urls[latest],
                    page.content_hash,
                    published_date(page)
                );
            }
        }
        for number in 1..=total {
            if only.is_some_and(|only| !only.contains(&number)) {
                continue;
            }
            let mut key = format!("{shared}\u{1f}{number}");
            for &item in listed.iter().skip((number - 1) * size).take(size) {
                let page = &self.model.pages[item];
                let _ = write!(
                    key,
                    "\u{1f}{}\u{1f}{}\u{1f}{}",
                    self.layout.page_urls[item],
                    page.content_hash,
                    published_date(page)
                );
            }
            let digest = sha256_hex(key.as_bytes());
            let url = self.list_url(index, number);
            push_with_text_twin(outputs, &url, &digest, |text_only| OutputKind::List {
                section: index,
                number,
                text_only,
            });
        }
        if self.holds_dated(index) {
            let mut key = format!(
                "{RENDER_VERSION}\u{1f}{}\u{1f}{}",
                section.digest, self.config.base_url
            );
            for &item in listed
                .iter()
                .filter(|&&i| self.model.pages[i].content.content_type.is_dated())
                .take(self.config.feed_size as usize)
            {
                let _ = write!(
                    key,
                    "\u{1f}{}\u{1f}{}",
                    self.layout.page_urls[item], self.model.pages[item].content_hash
                );
            }
            for atom in [true, false] {
                outputs.push(Output {
                    path: format!(
                        "{}{}",
                        &self.layout.section_urls[index][1..],
                        if atom { "atom.xml" } else { "rss.xml" }
                    ),
                    digest: sha256_hex(format!("{key}\u{1f}{atom}").as_bytes()),
                    kind: OutputKind::Feed {
                        lang: section.lang.clone(),
                        section: Some(index),
                        atom,
                    },
                });
            }
        }
    }

    /// What the search index holds for a live page (D189 §4.10.1); `None` for pages that must
    /// not be found: expired ones.
    pub fn search_document(
        &self,
        index: usize,
        body: &str,
    ) -> Option<crate::search::index::SearchDoc> {
        let page = &self.model.pages[index];
        let section = self.section_of(page)?;
        if page.expired {
            return None;
        }
        let published = published_date(page);
        let stamp = Stamp::parse(&published).ok();
        Some(crate::search::index::SearchDoc {
            url: self.layout.page_urls[index].clone(),
            lang: page.lang.clone(),
            title: page.content.title.clone(),
            body: crate::markdown::plain_text(&body.replace(crate::markdown::PAGE_BREAK, "")),
            sections: self
                .ancestors(section)
                .iter()
                .map(|&i| self.layout.section_urls[i].clone())
                .collect(),
            section_title: self.model.sections[section].content.title.clone(),
            content_type: page.content.content_type.as_str().to_string(),
            date: stamp
                .as_ref()
                .and_then(|s| s.instant(self.config.utc_offset))
                .map(|t| t.unix_timestamp())
                .unwrap_or(0),
            date_display: stamp
                .and_then(|s| s.date())
                .map(|d| crate::i18n::format_date(&page.lang, d))
                .unwrap_or_default(),
        })
    }

    /// The newest publication date in a language (`YYYY-MM-DD`), for pages without their own.
    /// The pages the HTML site map shows under a section (D189 §4.9.3, a hierarchical
    /// rubricator): every page of an undated section; the newest [`SITEMAP_SECTION_ITEMS`] of
    /// a section of news, announcements or documents, whose list holds the rest — the number
    /// left out is returned, so the site map stays small and does not change with every item.
    pub(super) fn sitemap_pages(&self, section: usize) -> (Vec<usize>, usize) {
        let mut listed = self.listed(section);
        if !self.holds_dated(section) || listed.len() <= SITEMAP_SECTION_ITEMS {
            return (listed, 0);
        }
        let more = listed.len() - SITEMAP_SECTION_ITEMS;
        listed.truncate(SITEMAP_SECTION_ITEMS);
        (listed, more)
    }

    pub(super) fn newest(&self, lang: &str) -> &str {
        self.layout
            .newest_date
            .get(lang)
            .map(String::as_str)
            .unwrap_or("")
    }

    fn sitemap_tree_key(&self, lang: &str) -> String {
        let mut key = String::new();
        for (index, section) in self
            .model
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| s.lang == lang)
        {
            let _ = write!(
                key,
                "\u{1f}{}\u{1f}{}",
                section.content.title, self.layout.section_urls[index]
            );
            let (shown, more) = self.sitemap_pages(index);
            for item in shown {
                let _ = write!(
                    key,
                    "\u{1f}{}\u{1f}{}",
                    self.model.pages[item].content.title, self.layout.page_urls[item]
                );
            }
            let _ = write!(key, "\u{1f}{more}");
        }
        key
    }

    /// `/` → the default language, and every old page address → the page's current one.
    pub(super) fn redirects(&self) -> &[(String, String)] {
        &self.site_wide().redirects
    }

    /// What every plan needs of the whole site, computed once per layout.
    fn site_wide(&self) -> &SiteWide {
        self.layout.site_wide.get_or_init(|| SiteWide {
            sitemap: self.sitemap_digest(),
            redirects: self.derive_redirects(),
            pages_at: self.pages_at(),
        })
    }

    fn derive_redirects(&self) -> Vec<(String, String)> {
        let mut redirects = vec![(
            "/".to_string(),
            format!("/{}/", self.config.default_language()),
        )];
        // An old address that is a live page's or a section's address again belongs to it:
        // a stub there would replace it (whichever objects a publish plans).
        let taken: HashSet<&str> = self
            .layout
            .page_urls
            .iter()
            .chain(&self.layout.section_urls)
            .map(String::as_str)
            .collect();
        for (from, page_id) in &self.model.redirects {
            if let Some(&index) = self.layout.page_index.get(page_id)
                && *from != self.layout.page_urls[index]
                && !taken.contains(from.as_str())
            {
                redirects.push((from.clone(), self.layout.page_urls[index].clone()));
            }
        }
        redirects
    }

    /// Page addresses without their leading slash, and the pages there.
    fn pages_at(&self) -> HashMap<String, Vec<usize>> {
        let mut pages_at: HashMap<String, Vec<usize>> = HashMap::default();
        for (index, url) in self.layout.page_urls.iter().enumerate() {
            if url.len() > 1 {
                pages_at
                    .entry(url[1..].to_string())
                    .or_default()
                    .push(index);
            }
        }
        pages_at
    }

    /// Every URL of the sitemap with its alternates and last modification date.
    pub(super) fn sitemap_entries(&self) -> Vec<feeds::SitemapEntry> {
        let mut entries = Vec::new();
        self.each_sitemap_entry(|url, lastmod, alternates| {
            entries.push(feeds::SitemapEntry {
                url: url.to_string(),
                lastmod: lastmod.and_then(Stamp::date),
                alternates: alternates
                    .iter()
                    .map(|&(lang, url)| (lang.to_string(), url.to_string()))
                    .collect(),
            });
        });
        entries.sort_by(|a, b| a.url.cmp(&b.url));
        entries
    }

    /// Calls `visit(url, lastmod, alternates)` for each sitemap entry, in the model's order,
    /// without allocating per entry: the sitemap's digest and [`SiteView::sitemap_entries`]
    /// both read it. Alternates are empty for an entry without translations.
    fn each_sitemap_entry(&self, mut visit: impl FnMut(&str, Option<&Stamp>, &[(&str, &str)])) {
        let mut alternates: Vec<(&str, &str)> = Vec::with_capacity(self.config.languages.len());
        for (index, section) in self.model.sections.iter().enumerate() {
            let found: Vec<(String, String)> = self
                .section_alternates(section)
                .into_iter()
                .filter(|a| self.section_in(&a.lang, &section.translation_key).is_some())
                .map(|a| (a.lang, a.url))
                .collect();
            let shown: Vec<(&str, &str)> = if found.len() > 1 {
                found
                    .iter()
                    .map(|(l, u)| (l.as_str(), u.as_str()))
                    .collect()
            } else {
                Vec::new()
            };
            visit(&self.layout.section_urls[index], None, &shown);
        }
        for (index, page) in self.model.pages.iter().enumerate() {
            if page.expired || self.section_of(page).is_none() {
                continue;
            }
            alternates.clear();
            for lang in &self.config.languages {
                if let Some(i) = self.live_page(lang, &page.translation_key)
                    && !self.model.pages[i].expired
                {
                    alternates.push((lang.as_str(), self.layout.page_urls[i].as_str()));
                }
            }
            if alternates.len() < 2 {
                alternates.clear();
            }
            visit(
                &self.layout.page_urls[index],
                sitemap_lastmod(page),
                &alternates,
            );
        }
    }

    /// The sitemap's digest and its number of URLs. The key is written straight from the
    /// view, without building the entries: at 50,000 pages the entries cost more than the rest
    /// of a one-page plan. It holds exactly what `sitemap_entries` gives.
    fn sitemap_digest(&self) -> (String, usize) {
        let mut key = String::with_capacity(128 * (self.model.pages.len() + 1));
        let _ = write!(key, "{RENDER_VERSION}\u{1f}{}", self.config.base_url);
        let mut count = 0;
        self.each_sitemap_entry(|url, lastmod, alternates| {
            count += 1;
            // The date as written, at least as precise as the entry's.
            let date = lastmod.and_then(stamp_date);
            let _ = write!(key, "\u{1f}{url}\u{1f}{}", date.unwrap_or(""));
            for (lang, url) in alternates {
                let _ = write!(key, "\u{1e}{lang}\u{1e}{url}");
            }
        });
        (sha256_hex(key.as_bytes()), count)
    }

    fn sitemap_outputs(&self, outputs: &mut Vec<Output>) {
        let (digest, count) = &self.site_wide().sitemap;
        outputs.push(Output {
            path: "sitemap.xml".into(),
            digest: digest.clone(),
            kind: OutputKind::Sitemap { part: None },
        });
        if *count > self.layout.sitemap_limit {
            for part in 1..=count.div_ceil(self.layout.sitemap_limit) {
                outputs.push(Output {
                    path: format!("sitemap-{part}.xml"),
                    digest: sha256_hex(format!("{digest}\u{1f}{part}").as_bytes()),
                    kind: OutputKind::Sitemap { part: Some(part) },
                });
            }
        }
    }
}

/// The publication date of a page (D189 §4.2): `issued`, else `created`, else the day its live
/// revision was saved; as `YYYY-MM-DD` or the full stamp.
pub(super) fn published_date(page: &LivePage) -> String {
    match page
        .content
        .issued
        .as_ref()
        .or(page.content.created.as_ref())
    {
        Some(stamp) => stamp.as_str().to_string(),
        None => page.saved_at.get(..10).unwrap_or("").to_string(),
    }
}

/// Adds an HTML output and its text-only twin (D189 §6.3.4).
fn push_with_text_twin(
    outputs: &mut Vec<Output>,
    url: &str,
    digest: &str,
    kind: impl Fn(bool) -> OutputKind,
) {
    for text_only in [false, true] {
        outputs.push(Output {
            path: output_path(url, text_only),
            digest: text_digest(digest, text_only),
            kind: kind(text_only),
        });
    }
}

/// Where an HTML output at `url` is written; text-only twins live under `text/`.
fn output_path(url: &str, text_only: bool) -> String {
    if text_only {
        format!("text{url}index.html")
    } else {
        format!("{}index.html", &url[1..])
    }
}

/// The address an HTML output path serves, without its leading slash and without
/// allocating: `az/x/index.html` and its twin `text/az/x/index.html` → `az/x/`.
fn url_of_path(path: &str) -> Option<&str> {
    path.strip_prefix("text/")
        .unwrap_or(path)
        .strip_suffix("index.html")
}

fn text_digest(digest: &str, text_only: bool) -> String {
    if text_only {
        sha256_hex(format!("{digest}\u{1f}text").as_bytes())
    } else {
        digest.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContentType, SectionContent};

    fn section(id: i64, parent: Option<i64>, slug: &str) -> SectionRecord {
        SectionRecord {
            id,
            lang: "az".into(),
            parent_id: parent,
            path: if slug.is_empty() {
                vec![]
            } else {
                vec![slug.into()]
            },
            translation_key: slug.into(),
            content: SectionContent {
                title: slug.into(),
                description: None,
                keywords: vec![],
                types: vec![ContentType::Page],
                weight: 0,
                menu: false,
                template: None,
                page_size: None,
                body: String::new(),
            },
            digest: slug.into(),
        }
    }

    #[test]
    fn can_split_the_sitemap_into_an_index() {
        // D189 §4.9.3; the sitemaps.org limit is 50,000 URLs per file, 2 here.
        let config = Config::parse(
            std::path::Path::new("/s"),
            "[site]\ndomain = \"t.gov.az\"\nbase_url = \"https://t.gov.az\"\nlanguages = [\"az\", \"en\"]\nemail = \"a@t.gov.az\"\nname = { az = \"T\", en = \"T\" }\n",
        )
        .unwrap();
        let model = SiteModel {
            sections: vec![
                section(1, None, ""),
                section(2, Some(1), "a"),
                section(3, Some(1), "b"),
            ],
            ..Default::default()
        };
        let mut view = SiteView::new(&config, &model);
        view.layout.sitemap_limit = 2;
        let paths: Vec<String> = view
            .outputs()
            .into_iter()
            .filter(|o| o.path.starts_with("sitemap"))
            .map(|o| o.path)
            .collect();
        assert_eq!(paths, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]);
    }
}

//! The site as readers see it: URLs, section tree, lists and pagination, language alternates,
//! menus; every output file with a digest of exactly the inputs it is rendered from.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;
use tera::{Context, Value};

use super::{RENDER_VERSION, Templates, feeds, postprocess};
use crate::config::Config;
use crate::content::{PAGINATION_SEGMENT_KEY, sha256_hex};
use crate::i18n;
use crate::markdown::{self, RenderContext};
use crate::model::{ContentType, Stamp, page_url, section_url};
use crate::store::{LivePage, SectionRecord, SiteModel};

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
    Page(usize),
    /// Page `number` (from 1) of a section's list.
    List { section: usize, number: usize },
    Feed { lang: String, section: Option<usize>, atom: bool },
    Sitemap { part: Option<usize> },
    NotFound { lang: String },
    /// `_redirects`: one `from to` line per redirect, read by `govsite serve`.
    RedirectMap,
    /// A static page at an old address pointing to the new one, for copies of `public/`
    /// served by other web servers.
    RedirectStub { to: String },
    /// A stored file, copied as is; `build` fetches its bytes.
    Media { path: String },
}

/// Above this many URLs the sitemap is split into parts under an index (sitemaps.org limit).
pub const SITEMAP_LIMIT: usize = 50_000;

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    url: String,
}

#[derive(Serialize, Clone)]
struct Alternate {
    lang: String,
    url: String,
    name: String,
    current: bool,
}

/// Everything derived from the model that rendering needs, computed once per build.
pub struct SiteView<'a> {
    pub config: &'a Config,
    pub model: &'a SiteModel,
    section_index: HashMap<i64, usize>,
    children: Vec<Vec<usize>>,
    /// Live pages of each section, in list order (expired ones included; lists skip them).
    section_pages: Vec<Vec<usize>>,
    roots: HashMap<&'a str, usize>,
    page_urls: Vec<String>,
    section_urls: Vec<String>,
    live_by_key: HashMap<(&'a str, &'a str), usize>,
    section_by_key: HashMap<(&'a str, &'a str), usize>,
    /// Per language: the digest of the shared inputs (templates, strings, menus, identity).
    lang_digests: HashMap<&'a str, String>,
    /// Per language: the values every template gets (`site`, `t`, `menu`, `footer`).
    lang_values: HashMap<&'a str, [(&'static str, Value); 4]>,
    /// Per language: the newest dated items, for the home page and the language feeds.
    latest: HashMap<&'a str, Vec<usize>>,
}

impl<'a> SiteView<'a> {
    pub fn new(config: &'a Config, model: &'a SiteModel) -> SiteView<'a> {
        let section_index: HashMap<i64, usize> = model.sections.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut children = vec![Vec::new(); model.sections.len()];
        let mut roots = HashMap::new();
        for (index, section) in model.sections.iter().enumerate() {
            match section.parent_id.and_then(|id| section_index.get(&id)) {
                Some(&parent) => children[parent].push(index),
                None => {
                    roots.insert(section.lang.as_str(), index);
                }
            }
        }
        for list in &mut children {
            list.sort_by(|&a, &b| {
                let (a, b) = (&model.sections[a], &model.sections[b]);
                (a.content.weight, &a.path).cmp(&(b.content.weight, &b.path))
            });
        }
        let section_urls: Vec<String> = model.sections.iter().map(|s| section_url(&s.lang, &s.path)).collect();
        let mut section_pages = vec![Vec::new(); model.sections.len()];
        let mut page_urls = Vec::with_capacity(model.pages.len());
        let mut live_by_key = HashMap::with_capacity(model.pages.len());
        for (index, page) in model.pages.iter().enumerate() {
            let section = section_index.get(&page.section_id).copied();
            let url = match section {
                Some(section) => page_url(&page.lang, &model.sections[section].path, &page.slug),
                None => String::new(),
            };
            page_urls.push(url);
            if let Some(section) = section {
                section_pages[section].push(index);
            }
            live_by_key.insert((page.lang.as_str(), page.translation_key.as_str()), index);
        }
        let offset = config.utc_offset;
        let issued_at = |page: &LivePage| {
            page.content.issued.as_ref().and_then(|s| s.instant(offset)).map(|t| t.unix_timestamp()).unwrap_or(0)
        };
        for list in &mut section_pages {
            list.sort_by(|&a, &b| {
                let (pa, pb) = (&model.pages[a], &model.pages[b]);
                let dated_a = if pa.content.content_type.is_dated() { -issued_at(pa) } else { 0 };
                let dated_b = if pb.content.content_type.is_dated() { -issued_at(pb) } else { 0 };
                (pa.weight, dated_a, &pa.slug).cmp(&(pb.weight, dated_b, &pb.slug))
            });
        }
        let section_by_key =
            model.sections.iter().enumerate().map(|(i, s)| ((s.lang.as_str(), s.translation_key.as_str()), i)).collect();
        let mut latest: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, page) in model.pages.iter().enumerate() {
            if page.content.content_type.is_dated() && !page.expired {
                latest.entry(page.lang.as_str()).or_default().push(index);
            }
        }
        for list in latest.values_mut() {
            list.sort_by(|&a, &b| {
                (issued_at(&model.pages[b]), &page_urls[a]).cmp(&(issued_at(&model.pages[a]), &page_urls[b]))
            });
            list.truncate(config.feed_size as usize);
        }
        let mut view = SiteView {
            config,
            model,
            section_index,
            children,
            section_pages,
            roots,
            page_urls,
            section_urls,
            live_by_key,
            section_by_key,
            lang_digests: HashMap::new(),
            lang_values: HashMap::new(),
            latest,
        };
        for lang in &config.languages {
            let (digest, values) = view.language_shared(lang);
            view.lang_digests.insert(lang.as_str(), digest);
            view.lang_values.insert(lang.as_str(), values);
        }
        view
    }

    fn strings(&self, lang: &str) -> &std::collections::BTreeMap<String, String> {
        static EMPTY: std::sync::LazyLock<std::collections::BTreeMap<String, String>> = std::sync::LazyLock::new(Default::default);
        self.model.ui_strings.get(lang).unwrap_or(&EMPTY)
    }

    fn text(&self, lang: &str, key: &str) -> String {
        i18n::text(self.strings(lang), key).into_owned()
    }

    /// Resolves an internal `@/…` link, or a footer link, to a URL.
    fn resolve_link(&self, link: &str) -> Option<String> {
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

    /// The main menu (sections marked `menu`, in tree order), footer, identity and strings of a
    /// language; shared by all its pages, and their digest.
    fn language_shared(&self, lang: &'a str) -> (String, [(&'static str, Value); 4]) {
        let mut menu = Vec::new();
        let mut stack: Vec<usize> = self.roots.get(lang).into_iter().copied().collect();
        while let Some(index) = stack.pop() {
            let section = &self.model.sections[index];
            if section.content.menu {
                menu.push(Link { title: section.content.title.clone(), url: self.section_urls[index].clone() });
            }
            stack.extend(self.children[index].iter().rev());
        }
        #[derive(Serialize)]
        struct FooterLink {
            title: String,
            url: String,
            external: bool,
        }
        let footer: Vec<FooterLink> = self
            .model
            .footer
            .get(lang)
            .map(|items| {
                items
                    .iter()
                    .map(|item| FooterLink {
                        title: item.title.clone(),
                        url: self.resolve_link(&item.link).unwrap_or_else(|| item.link.clone()),
                        external: !item.link.starts_with("@/"),
                    })
                    .collect()
            })
            .unwrap_or_default();
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
            "sitemap_url": "/sitemap.xml",
        });
        let strings = self.strings(lang);
        let mut hasher = String::new();
        let _ = write!(
            hasher,
            "{RENDER_VERSION}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            site,
            serde_json::to_string(&menu).unwrap_or_default(),
            serde_json::to_string(&footer).unwrap_or_default(),
            serde_json::to_string(strings).unwrap_or_default(),
            serde_json::to_string(&config.dublin_core_defaults(lang)).unwrap_or_default(),
        );
        for (name, body) in &self.model.templates {
            let _ = write!(hasher, "\u{1f}{name}\u{1f}{}", sha256_hex(body.as_bytes()));
        }
        let values = [
            ("site", Value::from_serializable(&site)),
            ("t", Value::from_serializable(strings)),
            ("menu", Value::from_serializable(&menu)),
            ("footer", Value::from_serializable(&footer)),
        ];
        (sha256_hex(hasher.as_bytes()), values)
    }

    fn section_of(&self, page: &LivePage) -> Option<usize> {
        self.section_index.get(&page.section_id).copied()
    }

    /// Sections from the home page down to this one.
    fn ancestors(&self, mut index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        while let Some(parent) = self.model.sections[index].parent_id.and_then(|id| self.section_index.get(&id)) {
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
    fn breadcrumbs(&self, section: usize) -> (Vec<Link>, String) {
        let chain = self.ancestors(section);
        let links: Vec<Link> = chain
            .iter()
            .map(|&i| Link { title: self.model.sections[i].content.title.clone(), url: self.section_urls[i].clone() })
            .collect();
        let mut key = String::new();
        for link in &links {
            let _ = write!(key, "{}\u{1f}{}\u{1f}", link.title, link.url);
        }
        (links, key)
    }

    /// D189 §3.4: the same page in each other language; failing that, the first page of the
    /// current section in that language; failing that, that language's home page.
    fn page_alternates(&self, page: &LivePage) -> Vec<Alternate> {
        let section_key = self.section_of(page).map(|i| self.model.sections[i].translation_key.as_str());
        self.config
            .languages
            .iter()
            .map(|lang| {
                let url = if *lang == page.lang {
                    self.page_urls[self.live_by_key[&(page.lang.as_str(), page.translation_key.as_str())]].clone()
                } else if let Some(&other) = self.live_by_key.get(&(lang.as_str(), page.translation_key.as_str())) {
                    self.page_urls[other].clone()
                } else if let Some(&other) = section_key.and_then(|key| self.section_by_key.get(&(lang.as_str(), key))) {
                    self.section_urls[other].clone()
                } else {
                    format!("/{lang}/")
                };
                Alternate { lang: lang.clone(), url, name: self.text(lang, "language_name"), current: *lang == page.lang }
            })
            .collect()
    }

    fn section_alternates(&self, section: &SectionRecord) -> Vec<Alternate> {
        self.config
            .languages
            .iter()
            .map(|lang| {
                let url = match self.section_by_key.get(&(lang.as_str(), section.translation_key.as_str())) {
                    Some(&other) => self.section_urls[other].clone(),
                    None => format!("/{lang}/"),
                };
                Alternate { lang: lang.clone(), url, name: self.text(lang, "language_name"), current: *lang == section.lang }
            })
            .collect()
    }

    /// Pages of a section that appear in its list: live and not expired.
    fn listed(&self, section: usize) -> Vec<usize> {
        self.section_pages[section].iter().copied().filter(|&i| !self.model.pages[i].expired).collect()
    }

    fn page_size(&self, section: usize) -> usize {
        self.model.sections[section].content.page_size.unwrap_or(self.config.page_size).max(1) as usize
    }

    /// URL of page `number` of a section's list: `/az/xeberler/` or `/az/xeberler/sehife/2/`.
    pub fn list_url(&self, section: usize, number: usize) -> String {
        let base = &self.section_urls[section];
        if number <= 1 {
            base.clone()
        } else {
            let lang = &self.model.sections[section].lang;
            format!("{base}{}/{number}/", self.text(lang, PAGINATION_SEGMENT_KEY))
        }
    }

    /// "səhifə 2 / 5" (D189 §7.7: the current page number and the total).
    fn page_label(&self, lang: &str, number: usize, total: usize) -> String {
        self.text(lang, "page_n_of_m").replace("{n}", &number.to_string()).replace("{m}", &total.to_string())
    }

    fn holds_dated(&self, section: usize) -> bool {
        self.model.sections[section].content.types.iter().any(|t| t.is_dated())
    }

    /// Every file of the site with its digest, in a stable order.
    pub fn outputs(&self) -> Vec<Output> {
        let mut outputs = Vec::with_capacity(self.model.pages.len() + self.model.sections.len() * 2 + self.model.media.len() + 16);
        for (index, page) in self.model.pages.iter().enumerate() {
            let Some(section) = self.section_of(page) else { continue };
            let (_, crumbs) = self.breadcrumbs(section);
            let mut key = format!(
                "{}\u{1f}page\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
                self.lang_digests[page.lang.as_str()],
                self.page_urls[index],
                page.content_hash,
                page.expired,
                crumbs
            );
            for alternate in self.page_alternates(page) {
                let _ = write!(key, "\u{1f}{}", alternate.url);
            }
            for file in &page.content.files {
                let path = format!("{}{file}", &self.section_urls[section][1..]);
                if let Some(media) = self.media(&path) {
                    let _ = write!(key, "\u{1f}{}\u{1f}{}", media.path, media.sha256);
                }
            }
            outputs.push(Output {
                path: format!("{}index.html", &self.page_urls[index][1..]),
                digest: sha256_hex(key.as_bytes()),
                kind: OutputKind::Page(index),
            });
        }
        for (index, section) in self.model.sections.iter().enumerate() {
            let listed = self.listed(index);
            let size = self.page_size(index);
            let total = listed.len().div_ceil(size).max(1);
            let (_, crumbs) = self.breadcrumbs(index);
            let mut shared = format!("{}\u{1f}list\u{1f}{}\u{1f}{}\u{1f}{total}", self.lang_digests[section.lang.as_str()], section.digest, crumbs);
            for &child in &self.children[index] {
                let _ = write!(shared, "\u{1f}{}\u{1f}{}", self.model.sections[child].content.title, self.section_urls[child]);
            }
            for alternate in self.section_alternates(section) {
                let _ = write!(shared, "\u{1f}{}", alternate.url);
            }
            if section.parent_id.is_none() {
                for &latest in self.latest.get(section.lang.as_str()).into_iter().flatten().take(HOME_LATEST) {
                    let _ = write!(shared, "\u{1f}{}\u{1f}{}", self.page_urls[latest], self.model.pages[latest].content_hash);
                }
            }
            for number in 1..=total {
                let mut key = format!("{shared}\u{1f}{number}");
                for &item in listed.iter().skip((number - 1) * size).take(size) {
                    let _ = write!(key, "\u{1f}{}\u{1f}{}", self.page_urls[item], self.model.pages[item].content_hash);
                }
                outputs.push(Output {
                    path: format!("{}index.html", &self.list_url(index, number)[1..]),
                    digest: sha256_hex(key.as_bytes()),
                    kind: OutputKind::List { section: index, number },
                });
            }
            if self.holds_dated(index) {
                let mut key = format!("{RENDER_VERSION}\u{1f}{}\u{1f}{}", section.digest, self.config.base_url);
                for &item in listed.iter().filter(|&&i| self.model.pages[i].content.content_type.is_dated()).take(self.config.feed_size as usize) {
                    let _ = write!(key, "\u{1f}{}\u{1f}{}", self.page_urls[item], self.model.pages[item].content_hash);
                }
                for atom in [true, false] {
                    outputs.push(Output {
                        path: format!("{}{}", &self.section_urls[index][1..], if atom { "atom.xml" } else { "rss.xml" }),
                        digest: sha256_hex(format!("{key}\u{1f}{atom}").as_bytes()),
                        kind: OutputKind::Feed { lang: section.lang.clone(), section: Some(index), atom },
                    });
                }
            }
        }
        for lang in &self.config.languages {
            let mut key = format!("{RENDER_VERSION}\u{1f}{}\u{1f}{lang}", self.lang_digests[lang.as_str()]);
            for &item in self.latest.get(lang.as_str()).into_iter().flatten() {
                let _ = write!(key, "\u{1f}{}\u{1f}{}", self.page_urls[item], self.model.pages[item].content_hash);
            }
            for atom in [true, false] {
                outputs.push(Output {
                    path: format!("{lang}/{}", if atom { "atom.xml" } else { "rss.xml" }),
                    digest: sha256_hex(format!("{key}\u{1f}{atom}").as_bytes()),
                    kind: OutputKind::Feed { lang: lang.clone(), section: None, atom },
                });
            }
            outputs.push(Output {
                path: format!("{lang}/404.html"),
                digest: sha256_hex(format!("{}\u{1f}404", self.lang_digests[lang.as_str()]).as_bytes()),
                kind: OutputKind::NotFound { lang: lang.clone() },
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
                    kind: OutputKind::RedirectStub { to },
                });
            }
        }
        outputs.push(Output { path: "_redirects".into(), digest: sha256_hex(redirect_key.as_bytes()), kind: OutputKind::RedirectMap });
        for media in &self.model.media {
            outputs.push(Output {
                path: media.path.clone(),
                digest: media.sha256.clone(),
                kind: OutputKind::Media { path: media.path.clone() },
            });
        }
        // Two outputs at one path would overwrite each other: the first one wins, in a
        // stable order, and `check` reports such clashes.
        let mut seen = std::collections::HashSet::new();
        outputs.retain(|output| seen.insert(output.path.clone()));
        outputs
    }

    /// `/` → the default language, and every old page address → the page's current one.
    fn redirects(&self) -> Vec<(String, String)> {
        let by_id: HashMap<i64, usize> = self.model.pages.iter().enumerate().map(|(i, p)| (p.page_id, i)).collect();
        let mut redirects = vec![("/".to_string(), format!("/{}/", self.config.default_language()))];
        for (from, page_id) in &self.model.redirects {
            if let Some(&index) = by_id.get(page_id)
                && *from != self.page_urls[index]
            {
                redirects.push((from.clone(), self.page_urls[index].clone()));
            }
        }
        redirects
    }

    fn media(&self, path: &str) -> Option<&crate::store::MediaRecord> {
        self.model.media.binary_search_by(|m| m.path.as_str().cmp(path)).ok().map(|i| &self.model.media[i])
    }

    /// Every URL of the sitemap with its alternates and last modification date.
    fn sitemap_entries(&self) -> Vec<feeds::SitemapEntry> {
        let mut entries = Vec::new();
        for (index, section) in self.model.sections.iter().enumerate() {
            let alternates = self.section_alternates(section);
            let has_translation: Vec<(String, String)> = alternates
                .iter()
                .filter(|a| self.section_by_key.contains_key(&(a.lang.as_str(), section.translation_key.as_str())))
                .map(|a| (a.lang.clone(), a.url.clone()))
                .collect();
            entries.push(feeds::SitemapEntry { url: self.section_urls[index].clone(), lastmod: None, alternates: has_translation });
        }
        for (index, page) in self.model.pages.iter().enumerate() {
            if page.expired || self.section_of(page).is_none() {
                continue;
            }
            let alternates: Vec<(String, String)> = self
                .config
                .languages
                .iter()
                .filter_map(|lang| {
                    self.live_by_key
                        .get(&(lang.as_str(), page.translation_key.as_str()))
                        .filter(|&&i| !self.model.pages[i].expired)
                        .map(|&i| (lang.clone(), self.page_urls[i].clone()))
                })
                .collect();
            let lastmod = page.content.modified.as_ref().or(page.content.issued.as_ref()).and_then(Stamp::date);
            entries.push(feeds::SitemapEntry { url: self.page_urls[index].clone(), lastmod, alternates: if alternates.len() > 1 { alternates } else { Vec::new() } });
        }
        entries.sort_by(|a, b| a.url.cmp(&b.url));
        entries
    }

    fn sitemap_outputs(&self, outputs: &mut Vec<Output>) {
        let entries = self.sitemap_entries();
        let mut key = format!("{RENDER_VERSION}\u{1f}{}", self.config.base_url);
        for entry in &entries {
            let _ = write!(key, "\u{1f}{}\u{1f}{:?}\u{1f}{:?}", entry.url, entry.lastmod, entry.alternates);
        }
        let digest = sha256_hex(key.as_bytes());
        if entries.len() <= SITEMAP_LIMIT {
            outputs.push(Output { path: "sitemap.xml".into(), digest, kind: OutputKind::Sitemap { part: None } });
        } else {
            let parts = entries.len().div_ceil(SITEMAP_LIMIT);
            outputs.push(Output { path: "sitemap.xml".into(), digest: digest.clone(), kind: OutputKind::Sitemap { part: None } });
            for part in 1..=parts {
                outputs.push(Output {
                    path: format!("sitemap-{part}.xml"),
                    digest: sha256_hex(format!("{digest}\u{1f}{part}").as_bytes()),
                    kind: OutputKind::Sitemap { part: Some(part) },
                });
            }
        }
    }

    fn context(&self, lang: &str) -> Context {
        let mut context = Context::new();
        if let Some(values) = self.lang_values.get(lang) {
            for (name, value) in values {
                context.insert_value(*name, value.clone());
            }
        }
        context.insert("lang", lang);
        context
    }

    fn item_value(&self, index: usize) -> serde_json::Value {
        let page = &self.model.pages[index];
        let content = &page.content;
        serde_json::json!({
            "title": content.title,
            "url": self.page_urls[index],
            "summary": content.summary,
            "type": content.content_type.as_str(),
            "type_name": self.text(&page.lang, &format!("type_{}", content.content_type.as_str())),
            "issued": content.issued.as_ref().map(Stamp::as_str),
            "issued_display": content.issued.as_ref().and_then(Stamp::date).map(|d| i18n::format_date(&page.lang, d)),
            "valid_until_display": content.valid_until.as_ref().and_then(Stamp::date).map(|d| i18n::format_date(&page.lang, d)),
        })
    }

    /// Renders one output; `body` is the Markdown of the page for `OutputKind::Page`.
    pub fn render(&self, templates: &Templates, output: &Output, body: Option<&str>) -> anyhow::Result<Vec<u8>> {
        let html = match &output.kind {
            OutputKind::Page(index) => self.render_page(templates, *index, body.unwrap_or(""))?,
            OutputKind::List { section, number } => self.render_list(templates, *section, *number)?,
            OutputKind::NotFound { lang } => {
                let mut context = self.context(lang);
                context.insert("alternates", &self.config.languages.iter().map(|l| Alternate { lang: l.clone(), url: format!("/{l}/"), name: self.text(l, "language_name"), current: l == lang }).collect::<Vec<_>>());
                context.insert("breadcrumbs", &Vec::<Link>::new());
                context.insert("title", &self.text(lang, "not_found_title"));
                context.insert("canonical_url", &format!("{}/{lang}/404.html", self.config.base_url));
                templates.render("404.html", &context)?
            }
            OutputKind::Feed { lang, section, atom } => return Ok(self.render_feed(lang, *section, *atom).into_bytes()),
            OutputKind::Sitemap { part } => {
                let entries = self.sitemap_entries();
                return Ok(match part {
                    None if entries.len() <= SITEMAP_LIMIT => feeds::sitemap(&self.config.base_url, &entries),
                    None => feeds::sitemap_index(&self.config.base_url, entries.len().div_ceil(SITEMAP_LIMIT)),
                    Some(part) => {
                        let chunk: Vec<_> = entries.chunks(SITEMAP_LIMIT).nth(part - 1).map(<[_]>::to_vec).unwrap_or_default();
                        feeds::sitemap(&self.config.base_url, &chunk)
                    }
                }
                .into_bytes());
            }
            OutputKind::RedirectMap => {
                let mut text = String::new();
                for (from, to) in self.redirects() {
                    let _ = writeln!(text, "{from} {to}");
                }
                return Ok(text.into_bytes());
            }
            OutputKind::RedirectStub { to } => {
                let to = super::escape_xml(to);
                return Ok(format!(
                    "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{to}</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p><a href=\"{to}\">{to}</a></p>\n</body>\n</html>\n",
                    lang = self.config.default_language()
                )
                .into_bytes());
            }
            OutputKind::Media { .. } => anyhow::bail!("files are copied by build, not rendered"),
        };
        Ok(postprocess(&html)?.into_bytes())
    }

    fn dublin_core(&self, page: &LivePage, url: &str) -> Vec<(&'static str, String)> {
        let config = self.config;
        let lang = page.lang.as_str();
        let content = &page.content;
        let defaults = config.dublin_core_defaults(lang);
        let canonical = format!("{}{url}", config.base_url);
        let or = |value: &Option<String>, fallback: String| value.clone().filter(|v| !v.is_empty()).unwrap_or(fallback);
        let dc = &content.dc;
        let mut fields = vec![
            ("title", content.title.clone()),
            ("creator", or(&dc.creator, defaults.creator.clone())),
            ("subject", or(&dc.subject, if content.keywords.is_empty() { content.title.clone() } else { content.keywords.join(", ") })),
            ("description", content.description.clone().or_else(|| content.summary.clone()).unwrap_or_else(|| content.title.clone())),
            ("publisher", or(&dc.publisher, defaults.publisher.clone())),
            ("contributor", or(&dc.contributor, defaults.publisher.clone())),
            ("date", content.issued.as_ref().or(content.created.as_ref()).map(|s| s.as_str().to_string()).unwrap_or_default()),
            ("type", or(&dc.dc_type, "Text".into())),
            ("format", or(&dc.format, "text/html".into())),
            ("identifier", or(&dc.identifier, canonical.clone())),
            ("source", or(&dc.source, canonical)),
            ("language", or(&dc.language, lang.to_string())),
            ("relation", or(&dc.relation, format!("{}/{lang}/", config.base_url))),
            ("coverage", or(&dc.coverage, defaults.coverage.clone())),
            ("rights", or(&dc.rights, defaults.rights.clone())),
        ];
        // D189 §4.8: refinements.
        for (name, stamp) in [("created", &content.created), ("issued", &content.issued), ("modified", &content.modified), ("valid", &content.valid_until)] {
            if let Some(stamp) = stamp {
                fields.push((name, stamp.as_str().to_string()));
            }
        }
        fields.retain(|(_, value)| !value.is_empty());
        fields
    }

    fn render_page(&self, templates: &Templates, index: usize, body: &str) -> anyhow::Result<String> {
        let page = &self.model.pages[index];
        let lang = page.lang.as_str();
        let section = self.section_of(page).ok_or_else(|| anyhow::anyhow!("page without section"))?;
        let url = &self.page_urls[index];
        let resolve = |link: &str| self.resolve_link(link);
        let html = markdown::render(body, &RenderContext { resolve_link: &resolve, folder_url: &self.section_urls[section] });
        let content = &page.content;
        let files: Vec<serde_json::Value> = content
            .files
            .iter()
            .filter_map(|name| {
                let path = format!("{}{name}", &self.section_urls[section][1..]);
                let media = self.media(&path)?;
                let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_uppercase()).unwrap_or_default();
                Some(serde_json::json!({
                    "name": name,
                    "url": format!("/{path}"),
                    "size": i18n::format_size(lang, media.size),
                    "format": extension,
                    "mime": media.mime,
                }))
            })
            .collect();
        let (breadcrumbs, _) = self.breadcrumbs(section);
        let mut context = self.context(lang);
        let mut item = self.item_value(index);
        if let Some(map) = item.as_object_mut() {
            map.insert("content".into(), html.into());
            map.insert("description".into(), content.description.clone().into());
            map.insert("keywords".into(), content.keywords.join(", ").into());
            map.insert("files".into(), files.into());
            map.insert("expired".into(), page.expired.into());
            map.insert(
                "correction".into(),
                match &content.correction {
                    Some(correction) => serde_json::json!({
                        "date_display": correction.date.date().map(|d| i18n::format_date(lang, d)),
                        "note": correction.note,
                    }),
                    None => serde_json::Value::Null,
                },
            );
            map.insert(
                "modified_display".into(),
                content.modified.as_ref().and_then(Stamp::date).map(|d| i18n::format_date(lang, d)).into(),
            );
        }
        context.insert("page", &item);
        context.insert("title", &content.title);
        context.insert("section", &serde_json::json!({ "title": self.model.sections[section].content.title, "url": self.section_urls[section] }));
        context.insert("breadcrumbs", &breadcrumbs);
        context.insert("alternates", &self.page_alternates(page));
        context.insert("canonical_url", &format!("{}{url}", self.config.base_url));
        context.insert("dc", &self.dublin_core(page, url));
        let template = match &content.template {
            Some(name) => name.clone(),
            None if templates.has(&format!("{}.html", content.content_type.as_str())) && content.content_type != ContentType::Page => {
                format!("{}.html", content.content_type.as_str())
            }
            None => "page.html".into(),
        };
        templates.render(&template, &context)
    }

    fn render_list(&self, templates: &Templates, index: usize, number: usize) -> anyhow::Result<String> {
        let section = &self.model.sections[index];
        let lang = section.lang.as_str();
        let listed = self.listed(index);
        let size = self.page_size(index);
        let total = listed.len().div_ceil(size).max(1);
        let items: Vec<serde_json::Value> =
            listed.iter().skip((number - 1) * size).take(size).map(|&i| self.item_value(i)).collect();
        let children: Vec<Link> = self.children[index]
            .iter()
            .map(|&c| Link { title: self.model.sections[c].content.title.clone(), url: self.section_urls[c].clone() })
            .collect();
        let pages: Vec<serde_json::Value> = (1..=total)
            .map(|n| serde_json::json!({ "number": n, "url": self.list_url(index, n), "current": n == number }))
            .collect();
        let resolve = |link: &str| self.resolve_link(link);
        let intro = markdown::render(&section.content.body, &RenderContext { resolve_link: &resolve, folder_url: &self.section_urls[index] });
        let url = self.list_url(index, number);
        let mut context = self.context(lang);
        let holds_dated = self.holds_dated(index);
        context.insert(
            "section",
            &serde_json::json!({
                "title": section.content.title,
                "description": section.content.description,
                "keywords": section.content.keywords.join(", "),
                "url": self.section_urls[index],
                "content": intro,
                "children": children,
                "items": items,
                "feed_atom": holds_dated.then(|| format!("{}atom.xml", self.section_urls[index])),
                "feed_rss": holds_dated.then(|| format!("{}rss.xml", self.section_urls[index])),
                "pager": {
                    "label": self.page_label(lang, number, total),
                    "current": number,
                    "total": total,
                    "previous": (number > 1).then(|| self.list_url(index, number - 1)),
                    "next": (number < total).then(|| self.list_url(index, number + 1)),
                    "pages": pages,
                },
            }),
        );
        let title = if number > 1 {
            format!("{} — {}", section.content.title, self.page_label(lang, number, total))
        } else {
            section.content.title.clone()
        };
        context.insert("title", &title);
        let (breadcrumbs, _) = self.breadcrumbs(index);
        context.insert("breadcrumbs", &breadcrumbs);
        context.insert("alternates", &self.section_alternates(section));
        context.insert("canonical_url", &format!("{}{url}", self.config.base_url));
        if section.parent_id.is_none() {
            let latest: Vec<serde_json::Value> =
                self.latest.get(lang).into_iter().flatten().take(HOME_LATEST).map(|&i| self.item_value(i)).collect();
            context.insert("latest", &latest);
        }
        let template = section.content.template.clone().unwrap_or_else(|| {
            if section.parent_id.is_none() { "home.html".into() } else { "section.html".into() }
        });
        templates.render(&template, &context)
    }

    fn render_feed(&self, lang: &str, section: Option<usize>, atom: bool) -> String {
        let items: Vec<usize> = match section {
            Some(index) => self
                .listed(index)
                .into_iter()
                .filter(|&i| self.model.pages[i].content.content_type.is_dated())
                .take(self.config.feed_size as usize)
                .collect(),
            None => self.latest.get(lang).cloned().unwrap_or_default(),
        };
        let (title, url) = match section {
            Some(index) => (
                format!("{} — {}", self.model.sections[index].content.title, self.config.localized(&self.config.name, lang)),
                self.section_urls[index].clone(),
            ),
            None => (self.config.localized(&self.config.name, lang).to_string(), format!("/{lang}/")),
        };
        let entries: Vec<feeds::FeedEntry> = items
            .iter()
            .map(|&i| {
                let page = &self.model.pages[i];
                feeds::FeedEntry {
                    title: page.content.title.clone(),
                    url: self.page_urls[i].clone(),
                    summary: page.content.summary.clone().or_else(|| page.content.description.clone()).unwrap_or_default(),
                    issued: page.content.issued.as_ref().and_then(|s| s.instant(self.config.utc_offset)),
                    updated: page.content.modified.as_ref().or(page.content.issued.as_ref()).and_then(|s| s.instant(self.config.utc_offset)),
                }
            })
            .collect();
        let feed = feeds::Feed { title, lang: lang.to_string(), base_url: self.config.base_url.clone(), page_url: url, entries };
        if atom { feeds::atom(&feed) } else { feeds::rss(&feed) }
    }
}

/// How many of the newest items the home page shows.
const HOME_LATEST: usize = 6;

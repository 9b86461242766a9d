//! HTML outputs: the template context of pages, lists, the site map and error pages, with
//! Dublin Core metadata, breadcrumbs, pagination and the text-only twin of every page.

use std::fmt::Write as _;

use tera::Context;

use super::postprocess::{PostContext, postprocess};
use super::view::{Alternate, Link, Output, OutputKind, SiteView, published_date};
use super::{Templates, escape_xml, feeds};
use crate::i18n;
use anyhow::Context as _;

use crate::markdown::{self, RenderContext};
use crate::model::{ContentType, DublinCore, Stamp};

/// How many of the newest items the home page shows.
pub(super) const HOME_LATEST: usize = 6;

/// What one HTML page is about, for its `<head>`.
struct Head<'a> {
    lang: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    keywords: &'a [String],
    /// Path of the normal (not text-only) page.
    url: String,
    created: Option<String>,
    issued: String,
    modified: Option<String>,
    valid_until: Option<String>,
    dc: Option<&'a DublinCore>,
}

impl SiteView<'_> {
    /// Renders one output; `body` is the Markdown of the page for `OutputKind::Page`.
    pub fn render(
        &self,
        templates: &Templates,
        output: &Output,
        body: Option<&str>,
    ) -> anyhow::Result<Vec<u8>> {
        let (html, lang, text_only) = match &output.kind {
            OutputKind::Page {
                index,
                part,
                text_only,
            } => {
                let lang = self.model.pages[*index].lang.as_str();
                (
                    self.render_page(templates, *index, *part, *text_only, body.unwrap_or(""))?,
                    lang,
                    *text_only,
                )
            }
            OutputKind::List {
                section,
                number,
                text_only,
            } => {
                let lang = self.model.sections[*section].lang.as_str();
                (
                    self.render_list(templates, *section, *number, *text_only)?,
                    lang,
                    *text_only,
                )
            }
            OutputKind::SiteMapPage { lang, text_only } => (
                self.render_sitemap_page(templates, lang, *text_only)?,
                lang.as_str(),
                *text_only,
            ),
            OutputKind::SearchPage { lang, text_only } => (
                self.render_search_page(templates, lang, *text_only)?,
                lang.as_str(),
                *text_only,
            ),
            OutputKind::Error { lang, code } => (
                self.render_error(templates, lang, *code)?,
                lang.as_str(),
                false,
            ),
            OutputKind::Feed {
                lang,
                section,
                atom,
            } => return Ok(self.render_feed(lang, *section, *atom).into_bytes()),
            OutputKind::Sitemap { part } => {
                let entries = self.sitemap_entries();
                let base = &self.config.base_url;
                let limit = self.layout.sitemap_limit;
                return Ok(match part {
                    None if entries.len() <= limit => feeds::sitemap(base, &entries),
                    None => feeds::sitemap_index(base, entries.len().div_ceil(limit)),
                    Some(part) => feeds::sitemap(
                        base,
                        entries.chunks(limit).nth(part - 1).unwrap_or_default(),
                    ),
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
                let to = escape_xml(to);
                return Ok(format!(
                    "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{to}</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p><a href=\"{to}\">{to}</a></p>\n</body>\n</html>\n",
                    lang = self.config.default_language()
                )
                .into_bytes());
            }
            OutputKind::Media { .. } => anyhow::bail!("files are copied by build, not rendered"),
        };
        let context = PostContext {
            lang,
            text_only,
            strings: self.strings(lang),
            media: &|path: &str| self.media(path),
        };
        Ok(postprocess(&html, &context)?.into_bytes())
    }

    /// The variables every HTML template gets.
    fn context(
        &self,
        head: &Head<'_>,
        alternates: &[Alternate],
        breadcrumbs: &[Link],
        text_only: bool,
    ) -> Context {
        let lang = head.lang;
        let mut context = Context::new();
        if let Some(values) = self.layout.lang_values.get(lang) {
            for (name, value) in values {
                context.insert_value(*name, value.clone());
            }
        }
        context.insert("lang", lang);
        context.insert("title", head.title);
        // Issue 16: the home page's <title> is the body's name alone, not "Name — Name".
        context.insert("is_home", &(head.url == format!("/{lang}/")));
        context.insert("description", &head.description);
        context.insert("keywords", &head.keywords.join(", "));
        context.insert(
            "canonical_url",
            &format!("{}{}", self.config.base_url, head.url),
        );
        context.insert("current_url", &head.url);
        context.insert("text_only", &text_only);
        context.insert("normal_url", &head.url);
        context.insert("text_url", &format!("/text{}", head.url));
        context.insert("alternates", alternates);
        context.insert("breadcrumbs", breadcrumbs);
        context.insert("dc", &self.dublin_core(head));
        context
    }

    /// All fifteen Dublin Core elements, each non-empty, and the refinements (D189 §4.6–4.8);
    /// what the page does not set comes from `site.toml`.
    fn dublin_core(&self, head: &Head<'_>) -> Vec<(&'static str, String)> {
        let config = self.config;
        let lang = head.lang;
        let defaults = config.dublin_core_defaults(lang);
        let canonical = format!("{}{}", config.base_url, head.url);
        let empty = DublinCore::default();
        let dc = head.dc.unwrap_or(&empty);
        let or = |value: &Option<String>, fallback: String| {
            value
                .clone()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(fallback)
        };
        let subject = if head.keywords.is_empty() {
            head.title.to_string()
        } else {
            head.keywords.join(", ")
        };
        let mut fields = vec![
            ("title", head.title.to_string()),
            ("creator", or(&dc.creator, defaults.creator.clone())),
            ("subject", or(&dc.subject, subject)),
            (
                "description",
                head.description
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or(head.title)
                    .to_string(),
            ),
            ("publisher", or(&dc.publisher, defaults.publisher.clone())),
            (
                "contributor",
                or(&dc.contributor, defaults.publisher.clone()),
            ),
            ("date", head.issued.clone()),
            ("type", or(&dc.dc_type, "Text".into())),
            ("format", or(&dc.format, "text/html".into())),
            ("identifier", or(&dc.identifier, canonical.clone())),
            ("source", or(&dc.source, canonical)),
            ("language", or(&dc.language, lang.to_string())),
            (
                "relation",
                or(&dc.relation, format!("{}/{lang}/", config.base_url)),
            ),
            ("coverage", or(&dc.coverage, defaults.coverage.clone())),
            ("rights", or(&dc.rights, defaults.rights.clone())),
            (
                "created",
                head.created.clone().unwrap_or_else(|| head.issued.clone()),
            ),
            ("issued", head.issued.clone()),
            (
                "modified",
                head.modified.clone().unwrap_or_else(|| head.issued.clone()),
            ),
        ];
        if let Some(valid) = &head.valid_until {
            fields.push(("valid", valid.clone()));
        }
        fields
    }

    /// Whether the items of a list are of more than one type: only then does each item name
    /// its type (issue 16: a list of leadership profiles need not say "Page" on each).
    fn mixed_types(&self, items: &[usize]) -> bool {
        let mut types = items
            .iter()
            .map(|&i| self.model.pages[i].content.content_type);
        types
            .next()
            .is_some_and(|first| types.any(|other| other != first))
    }

    fn item_value(&self, index: usize) -> serde_json::Value {
        let page = &self.model.pages[index];
        let content = &page.content;
        let lang = page.lang.as_str();
        let published = published_date(page);
        let display = |stamp: &Stamp| stamp.date().map(|d| i18n::format_date(lang, d));
        serde_json::json!({
            "title": content.title,
            "url": self.layout.page_urls[index],
            "summary": content.summary,
            "type": content.content_type.as_str(),
            "type_name": self.text(lang, &format!("type_{}", content.content_type.as_str())),
            // Lists date only what is dated (news, announcements, documents); a page is not.
            "dated": content.content_type.is_dated(),
            "issued": published,
            "issued_display": Stamp::parse(&published).ok().as_ref().and_then(display),
            "valid_until": content.valid_until.as_ref().map(Stamp::as_str),
            "valid_until_display": content.valid_until.as_ref().and_then(display),
        })
    }

    fn pager(
        &self,
        lang: &str,
        number: usize,
        total: usize,
        url_of: impl Fn(usize) -> String,
    ) -> serde_json::Value {
        let pages: Vec<serde_json::Value> = (1..=total)
            .map(|n| serde_json::json!({ "number": n, "url": url_of(n), "current": n == number }))
            .collect();
        serde_json::json!({
            "label": self.page_label(lang, number, total),
            "current": number,
            "total": total,
            "previous": (number > 1).then(|| url_of(number - 1)),
            "next": (number < total).then(|| url_of(number + 1)),
            "pages": pages,
        })
    }

    fn render_page(
        &self,
        templates: &Templates,
        index: usize,
        part: usize,
        text_only: bool,
        body: &str,
    ) -> anyhow::Result<String> {
        let page = &self.model.pages[index];
        let lang = page.lang.as_str();
        let section = self
            .section_of(page)
            .ok_or_else(|| anyhow::anyhow!("page without section"))?;
        let parts = markdown::split_parts(body);
        let source = parts.get(part - 1).copied().unwrap_or("");
        let resolve = |link: &str| self.resolve_link(link);
        let html = markdown::render(
            source,
            &RenderContext {
                resolve_link: &resolve,
                folder_url: &self.layout.section_urls[section],
            },
        )
        .with_context(|| format!("the body of {}", self.layout.page_urls[index]))?;
        let content = &page.content;
        // Issue 16: one list of files. Those the text links to are shown there, in the
        // editor's words (with size and format, D189 §6.18); the block lists the others.
        let linked: std::collections::HashSet<String> = markdown::links(source)
            .into_iter()
            .map(|link| {
                link.target
                    .split(['#', '?'])
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let files: Vec<serde_json::Value> = content
            .files
            .iter()
            .filter(|entry| !linked.contains(entry.as_str()))
            .filter_map(|entry| {
                let path = crate::model::attachment_path(&self.layout.section_urls[section], entry);
                self.media(&path)?;
                let url = format!("/{path}");
                if linked.contains(&url) {
                    return None;
                }
                let name = entry.rsplit('/').next().unwrap_or(entry);
                Some(serde_json::json!({ "name": name, "url": url }))
            })
            .collect();
        let (mut breadcrumbs, _) = self.breadcrumbs(section);
        breadcrumbs.push(Link {
            title: content.title.clone(),
            url: self.layout.page_urls[index].clone(),
        });
        let stamp = |s: &Option<Stamp>| s.as_ref().map(|s| s.as_str().to_string());
        let head = Head {
            lang,
            title: &content.title,
            description: content
                .description
                .as_deref()
                .or(content.summary.as_deref()),
            keywords: &content.keywords,
            url: self.part_url(index, part),
            created: stamp(&content.created),
            issued: published_date(page),
            modified: stamp(&content.modified),
            valid_until: stamp(&content.valid_until),
            dc: Some(&content.dc),
        };
        let mut context = self.context(&head, &self.page_alternates(page), &breadcrumbs, text_only);
        let mut item = self.item_value(index);
        if let Some(map) = item.as_object_mut() {
            map.insert("content".into(), html.into());
            map.insert("files".into(), files.into());
            map.insert("expired".into(), page.expired.into());
            map.insert(
                "correction".into(),
                match &content.correction {
                    Some(correction) => serde_json::json!({
                        "date": correction.date.as_str(),
                        "date_display": correction.date.date().map(|d| i18n::format_date(lang, d)),
                        "note": correction.note,
                    }),
                    None => serde_json::Value::Null,
                },
            );
            map.insert(
                "modified_display".into(),
                content
                    .modified
                    .as_ref()
                    .and_then(Stamp::date)
                    .map(|d| i18n::format_date(lang, d))
                    .into(),
            );
            map.insert(
                "pager".into(),
                if page.parts > 1 {
                    self.pager(lang, part, page.parts, |n| self.part_url(index, n))
                } else {
                    serde_json::Value::Null
                },
            );
        }
        context.insert("page", &item);
        context.insert("section", &serde_json::json!({ "title": self.model.sections[section].content.title, "url": self.layout.section_urls[section] }));
        context.insert("section_menu", &self.layout.section_menus[section].0);
        let template = match &content.template {
            Some(name) => name.clone(),
            None if content.content_type != ContentType::Page
                && templates.has(&format!("{}.html", content.content_type.as_str())) =>
            {
                format!("{}.html", content.content_type.as_str())
            }
            None => "page.html".into(),
        };
        templates.render(&template, &context)
    }

    fn render_list(
        &self,
        templates: &Templates,
        index: usize,
        number: usize,
        text_only: bool,
    ) -> anyhow::Result<String> {
        let section = &self.model.sections[index];
        let lang = section.lang.as_str();
        let listed = self.listed(index);
        let size = self.page_size(index);
        let total = listed.len().div_ceil(size).max(1);
        let shown: Vec<usize> = listed
            .iter()
            .skip((number - 1) * size)
            .take(size)
            .copied()
            .collect();
        let items: Vec<serde_json::Value> = shown.iter().map(|&i| self.item_value(i)).collect();
        let mixed_types = self.mixed_types(&shown);
        let children: Vec<Link> = self.layout.children[index]
            .iter()
            .map(|&c| Link {
                title: self.model.sections[c].content.title.clone(),
                url: self.layout.section_urls[c].clone(),
            })
            .collect();
        let resolve = |link: &str| self.resolve_link(link);
        let intro = if number == 1 {
            markdown::render(
                &section.content.body,
                &RenderContext {
                    resolve_link: &resolve,
                    folder_url: &self.layout.section_urls[index],
                },
            )
            .with_context(|| format!("the body of {}", self.layout.section_urls[index]))?
        } else {
            String::new()
        };
        let holds_dated = self.holds_dated(index);
        let title = if number > 1 {
            format!(
                "{} — {}",
                section.content.title,
                self.page_label(lang, number, total)
            )
        } else {
            section.content.title.clone()
        };
        let newest = shown
            .iter()
            .map(|&i| published_date(&self.model.pages[i]))
            .max()
            .unwrap_or_else(|| self.newest(lang).to_string());
        let head = Head {
            lang,
            title: &title,
            description: section.content.description.as_deref(),
            keywords: &section.content.keywords,
            url: self.list_url(index, number),
            created: None,
            issued: newest,
            modified: None,
            valid_until: None,
            dc: None,
        };
        let (breadcrumbs, _) = self.breadcrumbs(index);
        let mut context = self.context(
            &head,
            &self.section_alternates(section),
            &breadcrumbs,
            text_only,
        );
        context.insert(
            "section",
            &serde_json::json!({
                "title": section.content.title,
                "url": self.layout.section_urls[index],
                "content": intro,
                "children": children,
                "items": items,
                "is_root": section.parent_id.is_none(),
                "mixed_types": mixed_types,
                "feed_atom": holds_dated.then(|| format!("{}atom.xml", self.layout.section_urls[index])),
                "feed_rss": holds_dated.then(|| format!("{}rss.xml", self.layout.section_urls[index])),
                "pager": self.pager(lang, number, total, |n| self.list_url(index, n)),
            }),
        );
        if section.parent_id.is_none() {
            let newest: Vec<usize> = self
                .layout
                .latest
                .get(lang)
                .into_iter()
                .flatten()
                .take(HOME_LATEST)
                .copied()
                .collect();
            let latest: Vec<serde_json::Value> =
                newest.iter().map(|&i| self.item_value(i)).collect();
            context.insert("latest", &latest);
            context.insert("latest_mixed", &self.mixed_types(&newest));
        }
        let template = section.content.template.clone().unwrap_or_else(|| {
            if section.parent_id.is_none() {
                "home.html".into()
            } else {
                "section.html".into()
            }
        });
        templates.render(&template, &context)
    }

    /// The hierarchical rubricator of a language's sections and pages (D189 §4.9.3).
    fn render_sitemap_page(
        &self,
        templates: &Templates,
        lang: &str,
        text_only: bool,
    ) -> anyhow::Result<String> {
        let mut tree = String::new();
        if let Some(&root) = self.layout.roots.get(lang) {
            self.sitemap_tree(root, &mut tree);
        }
        let title = self.text(lang, "sitemap");
        let head = Head {
            lang,
            title: &title,
            description: None,
            keywords: &[],
            url: self.sitemap_page_url(lang),
            created: None,
            issued: self.newest(lang).to_string(),
            modified: None,
            valid_until: None,
            dc: None,
        };
        let alternates = self.language_alternates(lang, |l| self.sitemap_page_url(l));
        let home = self.layout.roots.get(lang).map(|&r| Link {
            title: self.model.sections[r].content.title.clone(),
            url: self.layout.section_urls[r].clone(),
        });
        let breadcrumbs: Vec<Link> = home
            .into_iter()
            .chain([Link {
                title: title.clone(),
                url: head.url.clone(),
            }])
            .collect();
        let mut context = self.context(&head, &alternates, &breadcrumbs, text_only);
        context.insert("tree", &tree);
        templates.render("sitemap.html", &context)
    }

    fn sitemap_tree(&self, index: usize, out: &mut String) {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a>",
            escape_xml(&self.layout.section_urls[index]),
            escape_xml(&self.model.sections[index].content.title)
        );
        let (pages, more) = self.sitemap_pages(index);
        let children = &self.layout.children[index];
        if !pages.is_empty() || !children.is_empty() {
            out.push_str("\n<ul>\n");
            for &child in children {
                self.sitemap_tree(child, out);
            }
            for page in pages {
                let _ = writeln!(
                    out,
                    "<li><a href=\"{}\">{}</a></li>",
                    escape_xml(&self.layout.page_urls[page]),
                    escape_xml(&self.model.pages[page].content.title)
                );
            }
            if more > 0 {
                // The rest is in the section's own list; sites imported before this string
                // existed show the section's title.
                let section = &self.model.sections[index];
                let label = match self.strings(&section.lang).get("sitemap_more") {
                    Some(text) => text.replace("{n}", &more.to_string()),
                    None => format!("{} (+{more})", section.content.title),
                };
                let _ = writeln!(
                    out,
                    "<li class=\"more\"><a href=\"{}\">{}</a></li>",
                    escape_xml(&self.layout.section_urls[index]),
                    escape_xml(&label)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</li>\n");
    }

    /// The search form; `serve` fills in the results where the template leaves
    /// [`super::SEARCH_RESULTS_MARKER`].
    fn render_search_page(
        &self,
        templates: &Templates,
        lang: &str,
        text_only: bool,
    ) -> anyhow::Result<String> {
        let title = self.text(lang, "search");
        let head = Head {
            lang,
            title: &title,
            description: None,
            keywords: &[],
            url: self.search_page_url(lang),
            created: None,
            issued: self.newest(lang).to_string(),
            modified: None,
            valid_until: None,
            dc: None,
        };
        let alternates = self.language_alternates(lang, |l| self.search_page_url(l));
        let mut context = self.context(&head, &alternates, &[], text_only);
        let sections: Vec<Link> = self
            .search_sections(lang)
            .into_iter()
            .map(|(title, url)| Link { title, url })
            .collect();
        let types: Vec<Link> = crate::model::ContentType::ALL
            .iter()
            .map(|t| Link {
                title: self.text(lang, &format!("type_{}", t.as_str())),
                url: t.as_str().to_string(),
            })
            .collect();
        context.insert("sections", &sections);
        context.insert("types", &types);
        context.insert("results_marker", super::SEARCH_RESULTS_MARKER);
        templates.render("search.html", &context)
    }

    /// D189 §6.25–6.26: identity, title, explanation, ways back, the error itself.
    fn render_error(&self, templates: &Templates, lang: &str, code: u16) -> anyhow::Result<String> {
        let title = self.text(lang, &format!("error_{code}_title"));
        let head = Head {
            lang,
            title: &title,
            description: None,
            keywords: &[],
            url: format!("/{lang}/{code}.html"),
            created: None,
            issued: self.newest(lang).to_string(),
            modified: None,
            valid_until: None,
            dc: None,
        };
        let alternates = self.language_alternates(lang, |l| format!("/{l}/"));
        let mut context = self.context(&head, &alternates, &[], false);
        // D189 §6.3.4, §6.25: error pages have no text-only twin (the server answers every
        // path with the one error page of its language), so the switch leads to the text-only
        // home page, which always exists.
        context.insert("text_url", &format!("/text/{lang}/"));
        // The code alone: its English reason phrase ("Not Found") is not the page's language.
        context.insert("code", &code);
        // Themes written before issue 16 print `status`, which held "404 Not Found": it is the
        // code alone now, so that their error pages keep rendering, in one language.
        context.insert("status", &code.to_string());
        context.insert("message", &self.text(lang, &format!("error_{code}_text")));
        templates.render("error.html", &context)
    }

    fn render_feed(&self, lang: &str, section: Option<usize>, atom: bool) -> String {
        let items: Vec<usize> = match section {
            Some(index) => self
                .listed(index)
                .into_iter()
                .filter(|&i| self.model.pages[i].content.content_type.is_dated())
                .take(self.config.feed_size as usize)
                .collect(),
            None => self.layout.latest.get(lang).cloned().unwrap_or_default(),
        };
        let name = self.config.localized(&self.config.name, lang);
        let (title, url) = match section {
            Some(index) => (
                format!("{} — {name}", self.model.sections[index].content.title),
                self.layout.section_urls[index].clone(),
            ),
            None => (name.to_string(), format!("/{lang}/")),
        };
        let offset = self.config.utc_offset;
        let entries: Vec<feeds::FeedEntry> = items
            .iter()
            .map(|&i| {
                let content = &self.model.pages[i].content;
                feeds::FeedEntry {
                    title: content.title.clone(),
                    url: self.layout.page_urls[i].clone(),
                    summary: content
                        .summary
                        .clone()
                        .or_else(|| content.description.clone())
                        .unwrap_or_default(),
                    issued: content.issued.as_ref().and_then(|s| s.instant(offset)),
                    updated: content
                        .modified
                        .as_ref()
                        .or(content.issued.as_ref())
                        .and_then(|s| s.instant(offset)),
                }
            })
            .collect();
        let feed = feeds::Feed {
            title,
            lang: lang.to_string(),
            base_url: self.config.base_url.clone(),
            page_url: url,
            entries,
        };
        if atom {
            feeds::atom(&feed)
        } else {
            feeds::rss(&feed)
        }
    }
}

//! Atom and RSS 2.0 feeds of dated items (D189 §4.9.1) and the XML sitemap with hreflang
//! alternates (D189 §4.9.3), written directly as XML.

use std::fmt::Write as _;

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{Date, OffsetDateTime};

use super::escape_xml;

pub struct FeedEntry {
    pub title: String,
    /// Path, like `/az/xeberler/slug/`.
    pub url: String,
    pub summary: String,
    pub issued: Option<OffsetDateTime>,
    pub updated: Option<OffsetDateTime>,
}

pub struct Feed {
    pub title: String,
    pub lang: String,
    pub base_url: String,
    /// Path of the page the feed follows.
    pub page_url: String,
    pub entries: Vec<FeedEntry>,
}

impl Feed {
    /// The newest update among the entries; feeds must be reproducible, so never "now".
    fn updated(&self) -> OffsetDateTime {
        self.entries
            .iter()
            .filter_map(|e| e.updated.or(e.issued))
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

fn rfc3339(moment: OffsetDateTime) -> String {
    moment
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn atom(feed: &Feed) -> String {
    let base = &feed.base_url;
    let mut xml = String::with_capacity(512 + feed.entries.len() * 512);
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>{base}{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{base}{}atom.xml\"/>\n<updated>{}</updated>\n",
        escape_xml(&feed.lang),
        escape_xml(&feed.title),
        escape_xml(&feed.page_url),
        escape_xml(&feed.page_url),
        escape_xml(&feed.page_url),
        rfc3339(feed.updated()),
    );
    let _ = writeln!(
        xml,
        "<author><name>{}</name></author>",
        escape_xml(&feed.title)
    );
    for entry in &feed.entries {
        let url = format!("{base}{}", entry.url);
        let _ = write!(
            xml,
            "<entry>\n<title>{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape_xml(&entry.title),
            escape_xml(&url),
            escape_xml(&url)
        );
        if let Some(issued) = entry.issued {
            let _ = writeln!(xml, "<published>{}</published>", rfc3339(issued));
        }
        let updated = entry
            .updated
            .or(entry.issued)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let _ = writeln!(xml, "<updated>{}</updated>", rfc3339(updated));
        if !entry.summary.is_empty() {
            let _ = writeln!(xml, "<summary>{}</summary>", escape_xml(&entry.summary));
        }
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

pub fn rss(feed: &Feed) -> String {
    let base = &feed.base_url;
    let mut xml = String::with_capacity(512 + feed.entries.len() * 512);
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>{}</title>\n<link>{base}{}</link>\n<description>{}</description>\n<language>{}</language>\n<atom:link href=\"{base}{}rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>\n<lastBuildDate>{}</lastBuildDate>\n",
        escape_xml(&feed.title),
        escape_xml(&feed.page_url),
        escape_xml(&feed.title),
        escape_xml(&feed.lang),
        escape_xml(&feed.page_url),
        feed.updated().format(&Rfc2822).unwrap_or_default(),
    );
    for entry in &feed.entries {
        let url = escape_xml(&format!("{base}{}", entry.url));
        let _ = write!(
            xml,
            "<item>\n<title>{}</title>\n<link>{url}</link>\n<guid isPermaLink=\"true\">{url}</guid>\n",
            escape_xml(&entry.title)
        );
        if let Some(issued) = entry.issued {
            let _ = writeln!(
                xml,
                "<pubDate>{}</pubDate>",
                issued.format(&Rfc2822).unwrap_or_default()
            );
        }
        if !entry.summary.is_empty() {
            let _ = writeln!(
                xml,
                "<description>{}</description>",
                escape_xml(&entry.summary)
            );
        }
        xml.push_str("</item>\n");
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub url: String,
    pub lastmod: Option<Date>,
    /// (language, path) of every translation, this page included; empty when it has none.
    pub alternates: Vec<(String, String)>,
}

pub fn sitemap(base_url: &str, entries: &[SitemapEntry]) -> String {
    let mut xml = String::with_capacity(256 + entries.len() * 256);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for entry in entries {
        let _ = write!(
            xml,
            "<url>\n<loc>{}</loc>\n",
            escape_xml(&format!("{base_url}{}", entry.url))
        );
        if let Some(date) = entry.lastmod {
            let _ = writeln!(
                xml,
                "<lastmod>{:04}-{:02}-{:02}</lastmod>",
                date.year(),
                date.month() as u8,
                date.day()
            );
        }
        for (lang, url) in &entry.alternates {
            let _ = writeln!(
                xml,
                "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                escape_xml(lang),
                escape_xml(&format!("{base_url}{url}"))
            );
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn sitemap_index(base_url: &str, parts: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for part in 1..=parts {
        let _ = writeln!(
            xml,
            "<sitemap><loc>{}/sitemap-{part}.xml</loc></sitemap>",
            escape_xml(base_url)
        );
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

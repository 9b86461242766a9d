//! The dynamic part of the search page: reading the form's parameters, showing the results
//! (title, section, date, highlighted passage, "page N of M"; D189 §4.10, §7.6–7.7) and
//! filling the static page the publisher wrote with them. Pure: `http` runs the search.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lol_html::{RewriteStrSettings, element, rewrite_str};
use serde::Deserialize;
use time::UtcOffset;

use super::{SEARCH_RESULTS_MARKER, escape_xml};
use crate::i18n::text;
use crate::model::Stamp;
use crate::search::index::{SearchRequest, SearchResults};
use crate::search::query::{MAX_QUERY_CHARS, MAX_QUERY_DEPTH, MAX_QUERY_WORDS};

/// Results per page of the search page.
pub const RESULTS_PER_PAGE: usize = 10;

/// The search form's fields, as they arrive in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub section: String,
    #[serde(default, rename = "type")]
    pub content_type: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: Option<usize>,
}

impl SearchParams {
    /// The index request; dates that do not parse are ignored (and shown empty again).
    pub fn request(&self, lang: &str, offset: UtcOffset) -> SearchRequest {
        let day = |text: &str| {
            Stamp::parse(text.trim())
                .ok()
                .filter(Stamp::is_date_only)
                .and_then(|s| s.instant(offset))
        };
        SearchRequest {
            lang: lang.to_string(),
            query: self.q.clone(),
            section: Some(self.section.clone()).filter(|s| !s.is_empty()),
            content_type: Some(self.content_type.clone()).filter(|s| !s.is_empty()),
            from: day(&self.from).map(|t| t.unix_timestamp()),
            until: day(&self.to).map(|t| t.unix_timestamp() + 86_400),
            page: self.page.unwrap_or(1).clamp(1, 1000),
            per_page: RESULTS_PER_PAGE,
        }
    }

    /// The query string of the same search on another page of results.
    fn query_string(&self, page: usize) -> String {
        let mut out = format!("?q={}", encode(&self.q));
        for (name, value) in [
            ("section", &self.section),
            ("type", &self.content_type),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                let _ = write!(out, "&{name}={}", encode(value));
            }
        }
        if page > 1 {
            let _ = write!(out, "&page={page}");
        }
        out
    }
}

/// Percent-encodes a query-string value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => {
                let _ = write!(out, "%{other:02X}");
            }
        }
    }
    out
}

/// The results block: how the query was read, the hits, the pager.
pub fn results_html(
    strings: &BTreeMap<String, String>,
    page_url: &str,
    params: &SearchParams,
    request: &SearchRequest,
    results: &SearchResults,
    text_only: bool,
) -> String {
    let mut html = String::from("<section class=\"search-results\" aria-live=\"polite\">\n");
    if params.q.trim().is_empty() {
        html.push_str("</section>\n");
        return html;
    }
    if results.reading.too_complex.is_some() {
        // Issue 9: a query beyond the parser's limits is not run; the reader is told the limits.
        let message = text(strings, "search_too_complex")
            .replace("{chars}", &MAX_QUERY_CHARS.to_string())
            .replace("{words}", &MAX_QUERY_WORDS.to_string())
            .replace("{depth}", &MAX_QUERY_DEPTH.to_string());
        let _ = writeln!(
            html,
            "<p class=\"search-reading\" role=\"alert\">{}</p>\n</section>",
            escape_xml(&message)
        );
        return html;
    }
    if results.reading.as_plain_words {
        let words = results
            .reading
            .query
            .as_ref()
            .map(crate::search::query::Query::plain_words)
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<p class=\"search-reading\">{} <q>{}</q></p>",
            escape_xml(&text(strings, "search_read_as_words")),
            escape_xml(&words)
        );
    }
    let total_pages = results.total.div_ceil(request.per_page).max(1);
    let _ = writeln!(
        html,
        "<h2>{}</h2>",
        escape_xml(&text(strings, "search_found").replace("{n}", &results.total.to_string()))
    );
    if results.hits.is_empty() {
        let _ = writeln!(
            html,
            "<p>{}</p>",
            escape_xml(&text(strings, "search_nothing"))
        );
    } else {
        html.push_str("<ol class=\"items\">\n");
        // Issue 16: a result names its type only where the results mix types; its section
        // is named always.
        let mixed_types = results
            .hits
            .iter()
            .any(|hit| hit.content_type != results.hits[0].content_type);
        for hit in &results.hits {
            let url = if text_only {
                format!("/text{}", hit.url)
            } else {
                hit.url.clone()
            };
            let mut meta = vec![escape_xml(&hit.section_title)];
            if mixed_types {
                meta.push(escape_xml(&text(
                    strings,
                    &format!("type_{}", hit.content_type),
                )));
            }
            if !hit.date_display.is_empty() && hit.content_type != "page" {
                meta.push(escape_xml(&hit.date_display));
            }
            let _ = writeln!(
                html,
                "<li class=\"item\">\n<h3 class=\"item-title\"><a href=\"{}\">{}</a></h3>\n<p class=\"meta\">{}</p>\n<p class=\"snippet\">{}</p>\n</li>",
                escape_xml(&url),
                escape_xml(&hit.title),
                meta.join(" · "),
                hit.snippet_html
            );
        }
        html.push_str("</ol>\n");
    }
    if total_pages > 1 {
        // D189 §7.6–7.7: results are paginated, with the current page and the total.
        let label = text(strings, "page_n_of_m")
            .replace("{n}", &request.page.to_string())
            .replace("{m}", &total_pages.to_string());
        let _ = write!(
            html,
            "<nav class=\"pager\" aria-label=\"{}\">\n<p>{}</p>\n<ul>\n",
            escape_xml(&text(strings, "pagination")),
            escape_xml(&label)
        );
        for number in 1..=total_pages {
            if number == request.page {
                let _ = writeln!(html, "<li><span aria-current=\"page\">{number}</span></li>");
            } else {
                let _ = writeln!(
                    html,
                    "<li><a href=\"{}{}\">{number}</a></li>",
                    escape_xml(page_url),
                    escape_xml(&params.query_string(number))
                );
            }
        }
        html.push_str("</ul>\n</nav>\n");
    }
    html.push_str("</section>\n");
    html
}

/// Puts the results into the static search page and shows the form as it was filled in.
pub fn fill(shell: &str, params: &SearchParams, results: &str) -> anyhow::Result<String> {
    let with_results = shell.replacen(SEARCH_RESULTS_MARKER, results, 1);
    let value_of = |name: &str| -> &str {
        match name {
            "q" => &params.q,
            "from" => &params.from,
            "to" => &params.to,
            _ => "",
        }
    };
    let selected = |select: &str| -> &str {
        match select {
            "section" => &params.section,
            "type" => &params.content_type,
            _ => "",
        }
    };
    let mut current_select = String::new();
    let current_select = std::cell::RefCell::new(&mut current_select);
    rewrite_str(
        &with_results,
        RewriteStrSettings::new()
            // Issue 16: the language switch searches the same words in the other language (the
            // sections and types of the filters are the page's own, so they stay behind), and
            // the text-only switch keeps the whole search.
            .append_element_content_handler(element!(".language-switch a[hreflang]", |el| {
                if !params.q.is_empty()
                    && let Some(href) = el.get_attribute("href")
                    && !href.contains('?')
                {
                    el.set_attribute("href", &format!("{href}?q={}", encode(&params.q)))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!(".version-switch a", |el| {
                if !params.q.is_empty()
                    && let Some(href) = el.get_attribute("href")
                    && !href.contains('?')
                {
                    // lol_html writes the value as given: its `&` are escaped here.
                    let query = params.query_string(1).replace('&', "&amp;");
                    el.set_attribute("href", &format!("{href}{query}"))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("form.search-form input[name]", |el| {
                let name = el.get_attribute("name").unwrap_or_default();
                if matches!(name.as_str(), "q" | "from" | "to") {
                    el.set_attribute("value", value_of(&name))?;
                }
                Ok(())
            }))
            .append_element_content_handler(element!("form.search-form select[name]", |el| {
                **current_select.borrow_mut() = el.get_attribute("name").unwrap_or_default();
                Ok(())
            }))
            .append_element_content_handler(element!("form.search-form option", |el| {
                let value = el.get_attribute("value").unwrap_or_default();
                let select = current_select.borrow().clone();
                if !value.is_empty() && value == selected(&select) {
                    el.set_attribute("selected", "")?;
                }
                Ok(())
            })),
    )
    .map_err(|error| anyhow::anyhow!("failed to fill the search page: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_fill_the_form_and_place_results() {
        let shell = "<form class=\"search-form\"><input name=\"q\"><select name=\"section\"><option value=\"\">all</option><option value=\"/az/x/\">x</option></select><select name=\"type\"><option value=\"news\">n</option></select><input name=\"from\" type=\"date\"></form><!-- search-results -->";
        let params = SearchParams {
            q: "a \"b\"".into(),
            section: "/az/x/".into(),
            content_type: "news".into(),
            from: "2026-01-01".into(),
            ..Default::default()
        };
        let html = fill(shell, &params, "<p>R</p>").unwrap();
        assert!(html.contains("value=\"a &quot;b&quot;\""), "{html}");
        assert!(
            html.contains("<option value=\"/az/x/\" selected=\"\">"),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"news\" selected=\"\">"),
            "{html}"
        );
        assert!(html.contains("value=\"2026-01-01\""), "{html}");
        assert!(html.ends_with("<p>R</p>"));
    }

    #[test]
    fn can_encode_the_query_string() {
        let params = SearchParams {
            q: "açıq və ya \"məlumat\"".into(),
            section: "/az/x/".into(),
            ..Default::default()
        };
        assert_eq!(
            params.query_string(2),
            "?q=a%C3%A7%C4%B1q+v%C9%99+ya+%22m%C9%99lumat%22&section=%2Faz%2Fx%2F&page=2"
        );
    }
}

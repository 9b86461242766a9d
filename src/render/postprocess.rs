//! The one HTML pass over every rendered page (lol_html): rules that must hold whatever a
//! template or an editor wrote — link targets, trailing slashes, download annotations, and the
//! text-only rewrite.

use std::collections::BTreeMap;

use lol_html::html_content::{ContentType, Element};
use lol_html::{RewriteStrSettings, element, rewrite_str};

use super::escape_xml;
use crate::store::MediaRecord;

/// What the pass needs to know about the page and the site.
pub struct PostContext<'a> {
    pub lang: &'a str,
    /// Rewrite for the text-only version (D189 §6.3.4): links stay inside `/text/`, images
    /// become their alternative text.
    pub text_only: bool,
    pub strings: &'a BTreeMap<String, String>,
    /// The stored file published at a path (without the leading `/`).
    pub media: &'a dyn Fn(&str) -> Option<&'a MediaRecord>,
}

/// Does the last path segment name a file (`report.pdf`, `atom.xml`)?
fn names_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// The software group of a file format, for "PDF, 1,2 MB — PDF oxuyucu" (D189 §6.18).
fn software_key(extension: &str) -> &'static str {
    match extension {
        "pdf" => "software_pdf",
        "doc" | "docx" | "odt" | "rtf" => "software_document",
        "xls" | "xlsx" | "ods" | "csv" => "software_spreadsheet",
        "ppt" | "pptx" | "odp" => "software_presentation",
        "zip" | "rar" | "7z" => "software_archive",
        "jpg" | "jpeg" | "png" | "gif" | "svg" | "webp" => "software_image",
        _ => "software_other",
    }
}

fn fix_link(element: &mut Element<'_, '_>, context: &PostContext<'_>) -> lol_html::HandlerResult {
    let Some(href) = element.get_attribute("href") else {
        return Ok(());
    };
    let trimmed = href.trim();
    if trimmed.to_ascii_lowercase().starts_with("javascript:") {
        // D189 §6.19: links are real addresses, visible in the status bar.
        element.remove_attribute("href");
        return Ok(());
    }
    if trimmed.starts_with("http://")
        || trimmed.starts_with("https://")
        || trimmed.starts_with("//")
    {
        // D189 §7.10: external resources open in a new window, without access to this one.
        element.set_attribute("target", "_blank")?;
        element.set_attribute("rel", "noopener noreferrer")?;
        return Ok(());
    }
    if !trimmed.starts_with('/') {
        return Ok(());
    }
    // D189 §7.10: the site's own pages open in the same window.
    element.remove_attribute("target");
    let end = trimmed.find(['?', '#']).unwrap_or(trimmed.len());
    let (path, rest) = trimmed.split_at(end);
    if names_file(path) {
        // D189 §6.18: size, format and the software to open it, computed from the stored file.
        if let Some(media) = (context.media)(&path[1..]) {
            let extension = path
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            let software = crate::i18n::text(context.strings, software_key(&extension));
            let note = format!(
                " <span class=\"file-info\">({}, {} — {})</span>",
                extension.to_ascii_uppercase(),
                crate::i18n::format_size(context.lang, media.size),
                escape_xml(&software)
            );
            element.after(&note, ContentType::Html);
        }
        return Ok(());
    }
    // D189 §6.17: every link to a non-file ends with a slash.
    let mut path = path.to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    let leaves_text_version = element
        .get_attribute("class")
        .is_some_and(|class| class.split(' ').any(|c| c == "normal-version"));
    if context.text_only
        && !leaves_text_version
        && !path.starts_with("/text/")
        && !path.starts_with("/static/")
    {
        path.insert_str(0, "/text");
    }
    if path != trimmed[..end] {
        element.set_attribute("href", &format!("{path}{rest}"))?;
    }
    Ok(())
}

/// Text-only pages show an image's alternative text instead of the image.
fn replace_image(element: &mut Element<'_, '_>) -> lol_html::HandlerResult {
    let alt = element.get_attribute("alt").unwrap_or_default();
    if alt.trim().is_empty() {
        element.remove();
    } else {
        element.replace(
            &format!("<span class=\"alt\">[{}]</span>", escape_xml(alt.trim())),
            ContentType::Html,
        );
    }
    Ok(())
}

/// A wide table scrolls inside a focusable, labelled region, so keyboard users can scroll it
/// and the page itself never scrolls sideways (D189 §6.3.3, §7.3.3).
fn wrap_table(element: &mut Element<'_, '_>, context: &PostContext<'_>) -> lol_html::HandlerResult {
    let label = escape_xml(&crate::i18n::text(context.strings, "table_label"));
    element.before(
        &format!(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{label}\">"
        ),
        ContentType::Html,
    );
    element.after("</div>", ContentType::Html);
    Ok(())
}

/// Applies the rules to a whole page.
pub fn postprocess(html: &str, context: &PostContext<'_>) -> anyhow::Result<String> {
    let mut settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("a[href]", |el| fix_link(el, context)))
        .append_element_content_handler(element!("main table", |el| wrap_table(el, context)));
    if context.text_only {
        settings = settings.append_element_content_handler(element!("img", replace_image));
    }
    rewrite_str(html, settings)
        .map_err(|error| anyhow::anyhow!("HTML post-processing failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(html: &str, text_only: bool) -> String {
        let strings: BTreeMap<String, String> =
            [("software_pdf".to_string(), "PDF oxuyucu".to_string())]
                .into_iter()
                .collect();
        let record = MediaRecord {
            path: "az/a.pdf".into(),
            mime: "application/pdf".into(),
            size: 1_258_291,
            sha256: String::new(),
        };
        let media = |path: &str| (path == "az/a.pdf").then_some(&record);
        postprocess(
            html,
            &PostContext {
                lang: "az",
                text_only,
                strings: &strings,
                media: &media,
            },
        )
        .unwrap()
    }

    #[test]
    fn can_enforce_link_rules() {
        let html = run(
            r#"<a href="/az/xeberler">a</a><a href="/az/x?q=1">c</a><a href="https://e-gov.az">d</a><a href="javascript:void(0)">e</a><a href="/az/" target="_blank">f</a>"#,
            false,
        );
        assert!(html.contains(r#"href="/az/xeberler/""#), "{html}");
        assert!(html.contains(r#"href="/az/x/?q=1""#), "{html}");
        assert!(
            html.contains(r#"href="https://e-gov.az" target="_blank" rel="noopener noreferrer""#),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains(r#"<a href="/az/">f</a>"#), "{html}");
    }

    #[test]
    fn can_annotate_downloads() {
        let html = run(r#"<a href="/az/a.pdf">Hesabat</a>"#, false);
        assert!(html.contains(r#"<a href="/az/a.pdf">Hesabat</a> <span class="file-info">(PDF, 1,2 MB — PDF oxuyucu)</span>"#), "{html}");
    }

    #[test]
    fn can_rewrite_for_text_only() {
        let html = run(
            r#"<a href="/az/x/">x</a><a href="/az/a.pdf">f</a><img src="/static/img/flag.svg" alt="Bayraq"><img src="d.png" alt="">"#,
            true,
        );
        assert!(html.contains(r#"href="/text/az/x/""#), "{html}");
        assert!(html.contains(r#"href="/az/a.pdf""#), "{html}");
        assert!(
            html.contains("[Bayraq]") && !html.contains("<img"),
            "{html}"
        );
    }
}

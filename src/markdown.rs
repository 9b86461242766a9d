//! Markdown to HTML with pulldown-cmark, sanitised with ammonia; pure functions. Bodies beyond
//! [`MAX_BODY_BYTES`] or nested deeper than [`MAX_NESTING`] are refused by [`check_limits`],
//! which every entry point (import, `check`, the editor, its preview) and [`render`] call
//! (issue 9: 100,000 `>` made a build take 128 s, 40,000 `<div>` a preview 6 s).

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// A link target found in a Markdown body and the byte offset where its link starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub offset: usize,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Every link and image target in the body, in order.
pub fn links(source: &str) -> Vec<Link> {
    Parser::new_ext(source, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => Some(Link {
                target: dest_url.to_string(),
                offset: range.start,
            }),
            _ => None,
        })
        .collect()
}

/// Is this link target a file beside the page (`hesabat.pdf`)?
pub fn is_sibling_file(target: &str) -> bool {
    !target.is_empty()
        && !target.contains(['/', ':', '#', '?', '@'])
        && target
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
}

/// The line that splits a long document into pages (D189 §7.6).
pub const PAGE_BREAK: &str = "<!-- pagebreak -->";

/// The parts of a body, split at lines that hold only [`PAGE_BREAK`]; at least one.
pub fn split_parts(source: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        if line.trim() == PAGE_BREAK {
            parts.push(&source[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    parts.push(&source[start..]);
    parts
}

/// Byte offsets of images without alternative text (D189 §7.9): Markdown images with an
/// empty description and HTML `<img>` tags without a non-empty `alt`.
pub fn images_without_alt(source: &str) -> Vec<usize> {
    let mut missing = Vec::new();
    let mut open_image: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => open_image = Some((range.start, String::new())),
            Event::End(pulldown_cmark::TagEnd::Image) => {
                if let Some((start, alt)) = open_image.take()
                    && alt.trim().is_empty()
                {
                    missing.push(start);
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, alt)) = open_image.as_mut() {
                    alt.push_str(&text);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let lower = html.to_ascii_lowercase();
                let mut search = 0;
                while let Some(found) = lower[search..].find("<img") {
                    let tag_start = search + found;
                    let tag_end = lower[tag_start..]
                        .find('>')
                        .map(|e| tag_start + e)
                        .unwrap_or(lower.len());
                    let tag = &lower[tag_start..tag_end];
                    let has_alt = tag
                        .split_once("alt=")
                        .map(|(_, rest)| {
                            let rest = rest.trim_start_matches(['"', '\'']);
                            !rest.is_empty() && !rest.starts_with(['"', '\'', ' '])
                        })
                        .unwrap_or(false);
                    if !has_alt {
                        missing.push(range.start + tag_start);
                    }
                    search = tag_end;
                }
            }
            _ => {}
        }
    }
    missing
}

/// The text of a body without markup, for the search index: words of paragraphs, headings,
/// lists and tables, separated by spaces and newlines.
pub fn plain_text(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    for event in Parser::new_ext(source, options()) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            // Table cells are kept apart in search snippets (issue 16: "Şəhər · Tarix", not
            // "Şəhər Tarix"), and each row ends its line.
            Event::End(pulldown_cmark::TagEnd::TableCell) => text.push_str(" · "),
            Event::End(pulldown_cmark::TagEnd::TableRow | pulldown_cmark::TagEnd::TableHead) => {
                let kept = text.trim_end_matches(" · ").len();
                text.truncate(kept);
                text.push('\n');
            }
            Event::End(end) if is_block_end(&end) && !text.ends_with(['\n', ' ']) => {
                text.push('\n')
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                // Editors' HTML: keep its text, drop its tags.
                let mut inside = false;
                for ch in html.chars() {
                    match ch {
                        '<' => inside = true,
                        '>' => inside = false,
                        c if !inside => text.push(c),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    text
}

fn is_block_end(end: &pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd;
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableCell
            | TagEnd::TableRow
            | TagEnd::TableHead
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::FootnoteDefinition
    )
}

/// The largest body a page or section may have: 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How deep quotes, lists, emphasis and HTML elements may nest inside each other.
pub const MAX_NESTING: usize = 64;

/// Why a body is refused; the message names the limit and how to get within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyLimit {
    #[error(
        "the body is {bytes} bytes; at most {MAX_BODY_BYTES} bytes (1 MiB) are allowed: split the text into several pages or attach it as a file"
    )]
    TooLarge { bytes: usize },
    /// `line` counts from the body's first line.
    #[error(
        "quotes, lists or HTML elements are nested more than {MAX_NESTING} levels deep at line {line} of the body; at most {MAX_NESTING} levels are allowed: remove extra `>`, list indentation or `<div>`s"
    )]
    TooDeep { line: usize },
}

/// Checks a body against [`MAX_BODY_BYTES`] and [`MAX_NESTING`] in one linear pass, stopping
/// at the first level too deep, before anything that costs more than linear time sees it.
pub fn check_limits(source: &str) -> Result<(), BodyLimit> {
    if source.len() > MAX_BODY_BYTES {
        return Err(BodyLimit::TooLarge {
            bytes: source.len(),
        });
    }
    let mut markdown_depth = 0usize;
    let mut html_depth = 0usize;
    for (event, range) in Parser::new_ext(source, options()).into_offset_iter() {
        let deepest = match event {
            Event::Start(_) => {
                markdown_depth += 1;
                markdown_depth + html_depth
            }
            Event::End(_) => {
                markdown_depth = markdown_depth.saturating_sub(1);
                0
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let deepest_html = html_nesting(&html, &mut html_depth);
                markdown_depth + deepest_html
            }
            _ => 0,
        };
        if deepest > MAX_NESTING {
            let line = source[..range.start].matches('\n').count() + 1;
            return Err(BodyLimit::TooDeep { line });
        }
    }
    Ok(())
}

/// Elements that never hold others.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Follows the open and close tags of a piece of HTML, updating `depth` (open elements carried
/// over from earlier pieces); returns the deepest level reached. Linear in the piece.
fn html_nesting(html: &str, depth: &mut usize) -> usize {
    let bytes = html.as_bytes();
    let mut deepest = *depth;
    let mut position = 0;
    while let Some(found) = bytes[position..].iter().position(|&b| b == b'<') {
        let start = position + found + 1;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |n| name_start + n);
        let tag_end = bytes[name_end..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |n| name_end + n);
        let name = &html[name_start..name_end];
        let is_element = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
        if is_element {
            if closing {
                *depth = depth.saturating_sub(1);
            } else {
                let self_closed = tag_end > name_end && bytes[tag_end - 1] == b'/';
                let void = VOID_ELEMENTS
                    .iter()
                    .any(|void| void.eq_ignore_ascii_case(name));
                if !self_closed && !void {
                    *depth += 1;
                    deepest = deepest.max(*depth);
                }
            }
        }
        position = if is_element { tag_end } else { start }.min(bytes.len());
    }
    deepest
}

/// What rendering needs from its surroundings.
pub struct RenderContext<'a> {
    /// Maps an internal link (`@/az/…/x.md`) to the page's URL; `None` leaves the link as it is.
    pub resolve_link: &'a dyn Fn(&str) -> Option<String>,
    /// URL of the folder holding the page, where its sibling files are published (`/az/senedler/`).
    pub folder_url: &'a str,
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // Link targets and `rel` are decided by the post-processing pass for the whole page
    // (D189 §7.10), not here.
    builder.link_rel(None);
    builder.add_generic_attributes(["id"]);
    builder
});

/// Renders a Markdown body to sanitised HTML, resolving internal and sibling-file links; a body
/// beyond the limits is refused before the sanitiser (whose cost grows with nesting) sees it.
pub fn render(source: &str, context: &RenderContext<'_>) -> Result<String, BodyLimit> {
    check_limits(source)?;
    let events = Parser::new_ext(source, options()).map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: resolve(dest_url, context),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: resolve(dest_url, context),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    Ok(SANITIZER.clean(&html).to_string())
}

fn resolve<'a>(target: CowStr<'a>, context: &RenderContext<'_>) -> CowStr<'a> {
    if target.starts_with("@/") {
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target.as_ref(), None),
        };
        if let Some(url) = (context.resolve_link)(path) {
            return match fragment {
                Some(fragment) => format!("{url}#{fragment}").into(),
                None => url.into(),
            };
        }
    } else if is_sibling_file(&target) {
        return format!("{}{}", context.folder_url, target).into();
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_simple(source: &str) -> String {
        let resolve = |path: &str| (path == "@/az/a/b.md").then(|| "/az/a/b/".to_string());
        render(
            source,
            &RenderContext {
                resolve_link: &resolve,
                folder_url: "/az/a/",
            },
        )
        .unwrap()
    }

    #[test]
    fn can_render_and_resolve_links() {
        let html = render_simple("[B](@/az/a/b.md#x) [PDF](hesabat.pdf) [Ext](https://e-gov.az/)");
        assert!(html.contains(r#"href="/az/a/b/#x""#), "{html}");
        assert!(html.contains(r#"href="/az/a/hesabat.pdf""#), "{html}");
        assert!(html.contains(r#"href="https://e-gov.az/""#), "{html}");
    }

    #[test]
    fn can_sanitise_editor_html() {
        let html = render_simple(
            "<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\">x</a> <b onclick=\"x()\">b</b>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn can_render_tables() {
        let html = render_simple("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
    }

    #[test]
    fn can_extract_plain_text() {
        let text = plain_text(
            "## Başlıq\n\nMətn **qalın** [keçid](x.md).\n\n- bir\n- iki\n\n<b>html</b>\n",
        );
        assert!(text.contains("Başlıq\n"), "{text:?}");
        assert!(text.contains("Mətn qalın keçid."), "{text:?}");
        assert!(
            text.contains("bir")
                && text.contains("iki")
                && text.contains("html")
                && !text.contains("<b>"),
            "{text:?}"
        );
    }

    #[test]
    fn can_split_long_documents() {
        assert_eq!(split_parts("a\n"), vec!["a\n"]);
        assert_eq!(
            split_parts("a\n<!-- pagebreak -->\nb\n"),
            vec!["a\n", "b\n"]
        );
    }

    #[test]
    fn can_find_images_without_alt() {
        let source = "![](a.png)\n\n![Gerb](b.png)\n\n<img src=\"c.png\">\n\n<img src=\"d.png\" alt=\"Bayraq\">\n\nx <img alt=\"\" src=\"e.png\"> y\n";
        let missing = images_without_alt(source);
        assert_eq!(missing.len(), 3, "{missing:?}");
        assert_eq!(&source[missing[0]..missing[0] + 2], "![");
    }

    #[test]
    fn can_find_links_with_offsets() {
        let source = "Mətn\n[B](@/az/a/b.md) və ![şəkil](s.png)";
        let found = links(source);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].target, "@/az/a/b.md");
        assert_eq!(&source[found[0].offset..found[0].offset + 1], "[");
        assert!(is_sibling_file("s.png"));
        assert!(!is_sibling_file("https://x.az/a.pdf"));
    }
}

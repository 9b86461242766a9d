//! Markdown to HTML with pulldown-cmark, sanitised with ammonia; pure functions.

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
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                Some(Link { target: dest_url.to_string(), offset: range.start })
            }
            _ => None,
        })
        .collect()
}

/// Is this link target a file beside the page (`hesabat.pdf`)?
pub fn is_sibling_file(target: &str) -> bool {
    !target.is_empty()
        && !target.contains(['/', ':', '#', '?', '@'])
        && target.rsplit_once('.').is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty())
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

/// Renders a Markdown body to sanitised HTML, resolving internal and sibling-file links.
pub fn render(source: &str, context: &RenderContext<'_>) -> String {
    let events = Parser::new_ext(source, options()).map(|event| match event {
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => Event::Start(Tag::Link {
            link_type,
            dest_url: resolve(dest_url, context),
            title,
            id,
        }),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => Event::Start(Tag::Image {
            link_type,
            dest_url: resolve(dest_url, context),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SANITIZER.clean(&html).to_string()
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
        render(source, &RenderContext { resolve_link: &resolve, folder_url: "/az/a/" })
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
        let html = render_simple("<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\">x</a> <b onclick=\"x()\">b</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn can_render_tables() {
        let html = render_simple("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<table>") && html.contains("<td>2</td>"), "{html}");
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

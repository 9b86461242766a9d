//! The one HTML pass over every rendered page (lol_html): link rules that must hold whatever a
//! template or an editor wrote.

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str};

/// Does the last path segment name a file (`report.pdf`, `atom.xml`)?
fn names_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

fn fix_link(element: &mut Element<'_, '_>) -> lol_html::HandlerResult {
    let Some(href) = element.get_attribute("href") else { return Ok(()) };
    let trimmed = href.trim();
    if trimmed.to_ascii_lowercase().starts_with("javascript:") {
        // D189 §6.19: links are real addresses, visible in the status bar.
        element.remove_attribute("href");
        return Ok(());
    }
    if trimmed.starts_with('/') && !trimmed.starts_with("//") {
        // D189 §6.17: every link to a non-file ends with a slash.
        let end = trimmed.find(['?', '#']).unwrap_or(trimmed.len());
        let (path, rest) = trimmed.split_at(end);
        if !path.ends_with('/') && !names_file(path) {
            element.set_attribute("href", &format!("{path}/{rest}"))?;
        }
        element.remove_attribute("target");
    } else if trimmed.starts_with("http://") || trimmed.starts_with("https://") || trimmed.starts_with("//") {
        // D189 §7.10: external resources open in a new window, without access to this one.
        element.set_attribute("target", "_blank")?;
        element.set_attribute("rel", "noopener noreferrer")?;
    }
    Ok(())
}

/// Applies the link rules to a whole page.
pub fn postprocess(html: &str) -> anyhow::Result<String> {
    rewrite_str(
        html,
        RewriteStrSettings::new().append_element_content_handler(element!("a[href]", fix_link)),
    )
    .map_err(|error| anyhow::anyhow!("HTML post-processing failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_enforce_link_rules() {
        let html = postprocess(
            r#"<a href="/az/xeberler">a</a><a href="/az/a.pdf">b</a><a href="/az/x?q=1">c</a><a href="https://e-gov.az">d</a><a href="javascript:void(0)">e</a><a href="/az/" target="_blank">f</a>"#,
        )
        .unwrap();
        assert!(html.contains(r#"href="/az/xeberler/""#), "{html}");
        assert!(html.contains(r#"href="/az/a.pdf""#), "{html}");
        assert!(html.contains(r#"href="/az/x/?q=1""#), "{html}");
        assert!(html.contains(r#"href="https://e-gov.az" target="_blank" rel="noopener noreferrer""#), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains(r#"<a href="/az/">f</a>"#), "{html}");
    }
}

//! Rendering: turns the published view of the site into output files. Lists every output with
//! a digest of its inputs ([`SiteView::outputs`]) and renders one on request
//! ([`SiteView::render`]). Pure: the database and the file system are `build`'s business.

mod feeds;
mod html;
mod postprocess;
pub mod search_page;
mod view;

use std::collections::BTreeMap;

use tera::{Context, Tera};

pub use postprocess::{PostContext, postprocess};
pub use view::{ERROR_CODES, Output, OutputKind, Scope, SiteLayout, SiteView, same_place};

/// Bumped when the generated output changes for the same input, so that an incremental build
/// after an upgrade re-renders everything.
pub const RENDER_VERSION: &str = "govsite-render-4";

/// Templates the default layout needs; a theme must provide them.
pub const REQUIRED_TEMPLATES: [&str; 7] = [
    "base.html",
    "home.html",
    "section.html",
    "page.html",
    "sitemap.html",
    "search.html",
    "error.html",
];

/// Where the search page's template leaves room for the results `serve` computes.
pub const SEARCH_RESULTS_MARKER: &str = "<!-- search-results -->";

/// The compiled templates of a theme.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Compiles every template; the errors name the template and say what is wrong.
    pub fn compile(templates: &BTreeMap<String, String>) -> Result<Templates, Vec<String>> {
        let mut problems = Vec::new();
        for required in REQUIRED_TEMPLATES {
            if !templates.contains_key(required) {
                problems.push(format!(
                    "template `{required}` is missing; the theme must provide it"
                ));
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        if let Err(error) = tera.add_raw_templates(
            templates
                .iter()
                .map(|(name, body)| (name.as_str(), body.as_str())),
        ) {
            problems.push(format!("templates do not compile: {}", error_chain(&error)));
        }
        if problems.is_empty() {
            Ok(Templates { tera })
        } else {
            Err(problems)
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    pub fn render(&self, name: &str, context: &Context) -> anyhow::Result<String> {
        self.tera
            .render(name, context)
            .map_err(|error| anyhow::anyhow!("template `{name}`: {}", error_chain(&error)))
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Escapes text for XML and HTML attribute and element content.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

//! The panel's own templates and interface strings (Azerbaijani and English), compiled into
//! the binary; independent of the site's theme so that a broken theme never locks editors out.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use tera::{Context, Tera};

/// Languages of the admin interface; the first is the default.
pub const UI_LANGUAGES: [&str; 2] = ["az", "en"];

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("password.html", include_str!("templates/password.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("pages.html", include_str!("templates/pages.html")),
    ("page_new.html", include_str!("templates/page_new.html")),
    ("editor.html", include_str!("templates/editor.html")),
    ("revisions.html", include_str!("templates/revisions.html")),
    ("sections.html", include_str!("templates/sections.html")),
    ("media.html", include_str!("templates/media.html")),
    ("menus.html", include_str!("templates/menus.html")),
    ("templates.html", include_str!("templates/templates.html")),
    (
        "template_edit.html",
        include_str!("templates/template_edit.html"),
    ),
    ("strings.html", include_str!("templates/strings.html")),
    ("users.html", include_str!("templates/users.html")),
    ("user_edit.html", include_str!("templates/user_edit.html")),
    ("groups.html", include_str!("templates/groups.html")),
    ("journal.html", include_str!("templates/journal.html")),
    ("message.html", include_str!("templates/message.html")),
];

static TERA: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html"]);
    tera.add_raw_templates(TEMPLATES.iter().copied())
        .unwrap_or_else(|error| panic!("the admin templates do not compile: {error:?}"));
    tera
});

static STRINGS: LazyLock<BTreeMap<&'static str, BTreeMap<String, String>>> = LazyLock::new(|| {
    let parse = |text: &str| -> BTreeMap<String, String> {
        toml::from_str(text).unwrap_or_else(|error| panic!("admin strings: {error}"))
    };
    BTreeMap::from([
        ("az", parse(include_str!("i18n/az.toml"))),
        ("en", parse(include_str!("i18n/en.toml"))),
    ])
});

/// The interface strings of a language (Azerbaijani for an unknown one).
pub fn strings(lang: &str) -> &'static BTreeMap<String, String> {
    STRINGS
        .get(lang)
        .or_else(|| STRINGS.get("az"))
        .expect("the admin strings include az")
}

/// One interface string; the key itself if it is missing (a test keeps both languages whole).
pub fn text(lang: &str, key: &str) -> String {
    strings(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Renders a panel template; `t` holds the strings of `lang`.
pub fn render(name: &str, lang: &str, context: &mut Context) -> anyhow::Result<String> {
    context.insert("t", strings(lang));
    context.insert("ui_lang", lang);
    TERA.render(name, context).map_err(|error| {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        anyhow::anyhow!("admin template `{name}`: {message}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_strings() {
        let az: Vec<&String> = strings("az").keys().collect();
        let en: Vec<&String> = strings("en").keys().collect();
        assert_eq!(az, en);
        // Turkic letters are written as such, not approximated.
        assert!(strings("az").values().any(|v| v.contains('ə')));
    }

    #[test]
    fn templates_compile() {
        LazyLock::force(&TERA);
    }
}

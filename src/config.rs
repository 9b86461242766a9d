//! `site.toml`: the installation — the body's identity, languages, listeners, paths and
//! schedules. Sections, menus and everything editors change live in the database instead.
//!
//! Parsed in two stages: [`RawConfig`] mirrors the file; [`Config::from_raw`] resolves paths
//! against the site directory and checks everything once, collecting every problem.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::UtcOffset;

use crate::error::UserError;

/// A text given once per language (`name = { az = "…", en = "…" }`).
pub type Localized = BTreeMap<String, String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub site: RawSite,
    #[serde(default)]
    pub dublin_core: RawDublinCore,
    #[serde(default)]
    pub paths: RawPaths,
    #[serde(default)]
    pub listen: RawListen,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub schedule: RawSchedule,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub domain: String,
    pub base_url: String,
    /// The first language is the default one (D189 §3.1: Azerbaijani).
    pub languages: Vec<String>,
    #[serde(default = "default_offset")]
    pub utc_offset: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    pub name: Localized,
    #[serde(default)]
    pub address: Localized,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDublinCore {
    #[serde(default)]
    pub publisher: Localized,
    #[serde(default)]
    pub creator: Localized,
    #[serde(default)]
    pub rights: Localized,
    #[serde(default)]
    pub coverage: Localized,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaths {
    #[serde(default = "default_data")]
    pub data: PathBuf,
    #[serde(default = "default_public")]
    pub public: PathBuf,
}

impl Default for RawPaths {
    fn default() -> Self {
        RawPaths {
            data: default_data(),
            public: default_public(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListen {
    #[serde(default = "default_public_addr")]
    pub public: String,
    /// The admin panel's own listener (D189 §6.4.9); used by the admin issue.
    #[serde(default = "default_admin_addr")]
    pub admin: String,
    /// Browsers reach the admin panel over HTTPS through a TLS proxy in front of it: session
    /// cookies get `Secure` and logins are accepted off loopback (D189 §6.3.12).
    #[serde(default)]
    pub admin_https: bool,
}

impl Default for RawListen {
    fn default() -> Self {
        RawListen {
            public: default_public_addr(),
            admin: default_admin_addr(),
            admin_https: false,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuild {
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    #[serde(default = "default_feed_size")]
    pub feed_size: u32,
}

impl Default for RawBuild {
    fn default() -> Self {
        RawBuild {
            theme: default_theme(),
            page_size: default_page_size(),
            feed_size: default_feed_size(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// How often `serve` looks for scheduled publications and expiries, in seconds.
    #[serde(default = "default_publish_check")]
    pub publish_check_seconds: u64,
    /// How often `serve` rebuilds the search index from scratch, in minutes (D189 §4.10.1).
    #[serde(default = "default_index_refresh")]
    pub index_refresh_minutes: u64,
}

impl Default for RawSchedule {
    fn default() -> Self {
        RawSchedule {
            publish_check_seconds: default_publish_check(),
            index_refresh_minutes: default_index_refresh(),
        }
    }
}

fn default_index_refresh() -> u64 {
    24 * 60
}

fn default_offset() -> String {
    "+04:00".into()
}
fn default_data() -> PathBuf {
    "data".into()
}
fn default_public() -> PathBuf {
    "public".into()
}
fn default_public_addr() -> String {
    "127.0.0.1:8080".into()
}
fn default_admin_addr() -> String {
    "127.0.0.1:8081".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_page_size() -> u32 {
    10
}
fn default_feed_size() -> u32 {
    20
}
fn default_publish_check() -> u64 {
    30
}

/// Site-wide Dublin Core values for one language.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DublinCoreDefaults {
    pub creator: String,
    pub publisher: String,
    pub rights: String,
    pub coverage: String,
}

/// The validated installation.
#[derive(Debug, Clone)]
pub struct Config {
    /// The folder holding `site.toml`; `content/`, `themes/`, `i18n/` are read from here.
    pub site_dir: PathBuf,
    pub domain: String,
    /// Without a trailing slash: `https://opendata.gov.az`.
    pub base_url: String,
    pub languages: Vec<String>,
    pub utc_offset: UtcOffset,
    pub email: String,
    pub phone: String,
    pub name: Localized,
    pub address: Localized,
    pub dublin_core: RawDublinCore,
    pub data_dir: PathBuf,
    pub public_dir: PathBuf,
    pub public_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    /// See [`RawListen::admin_https`].
    pub admin_https: bool,
    pub theme: String,
    pub page_size: u32,
    pub feed_size: u32,
    pub publish_check_seconds: u64,
    pub index_refresh_minutes: u64,
}

impl Clone for RawDublinCore {
    fn clone(&self) -> Self {
        RawDublinCore {
            publisher: self.publisher.clone(),
            creator: self.creator.clone(),
            rights: self.rights.clone(),
            coverage: self.coverage.clone(),
        }
    }
}

impl Config {
    /// Reads and validates `DIR/site.toml`.
    pub fn load(site_dir: &Path) -> Result<Config, UserError> {
        let path = site_dir.join("site.toml");
        let text = std::fs::read_to_string(&path).map_err(|error| {
            UserError::new(format!(
                "cannot read `{}`: {error}; run govsite in the site's folder or pass `--site DIR`",
                path.display()
            ))
        })?;
        Config::parse(site_dir, &text)
    }

    pub fn parse(site_dir: &Path, text: &str) -> Result<Config, UserError> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| line_of(text, span.start))
                .unwrap_or(1);
            UserError::new(format!(
                "site.toml:{line}: {}",
                error.message().trim_end_matches('\n')
            ))
        })?;
        Config::from_raw(site_dir, raw)
    }

    pub fn from_raw(site_dir: &Path, raw: RawConfig) -> Result<Config, UserError> {
        let mut problems = Vec::new();
        let site = raw.site;
        if site.languages.is_empty() {
            problems.push("site.toml: `site.languages` is empty; list the languages, Azerbaijani first: `languages = [\"az\", \"en\"]`".to_string());
        }
        // D189 §3.1–3.2: Azerbaijani is the default language, English is mandatory.
        if site.languages.first().map(String::as_str) != Some("az") {
            problems.push("site.toml: `site.languages` must start with \"az\" (D189 §3.1: Azerbaijani is the site's default language)".to_string());
        }
        if !site.languages.iter().any(|lang| lang == "en") {
            problems.push("site.toml: `site.languages` must include \"en\" (D189 §3.2: the English version is mandatory)".to_string());
        }
        for lang in &site.languages {
            if lang.is_empty() || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
                problems.push(format!(
                    "site.toml: language code `{lang}` must be lowercase letters, like \"az\""
                ));
            }
        }
        let mut check_localized = |field: &str, values: &Localized, required: bool| {
            for lang in &site.languages {
                if values.get(lang).is_none_or(|v| v.trim().is_empty())
                    && (required || !values.is_empty())
                {
                    problems.push(format!("site.toml: `{field}` has no text for language `{lang}`; add `{lang} = \"…\"`"));
                }
            }
        };
        check_localized("site.name", &site.name, true);
        check_localized("site.address", &site.address, false);
        check_localized("dublin_core.publisher", &raw.dublin_core.publisher, false);
        check_localized("dublin_core.rights", &raw.dublin_core.rights, false);
        if !site.base_url.starts_with("http://") && !site.base_url.starts_with("https://") {
            problems.push(format!(
                "site.toml: `site.base_url` = {:?} must start with https:// (for example \"https://{}\")",
                site.base_url, site.domain
            ));
        }
        if !site.email.contains('@') {
            problems.push(format!(
                "site.toml: `site.email` = {:?} is not an e-mail address",
                site.email
            ));
        }
        let utc_offset = parse_offset(&site.utc_offset).unwrap_or_else(|| {
            problems.push(format!(
                "site.toml: `site.utc_offset` = {:?} must look like \"+04:00\"",
                site.utc_offset
            ));
            UtcOffset::UTC
        });
        let mut parse_addr = |field: &str, value: &str| -> SocketAddr {
            value.parse().unwrap_or_else(|_| {
                problems.push(format!(
                    "site.toml: `listen.{field}` = {value:?} is not an address; write it like \"127.0.0.1:8080\""
                ));
                SocketAddr::from(([127, 0, 0, 1], 0))
            })
        };
        let public_addr = parse_addr("public", &raw.listen.public);
        let admin_addr = parse_addr("admin", &raw.listen.admin);
        if raw.build.page_size == 0 {
            problems.push("site.toml: `build.page_size` must be at least 1".to_string());
        }
        if raw.schedule.index_refresh_minutes == 0 {
            problems
                .push("site.toml: `schedule.index_refresh_minutes` must be at least 1".to_string());
        }
        if raw.schedule.publish_check_seconds == 0 {
            problems
                .push("site.toml: `schedule.publish_check_seconds` must be at least 1".to_string());
        }
        if !problems.is_empty() {
            return Err(UserError::with_problems(
                "site.toml has problems:",
                problems,
            ));
        }
        Ok(Config {
            site_dir: site_dir.to_path_buf(),
            domain: site.domain,
            base_url: site.base_url.trim_end_matches('/').to_string(),
            languages: site.languages,
            utc_offset,
            email: site.email,
            phone: site.phone,
            name: site.name,
            address: site.address,
            dublin_core: raw.dublin_core,
            data_dir: site_dir.join(raw.paths.data),
            public_dir: site_dir.join(raw.paths.public),
            public_addr,
            admin_addr,
            admin_https: raw.listen.admin_https,
            theme: raw.build.theme,
            page_size: raw.build.page_size,
            feed_size: raw.build.feed_size,
            publish_check_seconds: raw.schedule.publish_check_seconds,
            index_refresh_minutes: raw.schedule.index_refresh_minutes,
        })
    }

    pub fn default_language(&self) -> &str {
        &self.languages[0]
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("govsite.sqlite")
    }

    pub fn search_index_dir(&self) -> PathBuf {
        self.data_dir.join("search-index")
    }

    /// Dublin Core values a page does not set itself (D189 §4.6–4.7).
    pub fn dublin_core_defaults(&self, lang: &str) -> DublinCoreDefaults {
        let name = self.localized(&self.name, lang).to_string();
        let or_name = |values: &Localized| {
            let value = self.localized(values, lang);
            if value.is_empty() {
                name.clone()
            } else {
                value.to_string()
            }
        };
        let coverage = self.localized(&self.dublin_core.coverage, lang);
        DublinCoreDefaults {
            creator: or_name(&self.dublin_core.creator),
            publisher: or_name(&self.dublin_core.publisher),
            rights: {
                let rights = self.localized(&self.dublin_core.rights, lang);
                if rights.is_empty() {
                    format!("© {name}")
                } else {
                    rights.to_string()
                }
            },
            coverage: if coverage.is_empty() {
                "AZ".to_string()
            } else {
                coverage.to_string()
            },
        }
    }

    /// A text in a language, falling back to the default language.
    pub fn localized<'a>(&'a self, values: &'a Localized, lang: &str) -> &'a str {
        values
            .get(lang)
            .or_else(|| values.get(self.default_language()))
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn parse_offset(text: &str) -> Option<UtcOffset> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1i8, &text[1..]),
        b'-' => (-1i8, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i8 = hours.parse().ok()?;
    let minutes: i8 = minutes.parse().ok()?;
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

/// The 1-based line of a byte offset in a text.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[site]
domain = "test.gov.az"
base_url = "https://test.gov.az"
languages = ["az", "en"]
email = "info@test.gov.az"
name = { az = "Test Agentliyi", en = "Test Agency" }
"#;

    #[test]
    fn can_parse_minimal_config() {
        let config = Config::parse(Path::new("/site"), MINIMAL).unwrap();
        assert_eq!(config.default_language(), "az");
        assert_eq!(config.public_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.admin_addr.to_string(), "127.0.0.1:8081");
        assert_eq!(config.utc_offset, UtcOffset::from_hms(4, 0, 0).unwrap());
        assert_eq!(config.public_dir, Path::new("/site/public"));
    }

    #[test]
    fn errors_on_missing_english_and_bad_address() {
        let text = MINIMAL
            .replace("[\"az\", \"en\"]", "[\"az\"]")
            .replace("[site]", "[listen]\npublic = \"localhost\"\n[site]");
        let error = Config::parse(Path::new("/site"), &text).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("D189 §3.2"), "{message}");
        assert!(message.contains("listen.public"), "{message}");
    }

    #[test]
    fn errors_on_unknown_field_with_line() {
        let text = format!("{MINIMAL}colour = \"blue\"\n");
        let error = Config::parse(Path::new("/site"), &text).unwrap_err();
        assert!(error.to_string().starts_with("site.toml:8:"), "{error}");
        assert!(error.to_string().contains("colour"), "{error}");
    }
}

//! Language rules beyond UI strings: dates written the way each language writes them
//! ("22 noyabr 2026"), and the lookup of UI strings with a visible fallback.

use std::collections::BTreeMap;

use time::Date;

const AZ_MONTHS: [&str; 12] = [
    "yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr",
    "noyabr", "dekabr",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as readers of the language expect it: `22 noyabr 2026`, `22 November 2026`; other
/// languages get ISO 8601 until they are taught.
pub fn format_date(lang: &str, date: Date) -> String {
    let month = date.month() as usize - 1;
    match lang {
        "az" => format!("{} {} {}", date.day(), AZ_MONTHS[month], date.year()),
        "en" => format!("{} {} {}", date.day(), EN_MONTHS[month], date.year()),
        _ => format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month() as u8,
            date.day()
        ),
    }
}

/// A file size in the language's number style: `1,2 MB` in Azerbaijani, `1.2 MB` in English.
pub fn format_size(lang: &str, bytes: u64) -> String {
    let (value, unit) = if bytes >= 1024 * 1024 {
        (bytes as f64 / (1024.0 * 1024.0), "MB")
    } else if bytes >= 1024 {
        (bytes as f64 / 1024.0, "KB")
    } else {
        return format!("{bytes} B");
    };
    let text = format!("{value:.1}");
    let text = if lang == "en" {
        text
    } else {
        text.replace('.', ",")
    };
    format!("{text} {unit}")
}

/// A UI string; a missing key shows as `[key]` so it is noticed, never as an empty space.
pub fn text<'a>(strings: &'a BTreeMap<String, String>, key: &str) -> std::borrow::Cow<'a, str> {
    match strings.get(key) {
        Some(value) => value.into(),
        None => format!("[{key}]").into(),
    }
}

/// The UI strings that become a segment of URLs and of file paths in `public/`
/// (`/az/sayt-xeritesi/`, `/az/axtaris/`, `/az/xeberler/sehife/2/`): the same keys as
/// `render::SITEMAP_SEGMENT_KEY`, `render::SEARCH_SEGMENT_KEY` and
/// `content::PAGINATION_SEGMENT_KEY`.
pub const URL_SEGMENT_KEYS: [&str; 3] = ["sitemap_segment", "search_segment", "pagination_segment"];

/// What is wrong with a UI string, if it becomes a URL segment and is not a slug: such a
/// string names a folder of `public/`, so `..` or `/` in it would write outside the site.
/// D189 §6.15: addresses use only `a-z`, `0-9`, `-`, `_`.
pub fn url_segment_problem(key: &str, value: &str) -> Option<String> {
    if !URL_SEGMENT_KEYS.contains(&key) || crate::slug::is_valid_slug(value) {
        return None;
    }
    let suggestion = url_segment_suggestion(key, value);
    Some(format!(
        "`{key}` = \"{value}\" becomes part of the site's addresses and may use only `a-z`, `0-9`, `-`, `_`, and must not be empty (D189 §6.15); write it like \"{suggestion}\""
    ))
}

/// A slug to suggest for a URL-segment string that is not one: the value transliterated, or
/// the key's own name when nothing of the value is left.
pub fn url_segment_suggestion(key: &str, value: &str) -> String {
    let suggestion = crate::slug::slugify(value);
    if suggestion.is_empty() {
        key.trim_end_matches("_segment").replace('_', "-")
    } else {
        suggestion
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    #[test]
    fn can_format_dates() {
        let date = Date::from_calendar_date(2026, Month::November, 22).unwrap();
        assert_eq!(format_date("az", date), "22 noyabr 2026");
        assert_eq!(format_date("en", date), "22 November 2026");
        assert_eq!(format_date("ru", date), "2026-11-22");
    }

    #[test]
    fn can_format_sizes() {
        assert_eq!(format_size("az", 1_258_291), "1,2 MB");
        assert_eq!(format_size("en", 1_258_291), "1.2 MB");
        assert_eq!(format_size("en", 2048), "2.0 KB");
        assert_eq!(format_size("az", 512), "512 B");
    }
}

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

/// The Azerbaijani alphabet in its order (32 letters; `x` follows `h`, `ı` precedes `i`, `q`
/// follows `k`). Written out rather than taken from ICU's collation data, which would add
/// megabytes of tables for this one alphabet.
const AZ_ALPHABET: &str = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz";

/// Orders two texts as the language's dictionaries do (issue 11: "Əlaqə" sorted after
/// "Xəbərlər" by code point): Azerbaijani by its alphabet, ignoring case with Turkic casing
/// (`İ` → `i`, `I` → `ı`); other languages by letter, ignoring case. Digits and punctuation come
/// before letters, letters outside the alphabet after them; equal keys fall back to the text.
pub fn collate(lang: &str, a: &str, b: &str) -> std::cmp::Ordering {
    collation_key(lang, a)
        .cmp(&collation_key(lang, b))
        .then_with(|| a.cmp(b))
}

fn collation_key(lang: &str, text: &str) -> Vec<u32> {
    let lower = if lang == "az" {
        crate::slug::turkic_lowercase(text)
    } else {
        text.to_lowercase()
    };
    lower
        .chars()
        .map(|ch| {
            if lang == "az"
                && let Some(at) = AZ_ALPHABET.chars().position(|letter| letter == ch)
            {
                return 0x1_0000 + at as u32;
            }
            if ch.is_ascii_lowercase() {
                return 0x1_0000 + 0x100 + ch as u32;
            }
            if ch.is_alphabetic() {
                return 0x2_0000 + ch as u32;
            }
            ch as u32
        })
        .collect()
}

#[cfg(test)]
mod collation_tests {
    use super::*;

    #[test]
    fn can_sort_azerbaijani_by_its_alphabet() {
        let mut titles = vec![
            "Xəbərlər",
            "Əlaqə",
            "Sənədlər",
            "Çağırışlar",
            "Haqqımızda",
            "İdarələr",
            "Ictimai",
            "qanunlar",
            "Kadrlar",
            "Elanlar",
            "Ümumi",
            "Şikayətlər",
            "Ödənişlər",
            "Ana səhifə",
        ];
        titles.sort_by(|a, b| collate("az", a, b));
        assert_eq!(
            titles,
            [
                "Ana səhifə",
                "Çağırışlar",
                "Elanlar",
                "Əlaqə",
                "Haqqımızda",
                "Xəbərlər",
                "Ictimai",
                "İdarələr",
                "Kadrlar",
                "qanunlar",
                "Ödənişlər",
                "Sənədlər",
                "Şikayətlər",
                "Ümumi",
            ]
        );
        let mut english = vec!["news", "About", "contacts", "Xenon", "documents"];
        english.sort_by(|a, b| collate("en", a, b));
        assert_eq!(english, ["About", "contacts", "documents", "news", "Xenon"]);
    }
}

/// The UI strings the site ships with (`i18n/az.toml`): which `{placeholders}` the code fills
/// in for each key.
const SHIPPED_STRINGS: &str = include_str!("../i18n/az.toml");

/// The `{name}` placeholders of a UI string, in order of first appearance.
pub fn placeholders(value: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        let name = &after[..close];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !found.contains(&name)
        {
            found.push(name);
        }
        rest = &after[close + 1..];
    }
    found
}

/// The placeholders the code fills in for `key`, when the site ships that string.
pub fn expected_placeholders(key: &str) -> Option<Vec<String>> {
    static SHIPPED: std::sync::LazyLock<BTreeMap<String, Vec<String>>> =
        std::sync::LazyLock::new(|| {
            toml::from_str::<BTreeMap<String, String>>(SHIPPED_STRINGS)
                .unwrap_or_default()
                .into_iter()
                .map(|(key, value)| {
                    let names = placeholders(&value)
                        .into_iter()
                        .map(str::to_string)
                        .collect();
                    (key, names)
                })
                .collect()
        });
    SHIPPED.get(key).cloned()
}

/// A UI string whose placeholders are not the ones the code fills in (issue 11: `Səhifə {n} /
/// {total}` was saved and the site showed "Səhifə 1 / {total}"): `(expected, found)`, each
/// written `{a}, {b}` (or `—` for none). Only strings the site ships are checked.
pub fn placeholder_problem(key: &str, value: &str) -> Option<(String, String)> {
    let expected = expected_placeholders(key)?;
    let mut found: Vec<&str> = placeholders(value);
    let mut wanted: Vec<&str> = expected.iter().map(String::as_str).collect();
    found.sort_unstable();
    wanted.sort_unstable();
    if found == wanted {
        return None;
    }
    let list = |names: &[&str]| {
        if names.is_empty() {
            "—".to_string()
        } else {
            names
                .iter()
                .map(|name| format!("{{{name}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    Some((list(&wanted), list(&found)))
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn can_tell_the_placeholders_a_string_must_keep() {
        assert_eq!(placeholders("Səhifə {n} / {m}"), ["n", "m"]);
        assert_eq!(placeholders("{ n } {} {n} {n}"), ["n"]);
        assert_eq!(
            placeholder_problem("page_n_of_m", "Səhifə {m}-dən {n}"),
            None
        );
        assert_eq!(
            placeholder_problem("page_n_of_m", "Səhifə {n} / {total}"),
            Some(("{m}, {n}".to_string(), "{n}, {total}".to_string()))
        );
        assert_eq!(
            placeholder_problem("search_found", "Nəticələr"),
            Some(("{n}".to_string(), "—".to_string()))
        );
        assert_eq!(
            placeholder_problem("read_more", "Ətraflı {x}"),
            Some(("—".into(), "{x}".into()))
        );
        assert_eq!(placeholder_problem("not_a_shipped_key", "{anything}"), None);
    }
}

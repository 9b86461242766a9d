//! Azerbaijani text rules shared by every module: Turkic lowercasing and the transliteration of
//! titles into URL slugs of `[a-z0-9_-]` (D189 §6.15).

/// Lowercases with the Azerbaijani (Turkic) rules: `I` → `ı`, `İ` → `i`; everything else as
/// Unicode lowercases it. Rust's `to_lowercase` maps `I` to `i` and `İ` to `i̇`, which is wrong
/// for Azerbaijani.
pub fn turkic_lowercase(text: &str) -> String {
    let mut lowered = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            'I' => lowered.push('ı'),
            'İ' => lowered.push('i'),
            _ => lowered.extend(ch.to_lowercase()),
        }
    }
    lowered
}

/// The longest slug: a folder or file name in an address stays readable, far below the file
/// system's 255 bytes, and a page many sections deep stays far below a URL's limits. A longer
/// title's slug is cut at a word boundary.
pub const MAX_SLUG_BYTES: usize = 100;

/// Turns a title or file name into a slug: Turkic lowercase, Azerbaijani letters transliterated
/// (`ə`→`e`, `ı`→`i`, `ö`→`o`, `ü`→`u`, `ğ`→`g`, `ş`→`s`, `ç`→`c`), every other run of
/// characters outside `[a-z0-9_]` becomes one `-`, no `-` at either end, at most
/// [`MAX_SLUG_BYTES`] (cut after a whole word where there is one).
pub fn slugify(text: &str) -> String {
    let mut slug = slugify_whole(text);
    if slug.len() > MAX_SLUG_BYTES {
        // Only ASCII is left, so any byte index is a character boundary.
        let cut = slug[..=MAX_SLUG_BYTES]
            .rfind('-')
            .filter(|&dash| dash > 0)
            .unwrap_or(MAX_SLUG_BYTES);
        slug.truncate(cut);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    slug
}

fn slugify_whole(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for ch in turkic_lowercase(text).chars() {
        let mapped = match ch {
            'ə' | 'ä' | 'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'ı' | 'í' | 'î' | 'ï' => Some('i'),
            'ö' | 'ó' | 'ô' => Some('o'),
            'ü' | 'ú' | 'û' => Some('u'),
            'ğ' => Some('g'),
            'ş' => Some('s'),
            'ç' => Some('c'),
            'á' | 'à' | 'â' => Some('a'),
            'a'..='z' | '0'..='9' | '_' => Some(ch),
            _ => None,
        };
        match mapped {
            Some(letter) => {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(letter);
            }
            None => pending_dash = true,
        }
    }
    slug
}

/// Is this a valid slug: non-empty, at most [`MAX_SLUG_BYTES`], only `[a-z0-9_-]`, not
/// starting or ending with `-`?
pub fn is_valid_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_SLUG_BYTES
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// Is this a valid name for a published file: a slug, a dot, a lowercase extension?
pub fn is_valid_file_name(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((stem, extension)) => {
            is_valid_slug(stem)
                && !extension.is_empty()
                && extension
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 300-character slug was accepted, and once its page was published every build failed
    // with "File name too long" (issue 9, the attack after the fixes).
    #[test]
    fn slugs_are_bounded_and_long_titles_are_cut_at_a_word() {
        assert!(!is_valid_slug(&"a".repeat(MAX_SLUG_BYTES + 1)));
        assert!(is_valid_slug(&"a".repeat(MAX_SLUG_BYTES)));
        let title =
            "Azərbaycan Respublikasının dövlət orqanlarının internet saytlarına dair ".repeat(5);
        let slug = slugify(&title);
        assert!(slug.len() <= MAX_SLUG_BYTES, "{slug}");
        assert!(is_valid_slug(&slug), "{slug}");
        assert!(title.starts_with("Azərbaycan") && slug.starts_with("azerbaycan-respublikasinin-"));
        assert!(!slug.ends_with("-") && slug.split('-').all(|word| !word.is_empty()));
        let unbroken = slugify(&"x".repeat(300));
        assert_eq!(unbroken.len(), MAX_SLUG_BYTES);
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(slugify(input), expected, "slugify({input:?})");
    }

    #[test]
    fn can_slugify_azerbaijani_titles() {
        check("Agentlik haqqında", "agentlik-haqqinda");
        check("Xəbərlər", "xeberler");
        check("Şəxsi məlumatlar", "sexsi-melumatlar");
        check("Çörək və ayaq", "corek-ve-ayaq");
        check("Öyrənmə üçün ağac", "oyrenme-ucun-agac");
        check("İSTİFADƏÇİ", "istifadeci");
        check("IŞIQ", "isiq");
        check("  2026-cı il: hesabat!  ", "2026-ci-il-hesabat");
        check("e-xidmətlər", "e-xidmetler");
        check("open_data 2.0", "open_data-2-0");
    }

    #[test]
    fn can_lowercase_the_turkic_way() {
        assert_eq!(turkic_lowercase("IŞIQ"), "ışıq");
        assert_eq!(turkic_lowercase("İŞIQ"), "işıq");
        assert_eq!(turkic_lowercase("İSTİFADƏÇİ"), "istifadəçi");
        assert_eq!(turkic_lowercase("Azərbaycan"), "azərbaycan");
    }

    #[test]
    fn can_validate_slugs_and_file_names() {
        assert!(is_valid_slug("illik-hesabat_2025"));
        assert!(!is_valid_slug("Hesabat"));
        assert!(!is_valid_slug("hesabat-"));
        assert!(!is_valid_slug("xəbər"));
        assert!(!is_valid_slug(""));
        assert!(is_valid_file_name("illik-hesabat-2025.pdf"));
        assert!(!is_valid_file_name("Hesabat.PDF"));
        assert!(!is_valid_file_name("hesabat"));
    }
}

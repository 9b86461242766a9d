//! The confidentiality guard before publishing (D189 §4.5): finds secrecy stamps and personal
//! identifiers (FIN codes, ID card numbers, phone numbers) in page text.
//!
//! Detection only: the admin shows the findings, and publishing over them needs an explicit
//! override that the admin journals. The scanner is hand-written (no regex): it walks the text
//! once per kind over a table of characters that keeps every character's byte offset.
//!
//! The rules, in short (each function below documents its own):
//! - **Stamps** (`STAMPS`) are matched as whole words, case-insensitively with Turkic casing,
//!   but only where they stand as a stamp and not as an ordinary word in a sentence
//!   (`in_stamp_position`): "MƏXFİ" at the top of a letter fires, "məxfi suala cavab" (a secret
//!   question) and "dövlət sirri, fərdi məlumatlar" in a list of what is not published do not;
//!   inflected forms ("məxfilik siyasəti", "gizlin") never match.
//! - **FIN codes**: a standalone 7-character token of digits and capital Latin letters other than
//!   `I` and `O` (the FIN alphabet), with at least one digit and one letter; or any 7 characters
//!   with a digit after a "FİN"/"FIN"/"PİN" label.
//! - **ID card numbers**: `AZE` + 8 digits and `AA` + 7 digits, with or without one space.
//! - **Phone numbers**: Azerbaijani numbers with their grouping checked (`is_phone`), so dates,
//!   times, amounts, section numbers and long digit runs do not match.

// D189 §4.5: "only open information is placed on the site, without secret or confidential
// information" — the guard warns; people decide.

use serde::Serialize;

use crate::slug::turkic_lowercase;

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A secrecy stamp such as "Məxfi", "Xidməti istifadə üçün" or "Confidential".
    Stamp,
    /// A personal identification number (FİN), 7 characters.
    Fin,
    /// An identity card number: `AZE` + 8 digits or `AA` + 7 digits.
    IdCard,
    /// An Azerbaijani phone number.
    Phone,
}

impl FindingKind {
    /// A short label for people: Azerbaijani for `"az"`, English for anything else.
    pub fn describe(self, lang: &str) -> &'static str {
        let az = lang == "az";
        match self {
            FindingKind::Stamp if az => "məxfilik qrifi",
            FindingKind::Stamp => "secrecy stamp",
            FindingKind::Fin if az => "FİN kod",
            FindingKind::Fin => "FIN code",
            FindingKind::IdCard if az => "şəxsiyyət vəsiqəsinin nömrəsi",
            FindingKind::IdCard => "ID card number",
            FindingKind::Phone if az => "telefon nömrəsi",
            FindingKind::Phone => "phone number",
        }
    }
}

/// One thing the guard found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// The matched text as written.
    pub text: String,
    /// Byte offsets in the scanned text: `text == scanned[start..end]`.
    pub start: usize,
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
}

/// Everything in `text` that looks like a secrecy stamp or a personal identifier (D189 §4.5),
/// sorted by `start` and not overlapping (where two candidates overlap, the one starting first
/// wins, then the longer one).
pub fn scan(text: &str) -> Vec<Finding> {
    let chars = Chars::new(text);
    let mut spans: Vec<Span> = Vec::new();
    scan_stamps(&chars, &mut spans);
    scan_tokens(&chars, &mut spans);
    scan_fin_labels(&chars, &mut spans);
    scan_phones(&chars, &mut spans);
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));

    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|&(_, byte)| byte == b'\n')
        .map(|(at, _)| at)
        .collect();
    let mut findings: Vec<Finding> = Vec::new();
    let mut taken = 0; // char index up to which the text is already covered
    for span in spans {
        if span.start < taken {
            continue;
        }
        taken = span.end;
        let start = chars.offsets[span.start];
        let end = chars.offsets[span.end];
        findings.push(Finding {
            kind: span.kind,
            text: text[start..end].to_string(),
            start,
            end,
            line: newlines.partition_point(|&at| at < start) + 1,
        });
    }
    findings
}

/// A candidate in char indices, `start..end`.
struct Span {
    kind: FindingKind,
    start: usize,
    end: usize,
}

/// The scanned text as characters, with each one's folded form and byte offset.
struct Chars {
    chars: Vec<char>,
    /// For matching words: Turkic lowercase, then `ı` → `i` (so "GIZLI" typed without dotted
    /// capitals and English "CONFIDENTIAL", whose `I` Turkic lowercasing makes `ı`, still match),
    /// and the Cyrillic schwa `ә` that Azerbaijani texts often contain read as the Latin `ə`.
    folded: Vec<char>,
    /// Byte offset of each character, then the text's length.
    offsets: Vec<usize>,
}

impl Chars {
    fn new(text: &str) -> Chars {
        let mut chars = Vec::with_capacity(text.len());
        let mut folded = Vec::with_capacity(text.len());
        let mut offsets = Vec::with_capacity(text.len() + 1);
        for (at, ch) in text.char_indices() {
            chars.push(ch);
            folded.push(fold(ch));
            offsets.push(at);
        }
        offsets.push(text.len());
        Chars {
            chars,
            folded,
            offsets,
        }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn get(&self, at: usize) -> Option<char> {
        self.chars.get(at).copied()
    }

    /// Is `at` outside any word on its left, i.e. is the character before it (if any) not part
    /// of a word?
    fn word_starts_at(&self, at: usize) -> bool {
        at == 0 || !is_word_char(self.chars[at - 1])
    }

    /// Is the character at `at` (if any) not part of a word?
    fn word_ends_at(&self, at: usize) -> bool {
        self.get(at).is_none_or(|ch| !is_word_char(ch))
    }

    /// If the folded text at `at` spells `word` and the word ends there, the index after it.
    fn word_at(&self, at: usize, word: &str) -> Option<usize> {
        let mut position = at;
        for expected in word.chars() {
            if self.folded.get(position) != Some(&expected) {
                return None;
            }
            position += 1;
        }
        self.word_ends_at(position).then_some(position)
    }

    /// The whole word starting at `at`, folded.
    fn folded_word(&self, at: usize) -> String {
        let mut end = at;
        while end < self.len() && is_word_char(self.chars[end]) {
            end += 1;
        }
        self.folded[at..end].iter().collect()
    }

    fn skip(&self, mut at: usize, skipped: impl Fn(char) -> bool) -> usize {
        while at < self.len() && skipped(self.chars[at]) {
            at += 1;
        }
        at
    }

    fn skip_back(&self, mut at: usize, skipped: impl Fn(char) -> bool) -> usize {
        while at > 0 && skipped(self.chars[at - 1]) {
            at -= 1;
        }
        at
    }
}

/// One character folded for matching; see [`Chars::folded`].
fn fold(ch: char) -> char {
    let ch = match ch {
        'ә' => 'ə',
        'Ә' => 'Ə',
        _ => ch,
    };
    if ch.is_ascii() {
        // What `turkic_lowercase` followed by `ı` → `i` gives for ASCII, without an allocation.
        return ch.to_ascii_lowercase();
    }
    let lowered = turkic_lowercase(ch.encode_utf8(&mut [0; 4]));
    match lowered.chars().next() {
        Some('ı') => 'i',
        Some(first) => first,
        None => ch,
    }
}

fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Spaces inside a line.
fn is_blank(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

/// Markdown emphasis around a word.
fn is_emphasis(ch: char) -> bool {
    matches!(ch, '*' | '_')
}

// ---------------------------------------------------------------------------------------------
// Stamps

/// The secrecy stamps, folded (see [`Chars::folded`]), longer phrases first: the three degrees
/// of the Law "On State Secret" (xüsusi əhəmiyyətli, tam məxfi, məxfi) and the other Azerbaijani
/// markings in use, "konfidensial" from D189 §4.5 itself ("məxfi və konfidensial informasiya"),
/// the English ones of documents received from abroad, and the Russian ones still found on older
/// documents.
const STAMPS: &[&[&str]] = &[
    &["xüsusi", "əhəmiyyətli"],
    &["tam", "məxfi"],
    &["çox", "məxfi"],
    &["xidməti", "istifadə", "üçün"],
    &["dövlət", "sirri"],
    &["məxfi"],
    &["gizli"],
    &["konfidensial"],
    &["top", "secret"],
    &["strictly", "confidential"],
    &["for", "official", "use", "only"],
    &["confidential"],
    &["secret"],
    &["restricted"],
    &["особой", "важности"],
    &["совершенно", "секретно"],
    &["для", "служебного", "пользования"],
    &["секретно"],
];

/// Words that name a stamp ("Məxfi qrifi", "Qrif: Gizli", "Classification: Secret").
fn is_stamp_noun(folded_word: &str) -> bool {
    folded_word.starts_with("qrif")
        || folded_word.starts_with("гриф")
        || matches!(
            folded_word,
            "stamp" | "marking" | "classification" | "classified"
        )
}

fn scan_stamps(chars: &Chars, spans: &mut Vec<Span>) {
    let mut at = 0;
    while at < chars.len() {
        if chars.word_starts_at(at)
            && let Some(end) = STAMPS.iter().find_map(|words| stamp_at(chars, at, words))
            && in_stamp_position(chars, at, end)
        {
            spans.push(Span {
                kind: FindingKind::Stamp,
                start: at,
                end,
            });
            at = end;
            continue;
        }
        at += 1;
    }
}

/// If the words of a stamp start at `at`, separated by spaces within the line, the index after
/// the last one.
fn stamp_at(chars: &Chars, at: usize, words: &[&str]) -> Option<usize> {
    let mut position = at;
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            let after_blank = chars.skip(position, is_blank);
            if after_blank == position {
                return None;
            }
            position = after_blank;
        }
        position = chars.word_at(position, word)?;
    }
    Some(position)
}

/// Does the stamp word at `start..end` stand as a stamp rather than as a word of a sentence?
///
/// The words are ordinary Azerbaijani and English words too ("məxfi suala cavab" = secret
/// question, "gizli səsvermə" = secret ballot, "dövlət sirri, fərdi məlumatlar ..." in a list of
/// what is not published, "confidential data are never stored"), so a match counts only when
/// one of these holds:
/// 1. **alone**: no letters on either side within its line, or within its cell of a Markdown
///    table (`| Qrif | Məxfi |`); decoration, punctuation and list numbers are allowed
///    (`**MƏXFİ**`, `# Confidential`, `> Gizli.`, `1. Secret`);
/// 2. **capitals** on a line that also has lowercase letters (`MƏXFİ` standing out in a
///    sentence; an all-capitals heading such as "DÖVLƏT SİRRİ HAQQINDA QANUN" does not count);
/// 3. **quoted or bracketed** right around it, emphasis allowed inside: `«Gizli»`, `"Məxfi"`,
///    `(Confidential)`, `[**Secret**]`;
/// 4. **named as a stamp**: followed by a stamp noun ("Məxfi qrifi", "məxfi qrifli sənədlər",
///    "Secret stamp") or preceded by one ("Qrif: Məxfi", "Classification: Restricted");
/// 5. **a label**: first on its line and followed by a colon ("Confidential: ..."), or followed
///    by a copy number ("Məxfi. Nüsxə № 2", "Secret, copy 3", "Gizli № 17").
///
/// Mentions of a stamp in prose ("Dövlət sirri haqqında" Qanun, "information for official use
/// only is not provided") thus stay quiet, while a legal text listing the stamps in quotes or
/// one per line warns: that is a reason for the override, not for a weaker rule.
fn in_stamp_position(chars: &Chars, start: usize, end: usize) -> bool {
    let line_start = chars.skip_back(start, |ch| ch != '\n');
    let line_end = chars.skip(end, |ch| ch != '\n');
    let cell_start = chars.skip_back(start, |ch| ch != '\n' && ch != '|');
    let cell_end = chars.skip(end, |ch| ch != '\n' && ch != '|');
    let has_letter =
        |from: usize, to: usize| chars.chars[from..to].iter().any(|c| c.is_alphabetic());

    // 1. alone in its line or table cell
    if !has_letter(cell_start, start) && !has_letter(end, cell_end) {
        return true;
    }

    // 2. capitals that stand out from a line with lowercase letters
    let capitals = chars.chars[start..end]
        .iter()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_uppercase());
    let line_has_lowercase = chars.chars[line_start..start]
        .iter()
        .chain(&chars.chars[end..line_end])
        .any(|c| c.is_lowercase());
    if capitals && line_has_lowercase {
        return true;
    }

    // 3. quoted or bracketed
    let before = chars.skip_back(start, is_emphasis);
    let after = chars.skip(end, is_emphasis);
    if before > 0
        && let (Some(open), Some(close)) = (chars.get(before - 1), chars.get(after))
        && is_opening(open)
        && is_closing(close)
    {
        return true;
    }

    // 4. named as a stamp, after it or before it
    let next = chars.skip(end, |ch| is_blank(ch) || is_emphasis(ch) || ch == '-');
    if next < line_end && is_word_char(chars.chars[next]) && is_stamp_noun(&chars.folded_word(next))
    {
        return true;
    }
    let previous_end = chars.skip_back(start, |ch| {
        is_blank(ch) || is_emphasis(ch) || matches!(ch, ':' | '-' | '–' | '—')
    });
    if previous_end > line_start {
        let previous_start = chars.skip_back(previous_end, is_word_char);
        if previous_start < previous_end
            && is_stamp_noun(
                &chars.folded[previous_start..previous_end]
                    .iter()
                    .collect::<String>(),
            )
        {
            return true;
        }
    }

    // 6. a sentence of its own: first in its sentence and ending it, on a line that goes on
    //    ("Xidməti istifadə üçün. Əlaqə: …"; issue 11)
    let sentence_start = chars.skip_back(start, |ch| is_blank(ch) || is_emphasis(ch));
    let starts_sentence = sentence_start <= line_start
        || sentence_start
            .checked_sub(1)
            .and_then(|at| chars.get(at))
            .is_some_and(|ch| matches!(ch, '.' | '!' | '?' | ';'));
    let after_stamp = chars.skip(end, is_emphasis);
    if starts_sentence && matches!(chars.get(after_stamp), Some('.' | '!' | ';')) {
        return true;
    }

    // 5. a label: "Məxfi:" first on its line, or a copy number after it
    let after_label = chars.skip(end, |ch| is_blank(ch) || is_emphasis(ch));
    if !has_letter(line_start, start) && chars.get(after_label) == Some(':') {
        return true;
    }
    followed_by_copy_number(chars, end, line_end)
}

fn is_opening(ch: char) -> bool {
    matches!(
        ch,
        '(' | '[' | '{' | '«' | '‹' | '“' | '„' | '”' | '"' | '\'' | '‘' | '‚'
    )
}

fn is_closing(ch: char) -> bool {
    matches!(
        ch,
        ')' | ']' | '}' | '»' | '›' | '”' | '“' | '"' | '\'' | '’' | '‘'
    )
}

/// "Nüsxə № 2", ", copy 3", "№ 17", "экз. № 1" right after a stamp.
fn followed_by_copy_number(chars: &Chars, end: usize, line_end: usize) -> bool {
    let separators =
        |ch: char| is_blank(ch) || is_emphasis(ch) || matches!(ch, '.' | ',' | '-' | '–' | '—');
    let mut at = chars.skip(end, separators);
    if at < line_end && is_word_char(chars.chars[at]) {
        let word = chars.folded_word(at);
        if !(word.starts_with("nüsxə") || word == "copy" || word.starts_with("экз")) {
            return false;
        }
        at += word.chars().count();
    }
    // the number: "№ 2", "No. 2", "#2", "2"
    at = chars.skip(at, |ch| is_blank(ch) || matches!(ch, '.' | ':' | '№' | '#'));
    if chars.word_at(at, "no").is_some() {
        at = chars.skip(at + 2, |ch| is_blank(ch) || matches!(ch, '.' | ':'));
    }
    let number_follows = at < line_end && chars.chars[at].is_ascii_digit();
    // a bare number right after the stamp ("Gizli 2") is not a copy number, "Gizli № 2" is
    number_follows
        && chars.chars[end..at]
            .iter()
            .any(|ch| ch.is_alphabetic() || matches!(ch, '№' | '#'))
}

// ---------------------------------------------------------------------------------------------
// FIN codes and ID card numbers

/// The letters a FIN uses: Latin capitals without `I` and `O`, which would be read as 1 and 0.
fn is_fin_letter(ch: char) -> bool {
    ch.is_ascii_uppercase() && ch != 'I' && ch != 'O'
}

/// Standalone tokens of ASCII letters and digits: FIN codes and ID card numbers.
fn scan_tokens(chars: &Chars, spans: &mut Vec<Span>) {
    let mut at = 0;
    while at < chars.len() {
        if !(chars.chars[at].is_ascii_alphanumeric() && chars.word_starts_at(at)) {
            at += 1;
            continue;
        }
        let end = chars.skip(at, |ch| ch.is_ascii_alphanumeric());
        if !chars.word_ends_at(end) {
            // glued to a non-ASCII letter: part of a word, not a token
            at = chars.skip(end, is_word_char);
            continue;
        }
        let token: &[char] = &chars.chars[at..end];
        if let Some(span_end) = id_card_at(chars, at, token) {
            spans.push(Span {
                kind: FindingKind::IdCard,
                start: at,
                end: span_end,
            });
        } else if token.len() == 7
            && token
                .iter()
                .all(|&ch| ch.is_ascii_digit() || is_fin_letter(ch))
            && token.iter().any(|ch| ch.is_ascii_digit())
            && token.iter().any(|ch| ch.is_ascii_uppercase())
        {
            spans.push(Span {
                kind: FindingKind::Fin,
                start: at,
                end,
            });
        }
        at = end;
    }
}

/// `AZE12345678`, `AZE 12345678`, `AA1234567`, `AA 1234567` starting with `token` at `at`.
fn id_card_at(chars: &Chars, at: usize, token: &[char]) -> Option<usize> {
    let all_digits = |part: &[char]| part.iter().all(|ch| ch.is_ascii_digit());
    for (prefix, digits) in [("AZE", 8), ("AA", 7)] {
        let prefix: Vec<char> = prefix.chars().collect();
        if !token.starts_with(&prefix) {
            continue;
        }
        let rest = &token[prefix.len()..];
        if rest.len() == digits && all_digits(rest) {
            return Some(at + token.len());
        }
        if rest.is_empty() {
            // the number after one space
            let number_start = at + token.len() + 1;
            if chars.get(number_start - 1).is_some_and(is_blank) {
                let number_end = chars.skip(number_start, |ch| ch.is_ascii_digit());
                if number_end - number_start == digits && chars.word_ends_at(number_end) {
                    return Some(number_end);
                }
            }
        }
    }
    None
}

/// A FIN after its label: "FİN: 5zhj8kl", "FIN code 12AB3C4", "**FİN-kod:** 1234567". After a
/// label the token may be lowercase or use any letter, but needs a digit (so "FIN code: example"
/// stays quiet).
fn scan_fin_labels(chars: &Chars, spans: &mut Vec<Span>) {
    for at in 0..chars.len() {
        let is_label = matches!(chars.chars[at], 'F' | 'P')
            && matches!(chars.get(at + 1), Some('I' | 'İ'))
            && chars.get(at + 2) == Some('N')
            && chars.word_starts_at(at)
            && chars.word_ends_at(at + 3);
        if !is_label {
            continue;
        }
        let separator = |ch: char| {
            is_blank(ch) || is_emphasis(ch) || matches!(ch, ':' | '-' | '–' | '—' | '(' | ')')
        };
        let mut position = chars.skip(at + 3, separator);
        for word in ["kodu", "kod", "code"] {
            if let Some(after) = chars.word_at(position, word) {
                position = chars.skip(after, separator);
                break;
            }
        }
        let end = chars.skip(position, |ch| ch.is_ascii_alphanumeric());
        let token = &chars.chars[position..end];
        if token.len() == 7 && chars.word_ends_at(end) && token.iter().any(|ch| ch.is_ascii_digit())
        {
            spans.push(Span {
                kind: FindingKind::Fin,
                start: position,
                end,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/// Azerbaijani area and operator codes (the two digits after `+994` or the trunk `0`): Baku 12,
/// Sumqayıt 18, the regions 20–26, Naxçıvan 36; mobile 10, 50, 51, 55, 60, 70, 77, 99.
fn is_area_code(code: &str) -> bool {
    matches!(
        code,
        "10" | "12"
            | "18"
            | "20"
            | "21"
            | "22"
            | "23"
            | "24"
            | "25"
            | "26"
            | "36"
            | "50"
            | "51"
            | "55"
            | "60"
            | "70"
            | "77"
            | "99"
    )
}

/// A run of digits inside a phone candidate, in char indices.
struct Group {
    start: usize,
    end: usize,
    /// Written in brackets: "(012)".
    bracketed: bool,
    /// Preceded by exactly one `-` (for the local form `498-12-34`).
    after_dash: bool,
}

fn scan_phones(chars: &Chars, spans: &mut Vec<Span>) {
    let mut at = 0;
    while at < chars.len() {
        let ch = chars.chars[at];
        let starts = ch.is_ascii_digit()
            || (matches!(ch, '+' | '(') && chars.get(at + 1).is_some_and(|c| c.is_ascii_digit()));
        if starts
            && phone_may_start_at(chars, at)
            && let Some(end) = phone_at(chars, at)
        {
            spans.push(Span {
                kind: FindingKind::Phone,
                start: at,
                end,
            });
            at = end;
            continue;
        }
        at += 1;
    }
}

/// Not inside a word or a longer number, not a short code (`*1234`), not a numbered thing
/// (`№ 189`, `#12`), not part of a path or address.
fn phone_may_start_at(chars: &Chars, at: usize) -> bool {
    if at == 0 {
        return true;
    }
    let previous = chars.chars[at - 1];
    if is_word_char(previous) || matches!(previous, '*' | '#' | '№' | '/' | '@' | '+' | '=' | '&')
    {
        return false;
    }
    // "№ 0501234567", "# 12 345 67 89": a number of something
    let before_blanks = chars.skip_back(at, is_blank);
    if before_blanks > 0 && matches!(chars.chars[before_blanks - 1], '№' | '#') {
        return false;
    }
    // "15.01.0501234567", "12:0501234567", "1,050 123 45 67": glued to a number before it
    !(matches!(previous, '-' | '.' | ',' | ':' | '–')
        && at >= 2
        && chars.chars[at - 2].is_ascii_digit())
}

/// The end of the phone number starting at `at`, if there is one: reads digit groups with
/// their separators (one space, one of `-` `.` `–`, brackets), then takes the longest leading
/// run of groups that [`is_phone`] accepts.
fn phone_at(chars: &Chars, at: usize) -> Option<usize> {
    let mut position = at;
    let plus = chars.chars[position] == '+';
    let mut open = false;
    if plus {
        position += 1;
    } else if chars.chars[position] == '(' {
        open = true;
        position += 1;
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut after_dash = false;
    loop {
        let end = chars.skip(position, |ch| ch.is_ascii_digit());
        if end - position > 12 {
            return None; // a long digit run: an account or card number, not a phone
        }
        groups.push(Group {
            start: position,
            end,
            bracketed: false,
            after_dash,
        });
        position = end;

        // the separator before the next group
        let mut closed = false;
        if chars.get(position) == Some(')') && open {
            closed = true;
            position += 1;
        }
        if open && !closed {
            groups.pop(); // "(050 123": an unclosed bracket ends the number before it
            break;
        }
        if closed && let Some(last) = groups.last_mut() {
            last.bracketed = true;
        }
        let separator_start = position;
        let mut blanks = 0;
        let mut dashes = 0;
        while let Some(ch) = chars.get(position) {
            match ch {
                ' ' | '\u{a0}' => blanks += 1,
                '-' | '.' | '–' => dashes += 1,
                _ => break,
            }
            position += 1;
        }
        let mut opened = false;
        if chars.get(position) == Some('(') {
            opened = true;
            position += 1;
        }
        let continues = chars.get(position).is_some_and(|ch| ch.is_ascii_digit())
            && blanks <= 1
            && dashes <= 1
            && (closed || opened || position > separator_start);
        if !continues {
            break;
        }
        open = opened;
        after_dash = dashes == 1 && blanks == 0 && !closed && !opened;
    }
    (1..=groups.len()).rev().find_map(|count| {
        let end = groups[count - 1].end;
        (chars.word_ends_at(end) && is_phone(chars, plus, &groups[..count])).then_some(end)
    })
}

/// Do these digit groups make an Azerbaijani phone number?
/// - international: `+994`, `994` or `00994`, then the 2-digit code and 7 digits (a trunk `0`
///   tolerated: `+994 012 ...`, `+994 (0) 12 ...`), the country code not split, every later
///   group of 2–4 digits or the rest in one block (`+994 12 555 01 00`, `+994 (50) 123-45-67`,
///   `+994501234567`);
/// - national: `0` + code + 7 digits grouped as `0501234567`, `050 1234567`, `012 345 6789`,
///   `(012) 345-67-89`, `050-123-45-67`; or without the `0` only with the code in brackets
///   (`(12) 345-67-89`);
/// - local Baku style `498-12-34` with dashes.
///
/// A `+` with another country code is not ours. Dates (2024-01-15, 15.01.2024), years, amounts
/// (1 250 000) and section numbers never group this way.
fn is_phone(chars: &Chars, plus: bool, groups: &[Group]) -> bool {
    let digits: String = groups
        .iter()
        .flat_map(|group| chars.chars[group.start..group.end].iter())
        .collect();
    let lengths: Vec<usize> = groups.iter().map(|group| group.end - group.start).collect();
    let bracketed: Vec<usize> = (0..groups.len())
        .filter(|&index| groups[index].bracketed)
        .collect();
    if bracketed.len() > 1 {
        return false;
    }
    let bracket = bracketed.first().copied();

    let country = if digits.starts_with("00994") {
        5
    } else if digits.starts_with("994") {
        3
    } else {
        0
    };
    if plus && country != 3 {
        return false;
    }
    if country > 0 {
        if lengths[0] < country {
            return false;
        }
        let mut national = &digits[country..];
        if national.len() == 10 && national.starts_with('0') {
            national = &national[1..];
        }
        // "+994 (0) 12 ...": the trunk `0` in brackets
        let bracketed_trunk =
            lengths[0] == country && lengths.get(1) == Some(&1) && bracket == Some(1);
        let grouping = if lengths[0] > country {
            // "+99412 ..." or the whole number in one block
            lengths[1..].iter().all(|&len| (2..=4).contains(&len)) && bracket.is_none()
        } else {
            let rest = &lengths[if bracketed_trunk { 2 } else { 1 }..];
            (rest.len() == 1 && matches!(rest[0], 9 | 10))
                || (rest.len() == 2 && (2..=3).contains(&rest[0]) && rest[1] == 7)
                || (rest.len() >= 2 && rest.iter().all(|&len| (2..=4).contains(&len)))
        };
        return national.len() == 9
            && is_area_code(&national[..2])
            && grouping
            && bracket.is_none_or(|index| index == 1);
    }

    if digits.len() == 10 && digits.starts_with('0') && is_area_code(&digits[1..3]) {
        let grouping = matches!(lengths.as_slice(), [10] | [3, 7] | [3, 3, 4] | [3, 3, 2, 2]);
        return grouping && bracket.is_none_or(|index| index == 0 && lengths[0] == 3);
    }
    if digits.len() == 9 && is_area_code(&digits[..2]) {
        return lengths.as_slice() == [2, 3, 2, 2] && bracket == Some(0);
    }
    lengths.as_slice() == [3, 2, 2]
        && bracket.is_none()
        && groups[1..].iter().all(|group| group.after_dash)
        && matches!(digits.as_bytes()[0], b'2'..=b'9')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(kind, text)` of every finding.
    fn found(text: &str) -> Vec<(FindingKind, String)> {
        scan(text)
            .into_iter()
            .map(|finding| (finding.kind, finding.text))
            .collect()
    }

    fn kinds(text: &str) -> Vec<FindingKind> {
        scan(text).into_iter().map(|finding| finding.kind).collect()
    }

    /// `text` yields exactly one finding, of this kind and with this matched text.
    fn one(kind: FindingKind, text: &str, matched: &str) {
        assert_eq!(
            found(text),
            vec![(kind, matched.to_string())],
            "scan({text:?})"
        );
    }

    fn none(text: &str) {
        assert_eq!(found(text), vec![], "scan({text:?})");
    }

    use FindingKind::{Fin, IdCard, Phone, Stamp};

    #[test]
    fn can_find_stamps_standing_as_stamps() {
        one(Stamp, "Məxfi", "Məxfi");
        one(Stamp, "MƏXFİ\n\nBakı şəhəri, 1 may 2014", "MƏXFİ");
        one(Stamp, "**MƏXFİ**", "MƏXFİ");
        one(Stamp, "# Gizli", "Gizli");
        one(Stamp, "GİZLİ", "GİZLİ");
        one(Stamp, "GIZLI", "GIZLI");
        one(Stamp, "Tam məxfi", "Tam məxfi");
        one(Stamp, "TAM MƏXFİ", "TAM MƏXFİ");
        one(Stamp, "Çox məxfi.", "Çox məxfi");
        one(Stamp, "XİDMƏTİ İSTİFADƏ ÜÇÜN", "XİDMƏTİ İSTİFADƏ ÜÇÜN");
        one(Stamp, "\"Xidməti istifadə üçün\"", "Xidməti istifadə üçün");
        one(Stamp, "«Dövlət sirri»", "Dövlət sirri");
        one(Stamp, "Konfidensial", "Konfidensial");
        one(Stamp, "XÜSUSİ ƏHƏMİYYƏTLİ\nNüsxə № 1", "XÜSUSİ ƏHƏMİYYƏTLİ");
        one(
            Stamp,
            "«Xüsusi əhəmiyyətli» qrifli sənəd",
            "Xüsusi əhəmiyyətli",
        );
        one(Stamp, "Особой важности", "Особой важности");
        one(Stamp, "Sənəd MƏXFİ qeyd olunub.", "MƏXFİ");
        one(Stamp, "Bu sənəd (məxfi) paylanmır.", "məxfi");
        one(Stamp, "Sənədə “Gizli” qrifi vurulub.", "Gizli");
        one(Stamp, "Məxfi qrifi ilə", "Məxfi");
        one(Stamp, "məxfi qrifli sənədlər", "məxfi");
        one(Stamp, "Qrif: Məxfi", "Məxfi");
        one(Stamp, "Qrifi — gizli, nüsxəsi yoxdur", "gizli");
        one(Stamp, "Məxfi: yalnız komissiya üzvləri üçün", "Məxfi");
        one(Stamp, "Məxfi. Nüsxə № 2. Paylanmasın", "Məxfi");
        one(Stamp, "Gizli № 17 sənəd", "Gizli");
        one(Stamp, "| Qrif | Məxfi |", "Məxfi");
        one(Stamp, "1. Məxfi", "Məxfi");
        one(Stamp, "Mәxfi", "Mәxfi"); // Cyrillic schwa
        one(Stamp, "CONFIDENTIAL", "CONFIDENTIAL");
        one(Stamp, "Confidential", "Confidential");
        one(Stamp, "Strictly confidential", "Strictly confidential");
        one(Stamp, "TOP SECRET", "TOP SECRET");
        one(Stamp, "Top secret", "Top secret");
        one(Stamp, "[Secret]", "Secret");
        one(Stamp, "For official use only", "For official use only");
        one(Stamp, "FOR  OFFICIAL USE ONLY", "FOR  OFFICIAL USE ONLY");
        one(Stamp, "> Restricted", "Restricted");
        one(Stamp, "Classification: Restricted", "Restricted");
        one(
            Stamp,
            "This memo is CONFIDENTIAL and must not leave the office.",
            "CONFIDENTIAL",
        );
        one(Stamp, "Secret, copy 3", "Secret");
        one(Stamp, "Совершенно секретно", "Совершенно секретно");
        one(
            Stamp,
            "ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ",
            "ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ",
        );
        one(Stamp, "title = \"Məxfi\"", "Məxfi");
        // Issue 11: a stamp that is a sentence of its own, with more text on its line.
        one(
            Stamp,
            "Xidməti istifadə üçün. Əlaqə: ümumi şöbə.",
            "Xidməti istifadə üçün",
        );
        one(Stamp, "Hesabat hazırdır. Məxfi. Paylaşmayın.", "Məxfi");
    }

    #[test]
    fn can_leave_the_same_words_in_prose_alone() {
        // D189 itself: "məxfi suala cavab" is a secret question
        none(
            "6.3.11. “Cookies” fayllarında istifadəçinin xidməti məlumatlarının (loqin, parol, məxfi suala cavab) saxlanılmaması;",
        );
        none("onların tərkibində məxfi və konfidensial informasiya olmamalıdır.");
        none("Məxfilik siyasəti");
        none("## Məxfilik");
        none("MƏXFİLİK");
        none("Fərdi məlumatların məxfiliyi qorunur.");
        none("mübadilə məlumatlarının şifrlənmə vasitəsilə məxfiləşdirilməsini.");
        none("Bu, gizlin saxlanılan bir sirr deyil.");
        none("Gizli səsvermə keçirildi.");
        none(
            "Qanunla məhdudlaşdırılmış informasiya (dövlət sirri, fərdi məlumatlar, xidməti istifadə üçün nəzərdə tutulmuş informasiya) təqdim edilmir",
        );
        none("\"Dövlət sirri haqqında\" Azərbaycan Respublikasının Qanunu");
        none("DÖVLƏT SİRRİ HAQQINDA QANUN");
        none("Dövlət sirridir.");
        none("Bu, xüsusi əhəmiyyətli layihədir.");
        none("## Xüsusi əhəmiyyətli obyektlərin siyahısı");
        none("5.1.4. milli təhlükəsizlik mülahizələrinə görə xüsusi əhəmiyyət kəsb edən obyektlər");
        none("“Dövlət sirri təşkil edən məlumatların siyahısı” təsdiq edilsin");
        none("Sayt MƏXFİLİK tələblərinə uyğundur.");
        none("Logins, passwords and other confidential data are never stored in cookies.");
        none(
            "Information restricted by law (state secrets, personal data, information for official use only) is not provided.",
        );
        none("4. Exchange of information and confidentiality");
        none("Confidentiality notice: personal data are processed lawfully.");
        none("THE SECRET OF GOOD DATA");
        none("Top secrets of open data");
        none("The secretary met the restricted group.");
        none("Gizli 2 nəfər");
        none("secretly");
        none("https://example.gov.az/gizli/");
        none("Qanunun 5-ci maddəsinə əsasən məxfi saxlanılır");
        none("Bu sənəd xidməti istifadə üçün. Əlaqə: ümumi şöbə.");
        none("Sənəd məxfi. Onu paylaşmayın.");
    }

    #[test]
    fn can_find_fin_codes() {
        one(Fin, "5ZHJ8KL", "5ZHJ8KL");
        one(Fin, "Vətəndaşın kodu 94FMDDD idi.", "94FMDDD");
        one(Fin, "(2AB3C4D)", "2AB3C4D");
        one(Fin, "FİN: 5ZHJ8KL", "5ZHJ8KL");
        one(Fin, "FIN 5zhj8kl", "5zhj8kl");
        one(Fin, "**FİN-kod:** 1234567", "1234567");
        one(Fin, "FİN kodu 5IHJ8KO", "5IHJ8KO"); // after a label any letter counts
        one(Fin, "FIN code: 1AB2CD3", "1AB2CD3");
        one(Fin, "PİN: 77XYZ9Q", "77XYZ9Q");
    }

    #[test]
    fn can_tell_fin_codes_from_other_tokens() {
        none("ABCDEFG");
        none("1234567"); // seven digits, no label
        none("COVID19"); // uses I and O
        none("5ZHJ8KLM");
        none("5ZHJ8K");
        none("5zhj8kl");
        none("Abc1234");
        none("5ZHJ8KLə");
        none("x_5ZHJ8KL");
        none("FIN code: example");
        none("AZ1000");
        none("UTF8");
        none("ISO9001");
        none("EN301549");
        none("EN 301 549");
        none("https://e-qanun.az/framework/46950");
    }

    #[test]
    fn can_find_id_card_numbers() {
        one(IdCard, "AZE12345678", "AZE12345678");
        one(IdCard, "Vəsiqə: AZE 12345678.", "AZE 12345678");
        one(IdCard, "AA1234567", "AA1234567");
        one(IdCard, "AA 1234567", "AA 1234567");
        one(IdCard, "(AZE 00012345)", "AZE 00012345");
    }

    #[test]
    fn can_tell_id_card_numbers_from_other_tokens() {
        none("AZE1234567");
        none("AZE123456789");
        none("AZE  12345678");
        none("AA12345678");
        none("AAA1234567");
        none("BAZE12345678");
        none("AZE");
        none("AZEx12345678");
    }

    #[test]
    fn can_find_azerbaijani_phone_numbers() {
        one(Phone, "+994 12 555 01 00", "+994 12 555 01 00");
        one(Phone, "Tel: +994501234567.", "+994501234567");
        one(Phone, "+994 (12) 345-67-89", "+994 (12) 345-67-89");
        one(Phone, "+994-50-123-45-67", "+994-50-123-45-67");
        one(Phone, "+994 12 3456789", "+994 12 3456789");
        one(Phone, "+99412 345 67 89", "+99412 345 67 89");
        one(Phone, "994 55 123 45 67", "994 55 123 45 67");
        one(Phone, "00994 70 123 45 67", "00994 70 123 45 67");
        one(Phone, "(012) 345-67-89", "(012) 345-67-89");
        one(Phone, "(012)345-67-89", "(012)345-67-89");
        one(Phone, "012 345 67 89", "012 345 67 89");
        one(Phone, "050-123-45-67", "050-123-45-67");
        one(Phone, "050.123.45.67", "050.123.45.67");
        one(Phone, "0501234567", "0501234567");
        one(Phone, "050 1234567", "050 1234567");
        one(Phone, "Mob.: 077 123 45 67", "077 123 45 67");
        one(Phone, "(12) 345-67-89", "(12) 345-67-89");
        one(Phone, "Tel. 498-12-34", "498-12-34");
        one(Phone, "zəng: 099 123 45 67,", "099 123 45 67");
        one(Phone, "(050 123 45 67)", "050 123 45 67");
        one(Phone, "+994 12 555 01 00 nömrəsinə", "+994 12 555 01 00");
        one(Phone, "+994 (0) 12 555 01 00", "+994 (0) 12 555 01 00");
        one(Phone, "+994 012 555 01 00", "+994 012 555 01 00");
        one(Phone, "+994 0501234567", "+994 0501234567");
        one(Phone, "+994 (050) 123 45 67", "+994 (050) 123 45 67");
        assert_eq!(
            found("[+994 12 555 01 00](tel:+994125550100)"),
            vec![
                (Phone, "+994 12 555 01 00".to_string()),
                (Phone, "+994125550100".to_string())
            ]
        );
        one(
            Phone,
            "+994\u{a0}12\u{a0}555\u{a0}01\u{a0}00",
            "+994\u{a0}12\u{a0}555\u{a0}01\u{a0}00",
        );
        assert_eq!(
            kinds("050 123 45 67 050 765 43 21"),
            vec![Phone, Phone],
            "two numbers in a row"
        );
    }

    #[test]
    fn can_tell_phone_numbers_from_other_numbers() {
        none("2024-01-15");
        none("15.01.2024");
        none("01.02.2024 12:30");
        none("2025-04-01T10:00:00+04:00");
        none("saat 18:00-dək");
        none("2024");
        none("2026-cı il");
        none("№ 189");
        none("№ 0501234567");
        none("1 250 000 manat");
        none("12 345 678,90 AZN");
        none("4169 7388 1234 5678");
        none("1234567890123456");
        none("*1234");
        none("112");
        none("2.2.3.");
        none("1700038881"); // a VÖEN
        none("0801234567"); // no such code
        none("+7 495 123 45 67"); // not Azerbaijani
        none("+44 20 7946 0958");
        none("12 345 67 89");
        none("498 12 34");
        none("AZ1000");
        none("ISBN 978-9952-123-45-6");
        none("012 345 67 8");
        none("x0501234567");
        none("05012345678");
        none("+994 (12) (34) 567 89");
        none("+994 1 2555 0100");
        none("994 12 555 01 0");
    }

    #[test]
    fn can_report_offsets_and_lines() {
        let text = "Başlıq\nİŞÇİ: Əli, FİN: 5ZHJ8KL\r\n\nTel: +994 12 555 01 00\nMƏXFİ";
        let findings = scan(text);
        let summary: Vec<(FindingKind, &str, usize)> = findings
            .iter()
            .map(|finding| (finding.kind, finding.text.as_str(), finding.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Fin, "5ZHJ8KL", 2),
                (Phone, "+994 12 555 01 00", 4),
                (Stamp, "MƏXFİ", 5)
            ]
        );
        for finding in &findings {
            assert_eq!(&text[finding.start..finding.end], finding.text);
        }
        assert_eq!(findings[0].start, text.find("5ZHJ8KL").unwrap());
        assert_eq!(findings[2].end, text.len());
    }

    #[test]
    fn can_sort_findings_without_overlaps() {
        let text = "AZE 12345678, MƏXFİ, 050 123 45 67 və FİN 2AB3C4D; Gizli № 3";
        let findings = scan(text);
        assert_eq!(
            findings
                .iter()
                .map(|finding| finding.kind)
                .collect::<Vec<_>>(),
            vec![IdCard, Stamp, Phone, Fin, Stamp]
        );
        for pair in findings.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{pair:?}");
        }
        assert!(scan("").is_empty());
    }

    #[test]
    fn can_describe_kinds_in_both_languages() {
        assert_eq!(Stamp.describe("az"), "məxfilik qrifi");
        assert_eq!(Stamp.describe("en"), "secrecy stamp");
        assert_eq!(Fin.describe("az"), "FİN kod");
        assert_eq!(Fin.describe("en"), "FIN code");
        assert_eq!(IdCard.describe("az"), "şəxsiyyət vəsiqəsinin nömrəsi");
        assert_eq!(IdCard.describe("en"), "ID card number");
        assert_eq!(Phone.describe("az"), "telefon nömrəsi");
        assert_eq!(Phone.describe("en"), "phone number");
        assert_eq!(Phone.describe("ru"), "phone number");
        assert_eq!(
            serde_json::to_string(&IdCard).unwrap(),
            "\"id_card\"".to_string()
        );
    }

    #[test]
    fn can_fold_like_turkic_lowercase() {
        for ch in (0u8..128).map(char::from) {
            let expected = turkic_lowercase(&ch.to_string()).replace('ı', "i");
            assert_eq!(fold(ch).to_string(), expected, "{ch:?}");
        }
        assert_eq!(fold('İ'), 'i');
        assert_eq!(fold('Ə'), 'ə');
        assert_eq!(fold('Ә'), 'ə');
    }

    /// The demo site must not trip the guard except for the office's public phone numbers.
    #[test]
    fn demo_content_has_no_stamps_or_identifiers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&root)
            .into_iter()
            .map(|entry| entry.unwrap().into_path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
            .collect();
        files.sort();
        assert!(files.len() > 50, "demo content not found under {root:?}");
        let mut unexpected = Vec::new();
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for finding in scan(&text) {
                let place = format!(
                    "{}:{}: {:?} {:?}",
                    path.strip_prefix(&root).unwrap().display(),
                    finding.line,
                    finding.kind,
                    finding.text
                );
                println!("{place}");
                if finding.kind != Phone {
                    unexpected.push(place);
                }
            }
        }
        assert!(unexpected.is_empty(), "{unexpected:#?}");
    }
}

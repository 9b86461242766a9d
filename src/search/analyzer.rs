//! The text analyzers (D189 §4.10.2–4.10.3): splitting text into words, Azerbaijani casing and
//! normalisation, and the tantivy tokenizers that feed words to the stemmer.
//!
//! Words are runs of letters, digits and combining marks; an apostrophe or hyphen between two such
//! characters joins them into one token, which is then split again with care: a part that is only
//! suffixes belongs to the word before it (`BMT-nin` → `bmt`, `2023-cü` → `2023`, `Bakı'da` →
//! `bakı`), other hyphenated parts are separate words (`sosial-iqtisadi`, `e-xidmət`), and an
//! apostrophe inside a word is dropped (`ma'lumat` → `malumat`).
//!
//! Casing is Turkic (`I` → `ı`, `İ` → `i`, [`crate::slug::turkic_lowercase`]), and one more rule
//! makes a word typed with the Latin `I` meet its proper spelling (D189 §4.10.3). When a token
//! contains `I` and its Turkic lowercase is a word the dictionary knows, that is the reading: a
//! correctly cased word means what it says (`QIZ` → `qız`, `TƏŞKİLATI` → `təşkilatı`, `ADI` →
//! `adı`). Otherwise every reading of its `I`s as `ı` or `i` is stemmed and the spelling the
//! dictionary explains most cheaply is used — a headword as written before a headword plus
//! suffixes, and on a tie the spelling with more `i`, since a Latin keyboard types `I` for `İ`:
//! `IŞIQ` → `işıq`; `IQTISADI` → `iqtisadi` (not `iqtisad-ı`). So an upper-case word typed on
//! a Latin keyboard that is also the proper upper case of another word (`ADI`: `adı` "its
//! name" or `adi` "ordinary"; `SIZIN`: `sızın` or `sizin`) is read as that other word. If no
//! spelling is known and the token is all ASCII, it is taken for a foreign word and lowercased
//! the ordinary way (`API` → `api`). Decomposed letters (`o` + U+0308) are composed, the
//! look-alikes `ǝ` (U+01DD) and `ä` are read as `ə`, soft hyphens and zero-width characters are
//! ignored.

use std::cell::RefCell;

use rustc_hash::FxHashMap as HashMap;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::lexicon::fold;
use super::stemmer::{is_suffix_chain, stem};
use crate::slug::turkic_lowercase;

/// Terms longer than this (in bytes) are not indexed: they are not words.
const MAX_TERM_BYTES: usize = 64;

fn is_apostrophe(letter: char) -> bool {
    matches!(letter, '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | 'ʻ')
}

/// Character classes shared with the spell checker, which splits words the same way.
pub(crate) fn is_hyphen(letter: char) -> bool {
    matches!(letter, '-' | '‐' | '‑')
}

pub(crate) fn is_combining_mark(letter: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&letter)
}

pub(crate) fn is_ignorable(letter: char) -> bool {
    matches!(
        letter,
        '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

pub(crate) fn is_word_letter(letter: char) -> bool {
    letter.is_alphanumeric() || is_combining_mark(letter) || is_ignorable(letter)
}

/// Composes decomposed Azerbaijani letters, reads look-alikes as the letters they imitate and
/// drops ignorable characters; keeps the case.
fn normalize(word: &str) -> String {
    let mut normal = String::with_capacity(word.len());
    for letter in word.chars() {
        if is_ignorable(letter) {
            continue;
        }
        if is_combining_mark(letter) {
            let composed = match (normal.chars().last(), letter) {
                (Some('o'), '\u{308}') => Some('ö'),
                (Some('O'), '\u{308}') => Some('Ö'),
                (Some('u'), '\u{308}') => Some('ü'),
                (Some('U'), '\u{308}') => Some('Ü'),
                (Some('a'), '\u{308}') => Some('ə'),
                (Some('A'), '\u{308}') => Some('Ə'),
                (Some('s'), '\u{327}') => Some('ş'),
                (Some('S'), '\u{327}') => Some('Ş'),
                (Some('c'), '\u{327}') => Some('ç'),
                (Some('C'), '\u{327}') => Some('Ç'),
                (Some('g'), '\u{306}') => Some('ğ'),
                (Some('G'), '\u{306}') => Some('Ğ'),
                (Some('I'), '\u{307}') => Some('İ'),
                (Some('i'), '\u{307}') => Some('i'),
                _ => None,
            };
            if let Some(composed) = composed {
                normal.pop();
                normal.push(composed);
            }
            continue;
        }
        normal.push(match letter {
            'ǝ' | 'ä' => 'ə',
            'Ǝ' | 'Ä' => 'Ə',
            other => other,
        });
    }
    normal
}

/// Lowercases a normalised word the Turkic way, reading a Latin `I` as `i` where the Turkic
/// reading is no known word (see the module documentation). D189 §4.10.3: results do not
/// depend on case, and a Latin `I` typed for `İ` means the same as the proper letter.
fn lowercase(word: &str) -> String {
    let turkic = turkic_lowercase(word);
    let n_capital_i = word.chars().filter(|&c| c == 'I').count();
    // The Turkic reading first: a correctly cased word (`TƏŞKİLATI`, `ADI`) means what it says.
    if n_capital_i == 0 || stem(&turkic, false).known {
        return turkic;
    }
    // Then every spelling with some `I` read as `i` (up to 2^8 of them; further `I`s stay
    // `ı`). The best known one wins: the cheapest reading (a headword as written beats a
    // headword plus suffixes: `IQTISADI` is `iqtisadi` "economic", not `iqtisad-ı`), and among
    // equally cheap ones the spelling with more `i`, because a Latin keyboard has no `İ` and
    // gives `I` for every `i`.
    let n_tried = n_capital_i.min(8);
    let mut best: Option<(u16, std::cmp::Reverse<u32>, String)> = None;
    for mask in 1..1u32 << n_tried {
        let mut candidate = String::with_capacity(turkic.len());
        let mut nth_i = 0;
        for letter in word.chars() {
            if letter == 'I' {
                candidate.push(if nth_i < n_tried && mask & (1 << nth_i) != 0 {
                    'i'
                } else {
                    'ı'
                });
                nth_i += 1;
            } else {
                candidate.push_str(&turkic_lowercase(letter.encode_utf8(&mut [0; 4])));
            }
        }
        let stemmed = stem(&candidate, false);
        if !stemmed.known {
            continue;
        }
        let rank = (stemmed.cost, std::cmp::Reverse(mask.count_ones()));
        if best
            .as_ref()
            .is_none_or(|(cost, n_i, _)| rank < (*cost, *n_i))
        {
            best = Some((rank.0, rank.1, candidate));
        }
    }
    if let Some((_, _, spelling)) = best {
        return spelling;
    }
    // No spelling is a known word. An all-ASCII token is then most likely foreign (`API`,
    // `Instagram`), and read with the ordinary `I` → `i`.
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        turkic
    }
}

/// Which field a term is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The main Azerbaijani field: exact letters, stemmed.
    Main,
    /// The lower-weighted field: `ə ğ ı ö ü ş ç` folded to `e g i o u s c`, then stemmed.
    Folded,
}

thread_local! {
    /// Word → term, per field: running text repeats words, and stemming is the costly step.
    static TERM_CACHE: RefCell<[HashMap<Box<str>, Box<str>>; 2]> = RefCell::new([HashMap::default(), HashMap::default()]);
}

const TERM_CACHE_LIMIT: usize = 200_000;

/// The term for one word (no hyphens or apostrophes), as written in the text.
fn term_of_word(word: &str, field: Field) -> String {
    let slot = field as usize;
    if let Some(term) =
        TERM_CACHE.with(|cache| cache.borrow()[slot].get(word).map(|term| term.to_string()))
    {
        return term;
    }
    let lowered = lowercase(&normalize(word));
    let term = match field {
        Field::Main => stem(&lowered, false).term,
        Field::Folded => stem(&fold(&lowered), true).term,
    };
    TERM_CACHE.with(|cache| {
        let caches = &mut *cache.borrow_mut();
        if caches[slot].len() >= TERM_CACHE_LIMIT {
            caches[slot].clear();
        }
        caches[slot].insert(word.into(), term.as_str().into());
    });
    term
}

/// Is this piece of a hyphenated or apostrophised token only suffixes of the word before it?
fn is_suffixes_only(piece: &str) -> bool {
    let lowered = turkic_lowercase(&normalize(piece));
    is_suffix_chain(&lowered)
}

/// Calls `emit(from, to, term)` for every term of `text`, in order.
pub fn for_each_term(text: &str, field: Field, mut emit: impl FnMut(usize, usize, String)) {
    let mut chars = text.char_indices().peekable();
    while let Some((start, letter)) = chars.next() {
        if !is_word_letter(letter) {
            continue;
        }
        // The token: word letters, joined by single apostrophes or hyphens.
        let mut end = start + letter.len_utf8();
        while let Some(&(index, next)) = chars.peek() {
            if is_word_letter(next) {
                end = index + next.len_utf8();
                chars.next();
            } else if is_apostrophe(next) || is_hyphen(next) {
                let after = text[index + next.len_utf8()..].chars().next();
                if after.is_some_and(is_word_letter) {
                    chars.next();
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        if is_glued_suffix(text, start, &text[start..end]) {
            continue;
        }
        emit_token(text, start, end, field, &mut emit);
    }
}

/// Is the token at `start` only suffixes glued to the word before it across closing quotes,
/// brackets or emphasis marks (`"Əsasnamə"ni`, `(BMT)-nin`, `**Qanun**un`)? Such suffixes
/// belong to that word and add no term.
fn is_glued_suffix(text: &str, start: usize, token: &str) -> bool {
    let mut before = text[..start].chars().rev().peekable();
    let mut n_glue = 0;
    while before.peek().is_some_and(|&c| is_glue(c)) {
        before.next();
        n_glue += 1;
    }
    n_glue > 0 && before.next().is_some_and(is_word_letter) && is_suffixes_only(token)
}

/// Characters between a word and its suffixes: closing quotes and brackets, markup emphasis,
/// a hyphen.
fn is_glue(letter: char) -> bool {
    matches!(
        letter,
        '"' | '”' | '»' | '’' | '\'' | '`' | ')' | ']' | '}' | '*' | '_'
    ) || is_hyphen(letter)
}

/// Splits one token at hyphens and apostrophes and emits its terms.
fn emit_token(
    text: &str,
    start: usize,
    end: usize,
    field: Field,
    emit: &mut impl FnMut(usize, usize, String),
) {
    let token = &text[start..end];
    if !token.contains(|c: char| is_hyphen(c) || is_apostrophe(c)) {
        push_term(term_of_word(token, field), start, end, emit);
        return;
    }
    let mut part_start = start;
    let mut is_first_part = true;
    for part in token.split(is_hyphen) {
        let part_end = part_start + part.len();
        let joined = join_apostrophes(part);
        if is_first_part || !is_suffixes_only(&joined) {
            push_term(term_of_word(&joined, field), part_start, part_end, emit);
        }
        is_first_part = false;
        part_start = part_end + text[part_end..].chars().next().map_or(0, char::len_utf8);
    }
}

/// `Bakı'da` → `Bakı` (the part after the apostrophe is only suffixes); `ma'lumat` → `malumat`.
fn join_apostrophes(part: &str) -> String {
    let mut pieces = part.split(is_apostrophe);
    let mut joined = pieces.next().unwrap_or("").to_string();
    for piece in pieces {
        if !is_suffixes_only(piece) {
            joined.push_str(piece);
        }
    }
    joined
}

fn push_term(term: String, from: usize, to: usize, emit: &mut impl FnMut(usize, usize, String)) {
    if !term.is_empty() && term.len() <= MAX_TERM_BYTES {
        emit(from, to, term);
    }
}

/// The Azerbaijani tokenizer for tantivy: the whole pipeline (tokenizing, casing, stemming) in one
/// step, because casing needs the original letters and the dictionary.
#[derive(Clone)]
pub struct AzerbaijaniTokenizer {
    field: Field,
    tokens: Vec<Token>,
}

impl AzerbaijaniTokenizer {
    pub fn new(field: Field) -> AzerbaijaniTokenizer {
        AzerbaijaniTokenizer {
            field,
            tokens: Vec::new(),
        }
    }
}

impl Tokenizer for AzerbaijaniTokenizer {
    type TokenStream<'a> = TermStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermStream<'a> {
        self.tokens.clear();
        let tokens = &mut self.tokens;
        for_each_term(text, self.field, |offset_from, offset_to, term| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from,
                offset_to,
                position,
                text: term,
                position_length: 1,
            });
        });
        TermStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

/// The terms of one text, produced in advance.
pub struct TermStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl TokenStream for TermStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        for_each_term(text, Field::Main, |_, _, term| terms.push(term));
        terms
    }

    #[test]
    fn can_normalize_decomposed_and_lookalike_letters() {
        assert_eq!(normalize("go\u{308}ru\u{308}s\u{327}"), "görüş");
        assert_eq!(normalize("mǝlumat"), "məlumat");
        assert_eq!(normalize("I\u{307}ş"), "İş");
        assert_eq!(normalize("xid\u{ad}mət"), "xidmət");
    }

    #[test]
    fn can_read_latin_capital_i() {
        assert_eq!(lowercase("IŞIQ"), "işıq");
        assert_eq!(lowercase("Işıq"), "işıq");
        assert_eq!(lowercase("İŞIQ"), "işıq");
        assert_eq!(lowercase("QIZ"), "qız");
        // Issue 10, D189 §4.10.3: a headword as written beats a headword plus suffixes.
        assert_eq!(lowercase("IQTISADI"), "iqtisadi");
        assert_eq!(lowercase("Iqtisadi"), "iqtisadi");
        // The proper upper case of a known word means that word.
        assert_eq!(lowercase("İQTİSADI"), "iqtisadı");
        assert_eq!(lowercase("TƏŞKİLATI"), "təşkilatı");
        assert_eq!(lowercase("ADI"), "adı");
        assert_eq!(lowercase("API"), "api");
    }

    #[test]
    fn can_split_hyphens_and_apostrophes() {
        assert_eq!(terms("BMT-nin 2023-cü ildə"), ["bmt", "2023", "il"]);
        assert_eq!(terms("sosial-iqtisadi"), ["sosial", "iqtisadi"]);
        assert_eq!(terms("Bakı'da"), ["bakı"]);
        assert_eq!(terms("- bu -"), ["bu"]);
    }
}

//! The Azerbaijani headword dictionary the stemmer stops at (D189 §4.10.2): the vendored Hunspell
//! word list (`vendor/hunspell-az/az.dic`, MPL-2.0) plus our additions and corrections in
//! `src/search/data/`, embedded in the binary and loaded once, lazily.
//!
//! Every headword becomes an [`Entry`] with its part of speech reduced to what inflection needs
//! ([`Kind`]) and its vowel-harmony class (the digit of the Hunspell flag, which always equals the
//! class of the last vowel). The surface forms a stem can take inside a word (the headword itself,
//! `ayaq`→`ayağ-`, `çörək`→`çörəy-`, `et`→`ed-`, `fəsil`→`fəsl-`) are indexed twice: as written
//! and ASCII-folded, for the lower-weighted folded field.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

use super::stemmer::realize;
use crate::slug::turkic_lowercase;

/// The vendored Hunspell dictionary (`word/FLAG` lines; see `vendor/hunspell-az/README.md`).
const HUNSPELL_DIC: &str = include_str!("../../vendor/hunspell-az/az.dic");
/// Headwords the Hunspell list lacks (same `word/FLAG` format, `#` comments).
const EXTRA_DIC: &str = include_str!("data/extra.dic");
/// Corrections: stem alternations, removed entries, irregular forms (format in the file).
const FIXES: &str = include_str!("data/fixes.txt");

/// What inflection a headword takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Nouns, adjectives, pronouns, numerals, adverbs: plural, possessive, case, copula.
    Nominal,
    /// Verb stems (`gəl`, `yaz`): negation, tense, mood, person, participles, converbs.
    Verb,
    /// Conjunctions and particles: never inflected.
    Particle,
}

/// One headword with one kind.
#[derive(Clone, Debug)]
pub struct Entry {
    pub headword: Box<str>,
    pub kind: Kind,
    /// Vowel-harmony class of the last vowel: 1 `a ı`, 2 `e ə i`, 3 `o u`, 4 `ö ü`.
    pub class: u8,
    /// The index term: the headword, or for verbs the infinitive (`gəl` → `gəlmək`), so that a
    /// verb never shares a term with a homonymous noun (`yaz` "spring" / `yazmaq` "to write").
    pub term: Box<str>,
    /// The headword is an inflected form of another headword, whose term it has.
    pub redirected: bool,
    /// The headword is a verb derived from another verb headword by the reflexive/passive
    /// `-(I)n` (`yolun` ← `yol`, `bilin` ← `bil`).
    pub derived: bool,
}

/// A surface form of an entry's stem as it appears inside a word.
#[derive(Clone, Copy, Debug)]
pub struct RootForm {
    pub entry: u32,
    /// The form only occurs before a vowel (`ayağ-ı`, `ed-ir`, `fəsl-i`).
    pub needs_vowel: bool,
}

/// The loaded dictionary.
pub struct Lexicon {
    pub entries: Vec<Entry>,
    exact: HashMap<Box<str>, Vec<RootForm>>,
    folded: HashMap<Box<str>, Vec<RootForm>>,
    irregular: HashMap<Box<str>, Box<str>>,
    irregular_folded: HashMap<Box<str>, Box<str>>,
}

/// The dictionary, parsed on first use.
pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::load);

/// Harmony class of a vowel: 1 `a ı`, 2 `e ə i`, 3 `o u`, 4 `ö ü`; `None` for consonants.
pub fn vowel_class(letter: char) -> Option<u8> {
    match letter {
        'a' | 'ı' => Some(1),
        'e' | 'ə' | 'i' => Some(2),
        'o' | 'u' => Some(3),
        'ö' | 'ü' => Some(4),
        _ => None,
    }
}

/// Is this one of the nine Azerbaijani vowels (or an ASCII-folded one)?
pub fn is_vowel(letter: char) -> bool {
    matches!(letter, 'a' | 'ı' | 'e' | 'ə' | 'i' | 'o' | 'u' | 'ö' | 'ü')
}

/// Harmony class of the last vowel of `word`, if it has one.
pub fn last_vowel_class(word: &str) -> Option<u8> {
    word.chars().rev().find_map(vowel_class)
}

/// Folds the Azerbaijani letters an English keyboard lacks: `ə ğ ı ö ü ş ç` → `e g i o u s c`.
pub fn fold_letter(letter: char) -> char {
    match letter {
        'ə' => 'e',
        'ğ' => 'g',
        'ı' => 'i',
        'ö' => 'o',
        'ü' => 'u',
        'ş' => 's',
        'ç' => 'c',
        other => other,
    }
}

/// [`fold_letter`] over a whole string.
pub fn fold(word: &str) -> String {
    word.chars().map(fold_letter).collect()
}

/// The infinitive ending for a verb stem of harmony class `class`.
pub fn infinitive_ending(class: u8) -> &'static str {
    if class == 1 || class == 3 {
        "maq"
    } else {
        "mək"
    }
}

fn kind_of_flag(flag: &str) -> Option<Kind> {
    match flag.chars().next()? {
        'N' | 'O' | 'A' | 'J' | 'P' | 'R' | 'U' | 'M' | 'D' | 'B' => Some(Kind::Nominal),
        'V' | 'E' => Some(Kind::Verb),
        'F' | 'G' => Some(Kind::Particle),
        _ => None,
    }
}

/// Splits a Hunspell `FLAG long` field (`N1`, `G2O2`, `N`) into flags: a letter and an optional
/// digit. Fields that are not ASCII are malformed lines of the list and yield nothing.
fn flags(field: &str) -> impl Iterator<Item = &str> {
    let bytes = if field.is_ascii() {
        field.as_bytes()
    } else {
        &[]
    };
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let mut end = start + 1;
        if end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        let flag = &field[start..end];
        start = end;
        Some(flag)
    })
}

/// Parses `word/FLAGS` lines into (lowercased word, kind) pairs.
fn dic_lines(text: &str) -> impl Iterator<Item = (String, Kind)> + '_ {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split_once('/'))
        .flat_map(|(word, field)| {
            let word = turkic_lowercase(word.trim());
            flags(field.trim())
                .filter_map(kind_of_flag)
                .map(move |kind| (word.clone(), kind))
                .collect::<Vec<_>>()
        })
}

/// Fixes read from `data/fixes.txt`.
#[derive(Default)]
struct Fixes {
    /// `alt headword form`: an extra stem form used before vowels (syncope: `fəsil` → `fəsl`).
    alternations: Vec<(String, String)>,
    /// `drop word kind`: an entry of the Hunspell list that is wrong.
    dropped: Vec<(String, Kind)>,
    /// `form lemma`: irregular forms (pronouns).
    irregular: Vec<(String, String)>,
    /// `keep word`: a lexicalised plural, participle or verbal noun that stays a headword.
    kept: HashSet<String>,
}

fn parse_fixes(text: &str) -> Fixes {
    let mut fixes = Fixes::default();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => {}
            ["alt", headword, forms @ ..] => {
                for form in forms {
                    fixes
                        .alternations
                        .push((headword.to_string(), form.to_string()));
                }
            }
            ["drop", word, kind] => {
                let kind = match *kind {
                    "verb" => Kind::Verb,
                    "nominal" => Kind::Nominal,
                    _ => Kind::Particle,
                };
                fixes.dropped.push((word.to_string(), kind));
            }
            ["keep", words @ ..] => fixes.kept.extend(words.iter().map(|word| word.to_string())),
            ["irregular", lemma, forms @ ..] => {
                for form in forms {
                    fixes.irregular.push((form.to_string(), lemma.to_string()));
                }
            }
            other => panic!("src/search/data/fixes.txt: cannot read line {other:?}"),
        }
    }
    fixes
}

/// `A` of the suffix grammar after a stem: `a` after back vowels, `ə` after front ones.
fn two_way_vowel(stem: &str) -> char {
    match last_vowel_class(stem) {
        Some(1 | 3) => 'a',
        _ => 'ə',
    }
}

/// The other written forms of a headword's stem, each with whether only a vowel may follow:
/// consonant alternation before a vowel (D189 §4.10.2) — polysyllabic nominals in -q/-k voice it
/// (`ayaq` → `ayağı`, `çörək` → `çörəyi`), verbs in -t voice it (`et` → `edir`) — and the
/// syncope and buffer forms listed in `fixes.txt` (`fəsil` → `fəsli`, `su` → `suyu`).
fn alternate_forms(word: &str, kind: Kind, fixes: &Fixes) -> Vec<(String, bool)> {
    let mut forms = Vec::new();
    let n_vowels = word.chars().filter(|&c| is_vowel(c)).count();
    if kind == Kind::Nominal && n_vowels >= 2 {
        if let Some(stem) = word.strip_suffix('q') {
            forms.push((format!("{stem}ğ"), true));
        } else if let Some(stem) = word.strip_suffix('k') {
            forms.push((format!("{stem}y"), true));
        }
    }
    // `t` → `d` before a vowel: the verbs `et`, `get` and polysyllabic verbs in -t (`yarat` →
    // `yaradır`, `düzəlt` → `düzəldir`, `unut` → `unudulmuş`).
    if kind == Kind::Verb
        && (word == "et" || word == "get" || (n_vowels >= 2 && word.ends_with('t')))
    {
        forms.push((format!("{}d", &word[..word.len() - 1]), true));
    }
    if kind == Kind::Nominal {
        for (headword, form) in &fixes.alternations {
            if headword == word {
                forms.push((form.clone(), true));
            }
        }
    }
    forms
}

/// Splits `word` into a stem and the suffix `template` (`lAr`, `mA`, `An`) in the form vowel
/// harmony gives it after that stem, if `word` ends so.
fn strip_harmonic<'w>(word: &'w str, back: &str, front: &str) -> Option<&'w str> {
    let (stem, suffix_vowel) = match word.strip_suffix(back) {
        Some(stem) => (stem, 'a'),
        None => (word.strip_suffix(front)?, 'ə'),
    };
    (two_way_vowel(stem) == suffix_vowel).then_some(stem)
}

/// Endings that make a nominal headword an inflected form of a nominal (templates of
/// [`realize`]): plural (also with the 3rd-person possessive), locative, ablative, instrumental,
/// 3rd-person possessive.
const NOMINAL_ENDINGS: &[&str] = &["lAr", "lArI", "dA", "dAn", "(y)lA", "(s)I"];

/// Endings that make a nominal headword a form of a verb: verbal noun, participles (also
/// negative), converbs, the `-mIş`, `-(y)AcAK`, `-mAlI`, `-mAz` forms used as adjectives.
const VERB_ENDINGS: &[&str] = &[
    "mA", "(y)An", "mAyAn", "(y)ArAK", "dIKcA", "(y)AcAK", "mIş", "mAmIş", "mAlI", "mAz", "dIKI",
    "mAdIKI", "(y)AcAKI", "(y)IncA", "(y)AndA", "mAdAn",
];

/// Voice suffixes that derive a verb from a verb: passive, reflexive, causative, reciprocal.
const VOICE_ENDINGS: &[&str] = &["(I)l", "(I)n", "dIr", "(T)", "(I)ş"];

/// The reflexive/passive `-(I)n`, whose verbs look like the imperative `-(y)In` of their base.
const REFLEXIVE_ENDINGS: &[&str] = &["(I)n"];

/// Is the verb `word` another verb headword plus a reflexive/passive `-(I)n` (`yolun` ← `yol`)?
fn is_voice_of(word: &str, verb_stems: &StemForms) -> bool {
    word.char_indices().skip(1).any(|(split, _)| {
        let (stem, rest) = word.split_at(split);
        verb_stems.get(stem).is_some_and(|headwords| {
            headwords.iter().any(|(headword, needs_vowel)| {
                headword != word
                    && (!needs_vowel || rest.starts_with(is_vowel))
                    && REFLEXIVE_ENDINGS.iter().any(|ending| {
                        let class = last_vowel_class(headword).unwrap_or(2);
                        realize(ending, class, stem.ends_with(is_vowel))
                            .iter()
                            .any(|(text, _)| text == rest)
                    })
            })
        })
    })
}

/// The ways a headword's stem is written inside words: headword → itself, and before a vowel
/// its voiced or syncopated form; keyed by the written form.
type StemForms = HashMap<String, Vec<(String, bool)>>;

/// The written forms of `template` after a stem of harmony `class` that does (not) end in a
/// vowel, without the voiced variants; computed once per context.
fn endings_after(templates: &'static [&'static str], class: u8, vowel_final: bool) -> Vec<String> {
    templates
        .iter()
        .flat_map(|template| realize(template, class, vowel_final))
        .filter(|(_, voiced)| !voiced)
        .map(|(text, _)| text)
        .collect()
}

/// [`endings_after`] for the 8 contexts (harmony class 1–4 × vowel-final), by template list.
struct EndingTable([Vec<String>; 8]);

impl EndingTable {
    fn new(templates: &'static [&'static str]) -> EndingTable {
        EndingTable(std::array::from_fn(|index| {
            endings_after(templates, index as u8 / 2 + 1, index % 2 == 1)
        }))
    }

    fn get(&self, class: u8, vowel_final: bool) -> &[String] {
        &self.0[usize::from(class - 1) * 2 + usize::from(vowel_final)]
    }
}

/// If `word` is another headword plus inflection (see [`NOMINAL_ENDINGS`], [`VERB_ENDINGS`]),
/// that headword and its kind: `abidlər` → `abid`, `xidməti` → `xidmət`, `fəsli` → `fəsil`,
/// `olan` → `ol`, `edilmiş` → `edil`.
fn inflection_base(
    word: &str,
    nominal_stems: &StemForms,
    verb_stems: &StemForms,
) -> Option<(String, Kind)> {
    static VERB_TABLE: LazyLock<EndingTable> = LazyLock::new(|| EndingTable::new(VERB_ENDINGS));
    static NOMINAL_TABLE: LazyLock<EndingTable> =
        LazyLock::new(|| EndingTable::new(NOMINAL_ENDINGS));
    for (split, _) in word.char_indices().skip(1) {
        let (stem, rest) = word.split_at(split);
        let rest_starts_with_vowel = rest.starts_with(is_vowel);
        let vowel_final = stem.ends_with(is_vowel);
        for (stems, table, kind) in [
            (verb_stems, &*VERB_TABLE, Kind::Verb),
            (nominal_stems, &*NOMINAL_TABLE, Kind::Nominal),
        ] {
            for (headword, needs_vowel) in stems.get(stem).map(Vec::as_slice).unwrap_or(&[]) {
                if headword == word || (*needs_vowel && !rest_starts_with_vowel) {
                    continue;
                }
                let class = last_vowel_class(headword).unwrap_or(2);
                if table
                    .get(class, vowel_final)
                    .iter()
                    .any(|ending| ending == rest)
                {
                    return Some((headword.clone(), kind));
                }
            }
        }
    }
    None
}

impl Lexicon {
    fn load() -> Lexicon {
        let mut fixes = parse_fixes(FIXES);
        // Our own additions are chosen as headwords: never read as forms of others.
        fixes
            .kept
            .extend(dic_lines(EXTRA_DIC).map(|(word, _)| word));
        let mut seen: HashSet<(String, Kind)> = HashSet::default();
        let mut pairs: Vec<(String, Kind)> = Vec::new();
        for (word, kind) in dic_lines(HUNSPELL_DIC).chain(dic_lines(EXTRA_DIC)) {
            // Phrases and hyphenated compounds never reach the stemmer: the tokenizer splits them.
            if word.contains([' ', '-', '\'']) || word.is_empty() {
                continue;
            }
            if seen.insert((word.clone(), kind)) {
                pairs.push((word, kind));
            }
        }
        // The stem forms of every headword, to recognise headwords that are inflected forms.
        let mut nominal_stems = StemForms::default();
        let mut verb_stems = StemForms::default();
        for (word, kind) in &pairs {
            let stems = match kind {
                Kind::Nominal => &mut nominal_stems,
                Kind::Verb => &mut verb_stems,
                Kind::Particle => continue,
            };
            stems
                .entry(word.clone())
                .or_default()
                .push((word.clone(), false));
            for (form, needs_vowel) in alternate_forms(word, *kind, &fixes) {
                stems
                    .entry(form)
                    .or_default()
                    .push((word.clone(), needs_vowel));
            }
        }
        // Voice forms of verbs are verbs too, even when unlisted: `genişləndirilmə` is the verbal
        // noun of `genişləndiril-` (← `genişləndir`).
        let listed_verbs: Vec<String> = verb_stems.keys().cloned().collect();
        for verb in listed_verbs {
            let class = last_vowel_class(&verb).unwrap_or(2);
            for ending in VOICE_ENDINGS {
                for (text, voiced) in realize(ending, class, verb.ends_with(is_vowel)) {
                    let derived = format!("{verb}{text}");
                    if !voiced && !verb_stems.contains_key(&derived) {
                        verb_stems.insert(derived.clone(), vec![(derived, false)]);
                    }
                }
            }
        }
        // The Hunspell list marks some verbal nouns in -ma/-mə as verbs (`alma/V1`, `dondurma/V1`):
        // a verb stem never ends in the verbal noun of another verb stem.
        pairs.retain(|(word, kind)| {
            let masdar_as_verb = *kind == Kind::Verb
                && strip_harmonic(word, "ma", "mə")
                    .is_some_and(|stem| verb_stems.contains_key(stem));
            !masdar_as_verb
                && !fixes
                    .dropped
                    .iter()
                    .any(|(dropped, dropped_kind)| dropped == word && dropped_kind == kind)
        });
        // Headwords that are inflected forms of other headwords (`abidlər`, `olan`, `edilmə`,
        // `xidməti`, `diqqətlə`) take the term of that headword (D189 §4.10.2), unless kept.
        let redirect = |word: &str| -> Option<String> {
            let mut target = None;
            let mut current = word.to_string();
            for _ in 0..3 {
                if fixes.kept.contains(&current) {
                    break;
                }
                match inflection_base(&current, &nominal_stems, &verb_stems) {
                    Some((base, Kind::Verb)) => {
                        let class = last_vowel_class(&base).unwrap_or(2);
                        return Some(format!("{base}{}", infinitive_ending(class)));
                    }
                    Some((base, _)) => {
                        target = Some(base.clone());
                        current = base;
                    }
                    None => break,
                }
            }
            target
        };

        let mut lexicon = Lexicon {
            entries: Vec::with_capacity(pairs.len()),
            exact: HashMap::with_capacity_and_hasher(pairs.len() * 3 / 2, Default::default()),
            folded: HashMap::with_capacity_and_hasher(pairs.len() * 3 / 2, Default::default()),
            irregular: HashMap::default(),
            irregular_folded: HashMap::default(),
        };
        for (word, kind) in pairs {
            let class = last_vowel_class(&word).unwrap_or(2);
            let redirected = if kind == Kind::Nominal {
                redirect(&word)
            } else {
                None
            };
            let term: Box<str> = match (&redirected, kind) {
                (Some(target), _) => target.as_str().into(),
                (None, Kind::Verb) => format!("{word}{}", infinitive_ending(class)).into(),
                (None, _) => word.as_str().into(),
            };
            let index = lexicon.entries.len() as u32;
            let derived = kind == Kind::Verb && is_voice_of(&word, &verb_stems);
            lexicon.entries.push(Entry {
                headword: word.as_str().into(),
                kind,
                class,
                term,
                redirected: redirected.is_some(),
                derived,
            });
            lexicon.add_form(
                &word,
                RootForm {
                    entry: index,
                    needs_vowel: false,
                },
            );
            for (form, needs_vowel) in alternate_forms(&word, kind, &fixes) {
                lexicon.add_form(
                    &form,
                    RootForm {
                        entry: index,
                        needs_vowel,
                    },
                );
            }
        }
        for (headword, _) in &fixes.alternations {
            assert!(
                lexicon
                    .entries_of(headword)
                    .any(|entry| entry.kind == Kind::Nominal),
                "src/search/data/fixes.txt: `alt {headword}` names no nominal headword"
            );
        }
        for (form, lemma) in &fixes.irregular {
            lexicon
                .irregular
                .insert(form.as_str().into(), lemma.as_str().into());
            lexicon
                .irregular_folded
                .insert(fold(form).into(), fold(lemma).into());
        }
        lexicon
    }

    fn add_form(&mut self, surface: &str, form: RootForm) {
        self.exact.entry(surface.into()).or_default().push(form);
        self.folded
            .entry(fold(surface).into())
            .or_default()
            .push(form);
    }

    /// The entries whose stem can be written `surface` (ASCII-folded when `folded`).
    pub fn roots(&self, surface: &str, folded: bool) -> &[RootForm] {
        let map = if folded { &self.folded } else { &self.exact };
        map.get(surface).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The lemma of an irregular form (`onun` → `o`), if it is one.
    pub fn irregular(&self, word: &str, folded: bool) -> Option<&str> {
        let map = if folded {
            &self.irregular_folded
        } else {
            &self.irregular
        };
        map.get(word).map(|lemma| &**lemma)
    }

    /// Is `word` a headword of any kind?
    pub fn is_headword(&self, word: &str) -> bool {
        self.exact
            .get(word)
            .is_some_and(|forms| forms.iter().any(|form| !form.needs_vowel))
    }

    /// The entries whose headword is exactly `word`.
    pub fn entries_of(&self, word: &str) -> impl Iterator<Item = &Entry> {
        self.roots(word, false)
            .iter()
            .filter(|form| !form.needs_vowel)
            .map(|form| &self.entries[form.entry as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_split_long_flags() {
        assert_eq!(flags("N1").collect::<Vec<_>>(), ["N1"]);
        assert_eq!(flags("G2O2").collect::<Vec<_>>(), ["G2", "O2"]);
        assert_eq!(flags("N").collect::<Vec<_>>(), ["N"]);
    }

    #[test]
    fn can_load_the_dictionary_with_alternations() {
        let lexicon = &*LEXICON;
        assert!(lexicon.is_headword("qanun"));
        assert!(
            lexicon.is_headword("bakı"),
            "capitalised headwords are lowercased"
        );
        assert!(!lexicon.is_headword("ayağ"));
        assert!(
            lexicon
                .roots("ayağ", false)
                .iter()
                .all(|form| form.needs_vowel)
        );
        assert!(
            lexicon
                .entries_of("gəl")
                .any(|entry| entry.kind == Kind::Verb && &*entry.term == "gəlmək")
        );
        assert!(
            !lexicon
                .entries_of("alma")
                .any(|entry| entry.kind == Kind::Verb),
            "alma/V1 is a masdar"
        );
        assert!(!lexicon.roots("xidmet", true).is_empty());
    }
}

//! The Azerbaijani stemmer (D189 §4.10.2 "morphological analysis … find all word forms"): maps an
//! inflected word to the term of its dictionary headword, `kitablarımızdan` → `kitab`,
//! `göstərilməlidir` → `göstərilmək`.
//!
//! It is a small two-level analyser rather than a suffix stripper. A word is split, at every
//! position, into a stem written as some dictionary headword (including its alternating forms:
//! `ayağ-`, `çörəy-`, `ed-`, `fəsl-`, see [`super::lexicon`]) and a rest, and the rest must be read
//! completely by the suffix grammar below: a finite automaton whose arcs are suffix templates with
//! archiphonemes, realised at run time for the current vowel-harmony class and for whether the word
//! so far ends in a vowel:
//!
//! - `A` is `a`/`ə` (two-way harmony), `I` is `ı`/`i`/`u`/`ü` (four-way harmony);
//! - `(y)`, `(n)`, `(s)`, `(T)` are buffer consonants, written only after a vowel; `(I)` is a
//!   linking vowel, written only after a consonant;
//! - a final `K` is `q`/`k`, and before a vowel `ğ`/`y` (`-acaq` → `-acağam`, `-dıq` → `-dığı`);
//!   `T` is `t`, and before a vowel `d` (`işlət-` → `işlədir`).
//!
//! Of all complete readings the cheapest wins, then the one with the longest stem, then a
//! nominal reading over a verbal one. Costs follow how often a suffix occurs in written, official
//! Azerbaijani: about 10 for cases, the plural, the 3rd-person possessive and the tenses, 3 for
//! verbal agreement, more for rare readings (2nd-person singular, optative, imperative, personal
//! predicates of nouns, fused copulas) and 20 for lemma-building derivation. A headword therefore always stays itself (`qanun`, `barmaq`, `ata`, `alın` are
//! never read as `qan-un`, `bar-maq`, `at-a`, `al-ın`), and a stem is only ever a real headword:
//! that is the guard against over-stemming. Voice and noun-to-verb derivation (`-Il`, `-In`,
//! `-n`, `-dIr`, `-t`, `-Iş`, `-lA`, `-lAş`) are read so that unlisted derived verbs are still
//! recognised, but they stay in the term: `verilir` → `verilmək`, not `vermək`.
//!
//! A word no headword explains (a name, a new term) falls back to a conservative guess: only a
//! chain of nominal suffixes beginning with a consonant (or the genitive) is removed, and at least
//! three letters stay (`Sumqayıtdakı` → `sumqayıt`).

use std::sync::LazyLock;

use super::lexicon::{
    Kind, LEXICON, fold, fold_letter, infinitive_ending, is_vowel, last_vowel_class, vowel_class,
};

/// States of the suffix automaton: what the word so far is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// A nominal stem: noun, adjective, pronoun, numeral, adverb.
    Noun,
    /// After the plural `-lAr`.
    Plural,
    /// After a 3rd-person possessive (`-(s)I`, `-lArI`): cases take the pronominal `n`.
    Poss3,
    /// After a 1st/2nd-person possessive.
    Poss,
    /// After the genitive or locative, which may take `-kI`.
    CaseGenLoc,
    /// After another case.
    Case,
    /// After `-kI` (`evdəki`): a new nominal with pronominal `n` cases.
    Ki,
    /// After the predicative `-dIr`.
    Dir,
    /// A verb stem (also the 2nd-person imperative).
    Verb,
    /// After the negation `-mA` (also the verbal noun `-mA`).
    Neg,
    /// After a tense taking the predicative person endings (`-Ir`, `-mIş`, `-Ib`, …).
    Tense,
    /// After the aorist `-(y)Ar`.
    Aorist,
    /// After the past `-dI` or the conditional `-sA`: the short person endings.
    Past,
    /// After `-sA`.
    Cond,
    /// After the evidential/perfect participle `-mIş`.
    Evidential,
    /// After the converb/perfect `-(y)Ib`.
    Perfect,
    /// After the future `-(y)AcAK` (also a participle).
    Future,
    /// After the necessitative `-mAlI`.
    Necessitative,
    /// After the optative `-(y)A`.
    Optative,
    /// After the 3rd-person imperative `-sIn`.
    Imperative3,
    /// After the infinitive `-mAK`.
    Infinitive,
    /// After a participle that inflects like a noun (`-(y)An`, ordinals).
    Participle,
    /// After the participle `-dIK`.
    Dik,
    /// After a 3rd-person plural `-lAr`, which may still take `-dIr`.
    Plural3,
    /// After a nominal copula `-(y)dI`/`-(y)mIş`: predicative persons only.
    Copula,
    /// After a person ending: only the clitics `-sA` (if) and `-mI` (question) may follow.
    PersonEnd,
    /// Nothing may follow.
    End,
    /// A bare number or acronym before a hyphen (`2023-cü`, `BMT-nin`): suffixes only.
    Number,
}

const N_STATES: usize = State::Number as usize + 1;

/// The cost of reading a bare verb stem as the 2nd-person imperative.
const IMPERATIVE_COST: u16 = 12;

/// What a suffix does to the term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Inflection: removed from the term.
    Inflection,
    /// Lemma-building derivation (voice, noun → verb): kept in the term, which becomes a verb.
    Derivation,
}

/// One arc of the automaton as written in the grammar.
struct ArcSpec {
    template: &'static str,
    to: State,
    cost: u16,
    tag: &'static str,
    role: Role,
}

const fn arc(template: &'static str, to: State, tag: &'static str) -> ArcSpec {
    ArcSpec {
        template,
        to,
        cost: 10,
        tag,
        role: Role::Inflection,
    }
}

const fn costly(template: &'static str, to: State, cost: u16, tag: &'static str) -> ArcSpec {
    ArcSpec {
        template,
        to,
        cost,
        tag,
        role: Role::Inflection,
    }
}

const fn derive(template: &'static str, tag: &'static str) -> ArcSpec {
    ArcSpec {
        template,
        to: State::Verb,
        cost: 20,
        tag,
        role: Role::Derivation,
    }
}

// ---- The grammar (D189 §4.10.2). Groups of arcs, combined per state in `arcs_of`. ----

const PLURAL: &[ArcSpec] = &[arc("lAr", State::Plural, "PL")];

/// Possessive persons: `kitab-ım, -ın, -ı, -ımız, -ınız`; after a vowel `ata-m, -n, -sı, -mız, -nız`.
/// Costs follow frequency in written Azerbaijani: the 3rd person is the common one.
const POSSESSIVE: &[ArcSpec] = &[
    costly("(I)m", State::Poss, 12, "P1SG"),
    costly("(I)n", State::Poss, 15, "P2SG"),
    arc("(s)I", State::Poss3, "P3"),
    costly("(I)mIz", State::Poss, 11, "P1PL"),
    costly("(I)nIz", State::Poss, 12, "P2PL"),
];

/// The six cases (nominative is zero) and the instrumental clitic `-(y)lA` (`ilə`).
const CASES: &[ArcSpec] = &[
    arc("(n)In", State::CaseGenLoc, "GEN"),
    arc("(y)A", State::Case, "DAT"),
    arc("(n)I", State::Case, "ACC"),
    arc("dA", State::CaseGenLoc, "LOC"),
    arc("dAn", State::Case, "ABL"),
    arc("(y)lA", State::Case, "INS"),
];

/// Cases after a 3rd-person possessive or `-kI`, with the pronominal `n`: `kitabı-na`, `evdəki-ndə`.
/// Cheaper than other cases: after a possessive the case is the expected continuation.
const PRONOMINAL_CASES: &[ArcSpec] = &[
    costly("nIn", State::CaseGenLoc, 8, "GEN"),
    costly("nA", State::Case, 8, "DAT"),
    costly("nI", State::Case, 8, "ACC"),
    costly("ndA", State::CaseGenLoc, 8, "LOC"),
    costly("ndAn", State::Case, 8, "ABL"),
    costly("(y)lA", State::Case, 8, "INS"),
    // The instrumental fused without its `y` after the possessive, as it is usually written:
    // `münasibəti-lə`, `vasitəsi-lə`, `köməyi-lə` (issue 11: the spell checker marked them).
    costly("lA", State::Case, 9, "INS"),
];

/// `-kI` after a genitive or locative (`evdəki`, `mənimki`); also plain `-ki`.
const KI: &[ArcSpec] = &[arc("kI", State::Ki, "KI"), arc("ki", State::Ki, "KI")];

/// Predicative endings and copula clitics on nominals: `-dIr`, `-(y)Am`, `-sAn`, `-(y)IK`,
/// `-sInIz`, the rarely fused `-(y)dI`, `-(y)sA`, `-(y)mIş`, `-(y)kən` (`ikən`), the question `-mI`.
/// Personal predicates of nouns are rare in written text, so a verb reading beats them
/// (`gələcəyəm` is `gəl-əcəy-əm`, not "I am the future").
const COPULA: &[ArcSpec] = &[
    arc("dIr", State::Dir, "COP"),
    costly("(y)Am", State::PersonEnd, 25, "1SG"),
    costly("sAn", State::PersonEnd, 25, "2SG"),
    costly("(y)IK", State::PersonEnd, 25, "1PL"),
    costly("sInIz", State::PersonEnd, 25, "2PL"),
    costly("(y)dI", State::Past, 30, "PST"),
    costly("(y)sA", State::Cond, 30, "COND"),
    costly("(y)mIş", State::Copula, 30, "EVID"),
    costly("(y)kən", State::End, 20, "WHILE"),
    costly("mI", State::End, 15, "Q"),
];

/// The cost of a verbal person ending: agreement is obligatory in a finite verb, so it says
/// little about which reading is right (`anla-dı-m` "I understood" beats `anlad-ım` "let me
/// explain").
const AGREEMENT: u16 = 3;

/// Predicative person endings after `-Ir`, `-(y)AcAK`, `-(y)Ar`, `-mIş`, `-(y)Ib`, `-mAlI`.
const PERSON: &[ArcSpec] = &[
    costly("(y)Am", State::PersonEnd, AGREEMENT, "1SG"),
    costly("sAn", State::PersonEnd, AGREEMENT, "2SG"),
    costly("(y)IK", State::PersonEnd, AGREEMENT, "1PL"),
    costly("sInIz", State::PersonEnd, AGREEMENT, "2PL"),
    costly("lAr", State::Plural3, AGREEMENT, "3PL"),
    costly("dIr", State::Dir, AGREEMENT + 1, "COP"),
    costly("mI", State::End, 15, "Q"),
];

/// Clitics after a person ending: `etmisinizsə` (if you have done), `tapırsınızmı` (do you find).
const PERSON_CLITICS: &[ArcSpec] = &[
    arc("sA", State::End, "COND"),
    costly("mI", State::End, 15, "Q"),
];

/// Short person endings after `-dI` and `-sA`: `gəldi-m, -n, -k, -niz, -lər`.
const SHORT_PERSON: &[ArcSpec] = &[
    costly("m", State::PersonEnd, AGREEMENT, "1SG"),
    costly("n", State::PersonEnd, AGREEMENT, "2SG"),
    costly("K", State::PersonEnd, AGREEMENT, "1PL"),
    costly("nIz", State::PersonEnd, AGREEMENT, "2PL"),
    costly("lAr", State::PersonEnd, AGREEMENT, "3PL"),
    costly("mI", State::End, 15, "Q"),
];

/// Optative persons: `gələ-m, -sən, -k, -siniz, -lər`.
const OPTATIVE_PERSON: &[ArcSpec] = &[
    costly("m", State::End, AGREEMENT, "1SG"),
    costly("sAn", State::End, AGREEMENT, "2SG"),
    costly("K", State::End, AGREEMENT, "1PL"),
    costly("sInIz", State::End, AGREEMENT, "2PL"),
    costly("lAr", State::End, AGREEMENT, "3PL"),
    costly("(y)dI", State::Past, 8, "PST"),
];

/// Lemma-building derivation on verbs: passive `-Il`/`-In`/`-n`, causative `-dIr`/`-t` (`-d-`
/// before a vowel),
/// reciprocal `-Iş`. Kept in the term (voice makes separate words).
const VOICE: &[ArcSpec] = &[
    derive("(I)l", "PASS"),
    derive("(I)n", "PASS"),
    derive("dIr", "CAUS"),
    derive("(T)", "CAUS"),
    derive("(I)ş", "RECP"),
];

/// Noun → verb derivation `-lA`, `-lAş` (`təsdiq-lə`, `rəqəmsal-laş`), kept in the term.
const VERBALISER: &[ArcSpec] = &[derive("lA", "VBZ"), derive("lAş", "VBZ")];

/// Finite and non-finite verb forms after a stem or the negation.
const VERB_FORMS: &[ArcSpec] = &[
    costly("dI", State::Past, 8, "PST"),
    costly("mIş", State::Evidential, 9, "EVID"),
    // `-mIş` loses its `ş` before the 2nd person: `gəlmisən`, `etmisiniz`.
    costly("mIsAn", State::PersonEnd, 9 + AGREEMENT, "EVID.2SG"),
    costly("mIsInIz", State::PersonEnd, 9 + AGREEMENT, "EVID.2PL"),
    costly("(y)Ib", State::Perfect, 9, "PRF"),
    arc("(y)AcAK", State::Future, "FUT"),
    costly("mAlI", State::Necessitative, 11, "NEC"),
    costly("sA", State::Cond, 11, "COND"),
    costly("(y)A", State::Optative, 16, "OPT"),
    costly("(y)Im", State::End, 16, "IMP.1SG"),
    costly("sIn", State::Imperative3, 13, "IMP.3SG"),
    costly("(y)In", State::End, 13, "IMP.2PL"),
    costly("(y)InIz", State::End, 13, "IMP.2PL"),
    costly("mAK", State::Infinitive, 9, "INF"),
    costly("(y)An", State::Participle, 9, "PTCP"),
    arc("dIK", State::Dik, "PTCP.PST"),
    arc("(y)AsI", State::Poss3, "PTCP.FUT"),
    costly("(y)ArAK", State::End, 11, "CVB"),
    costly("(y)IncA", State::End, 11, "CVB"),
    costly("(y)AlI", State::End, 11, "CVB"),
];

/// Forms only an affirmative stem takes: negation, present `-(y)Ir`, aorist `-(y)Ar`, and the
/// fused negative present `-mIr` and aorist `-mAz`/`-mAr`.
const AFFIRMATIVE_ONLY: &[ArcSpec] = &[
    arc("mA", State::Neg, "NEG"),
    costly("(y)Ir", State::Tense, 9, "PRS"),
    costly("(y)Ar", State::Aorist, 10, "AOR"),
    arc("mIr", State::Tense, "NEG.PRS"),
    arc("mAz", State::Aorist, "NEG.AOR"),
    arc("mAr", State::Tense, "NEG.AOR"),
];

const TENSE_MORE: &[ArcSpec] = &[
    costly("dI", State::Past, 8, "PST"),
    arc("mIş", State::Copula, "EVID"),
    arc("sA", State::Cond, "COND"),
];

const AORIST_MORE: &[ArcSpec] = &[arc("kən", State::End, "WHILE")];

const COND_MORE: &[ArcSpec] = &[arc("(y)dI", State::Past, "PST")];

const NEC_MORE: &[ArcSpec] = &[arc("(y)dI", State::Past, "PST")];

const PERFECT_MORE: &[ArcSpec] = &[arc("dI", State::Past, "PST")];

const DIK_MORE: &[ArcSpec] = &[arc("cA", State::End, "CVB")];

const IMPERATIVE3_MORE: &[ArcSpec] = &[arc("lAr", State::End, "3PL")];

const DIR_MORE: &[ArcSpec] = &[
    arc("lAr", State::PersonEnd, "3PL"),
    arc("sA", State::End, "COND"),
    costly("mI", State::End, 15, "Q"),
];

const PLURAL3_MORE: &[ArcSpec] = &[arc("dIr", State::End, "COP")];

/// `-dək` (until) after a dative or a bare stem: `tarixədək`, `2025-dək`.
const TERMINATIVE: &[ArcSpec] = &[arc("dək", State::End, "TERM")];

/// Ordinals after a number before a hyphen: `2023-cü`, `5-ci`, `1-inci`.
const ORDINAL: &[ArcSpec] = &[
    arc("(I)ncI", State::Participle, "ORD"),
    arc("cI", State::Participle, "ORD"),
];

/// The equative `-cA` (`fikrimcə` "in my opinion", `ingiliscə` "in English", `saatlarca`).
const EQUATIVE: &[ArcSpec] = &[costly("cA", State::End, 15, "EQU")];

/// A nominal stem may also take `-kI` directly (`bugünkü`, `dünənki`), at a higher cost.
const STEM_KI: &[ArcSpec] = &[
    costly("kI", State::Ki, 20, "KI"),
    costly("ki", State::Ki, 20, "KI"),
];

fn arcs_of(state: State) -> Vec<&'static [ArcSpec]> {
    use State::*;
    match state {
        Noun => vec![
            PLURAL,
            POSSESSIVE,
            CASES,
            COPULA,
            STEM_KI,
            VERBALISER,
            TERMINATIVE,
        ],
        Plural => vec![POSSESSIVE, CASES, COPULA],
        Poss3 | Ki => vec![
            PRONOMINAL_CASES,
            COPULA,
            if state == Ki { PLURAL } else { &[] },
        ],
        Poss => vec![CASES, COPULA, EQUATIVE],
        CaseGenLoc => vec![KI, COPULA],
        Case => vec![COPULA, TERMINATIVE],
        Dir => vec![DIR_MORE],
        Verb => vec![VOICE, AFFIRMATIVE_ONLY, VERB_FORMS],
        Neg => vec![VERB_FORMS, PLURAL, POSSESSIVE, CASES, COPULA],
        Tense => vec![PERSON, TENSE_MORE],
        Aorist => vec![PERSON, TENSE_MORE, AORIST_MORE],
        Past => vec![SHORT_PERSON, PERSON_CLITICS],
        Cond => vec![SHORT_PERSON, COND_MORE],
        Evidential => vec![PERSON, TENSE_MORE, PLURAL, POSSESSIVE, CASES],
        Perfect => vec![PERSON, PERFECT_MORE],
        Future => vec![PERSON, TENSE_MORE, PLURAL, POSSESSIVE, CASES],
        Necessitative => vec![PERSON, NEC_MORE],
        Optative => vec![OPTATIVE_PERSON],
        Imperative3 => vec![IMPERATIVE3_MORE],
        Infinitive => vec![CASES, COPULA],
        Participle => vec![PLURAL, POSSESSIVE, CASES, COPULA],
        Dik => vec![PLURAL, POSSESSIVE, CASES, DIK_MORE],
        Plural3 => vec![PLURAL3_MORE],
        Copula => vec![PERSON],
        PersonEnd => vec![PERSON_CLITICS],
        End => vec![],
        Number => vec![ORDINAL, PLURAL, POSSESSIVE, CASES, COPULA, TERMINATIVE],
    }
}

// ---- Realising templates. ----

/// One written form of a suffix for a given harmony class and preceding letter.
struct Surface {
    text: Box<str>,
    folded: Box<str>,
    /// Harmony class after the suffix.
    class_after: u8,
    vowel_final: bool,
    starts_with_vowel: bool,
    /// Ends in `ğ`/`y` from `K`: a vowel must follow.
    alternated: bool,
}

struct Arc {
    to: State,
    cost: u16,
    tag: &'static str,
    role: Role,
    /// Indexed by `(class - 1) * 2 + vowel_final`.
    surfaces: [Vec<Surface>; 8],
}

/// Realises `template` after a word part of harmony `class` that does (not) end in a vowel: the
/// plain form and, for a final `K`, the voiced form used before a vowel (`əcək`, `əcəy`). A `K`
/// inside the template before a vowel is voiced (`dIKI` → `dığı`).
pub(crate) fn realize(template: &str, class: u8, vowel_final: bool) -> Vec<(String, bool)> {
    let mut text = String::new();
    let mut current = class;
    let mut alternated = None;
    let mut chars = template.chars().peekable();
    while let Some(letter) = chars.next() {
        let letter = if letter == '(' {
            let inner = chars.next().expect("template: `(` needs a letter");
            assert_eq!(chars.next(), Some(')'), "template {template}: unclosed `(`");
            let is_linking_vowel = matches!(inner, 'I' | 'A');
            if is_linking_vowel == vowel_final {
                continue;
            }
            inner
        } else {
            letter
        };
        match letter {
            'A' => {
                let vowel = if current == 1 || current == 3 {
                    'a'
                } else {
                    'ə'
                };
                current = vowel_class(vowel).unwrap_or(current);
                text.push(vowel);
            }
            'I' => text.push(['ı', 'i', 'u', 'ü'][usize::from(current - 1)]),
            'T' => {
                // The causative `-t` is voiced before a vowel: `işlət-` → `işlədir`.
                if chars
                    .peek()
                    .is_some_and(|&next| matches!(next, 'A' | 'I') || is_vowel(next))
                {
                    text.push('d');
                } else {
                    alternated = Some(format!("{text}d"));
                    text.push('t');
                }
            }
            'K' => {
                let back = current == 1 || current == 3;
                let voiced = if back { 'ğ' } else { 'y' };
                if chars
                    .peek()
                    .is_some_and(|&next| matches!(next, 'A' | 'I') || is_vowel(next))
                {
                    text.push(voiced);
                } else {
                    alternated = Some(format!("{text}{voiced}"));
                    text.push(if back { 'q' } else { 'k' });
                }
            }
            other => {
                current = vowel_class(other).unwrap_or(current);
                text.push(other);
            }
        }
    }
    if text.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![(text, false)];
    if let Some(alternated) = alternated {
        forms.push((alternated, true));
    }
    forms
}

fn surface(text: String, alternated: bool, class: u8) -> Surface {
    let class_after = last_vowel_class(&text).unwrap_or(class);
    let last = text.chars().last().unwrap_or(' ');
    let first = text.chars().next().unwrap_or(' ');
    Surface {
        folded: fold(&text).into(),
        class_after,
        vowel_final: is_vowel(last),
        starts_with_vowel: is_vowel(first),
        alternated,
        text: text.into(),
    }
}

/// The automaton with every template realised for every context.
struct Grammar {
    states: Vec<Vec<Arc>>,
}

static GRAMMAR: LazyLock<Grammar> = LazyLock::new(|| {
    let all_states = [
        State::Noun,
        State::Plural,
        State::Poss3,
        State::Poss,
        State::CaseGenLoc,
        State::Case,
        State::Ki,
        State::Dir,
        State::Verb,
        State::Neg,
        State::Tense,
        State::Aorist,
        State::Past,
        State::Cond,
        State::Evidential,
        State::Perfect,
        State::Future,
        State::Necessitative,
        State::Optative,
        State::Imperative3,
        State::Infinitive,
        State::Participle,
        State::Dik,
        State::Plural3,
        State::Copula,
        State::PersonEnd,
        State::End,
        State::Number,
    ];
    assert_eq!(all_states.len(), N_STATES);
    let mut states: Vec<Vec<Arc>> = (0..N_STATES).map(|_| Vec::new()).collect();
    for state in all_states {
        for group in arcs_of(state) {
            for spec in group {
                let surfaces = std::array::from_fn(|index| {
                    let class = (index / 2) as u8 + 1;
                    let vowel_final = index % 2 == 1;
                    realize(spec.template, class, vowel_final)
                        .into_iter()
                        .map(|(text, alternated)| surface(text, alternated, class))
                        .collect()
                });
                states[state as usize].push(Arc {
                    to: spec.to,
                    cost: spec.cost,
                    tag: spec.tag,
                    role: spec.role,
                    surfaces,
                });
            }
        }
    }
    Grammar { states }
});

// ---- Parsing. ----

/// A complete reading of a word.
#[derive(Clone, Debug)]
struct Reading {
    cost: u16,
    /// Byte length of the stem as written in the word.
    root_end: usize,
    /// The dictionary entry, or `None` for a guessed stem.
    entry: Option<u32>,
    /// End of the derived stem (voice, `-lA`) and its harmony class, if any derivation was read.
    derived: Option<(usize, u8)>,
    kind: Kind,
    tags: Vec<&'static str>,
}

impl Reading {
    /// Orders readings best first: cheapest, then longest stem, then nominal before verbal.
    fn key(&self) -> (u16, std::cmp::Reverse<usize>, Kind) {
        (self.cost, std::cmp::Reverse(self.root_end), self.kind)
    }
}

struct Walker<'w> {
    grammar: &'static Grammar,
    word: &'w str,
    folded: bool,
    /// For guessed stems: the first suffix must begin with a consonant (or be the genitive).
    guessing: bool,
    /// Keep the suffix tags of each reading (for [`explain`] only: it costs an allocation).
    record_tags: bool,
    tags: Vec<&'static str>,
    found: Vec<Reading>,
    root_end: usize,
    entry: Option<u32>,
    kind: Kind,
    /// Added to readings that inflect a redirected headword (`olan-lar`), so that a reading
    /// from another headword wins a tie (`atan-ın` "thrower's" loses to `ata-nın` "father's").
    inflected_root_penalty: u16,
    /// Added to every reading of a verb headword that is another verb plus the reflexive
    /// `-(I)n` (`yolun` ← `yol`): such stems are rarer than their base, whose imperative they
    /// look like (`bilin` "know!", `yolu-nun` "of its road" beats `yolun-un` "be plucked!").
    derived_root_penalty: u16,
}

#[derive(Clone, Copy)]
struct Position {
    at: usize,
    state: State,
    class: u8,
    vowel_final: bool,
    needs_vowel: bool,
    cost: u16,
    derived: Option<(usize, u8)>,
    n_derivations: u8,
}

impl Walker<'_> {
    fn walk(&mut self, here: Position) {
        if here.at == self.word.len() {
            if !here.needs_vowel {
                let mut penalty = self.derived_root_penalty;
                if here.cost > 0 {
                    penalty += self.inflected_root_penalty;
                }
                if here.state == State::Verb {
                    // A bare verb stem is the 2nd-person imperative, rare in written text: a
                    // nominal reading wins (`işlə` "with work" before "work!").
                    penalty += IMPERATIVE_COST;
                }
                self.found.push(Reading {
                    cost: here.cost + penalty,
                    root_end: self.root_end,
                    entry: self.entry,
                    derived: here.derived,
                    kind: self.kind,
                    tags: if self.record_tags {
                        self.tags.clone()
                    } else {
                        Vec::new()
                    },
                });
            }
            return;
        }
        let rest = &self.word[here.at..];
        let grammar = self.grammar;
        for arc in &grammar.states[here.state as usize] {
            if arc.role == Role::Derivation && (here.n_derivations >= 4 || self.guessing) {
                continue;
            }
            let index = usize::from(here.class - 1) * 2 + usize::from(here.vowel_final);
            for surface in &arc.surfaces[index] {
                let text = if self.folded {
                    &surface.folded
                } else {
                    &surface.text
                };
                if !rest.starts_with(&**text) || (here.needs_vowel && !surface.starts_with_vowel) {
                    continue;
                }
                if self.guessing
                    && here.at == self.root_end
                    && !may_start_a_guess(arc.tag, surface.starts_with_vowel)
                {
                    continue;
                }
                let at = here.at + text.len();
                let (derived, n_derivations) = match arc.role {
                    Role::Derivation => (Some((at, surface.class_after)), here.n_derivations + 1),
                    Role::Inflection => (here.derived, here.n_derivations),
                };
                self.tags.push(arc.tag);
                self.walk(Position {
                    at,
                    state: arc.to,
                    class: surface.class_after,
                    vowel_final: surface.vowel_final,
                    needs_vowel: surface.alternated,
                    cost: here.cost + arc.cost,
                    derived,
                    n_derivations,
                });
                self.tags.pop();
            }
        }
    }
}

/// For a guessed stem, may a suffix chain begin with this suffix? Only frequent nominal suffixes
/// that begin with a consonant (a buffer after a vowel: `Gəncə-yə`), or the genitive: a final
/// vowel or `-n` is too often part of an unknown word (`hakaton`, `description`).
fn may_start_a_guess(tag: &str, starts_with_vowel: bool) -> bool {
    match tag {
        "GEN" => true,
        "PL" | "P3" | "DAT" | "ACC" | "LOC" | "ABL" | "INS" | "COP" | "KI" => !starts_with_vowel,
        _ => false,
    }
}

/// The result of stemming one word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stem {
    /// The index term.
    pub term: String,
    /// Whether a dictionary headword explains the word (rather than a guess).
    pub known: bool,
    /// The cost of the best reading: 0 for a headword or irregular form as written, more for
    /// each suffix and derivation read off. Compares readings of different spellings.
    pub cost: u16,
}

fn readings(word: &str, folded: bool, record_tags: bool) -> (Vec<Reading>, bool) {
    let lexicon = &*LEXICON;
    let mut walker = Walker {
        grammar: &GRAMMAR,
        word,
        folded,
        guessing: false,
        record_tags,
        tags: Vec::new(),
        found: Vec::new(),
        root_end: 0,
        entry: None,
        kind: Kind::Nominal,
        inflected_root_penalty: 0,
        derived_root_penalty: 0,
    };
    for (root_end, _) in word.char_indices().skip(1).chain([(word.len(), ' ')]) {
        let root = &word[..root_end];
        for form in lexicon.roots(root, folded) {
            let entry = &lexicon.entries[form.entry as usize];
            walker.root_end = root_end;
            walker.entry = Some(form.entry);
            walker.kind = entry.kind;
            walker.inflected_root_penalty = if entry.redirected { 5 } else { 0 };
            walker.derived_root_penalty = if entry.derived { 3 } else { 0 };
            let state = match entry.kind {
                // One-letter headwords (`o`) inflect irregularly (`onun`, `onlar`): see fixes.txt.
                _ if root.chars().nth(1).is_none() => State::End,
                Kind::Nominal => State::Noun,
                Kind::Verb => State::Verb,
                Kind::Particle => State::End,
            };
            let last = root.chars().last().unwrap_or(' ');
            walker.walk(Position {
                at: root_end,
                state,
                class: entry.class,
                vowel_final: is_vowel(last),
                needs_vowel: form.needs_vowel,
                cost: 0,
                derived: None,
                n_derivations: 0,
            });
        }
    }
    if !walker.found.is_empty() {
        return (walker.found, true);
    }
    // No headword explains the word: guess a nominal stem of at least three letters.
    walker.guessing = true;
    walker.inflected_root_penalty = 0;
    walker.derived_root_penalty = 0;
    walker.entry = None;
    walker.kind = Kind::Nominal;
    for (root_end, _) in word.char_indices().skip(3).chain([(word.len(), ' ')]) {
        let root = &word[..root_end];
        if !root.chars().any(is_vowel) {
            continue;
        }
        let last = root.chars().last().unwrap_or(' ');
        walker.root_end = root_end;
        for class in guessed_classes(root, folded) {
            walker.walk(Position {
                at: root_end,
                state: State::Noun,
                class,
                vowel_final: is_vowel(last),
                needs_vowel: false,
                cost: 0,
                derived: None,
                n_derivations: 0,
            });
        }
    }
    (walker.found, false)
}

/// Harmony classes a guessed stem may have: one, unless folding hid the vowel (`i` is `ı` or `i`).
fn guessed_classes(root: &str, folded: bool) -> Vec<u8> {
    let last = root.chars().rev().find(|&c| is_vowel(c));
    match (last, folded) {
        (Some('i'), true) => vec![1, 2],
        (Some('o' | 'u'), true) => vec![3, 4],
        (Some(vowel), _) => vec![vowel_class(vowel).unwrap_or(2)],
        (None, _) => vec![2],
    }
}

fn term_of(word: &str, reading: &Reading, folded: bool) -> String {
    let lexicon = &*LEXICON;
    if let Some((end, class)) = reading.derived {
        let ending = infinitive_ending(class);
        let mut term = String::with_capacity(end + ending.len());
        term.push_str(&word[..end]);
        if folded {
            term.extend(ending.chars().map(fold_letter));
        } else {
            term.push_str(ending);
        }
        return term;
    }
    match reading.entry {
        Some(index) => {
            let entry = &lexicon.entries[index as usize];
            if folded {
                fold(&entry.term)
            } else {
                entry.term.to_string()
            }
        }
        None => word[..reading.root_end].to_string(),
    }
}

/// Stems one lowercased word (ASCII-folded when `folded`): the term of its best reading.
pub fn stem(word: &str, folded: bool) -> Stem {
    if word.is_empty() || word.chars().any(|c| c.is_ascii_digit()) || word.chars().count() > 48 {
        return Stem {
            term: word.to_string(),
            known: false,
            cost: 0,
        };
    }
    if let Some(lemma) = LEXICON.irregular(word, folded) {
        return Stem {
            term: lemma.to_string(),
            known: true,
            cost: 0,
        };
    }
    let (found, known) = readings(word, folded, false);
    let best = if known {
        found.iter().min_by_key(|reading| reading.key())
    } else {
        // A guess removes as much as the conservative grammar allows.
        found
            .iter()
            .min_by_key(|reading| (reading.root_end, reading.cost))
    };
    match best {
        Some(reading) => {
            // An irregular form inflected further (`bunlar-dır`) takes its lemma (`bu`).
            let term = term_of(word, reading, folded);
            let term = LEXICON
                .irregular(&term, folded)
                .map_or(term, str::to_string);
            Stem {
                term,
                known,
                cost: reading.cost,
            }
        }
        None => Stem {
            term: word.to_string(),
            known: false,
            cost: 0,
        },
    }
}

/// Explains the best reading of a lowercased word: `kitab+PL+P3+GEN → kitab`. For tests and
/// for inspecting the analyzer.
pub fn explain(word: &str) -> String {
    let (mut found, known) = readings(word, false, true);
    if known {
        found.sort_by_key(|reading| reading.key());
    } else {
        found.sort_by_key(|reading| (reading.root_end, reading.cost));
    }
    found
        .iter()
        .take(5)
        .map(|reading| {
            let mut text = word[..reading.root_end].to_string();
            if reading.entry.is_none() {
                text.push('?');
            }
            for tag in &reading.tags {
                text.push('+');
                text.push_str(tag);
            }
            format!(
                "{text} ({}) → {}",
                reading.cost,
                term_of(word, reading, false)
            )
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Is `part` nothing but suffixes (the `nin` of `BMT-nin`, the `cü` of `2023-cü`)? Such a part
/// after a hyphen or apostrophe belongs to the word before it and adds no term.
pub fn is_suffix_chain(part: &str) -> bool {
    if part.is_empty() {
        return false;
    }
    let folded = part.is_ascii();
    let mut walker = Walker {
        grammar: &GRAMMAR,
        word: part,
        folded,
        guessing: false,
        record_tags: false,
        tags: Vec::new(),
        found: Vec::new(),
        root_end: 0,
        entry: None,
        kind: Kind::Nominal,
        inflected_root_penalty: 0,
        derived_root_penalty: 0,
    };
    for class in 1..=4 {
        for vowel_final in [false, true] {
            walker.walk(Position {
                at: 0,
                state: State::Number,
                class,
                vowel_final,
                needs_vowel: false,
                cost: 0,
                derived: None,
                n_derivations: 0,
            });
            if !walker.found.is_empty() {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_realize_templates_with_harmony_and_buffers() {
        let texts = |template, class, vowel_final| {
            realize(template, class, vowel_final)
                .into_iter()
                .map(|(text, _)| text)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts("lAr", 3, false), ["lar"]);
        assert_eq!(texts("(n)In", 1, true), ["nın"]);
        assert_eq!(texts("(n)In", 4, false), ["ün"]);
        assert_eq!(texts("(y)AcAK", 2, false), ["əcək", "əcəy"]);
        assert_eq!(texts("(y)AcAK", 3, true), ["yacaq", "yacağ"]);
        assert_eq!(texts("mAlI", 4, false), ["məli"]);
        assert_eq!(texts("(s)I", 3, false), ["u"]);
        assert_eq!(texts("(t)", 2, false), Vec::<String>::new());
        assert_eq!(texts("dIKI", 3, false), ["duğu"]);
    }

    #[test]
    fn can_recognise_suffix_chains() {
        for part in ["nin", "cü", "ci", "da", "dən", "ya", "ın", "dək", "dakı"] {
            assert!(is_suffix_chain(part), "{part}");
        }
        for part in ["hava", "xidmət", "iqtisadi", "poçt"] {
            assert!(!is_suffix_chain(part), "{part}");
        }
    }
}

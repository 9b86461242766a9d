//! Regenerates `src/spell/data/legal.dic`, source (c) of the spell checker (D189 §6.4.3): the
//! words of the decisions that govern these websites that the Azerbaijani dictionary, the
//! morphology and the other independent sources reject, lemmatised by the search stemmer.
//!
//! `cargo run --example spell_legal_words [SEEDS_DIR] > src/spell/data/legal.dic`
//! (default `/work/shared/seeds`: the Azerbaijani texts of the Cabinet of Ministers' decisions
//! No. 189 of 4 September 2012 and No. 118 of 1 May 2014, as plain text). The demo site is not
//! read.
//!
//! Every `*.txt` file of the folder is checked as Azerbaijani with sources (a) and (b) but not
//! (c). Each flagged word is split at hyphens and apostrophes; each part of two or more letters
//! that the checker still rejects is lowercased (Turkic casing) and stemmed
//! (`govsite::search::stemmer::stem`: the headword it finds or, for an unknown stem, the
//! conservative guess, `portalına` → `portal`). The lemmas are written sorted, one a line, with
//! the forms seen as a comment. [`REVIEWED_OUT`] lists what a review of the list removed
//! (typos and broken words of the source texts), so the output is reproducible.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use govsite::search::stemmer::stem;
use govsite::slug::turkic_lowercase;
use govsite::spell::{self, Sources, Tally};

/// Lemmas a review of the generated list refused, with the reason.
const REVIEWED_OUT: &[(&str, &str)] = &[
    ("artur", "a given name, the signing Prime Minister's"),
    (
        "lər",
        "the plural suffix of `şəxs(lər)ə`, split by the brackets",
    ),
    ("oluma", "`olumasında`, a typo for `olunmasında`"),
    ("si", "a part of the surname `Rasi-zadə`"),
];

fn main() -> anyhow::Result<()> {
    let seeds = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/seeds"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|path| path.extension().is_some_and(|ext| ext == "txt"));
    files.sort();
    let without_legal = Sources {
        legal: false,
        ..Sources::ALL
    };
    let mut tally = Tally::default();
    let mut n_files = 0;
    for path in &files {
        let text = std::fs::read_to_string(path)?;
        spell::with_sources(without_legal, || tally.add("az", &text));
        n_files += 1;
    }
    let mut lemmas: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for word in tally.flagged_words.keys() {
        for part in word.split(['-', '‐', '‑', '\'', '’', 'ʼ']) {
            if part.chars().filter(|c| c.is_alphabetic()).count() < 2
                || spell::with_sources(without_legal, || spell::is_accepted("az", part))
            {
                continue;
            }
            let lower = turkic_lowercase(part);
            let lemma = stem(&lower, false).term;
            lemmas.entry(lemma).or_default().insert(lower);
        }
    }
    let reviewed: BTreeMap<&str, &str> = REVIEWED_OUT.iter().copied().collect();
    println!(
        "# Source (c) of the spell checker (src/spell/mod.rs, D189 §6.4.3): words of the decisions
# that govern these websites which vendor/hunspell-az/az.dic, the search stemmer's morphology
# (without the demo-chosen src/search/data/extra.dic), the function words (grammar.dic) and the
# place names (places.txt) reject, as lemmas. Generated, not edited by hand:
#
#   cargo run --example spell_legal_words > src/spell/data/legal.dic
#
# from the Azerbaijani texts of the Cabinet of Ministers' decisions No. 189 (4 September 2012)
# and No. 118 (1 May 2014), {n_files} files of /work/shared/seeds/; {} words checked, {} rejected
# occurrences. Each rejected word is split at hyphens and apostrophes, lowercased and stemmed
# (the stemmer's headword or its guess at an unknown stem). Removed after review, as typos or
# broken words of the source texts: {}. Nothing is taken from the demo site. After `#` on a
# line: the forms seen.",
        tally.checked,
        tally.flagged,
        if reviewed.is_empty() {
            "none".to_string()
        } else {
            reviewed
                .iter()
                .map(|(lemma, why)| format!("`{lemma}` ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    for (lemma, forms) in &lemmas {
        if reviewed.contains_key(lemma.as_str()) {
            continue;
        }
        let forms: Vec<&str> = forms.iter().map(String::as_str).collect();
        println!("{lemma}  # {}", forms.join(", "));
    }
    Ok(())
}

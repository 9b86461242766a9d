//! The spell checker's false-alarm rate on the demo site's own text (D189 §6.4.3), which is
//! taken to be correct: every word it flags there is a false alarm.
//!
//! `cargo run --example spell_rate [SITE_DIR]` (default: the repository root, whose
//! `content/` is the demo site). Prints, per language, the words checked and flagged, the rate,
//! the rate with the dictionaries and morphology alone and with each independent word source
//! (`bench/SPELL.md`), the 40 most frequent flagged words, and how long loading and checking took.

use std::path::PathBuf;
use std::time::Instant;

use govsite::spell::{self, Sources, Tally};

fn main() -> anyhow::Result<()> {
    let site = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));

    let started = Instant::now();
    spell::preload();
    let loading = started.elapsed();

    let started = Instant::now();
    let texts = spell::site_texts(&site)?;
    let reading = started.elapsed();

    let started = Instant::now();
    let mut tallies: std::collections::BTreeMap<String, Tally> = Default::default();
    for (lang, _file, text) in &texts {
        tallies.entry(lang.clone()).or_default().add(lang, text);
    }
    let checking = started.elapsed();

    // What each independent source contributes: dictionaries and morphology alone, each source
    // alone on top of them, then all (the checker as shipped, whose flagged words follow).
    let configurations = [
        ("dictionaries + morphology only", Sources::NONE),
        (
            "+ (a) grammar: function words",
            Sources {
                grammar: true,
                ..Sources::NONE
            },
        ),
        (
            "+ (b) geography: cities and districts",
            Sources {
                geography: true,
                ..Sources::NONE
            },
        ),
        (
            "+ (c) legal texts D189, D118",
            Sources {
                legal: true,
                ..Sources::NONE
            },
        ),
        ("all sources (as shipped)", Sources::ALL),
    ];
    for (name, sources) in configurations {
        let mut by_source: std::collections::BTreeMap<String, Tally> = Default::default();
        spell::with_sources(sources, || {
            for (lang, _file, text) in &texts {
                by_source.entry(lang.clone()).or_default().add(lang, text);
            }
        });
        let rates: Vec<String> = by_source
            .iter()
            .map(|(lang, tally)| {
                format!(
                    "{lang} {}/{} = {:.2}%",
                    tally.flagged,
                    tally.checked,
                    tally.rate() * 100.0
                )
            })
            .collect();
        println!("{name:40} {}", rates.join(", "));
    }

    for (lang, tally) in &tallies {
        println!(
            "{lang}: {} words checked, {} flagged, false-alarm rate {:.2}%",
            tally.checked,
            tally.flagged,
            tally.rate() * 100.0
        );
        println!(
            "  {} distinct flagged words; the 40 most frequent:",
            tally.flagged_words.len()
        );
        for (word, count) in tally.most_frequent(40) {
            println!("  {count:5}  {word}");
        }
    }

    // Suggestions for the flagged words, as the preview would show them (first 50 per call).
    let started = Instant::now();
    let mut n_suggested = 0;
    for (lang, tally) in &tallies {
        let words: Vec<&str> = tally.flagged_words.keys().map(String::as_str).collect();
        n_suggested += spell::check_text(lang, &words.join(" ")).len();
    }
    let suggesting = started.elapsed();

    println!(
        "loading dictionaries and lexicon: {:.0} ms; reading {} texts: {:.0} ms; checking: {:.0} ms; \
         check_text with suggestions on the {} flagged words: {:.0} ms",
        loading.as_secs_f64() * 1000.0,
        texts.len(),
        reading.as_secs_f64() * 1000.0,
        checking.as_secs_f64() * 1000.0,
        n_suggested,
        suggesting.as_secs_f64() * 1000.0,
    );
    Ok(())
}

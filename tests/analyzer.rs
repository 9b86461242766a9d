//! The search analyzers (D189 §4.10.2–4.10.3): data-driven cases for Azerbaijani morphology,
//! casing and folding (`tests/data/analyzer-cases.txt`), the registration in tantivy, and the
//! quality report on `bench/az-wordforms.tsv` (`cargo test --test analyzer -- --nocapture`).

mod common;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

use govsite::search::{AZ_ANALYZER, AZ_FOLDED_ANALYZER, EN_ANALYZER, analyze, analyze_folded, register_analyzers};

fn read(relative: &str) -> String {
    let path = common::repo().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn az(text: &str) -> String {
    analyze("az", text).join(" ")
}

fn az_folded(text: &str) -> String {
    analyze_folded("az", text).join(" ")
}

/// Runs `tests/data/analyzer-cases.txt`: one case a line, `#` comments.
///
/// - `input -> terms`   the main Azerbaijani field indexes exactly `terms` for `input`
/// - `input ~> terms`   the same for the folded field
/// - `a == b`           both inputs give the same main terms (`İSTİFADƏÇİ == istifadəçi`)
/// - `a != b`           they give different main terms (over-stemming guards)
/// - `a ~= b`           both inputs give the same folded terms
/// - `en: input -> terms` the English main field
#[test]
fn can_analyze_the_data_driven_cases() {
    let cases = read("tests/data/analyzer-cases.txt");
    let mut failures = String::new();
    let mut n_cases = 0;
    for (number, line) in cases.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        n_cases += 1;
        let (lang, line) = match line.strip_prefix("en:") {
            Some(rest) => ("en", rest.trim()),
            None => ("az", line),
        };
        let check = |operator: &str| line.split_once(operator).map(|(a, b)| (a.trim(), b.trim()));
        let outcome = if let Some((input, expected)) = check("->") {
            let actual = analyze(lang, input).join(" ");
            (actual == expected).then_some(()).ok_or(format!("{input} -> {actual}, expected {expected}"))
        } else if let Some((input, expected)) = check("~>") {
            let actual = analyze_folded(lang, input).join(" ");
            (actual == expected).then_some(()).ok_or(format!("{input} ~> {actual}, expected {expected}"))
        } else if let Some((a, b)) = check("==") {
            let (term_a, term_b) = (az(a), az(b));
            (term_a == term_b).then_some(()).ok_or(format!("{a} -> {term_a} but {b} -> {term_b}"))
        } else if let Some((a, b)) = check("!=") {
            let (term_a, term_b) = (az(a), az(b));
            (term_a != term_b).then_some(()).ok_or(format!("{a} and {b} both -> {term_a}"))
        } else if let Some((a, b)) = check("~=") {
            let (term_a, term_b) = (az_folded(a), az_folded(b));
            (term_a == term_b).then_some(()).ok_or(format!("{a} ~> {term_a} but {b} ~> {term_b}"))
        } else {
            Err(format!("cannot read the case {line:?}"))
        };
        if let Err(message) = outcome {
            writeln!(failures, "  line {}: {message}", number + 1).unwrap();
        }
    }
    assert!(n_cases >= 300, "only {n_cases} cases");
    assert!(failures.is_empty(), "failed cases in tests/data/analyzer-cases.txt:\n{failures}");
}

#[test]
fn can_register_the_analyzers_in_tantivy() {
    let manager = tantivy::tokenizer::TokenizerManager::default();
    register_analyzers(&manager);
    for (name, text, expected) in [
        (AZ_ANALYZER, "Məlumatların dərc edilməsi", vec!["məlumat", "dərc", "edilmək"]),
        (AZ_FOLDED_ANALYZER, "xidmətlər XIDMETLER", vec!["xidmet", "xidmet"]),
        (EN_ANALYZER, "Publishing the datasets", vec!["publish", "the", "dataset"]),
    ] {
        let mut analyzer = manager.get(name).unwrap_or_else(|| panic!("{name} is not registered"));
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        let mut positions = Vec::new();
        while stream.advance() {
            terms.push(stream.token().text.clone());
            positions.push(stream.token().position);
        }
        assert_eq!(terms, expected, "{name}");
        assert_eq!(positions, (0..expected.len()).collect::<Vec<_>>(), "{name}: positions");
    }
}

#[test]
fn can_keep_offsets_on_the_original_text() {
    let manager = tantivy::tokenizer::TokenizerManager::new();
    register_analyzers(&manager);
    let text = "Bakı'da BMT-nin İŞIQ";
    let mut analyzer = manager.get(AZ_ANALYZER).unwrap();
    let mut stream = analyzer.token_stream(text);
    let mut spans = Vec::new();
    while stream.advance() {
        let token = stream.token();
        spans.push((token.text.clone(), &text[token.offset_from..token.offset_to]));
    }
    assert_eq!(
        spans,
        [("bakı".to_string(), "Bakı'da"), ("bmt".to_string(), "BMT"), ("işıq".to_string(), "İŞIQ")]
    );
}

/// One labelled form of `bench/az-wordforms.tsv`.
struct Labelled {
    form: String,
    lemma: String,
    tag: String,
}

fn wordforms() -> Vec<Labelled> {
    read("bench/az-wordforms.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(fields.len() >= 3, "bench/az-wordforms.tsv: bad line {line:?}");
            Labelled { form: fields[0].to_string(), lemma: fields[1].to_string(), tag: fields[2].to_string() }
        })
        .collect()
}

fn one_term(text: &str) -> String {
    analyze("az", text).join(" ")
}

/// The quality report of bench/ANALYZER.md. Prints the rates; fails only below loose floors.
///
/// - recall: the share of labelled forms whose term is the term of their lemma;
/// - wrong merges among forms: the share of forms whose term is the term of a *different*
///   dictionary headword;
/// - over-merge on unrelated pairs (`bench/az-unrelated-pairs.tsv`): the share of pairs of
///   distinct headwords, one a prefix of the other plus something that looks like a suffix
///   (`qanun`/`qan`, `barmaq`/`bar`), that the analyzer gives the same term.
#[test]
fn reports_quality_on_wordforms() {
    let forms = wordforms();
    let lemmas: HashSet<&str> = forms.iter().map(|form| form.lemma.as_str()).collect();
    let n_verb_forms = forms.iter().filter(|form| form.tag.starts_with('V')).count();
    let mut n_correct = 0;
    let mut n_wrong_merge = 0;
    let mut by_category: HashMap<String, (usize, usize)> = HashMap::new();
    let mut misses = String::new();
    for labelled in &forms {
        let term = one_term(&labelled.form);
        let lemma_term = one_term(&labelled.lemma);
        let category = labelled.tag.split(';').take(2).collect::<Vec<_>>().join(";");
        let counts = by_category.entry(category).or_default();
        counts.1 += 1;
        if term == lemma_term {
            n_correct += 1;
            counts.0 += 1;
        } else {
            let other_headword = govsite::search::lexicon::LEXICON.is_headword(&term)
                || term.strip_suffix("maq").or_else(|| term.strip_suffix("mək")).is_some_and(|stem| {
                    govsite::search::lexicon::LEXICON.entries_of(stem).any(|entry| entry.kind == govsite::search::lexicon::Kind::Verb)
                });
            if other_headword {
                n_wrong_merge += 1;
            }
            writeln!(misses, "{}\t{}\t{}\t{term}\t{}", labelled.form, labelled.lemma, labelled.tag, if other_headword { "MERGED" } else { "missed" })
                .unwrap();
        }
    }
    let recall = n_correct as f64 / forms.len() as f64;
    let wrong_merge_rate = n_wrong_merge as f64 / forms.len() as f64;

    let pairs: Vec<(String, String)> = read("bench/az-unrelated-pairs.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (a, b) = line.split_once('\t').expect("bench/az-unrelated-pairs.tsv: word<TAB>word");
            (a.to_string(), b.split('\t').next().unwrap_or("").to_string())
        })
        .collect();
    let merged_pairs: Vec<&(String, String)> = pairs.iter().filter(|(a, b)| one_term(a) == one_term(b)).collect();
    let over_merge = merged_pairs.len() as f64 / pairs.len() as f64;

    println!("bench/az-wordforms.tsv: {} forms of {} lemmas, {} verb forms", forms.len(), lemmas.len(), n_verb_forms);
    println!("  same term as the lemma: {:.2}% ({n_correct}/{})", recall * 100.0, forms.len());
    println!("  term of another headword (wrong merge): {:.2}% ({n_wrong_merge})", wrong_merge_rate * 100.0);
    let mut categories: Vec<_> = by_category.into_iter().collect();
    categories.sort();
    for (category, (correct, total)) in &categories {
        println!("    {category:<14} {:6.2}% of {total}", *correct as f64 * 100.0 / *total as f64);
    }
    println!(
        "bench/az-unrelated-pairs.tsv: {} pairs, merged {:.2}% ({})",
        pairs.len(),
        over_merge * 100.0,
        merged_pairs.len()
    );
    for (a, b) in merged_pairs.iter().take(20) {
        println!("    merged: {a} / {b} -> {}", one_term(a));
    }
    if let Ok(path) = std::env::var("AZ_MISSES") {
        std::fs::write(path, misses).unwrap();
    }
    assert!(forms.len() >= 1000 && lemmas.len() >= 100 && n_verb_forms * 3 >= forms.len());
    assert!(recall > 0.90, "recall fell to {recall:.4}");
    assert!(over_merge < 0.02, "over-merge rose to {over_merge:.4}");
}

/// Throughput of the Azerbaijani analyzer on the demo site's text (run in release for real
/// numbers: `cargo test --release --test analyzer -- --nocapture reports_throughput`).
#[test]
fn reports_throughput() {
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(common::repo().join("content/az")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|extension| extension == "md") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            text.push('\n');
        }
    }
    analyze("az", &text); // warm the dictionary
    let started = Instant::now();
    let mut n_terms = 0;
    let mut n_bytes = 0;
    while started.elapsed().as_secs_f64() < 1.0 {
        n_terms += analyze("az", &text).len() + analyze_folded("az", &text).len();
        n_bytes += text.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "analyzer throughput (main + folded field, warm cache): {:.1} MB/s, {:.0} terms/s",
        n_bytes as f64 / seconds / 1e6,
        n_terms as f64 / seconds
    );
    // Cold: every word new to the cache.
    let words: Vec<String> = text.split_whitespace().enumerate().map(|(index, word)| format!("{word}{}", ["", "dır", "lar", "da"][index % 4])).collect();
    let cold_text = words.join(" ");
    let started = Instant::now();
    analyze("az", &cold_text);
    let seconds = started.elapsed().as_secs_f64();
    println!("analyzer throughput (main field, mostly unseen words): {:.1} MB/s", cold_text.len() as f64 / seconds / 1e6);
}

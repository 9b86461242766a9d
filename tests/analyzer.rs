//! The search analyzers (D189 §4.10.2–4.10.3): data-driven cases for Azerbaijani morphology,
//! casing and folding (`tests/data/analyzer-cases.txt`), the registration in tantivy, and the
//! quality report on `bench/az-wordforms.tsv` (`cargo test --test analyzer -- --nocapture`).

mod common;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

use govsite::search::lexicon::{Kind, LEXICON};
use govsite::search::stemmer::stem;
use govsite::search::{
    AZ_ANALYZER, AZ_FOLDED_ANALYZER, EN_ANALYZER, analyze, analyze_folded, register_analyzers,
};
use govsite::slug::turkic_lowercase;

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
            (actual == expected)
                .then_some(())
                .ok_or(format!("{input} -> {actual}, expected {expected}"))
        } else if let Some((input, expected)) = check("~>") {
            let actual = analyze_folded(lang, input).join(" ");
            (actual == expected)
                .then_some(())
                .ok_or(format!("{input} ~> {actual}, expected {expected}"))
        } else if let Some((a, b)) = check("==") {
            let (term_a, term_b) = (az(a), az(b));
            (term_a == term_b)
                .then_some(())
                .ok_or(format!("{a} -> {term_a} but {b} -> {term_b}"))
        } else if let Some((a, b)) = check("!=") {
            let (term_a, term_b) = (az(a), az(b));
            (term_a != term_b)
                .then_some(())
                .ok_or(format!("{a} and {b} both -> {term_a}"))
        } else if let Some((a, b)) = check("~=") {
            let (term_a, term_b) = (az_folded(a), az_folded(b));
            (term_a == term_b)
                .then_some(())
                .ok_or(format!("{a} ~> {term_a} but {b} ~> {term_b}"))
        } else {
            Err(format!("cannot read the case {line:?}"))
        };
        if let Err(message) = outcome {
            writeln!(failures, "  line {}: {message}", number + 1).unwrap();
        }
    }
    assert!(n_cases >= 300, "only {n_cases} cases");
    assert!(
        failures.is_empty(),
        "failed cases in tests/data/analyzer-cases.txt:\n{failures}"
    );
}

#[test]
fn can_register_the_analyzers_in_tantivy() {
    let manager = tantivy::tokenizer::TokenizerManager::default();
    register_analyzers(&manager);
    for (name, text, expected) in [
        (
            AZ_ANALYZER,
            "Məlumatların dərc edilməsi",
            vec!["məlumat", "dərc", "edilmək"],
        ),
        (
            AZ_FOLDED_ANALYZER,
            "xidmətlər XIDMETLER",
            vec!["xidmet", "xidmet"],
        ),
        (
            EN_ANALYZER,
            "Publishing the datasets",
            vec!["publish", "the", "dataset"],
        ),
    ] {
        let mut analyzer = manager
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not registered"));
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        let mut positions = Vec::new();
        while stream.advance() {
            terms.push(stream.token().text.clone());
            positions.push(stream.token().position);
        }
        assert_eq!(terms, expected, "{name}");
        assert_eq!(
            positions,
            (0..expected.len()).collect::<Vec<_>>(),
            "{name}: positions"
        );
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
        spans.push((
            token.text.clone(),
            &text[token.offset_from..token.offset_to],
        ));
    }
    assert_eq!(
        spans,
        [
            ("bakı".to_string(), "Bakı'da"),
            ("bmt".to_string(), "BMT"),
            ("işıq".to_string(), "İŞIQ")
        ]
    );
}

/// One labelled form of `bench/az-wordforms.tsv`.
struct Labelled {
    form: String,
    lemma: String,
    tag: String,
    /// 1: paradigms from grammar; 2: real text of the demo site.
    part: u8,
}

fn wordforms() -> Vec<Labelled> {
    let mut part = 0;
    let mut forms = Vec::new();
    for line in read("bench/az-wordforms.tsv").lines() {
        if let Some(marker) = line.strip_prefix("# --- part ") {
            part = marker
                .chars()
                .next()
                .and_then(|digit| digit.to_digit(10))
                .unwrap_or(0) as u8;
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert!(
            fields.len() >= 3,
            "bench/az-wordforms.tsv: bad line {line:?}"
        );
        forms.push(Labelled {
            form: fields[0].into(),
            lemma: fields[1].into(),
            tag: fields[2].into(),
            part,
        });
    }
    forms
}

fn term(text: &str) -> String {
    analyze("az", text).join(" ")
}

/// Is `term` the term of some dictionary headword (a noun, or a verb's infinitive)?
fn is_headword_term(term: &str) -> bool {
    let lexicon = &*LEXICON;
    lexicon.is_headword(term)
        || term
            .strip_suffix("maq")
            .or_else(|| term.strip_suffix("mək"))
            .is_some_and(|stem| {
                lexicon
                    .entries_of(stem)
                    .any(|entry| entry.kind == Kind::Verb)
            })
}

/// Shares of `forms` that reach their lemma's term, and that reach another headword's term.
fn rates(forms: &[&Labelled], misses: &mut String) -> (f64, f64) {
    let mut n_correct = 0;
    let mut n_wrong_merge = 0;
    for labelled in forms {
        let (form_term, lemma_term) = (term(&labelled.form), term(&labelled.lemma));
        if form_term == lemma_term {
            n_correct += 1;
            continue;
        }
        let merged = is_headword_term(&form_term);
        n_wrong_merge += usize::from(merged);
        let verdict = if merged { "MERGED" } else { "missed" };
        writeln!(
            misses,
            "{}\t{}\t{}\t{form_term}\t{verdict}",
            labelled.form, labelled.lemma, labelled.tag
        )
        .unwrap();
    }
    let n = forms.len().max(1) as f64;
    (n_correct as f64 / n, n_wrong_merge as f64 / n)
}

/// The quality report of bench/ANALYZER.md (`cargo test --test analyzer reports_quality --
/// --nocapture`). Prints the rates; fails only below loose floors, so that regressions show.
///
/// - recall: the share of labelled forms whose term is the term of their lemma;
/// - wrong merges among forms: the share of forms whose term is the term of a *different*
///   dictionary headword (the rest of the misses are terms no headword has);
/// - over-merge on unrelated pairs (`bench/az-unrelated-pairs.tsv`): the share of pairs of
///   distinct headwords, one a prefix of the other plus something that looks like a suffix
///   (`qanun`/`qan`, `barmaq`/`bar`, `qanunu`/`qan`), that get the same term;
/// - headword collisions: the share of dictionary headwords (not themselves read as inflected
///   forms) whose citation form gets a term other than their own.
#[test]
fn reports_quality_on_wordforms() {
    let forms = wordforms();
    let lemmas: HashSet<&str> = forms.iter().map(|form| form.lemma.as_str()).collect();
    let n_verb_forms = forms
        .iter()
        .filter(|form| form.tag.starts_with('V'))
        .count();
    let mut misses = String::new();
    let all: Vec<&Labelled> = forms.iter().collect();
    let (recall, wrong_merge) = rates(&all, &mut misses);
    println!(
        "bench/az-wordforms.tsv: {} forms of {} lemmas, {} verb forms",
        forms.len(),
        lemmas.len(),
        n_verb_forms
    );
    println!(
        "  same term as the lemma: {:.2}%; term of another headword: {:.2}%",
        recall * 100.0,
        wrong_merge * 100.0
    );
    for part in [1, 2] {
        let in_part: Vec<&Labelled> = forms.iter().filter(|form| form.part == part).collect();
        let (part_recall, part_merge) = rates(&in_part, &mut String::new());
        println!(
            "  part {part} ({} forms): same term {:.2}%, another headword {:.2}%",
            in_part.len(),
            part_recall * 100.0,
            part_merge * 100.0
        );
    }
    let mut by_category: HashMap<String, Vec<&Labelled>> = HashMap::new();
    for labelled in forms.iter().filter(|form| form.part == 1) {
        let category = labelled
            .tag
            .split(';')
            .take(2)
            .collect::<Vec<_>>()
            .join(";");
        by_category.entry(category).or_default().push(labelled);
    }
    let mut categories: Vec<_> = by_category.into_iter().collect();
    categories.sort_by(|a, b| a.0.cmp(&b.0));
    let line: Vec<String> = categories
        .iter()
        .map(|(category, in_category)| {
            format!(
                "{category} {:.0}%",
                rates(in_category, &mut String::new()).0 * 100.0
            )
        })
        .collect();
    println!("  part 1 by category: {}", line.join(", "));

    let pairs: Vec<(String, String)> = read("bench/az-unrelated-pairs.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            (
                fields.next().unwrap_or("").to_string(),
                fields.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let merged_pairs: Vec<&(String, String)> =
        pairs.iter().filter(|(a, b)| term(a) == term(b)).collect();
    let over_merge = merged_pairs.len() as f64 / pairs.len() as f64;
    println!(
        "bench/az-unrelated-pairs.tsv: {} pairs, merged {:.2}% ({})",
        pairs.len(),
        over_merge * 100.0,
        merged_pairs.len()
    );
    for (a, b) in merged_pairs.iter().take(10) {
        println!("    merged: {a} / {b} -> {}", term(a));
    }

    // Citation forms: the headword of a nominal, the infinitive of a verb.
    let citations: Vec<(&str, &str)> = LEXICON
        .entries
        .iter()
        .filter(|entry| !entry.redirected && entry.kind != Kind::Particle)
        .map(|entry| {
            (
                if entry.kind == Kind::Verb {
                    &*entry.term
                } else {
                    &*entry.headword
                },
                &*entry.term,
            )
        })
        .collect();
    let collided: Vec<&str> = citations
        .iter()
        .filter(|(citation, own)| term(citation) != *own)
        .map(|(citation, _)| *citation)
        .collect();
    println!(
        "dictionary: {} citation forms, {:.2}% get another term ({}), e.g. {:?}",
        citations.len(),
        collided.len() as f64 * 100.0 / citations.len() as f64,
        collided.len(),
        &collided[..collided.len().min(8)]
    );

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
        if entry
            .path()
            .extension()
            .is_some_and(|extension| extension == "md")
        {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
            text.push('\n');
        }
    }
    let started = Instant::now();
    analyze("az", "məlumat"); // loads the dictionary, unless another test did
    println!(
        "first call (loads the embedded dictionary when run alone): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    analyze("az", &text);
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
    let words: Vec<String> = text
        .split_whitespace()
        .enumerate()
        .map(|(index, word)| format!("{word}{}", ["", "dır", "lar", "da"][index % 4]))
        .collect();
    let cold_text = words.join(" ");
    let started = Instant::now();
    analyze("az", &cold_text);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "analyzer throughput (main field, mostly unseen words): {:.1} MB/s",
        cold_text.len() as f64 / seconds / 1e6
    );
}

/// Upper case the Turkic way (`i` → `İ`, `ı` → `I`).
fn turkic_uppercase(text: &str) -> String {
    text.chars()
        .flat_map(|letter| match letter {
            'i' => vec!['İ'],
            'ı' => vec!['I'],
            other => other.to_uppercase().collect(),
        })
        .collect()
}

/// Title case the Turkic way: each word's first letter upper case.
fn turkic_titlecase(text: &str) -> String {
    let mut title = String::with_capacity(text.len());
    let mut at_word_start = true;
    for letter in text.chars() {
        if at_word_start && letter.is_alphabetic() {
            title.push_str(&turkic_uppercase(letter.encode_utf8(&mut [0; 4])));
        } else {
            title.push(letter);
        }
        at_word_start = !letter.is_alphanumeric();
    }
    title
}

/// The ways a writer may case `lower` (a correctly spelled lowercase text): upper and title case,
/// each with the proper `İ` and with the Latin `I` a Latin keyboard gives for it (`true`).
fn case_variants(lower: &str) -> Vec<(String, bool)> {
    let upper = turkic_uppercase(lower);
    let title = turkic_titlecase(lower);
    vec![
        (upper.replace('İ', "I"), true),
        (title.replace('İ', "I"), true),
        (upper, false),
        (title, false),
    ]
}

/// The readings of `variant`'s Latin `I`s (each `ı` or `i`) whose words the dictionary all
/// knows — the words a writer may have meant — with their terms; and the terms the analyzer
/// must choose among them (src/search/analyzer.rs): the Turkic reading if it is known (a
/// correctly cased word means what it says), else the one reading whose words are all
/// headwords as written (`IQTISADI`: `iqtisadi`, not `iqtisad-ı`), else any.
fn readings_of_latin_i(variant: &str) -> (HashSet<String>, Option<String>) {
    let n_capital_i = variant.chars().filter(|&c| c == 'I').count().min(10);
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut meanings = HashSet::new();
    let mut headword_readings = HashSet::new();
    let mut turkic_terms = None;
    for mask in 0..1u32 << n_capital_i {
        let mut reading = String::new();
        let mut nth_i = 0;
        for letter in variant.chars() {
            if letter == 'I' {
                reading.push(if mask & (1 << nth_i.min(31)) != 0 {
                    'i'
                } else {
                    'ı'
                });
                nth_i += 1;
            } else {
                reading.push_str(&turkic_lowercase(letter.encode_utf8(&mut [0; 4])));
            }
        }
        let words = words(&reading);
        if words.iter().all(|word| stem(word, false).known) {
            let terms = az(&reading);
            if mask == 0 {
                turkic_terms = Some(terms.clone());
            }
            if words.iter().all(|word| LEXICON.is_headword(word)) {
                headword_readings.insert(terms.clone());
            }
            meanings.insert(terms);
        }
    }
    let chosen = turkic_terms.or_else(|| {
        (headword_readings.len() == 1).then(|| headword_readings.into_iter().next().unwrap())
    });
    (meanings, chosen)
}

/// Issue 10: `IQTISADI` was stemmed to `iqtisad` but `iqtisadi` to `iqtisadi`, so search
/// depended on how `I` was typed. D189 §4.10.3: results do not depend on case; a Latin `I`
/// typed for `İ` gives the same terms as the correct letter. Every lowercase input of
/// `tests/data/analyzer-cases.txt` and every form of `bench/az-wordforms.tsv`, in upper and
/// title case with both `I` spellings, analyzes to the terms of its correct lowercase form;
/// a Latin-`I` spelling that several known words share (`ADI`: `adı`, `adi`) analyzes to the
/// one the analyzer documents (the proper case first, then a headword as written).
#[test]
fn can_analyze_every_case_of_every_test_word_alike() {
    let mut texts: Vec<String> = Vec::new();
    for line in read("tests/data/analyzer-cases.txt").lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("en:") {
            continue;
        }
        for operator in ["->", "~>", "==", "!=", "~="] {
            if let Some((input, _)) = line.split_once(operator) {
                texts.push(input.trim().to_string());
                break;
            }
        }
    }
    texts.extend(wordforms().into_iter().map(|labelled| labelled.form));
    // Only correctly spelled lowercase texts have one meaning to compare against.
    texts.retain(|text| {
        !text.chars().any(char::is_uppercase)
            && !text.contains(['ǝ', 'ä', '\u{308}', '\u{327}', '\u{306}', '\u{307}'])
    });
    texts.sort();
    texts.dedup();
    let mut failures = Vec::new();
    for text in &texts {
        let expected = az(text);
        for (variant, has_latin_i) in case_variants(text) {
            let actual = az(&variant);
            // A Latin-`I` spelling that is also a spelling of other known words (`ADI`: `adı`
            // "its name" or `adi` "ordinary") may be read as any of them; the analyzer's
            // preference is pinned in its own unit test.
            let (meanings, chosen) = if has_latin_i {
                readings_of_latin_i(&variant)
            } else {
                (HashSet::new(), None)
            };
            if meanings.len() > 1 && meanings.contains(&expected) {
                let is_right = match &chosen {
                    Some(chosen) => &actual == chosen,
                    None => meanings.contains(&actual),
                };
                if !is_right {
                    failures.push(format!(
                        "{variant} -> {actual}, expected {chosen:?} of its readings {meanings:?}"
                    ));
                }
                continue;
            }
            if actual != expected {
                failures.push(format!("{variant} -> {actual}, but {text} -> {expected}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} texts analyze differently by case:\n{}",
        failures.len(),
        texts.len() * 4,
        failures.join("\n")
    );
}

//! The spell checker's false-alarm rate on the demo site's own text (D189 §6.4.3: "aim under 2%
//! of words", without word lists taken from the demo). The demo text is taken to be correct, so
//! every flagged word is a false alarm; `bench/SPELL.md` lists them and
//! `examples/spell_rate.rs` prints the same numbers.

use std::path::Path;
use std::time::Instant;

#[test]
fn can_check_the_demo_site_with_few_false_alarms() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let tallies = govsite::spell::false_alarm_rate(site).unwrap();
    let elapsed = started.elapsed();
    let langs: Vec<&str> = tallies.iter().map(|(lang, _)| lang.as_str()).collect();
    assert_eq!(langs, ["az", "en"]);
    for (lang, tally) in &tallies {
        println!(
            "{lang}: {} words checked, {} flagged ({:.2}%): {:?}",
            tally.checked,
            tally.flagged,
            tally.rate() * 100.0,
            tally.most_frequent(usize::MAX)
        );
        assert!(tally.checked > 5_000, "{lang}: too few words checked");
        // A regression guard, not the aim: the issue aims under 2%; measured (bench/SPELL.md)
        // az 1.06% (116 of 10,970 words) and en 0.45% (61 of 13,495), each bounded here by its
        // measured value rounded up to the next half percent (English to 1%: half a percent
        // would leave a margin of six words).
        let bound = match lang.as_str() {
            "az" => 0.015,
            _ => 0.01,
        };
        assert!(
            tally.rate() < bound,
            "{lang}: false-alarm rate {:.2}% (the guard is {:.1}%, the aim 2%)",
            tally.rate() * 100.0,
            bound * 100.0
        );
    }
    println!("loading and checking took {elapsed:?}");
    assert!(
        elapsed.as_secs() < 20,
        "loading and checking the demo took {elapsed:?}"
    );
}

#[test]
fn can_mark_a_rendered_page() {
    let page = "<!DOCTYPE html><html lang=\"az\"><body><nav>Xəbərlər</nav><main>\
                <h1>Nazirliyin vətəndaşlarla görüşü</h1><p>Hökümət və vətəndaş cəmiyyəti \
                nümayəndələri <code>hökümət</code> görüşdü.</p></main></body></html>";
    let (marked, found) = govsite::spell::mark_html("az", page).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].word, "Hökümət");
    assert_eq!(
        found[0].suggestions.first().map(String::as_str),
        Some("Hökumət")
    );
    assert!(marked.contains(
        "<mark class=\"spell\" title=\"Suggestions: Hökumət\">Hökümət</mark> və vətəndaş"
    ));
    assert!(marked.contains("<code>hökümət</code>"));
    let json = serde_json::to_value(&found[0]).unwrap();
    assert_eq!(json["word"], "Hökümət");
    assert_eq!(json["start"].as_u64(), Some(found[0].start as u64));
}

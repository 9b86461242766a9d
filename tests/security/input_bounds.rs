//! Parsers of user input under attack: search queries that nest or repeat without end
//! (issue 9, items 2 and 8), Markdown bodies nested 100,000 deep (item 9), and property tests of
//! the query parser, the front matter reader and the Markdown renderer.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use crate::common::{copy_dir, demo_site, fails, ok};

/// The attack strings of issue 9, item 2: 4,000 `(` and `NOT (` × 3,000.
fn attack_queries() -> [String; 2] {
    ["(".repeat(4000), "NOT (".repeat(3000)]
}

/// The demo site imported and built once (with its search index); tests that only read it share
/// it, tests that change it copy it.
fn built_demo() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &BUILT
        .get_or_init(|| {
            let (temp, site) = demo_site();
            ok(&site, &["import"]);
            ok(&site, &["build", "--quiet"]);
            (temp, site)
        })
        .1
}

/// A private copy of the built demo site.
fn built_demo_copy() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    copy_dir(built_demo(), &site);
    (temp, site)
}

fn pages_in_database(site: &Path) -> i64 {
    let conn = rusqlite::Connection::open(site.join("data/govsite.sqlite")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM revisions", [], |row| row.get(0))
        .unwrap()
}

// ---------------------------------------------------------------- item 2: the search URL

#[test]
fn issue_9_deeply_nested_search_query_is_refused_by_the_cli_with_exit_1() {
    let site = built_demo();
    for query in attack_queries() {
        let stderr = fails(site, &["search", "--lang", "az", &query], 1);
        assert!(stderr.contains("too complex"), "{stderr}");
        assert!(stderr.contains("levels of parentheses"), "{stderr}");
    }
}

async fn get(app: &axum::Router, path: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Percent-encodes a query-string value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (byte as char).to_string(),
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn issue_9_deeply_nested_search_url_answers_200_with_the_too_complex_message() {
    let site = built_demo();
    let config = govsite::config::Config::load(site).unwrap();
    let app = govsite::http::public_router(govsite::http::PublicState::new(&config));
    for query in attack_queries() {
        let (status, html) = get(&app, &format!("/az/axtaris/?q={}", encode(&query))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Sorğu çox mürəkkəbdir"), "{html}");
        assert!(!html.contains("class=\"item\""), "no results are listed");
        let (status, html) = get(&app, &format!("/en/search/?q={}", encode(&query))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("The query is too complex"), "{html}");
    }
    // The server is still there and ordinary queries still work.
    let (status, html) = get(&app, "/az/axtaris/?q=%28qanun+OR+f%C9%99rman%29").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Sorğu çox mürəkkəbdir"), "{html}");
}

#[test]
fn issue_9_query_parser_bounds_nesting_words_and_length() {
    use govsite::search::query::{self, MAX_QUERY_CHARS, MAX_QUERY_DEPTH, MAX_QUERY_WORDS};
    for attack in attack_queries() {
        let reading = query::parse(&attack);
        assert!(reading.too_complex.is_some(), "{attack:.20}…");
        assert_eq!(reading.query, None);
    }
    let nested = |depth: usize| format!("{}qanun{}", "(".repeat(depth), ")".repeat(depth));
    assert!(query::parse(&nested(MAX_QUERY_DEPTH)).too_complex.is_none());
    assert!(
        query::parse(&nested(MAX_QUERY_DEPTH + 1))
            .too_complex
            .is_some()
    );
    let nots = |n: usize| format!("qanun {}vergi", "NOT ".repeat(n));
    assert!(
        query::parse(&nots(MAX_QUERY_DEPTH - 1))
            .too_complex
            .is_none()
    );
    assert!(query::parse(&nots(4000)).too_complex.is_some());
    let words = |n: usize| vec!["söz"; n].join(" ");
    assert!(query::parse(&words(MAX_QUERY_WORDS)).too_complex.is_none());
    assert!(
        query::parse(&words(MAX_QUERY_WORDS + 1))
            .too_complex
            .is_some()
    );
    // Unbalanced quotes are read as plain words, and that reading is bounded too.
    assert!(
        query::parse(&format!("\"{}", words(MAX_QUERY_WORDS + 1)))
            .too_complex
            .is_some()
    );
    assert!(
        query::parse(&"ə".repeat(MAX_QUERY_CHARS + 1))
            .too_complex
            .is_some()
    );
    // `və ya` is recognised by looking one word ahead, not by copying the rest of the query.
    let started = std::time::Instant::now();
    assert!(query::parse(&"və ".repeat(20_000)).too_complex.is_some());
    assert!(query::parse(&"və ".repeat(160)).too_complex.is_some());
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

// ---------------------------------------------------------------- item 8: the cost of a query

#[test]
fn issue_9_a_thousand_ors_are_refused_not_run() {
    let site = built_demo();
    let config = govsite::config::Config::load(site).unwrap();
    let index =
        govsite::search::index::SearchIndex::open_for_reading(&config.search_index_dir()).unwrap();
    let search = |query: String| {
        index
            .search(&govsite::search::index::SearchRequest {
                lang: "az".into(),
                query,
                page: 1,
                per_page: 10,
                ..Default::default()
            })
            .unwrap()
    };
    let thousand_ors = vec!["qanun"; 1000].join(" OR ");
    let refused = search(thousand_ors);
    assert!(refused.reading.too_complex.is_some());
    assert_eq!((refused.total, refused.hits.len()), (0, 0));
    // Within the bounds the same kind of query runs.
    let allowed = search(vec!["qanun"; 30].join(" OR "));
    assert!(allowed.reading.too_complex.is_none());
    assert!(allowed.total > 0);
}

// ---------------------------------------------------------------- item 9: nested Markdown

/// The attack bodies of issue 9, item 9.
fn deep_quotes() -> String {
    ">".repeat(100_000)
}

fn deep_divs() -> String {
    "<div>".repeat(40_000)
}

fn page_with_body(body: &str) -> String {
    format!("+++\ntitle = \"Hücum\"\ntype = \"news\"\n+++\nGiriş.\n\n{body}\n")
}

#[test]
fn issue_9_import_refuses_deeply_nested_bodies_and_changes_nothing() {
    let (_temp, site) = built_demo_copy();
    let before = pages_in_database(&site);
    for (name, body) in [("quotes", deep_quotes()), ("divs", deep_divs())] {
        let file = site.join(format!("content/az/xeberler/hucum-{name}.md"));
        fs::write(&file, page_with_body(&body)).unwrap();
        let stderr = fails(&site, &["import"], 1);
        assert!(
            stderr.contains(&format!("az/xeberler/hucum-{name}.md:7")),
            "the file and the body's line are named:\n{stderr}"
        );
        assert!(stderr.contains("nested"), "{stderr}");
        assert!(stderr.contains("at most 64"), "{stderr}");
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert_eq!(
            pages_in_database(&site),
            before,
            "the database is unchanged"
        );
        let stderr = fails(&site, &["check"], 1);
        assert!(stderr.contains("nested"), "{stderr}");
        fs::remove_file(&file).unwrap();
    }
}

#[test]
fn issue_9_import_refuses_bodies_over_one_mebibyte() {
    let (_temp, site) = built_demo_copy();
    let before = pages_in_database(&site);
    let paragraph = "Söz söz söz söz söz söz söz söz söz söz.\n\n";
    let body = paragraph.repeat(1024 * 1024 / paragraph.len() + 1);
    fs::write(
        site.join("content/az/xeberler/boyuk.md"),
        page_with_body(&body),
    )
    .unwrap();
    let stderr = fails(&site, &["check"], 1);
    assert!(stderr.contains("az/xeberler/boyuk.md"), "{stderr}");
    assert!(stderr.contains("1048576 bytes"), "{stderr}");
    fails(&site, &["import"], 1);
    assert_eq!(
        pages_in_database(&site),
        before,
        "the database is unchanged"
    );
}

#[test]
fn issue_9_markdown_limits_name_the_line_and_let_ordinary_nesting_through() {
    use govsite::markdown::{BodyLimit, MAX_NESTING, check_limits};
    let started = std::time::Instant::now();
    assert!(matches!(
        check_limits(&format!("a\n\n{}", deep_quotes())),
        Err(BodyLimit::TooDeep { line: 3, .. })
    ));
    assert!(matches!(
        check_limits(&deep_divs()),
        Err(BodyLimit::TooDeep { line: 1, .. })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let quotes = |n: usize| format!("{} söz\n", ">".repeat(n));
    assert_eq!(check_limits(&quotes(MAX_NESTING - 2)), Ok(()));
    assert!(check_limits(&quotes(MAX_NESTING + 1)).is_err());
    let lists: String = (0..20)
        .map(|n| format!("{}- bənd\n", "  ".repeat(n)))
        .collect();
    assert_eq!(check_limits(&lists), Ok(()));
    // Void and self-closed elements do not nest.
    assert_eq!(
        check_limits(&"<br><img src=\"a.png\" alt=\"a\"/>".repeat(1000)),
        Ok(())
    );
    assert_eq!(check_limits(&"<div>x</div>\n".repeat(1000)), Ok(()));
}

// ---------------------------------------------------------------- property tests

mod properties {
    use proptest::prelude::*;

    use govsite::search::query::{self, MAX_QUERY_DEPTH, Query};

    /// How deep a parsed query nests (a word is depth 0).
    fn depth(query: &Query) -> usize {
        match query {
            Query::Word(_) | Query::Phrase(_) => 0,
            Query::Not(inner) => 1 + depth(inner),
            Query::And(items) | Query::Or(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        }
    }

    fn query_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("(".to_string()),
            Just(")".to_string()),
            Just("\"".to_string()),
            Just("NOT".to_string()),
            Just("və".to_string()),
            Just("və ya".to_string()),
            Just("VƏ YA".to_string()),
            Just("inkar".to_string()),
            Just("İnkar".to_string()),
            Just("OR".to_string()),
            Just("AND".to_string()),
            Just("-".to_string()),
            Just("«".to_string()),
            Just("»".to_string()),
            "[a-zəıİöüğşç-]{1,8}",
            "\\PC{1,3}",
        ]
    }

    fn query_text() -> impl Strategy<Value = String> {
        prop::collection::vec((query_piece(), prop_oneof![Just(""), Just(" ")]), 0..300).prop_map(
            |pieces| {
                pieces
                    .into_iter()
                    .map(|(piece, space)| piece + space)
                    .collect()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn query_parser_never_panics_and_stays_within_the_depth_limit(input in query_text()) {
            let reading = query::parse(&input);
            if let Some(parsed) = &reading.query {
                // Every AND/OR level sits inside a parenthesis or a NOT, plus the top two.
                prop_assert!(depth(parsed) <= 2 * MAX_QUERY_DEPTH + 2, "{parsed:?}");
                let _ = parsed.to_string();
            }
            prop_assert!(!(reading.too_complex.is_some() && reading.query.is_some()));
        }

        #[test]
        fn front_matter_reader_never_panics_and_every_problem_names_a_line(
            lines in prop::collection::vec(prop_oneof![
                Just("+++".to_string()),
                Just("title = \"Başlıq\"".to_string()),
                Just("type = \"news\"".to_string()),
                Just("issued = 2026-01-05".to_string()),
                Just("[dc]".to_string()),
                Just("[correction]".to_string()),
                Just("files = [\"a.pdf\"".to_string()),
                "[a-z_]{1,10} = [\\[\\]{}\"0-9a-zə.,=: -]{0,20}",
                "\\PC{0,30}",
                "\\[{1,200}",
            ], 0..40),
        ) {
            let text = lines.join("\n");
            let n_lines = text.lines().count() + 1;
            let problems = match govsite::content::front_matter::split(&text) {
                Err(problem) => vec![problem],
                Ok(split) => {
                    let mut problems = Vec::new();
                    if let Err(found) = govsite::content::front_matter::parse_page(&split) {
                        problems.extend(found);
                    }
                    if let Err(found) = govsite::content::front_matter::parse_section(&split) {
                        problems.extend(found);
                    }
                    problems
                }
            };
            for problem in problems {
                prop_assert!(
                    (1..=n_lines).contains(&problem.line),
                    "line {} of {n_lines}: {}", problem.line, problem.message
                );
                prop_assert!(!problem.message.is_empty());
            }
        }

        #[test]
        fn markdown_of_any_nesting_renders_or_is_refused(
            openers in prop::collection::vec(prop_oneof![
                Just(">"), Just("> "), Just("- "), Just("1. "), Just("  "), Just("<div>"),
                Just("</div>"), Just("<blockquote>"), Just("<br>"), Just("*"), Just("["),
                Just("\n"), Just("söz "),
            ], 0..200),
            repeat in 1usize..120,
        ) {
            let source = openers.concat().repeat(repeat);
            let resolve = |_: &str| None;
            let context = govsite::markdown::RenderContext { resolve_link: &resolve, folder_url: "/az/" };
            match govsite::markdown::render(&source, &context) {
                Ok(_) => prop_assert!(govsite::markdown::check_limits(&source).is_ok()),
                Err(limit) => prop_assert!(limit.to_string().contains("at most")),
            }
        }
    }
}

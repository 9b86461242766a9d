//! Search (D189 §4.9.2, §4.10): Azerbaijani word forms, Turkic case, AND/OR/NOT in both
//! spellings, section search, filters, pagination, malformed queries, and an index that follows
//! publishing without a full rebuild.

mod common;

use std::fs;
use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{fixture, ok};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// The basic fixture plus pages whose words the tests search for.
fn search_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let (temp, site) = fixture("basic");
    let news = site.join("content/az/xeberler");
    let page = |slug: &str, title: &str, body: &str, extra: &str| {
        fs::write(
            news.join(format!("{slug}.md")),
            format!("+++\ntitle = \"{title}\"\ntype = \"news\"\ntranslation = \"news/{slug}\"\n{extra}+++\n{body}\n"),
        )
        .unwrap();
    };
    page(
        "vergi-qanunu",
        "Vergi qanunu dəyişdi",
        "Yeni vergi qanunu istifadəçilər üçün qüvvəyə minir.",
        "issued = 2026-01-05\n",
    );
    page(
        "cerimeler",
        "Cərimələr azaldılır",
        "Vergi cərimələri azaldılır, qanunvericilik sadələşir.",
        "issued = 2026-03-01\n",
    );
    page(
        "kuce-isiqlandirmasi",
        "Küçə işıqlandırması",
        "Küçələrdə yeni dirəklər quraşdırılır. İşığın gücü artırılır.",
        "issued = 2026-04-10\n",
    );
    page(
        "qaralama-zelzele",
        "Zəlzələ hazırlığı",
        "Zəlzələ zamanı davranış qaydaları.",
        "status = \"draft\"\nissued = 2026-05-01\n",
    );
    page(
        "kohne-musabiqe",
        "Müsabiqə elanı",
        "Müsabiqəyə sənədlər qəbul olunur.",
        "issued = 2019-05-01\nvalid_until = 2020-01-01\n",
    );
    for n in 1..=12 {
        page(
            &format!("hesabat-{n}"),
            &format!("Rüblük hesabat {n}"),
            "Agentliyin hesabatı dərc olundu.",
            &format!("issued = 2025-{:02}-01\n", (n % 12) + 1),
        );
    }
    fs::write(
        site.join("content/az/haqqimizda/istifadeci.md"),
        "+++\ntitle = \"İstifadəçi qaydaları\"\ntype = \"page\"\nstatus = \"published\"\ntranslation = \"about/users\"\nissued = 2026-02-02\n+++\nSaytın istifadəçisi üçün qaydalar. Vergi haqqında deyil.\n",
    )
    .unwrap();
    fs::write(
        site.join("content/en/news/tax-law.md"),
        "+++\ntitle = \"Tax law changed\"\ntype = \"news\"\nstatus = \"published\"\ntranslation = \"news/tax\"\nissued = 2026-01-05\n+++\nThe new taxes apply to users.\n",
    )
    .unwrap();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    (temp, site)
}

fn urls(site: &Path, args: &[&str]) -> Vec<String> {
    let mut full = vec!["search", "--json", "--limit", "50"];
    full.extend_from_slice(args);
    ok(site, &full)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn slugs(site: &Path, args: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = urls(site, args)
        .into_iter()
        .map(|url| {
            url.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    found.sort();
    found
}

#[test]
fn can_find_word_forms_in_any_case() {
    // D189 §4.10.2 (all word forms) and §4.10.3 (case-insensitive, Turkic rules).
    let (_temp, site) = search_site();
    // The fixture's personal-data page cites "Qanuna" (the law).
    assert_eq!(
        slugs(&site, &["qanun"]),
        ["sexsi-melumatlar", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["qanunları"]),
        ["sexsi-melumatlar", "vergi-qanunu"]
    );
    assert_eq!(slugs(&site, &["cərimə"]), ["cerimeler"]);
    assert_eq!(
        slugs(&site, &["İSTİFADƏÇİ"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["istifadəçilərin"]),
        ["istifadeci", "vergi-qanunu"]
    );
    for query in ["işıq", "Işıq", "IŞIQ", "İŞIQ"] {
        assert_eq!(slugs(&site, &[query]), ["kuce-isiqlandirmasi"], "{query}");
    }
    // Typed on an English keyboard; exact letters would rank first.
    assert_eq!(slugs(&site, &["cerimeler"]), ["cerimeler"]);
    assert_eq!(slugs(&site, &["--lang", "en", "tax"]), ["tax-law"]);
}

#[test]
fn can_combine_words_with_operators_in_both_languages() {
    // D189 §4.10.4
    let (_temp, site) = search_site();
    let both = ["cerimeler", "istifadeci", "vergi-qanunu"];
    assert_eq!(
        slugs(&site, &["vergi", "qanun"]),
        ["vergi-qanunu"],
        "words are ANDed"
    );
    assert_eq!(slugs(&site, &["vergi", "AND", "qanun"]), ["vergi-qanunu"]);
    assert_eq!(slugs(&site, &["vergi", "VƏ", "qanun"]), ["vergi-qanunu"]);
    let either = ["cerimeler", "sexsi-melumatlar", "vergi-qanunu"];
    assert_eq!(slugs(&site, &["qanun", "OR", "cərimə"]), either);
    assert_eq!(slugs(&site, &["qanun", "və", "ya", "cərimə"]), either);
    assert_eq!(slugs(&site, &["qanun", "Və", "Ya", "cərimə"]), either);
    assert_eq!(slugs(&site, &["vergi"]), both);
    assert_eq!(
        slugs(&site, &["vergi", "NOT", "cərimə"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["vergi", "inkar", "cərimə"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["vergi", "İNKAR", "cərimə"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["vergi", "INKAR", "cərimə"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["--", "vergi", "-cərimə"]),
        ["istifadeci", "vergi-qanunu"]
    );
    assert_eq!(
        slugs(&site, &["(qanun", "OR", "cərimə)", "NOT", "istifadəçi"]),
        ["cerimeler", "sexsi-melumatlar"]
    );
    assert_eq!(slugs(&site, &["\"vergi qanunu\""]), ["vergi-qanunu"]);
    // Quoted, an operator is a word.
    assert!(
        slugs(&site, &["\"və\""]).is_empty()
            || !slugs(&site, &["\"və\""]).contains(&"kuce-isiqlandirmasi".to_string())
    );
}

#[test]
fn can_read_a_malformed_query_as_plain_words() {
    let (_temp, site) = search_site();
    let output = common::govsite(&site, &["search", "--json", "\"vergi", "qanunu"]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("plain words: vergi AND qanunu"), "{stderr}");
    assert_eq!(slugs(&site, &["(vergi", "qanunu"]), ["vergi-qanunu"]);
    assert_eq!(slugs(&site, &["AND"]), Vec::<String>::new());
}

#[test]
fn can_search_a_section_and_filter() {
    // D189 §4.10.5
    let (_temp, site) = search_site();
    assert_eq!(
        slugs(&site, &["--section", "/az/haqqimizda/", "vergi"]),
        ["istifadeci"]
    );
    assert_eq!(
        slugs(&site, &["--section", "/az/xeberler/", "vergi"]),
        ["cerimeler", "vergi-qanunu"]
    );
    assert_eq!(slugs(&site, &["--type", "page", "vergi"]), ["istifadeci"]);
    assert_eq!(
        slugs(&site, &["--type", "news", "vergi"]),
        ["cerimeler", "vergi-qanunu"]
    );
}

#[test]
fn never_finds_drafts_or_expired_items() {
    // D189 §4.10.1: the index holds published, unexpired revisions only.
    let (_temp, site) = search_site();
    assert!(slugs(&site, &["zəlzələ"]).is_empty(), "draft");
    assert!(slugs(&site, &["müsabiqə"]).is_empty(), "expired");
    assert_eq!(slugs(&site, &["rüblük"]).len(), 12);
}

#[test]
fn can_find_a_published_page_without_a_full_reindex() {
    let (_temp, site) = search_site();
    let file = site.join("content/az/xeberler/qaralama-zelzele.md");
    fs::write(
        &file,
        common::read(&file).replace("status = \"draft\"", "status = \"published\""),
    )
    .unwrap();
    ok(&site, &["import"]);
    let output = ok(&site, &["build"]);
    assert!(
        output.contains("wrote /az/xeberler/qaralama-zelzele/index.html"),
        "{output}"
    );
    assert_eq!(slugs(&site, &["zəlzələ"]), ["qaralama-zelzele"]);
    // And unpublishing removes it again.
    fs::write(
        &file,
        common::read(&file).replace("status = \"published\"", "status = \"unpublished\""),
    )
    .unwrap();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    assert!(slugs(&site, &["zəlzələ"]).is_empty());
    // The full rebuild gives the same answers.
    assert!(ok(&site, &["index", "--full"]).contains("pages indexed"));
    assert_eq!(
        slugs(&site, &["vergi"]),
        ["cerimeler", "istifadeci", "vergi-qanunu"]
    );
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

#[tokio::test]
async fn can_search_on_the_search_page_with_pages_and_filters() {
    // D189 §4.9.2, §7.6–7.7: a plain GET form; results with title, section, date, highlighted
    // passage; paginated with "page N of M".
    let (_temp, site) = search_site();
    let app = govsite::http::public_router(govsite::http::PublicState::new(
        &govsite::config::Config::load(&site).unwrap(),
    ));
    let (status, empty) = get(&app, "/az/axtaris/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("<form class=\"search-form\" method=\"get\" action=\"/az/axtaris/\""));

    let (status, html) = get(&app, "/az/axtaris/?q=r%C3%BCbl%C3%BCk+hesabatlar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Tapılan nəticələr: 12"), "{html}");
    assert!(html.contains("<p>Səhifə 1 / 2</p>"), "{html}");
    assert!(
        html.contains("href=\"/az/axtaris/?q=r%C3%BCbl%C3%BCk+hesabatlar&amp;page=2\""),
        "{html}"
    );
    assert!(html.contains("<b>hesabatı</b>"), "highlighted: {html}");
    assert!(
        html.contains("value=\"rüblük hesabatlar\""),
        "the form shows the query"
    );
    let (_, second) = get(&app, "/az/axtaris/?q=r%C3%BCbl%C3%BCk+hesabatlar&page=2").await;
    assert!(second.contains("<p>Səhifə 2 / 2</p>"));

    let (_, filtered) = get(&app, "/az/axtaris/?q=vergi&type=page").await;
    assert!(
        filtered.contains("İstifadəçi qaydaları") && !filtered.contains("Cərimələr azaldılır"),
        "{filtered}"
    );
    assert!(
        filtered.contains("<option value=\"page\" selected"),
        "{filtered}"
    );
    let (_, dated) = get(&app, "/az/axtaris/?q=vergi&from=2026-02-15&to=2026-03-01").await;
    assert!(
        dated.contains("Cərimələr azaldılır") && !dated.contains("Vergi qanunu dəyişdi"),
        "{dated}"
    );

    let (_, section) = get(&app, "/az/axtaris/?q=vergi&section=%2Faz%2Fhaqqimizda%2F").await;
    assert!(section.contains("Tapılan nəticələr: 1"), "{section}");

    let (_, malformed) = get(&app, "/az/axtaris/?q=%22vergi+qanunu").await;
    assert!(
        malformed.contains("sadə sözlər kimi axtarıldı"),
        "{malformed}"
    );

    let (_, text_only) = get(&app, "/text/az/axtaris/?q=vergi").await;
    assert!(
        text_only.contains("href=\"/text/az/xeberler/vergi-qanunu/\""),
        "{text_only}"
    );
    let (_, english) = get(&app, "/en/search/?q=taxes").await;
    assert!(english.contains("Tax law changed"), "{english}");
}

#[test]
fn every_section_page_has_a_section_search_box() {
    // D189 §4.10.5
    let (_temp, site) = search_site();
    let html = common::read(&site.join("public/az/xeberler/index.html"));
    assert!(
        html.contains("<form class=\"section-search\" method=\"get\" action=\"/az/axtaris/\""),
        "{html}"
    );
    assert!(html.contains("<input type=\"hidden\" name=\"section\" value=\"/az/xeberler/\">"));
}

#[test]
fn can_print_the_terms_of_each_input_line() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govsite"))
        .args(["analyze", "--lang", "az"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Qanunların İSTİFADƏÇİLƏRİ\n\n, .\nkitabı\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "qanun istifadəçi\n\n\nkitab\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn can_answer_concurrent_searches() {
    // Readers open the database and the index at the same time; none may fail.
    let (_temp, site) = search_site();
    let app = govsite::http::public_router(govsite::http::PublicState::new(
        &govsite::config::Config::load(&site).unwrap(),
    ));
    let tasks: Vec<_> = (0..12)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                get(&app, &format!("/az/axtaris/?q=vergi&page={}", n % 2 + 1))
                    .await
                    .0
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
}

/// Every file under `dir` with its bytes and modification time.
fn files_with_mtimes(
    dir: &Path,
) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut files = std::collections::BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            for (name, file) in files_with_mtimes(&path) {
                files.insert(
                    format!("{}/{name}", entry.file_name().to_string_lossy()),
                    file,
                );
            }
        } else {
            files.insert(
                entry.file_name().to_string_lossy().into_owned(),
                (
                    {
                        use std::hash::{Hash as _, Hasher as _};
                        let mut hasher = std::collections::hash_map::DefaultHasher::new();
                        fs::read(&path).unwrap().hash(&mut hasher);
                        hasher.finish()
                    },
                    entry.metadata().unwrap().modified().unwrap(),
                ),
            );
        }
    }
    files
}

#[test]
fn opening_the_index_for_reading_changes_no_file() {
    // Issue 10: opening an index to read (public server, `govsite search`) never writes or
    // deletes anything, so concurrent readers cannot destroy it (D189 §4.10.1).
    let (_temp, site) = search_site();
    let dir = site.join("data/search-index");
    let before = files_with_mtimes(&dir);
    assert!(before.contains_key("govsite-schema"), "{:?}", before.keys());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let index = govsite::search::index::SearchIndex::open_for_reading(&dir).unwrap();
    assert!(!index.is_empty());
    drop(index);
    assert_eq!(files_with_mtimes(&dir), before);
}

#[test]
fn errors_on_opening_a_missing_or_empty_index_for_reading() {
    // Issue 10: a missing or empty index folder is reported, not created or deleted.
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("search-index");
    let error = govsite::search::index::SearchIndex::open_for_reading(&missing)
        .err()
        .expect("a missing index must not open");
    assert!(
        format!("{error:#}").contains("run `govsite index --full`"),
        "{error:#}"
    );
    assert!(!missing.exists(), "opening for reading created the folder");
    fs::create_dir(&missing).unwrap();
    let error = govsite::search::index::SearchIndex::open_for_reading(&missing)
        .err()
        .expect("an empty index folder must not open");
    assert!(
        format!("{error:#}").contains("the search index is missing"),
        "{error:#}"
    );
    assert!(missing.is_dir(), "opening for reading removed the folder");
    assert_eq!(fs::read_dir(&missing).unwrap().count(), 0);
}

#[test]
fn can_run_concurrent_search_processes_without_losing_the_index() {
    // Issue 10: several `govsite search` processes at once used to rewrite the schema file
    // and remove the index folder when one read it half-written.
    let (_temp, site) = search_site();
    let dir = site.join("data/search-index");
    let before = files_with_mtimes(&dir);
    let expected = slugs(&site, &["vergi"]);
    assert!(!expected.is_empty());
    for _round in 0..4 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_govsite"))
                    .arg("--site")
                    .arg(&site)
                    .args(["search", "--json", "--limit", "50", "vergi"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&output.stdout).lines().count(),
                expected.len()
            );
        }
    }
    assert_eq!(files_with_mtimes(&dir), before);
    assert_eq!(slugs(&site, &["vergi"]), expected);
}

/// Issue 10: on the demo site `IQTISADI` found 7 pages and `İqtisadi`, `iqtisadi`, `İQTİSADİ`
/// 5, because the analyzer read the Latin `I`s as `iqtisad-ı`. D189 §4.10.3: results do not
/// depend on case, and a Latin `I` typed for `İ` finds what the proper letter finds.
#[test]
fn can_find_the_same_pages_however_i_is_typed() {
    let (_temp, site) = common::demo_site();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let mut expected = urls(&site, &["iqtisadi"]);
    expected.sort();
    assert!(!expected.is_empty(), "the demo site has pages on iqtisadi");
    for query in ["IQTISADI", "İqtisadi", "Iqtisadi", "İQTİSADİ", "iqtisadi"] {
        let mut found = urls(&site, &[query]);
        found.sort();
        assert_eq!(found, expected, "{query}");
    }
}

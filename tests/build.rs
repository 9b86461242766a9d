//! The publishing pipeline: what is published, incremental builds equal full builds, one edit
//! rewrites only what depends on it, scheduled publication and expiry.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_same_tree, fixture, ok, read};
use govsite::config::Config;
use govsite::store::{Actor, Store};
use time::OffsetDateTime;

fn built_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    (temp, site)
}

fn open(site: &Path) -> (Config, Store) {
    let config = Config::load(site).unwrap();
    let store = Store::open(&config.database_path(), &config.domain, config.utc_offset).unwrap();
    (config, store)
}

/// The files a build reports it wrote.
fn written(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("wrote /"))
        .map(str::to_string)
        .collect()
}

#[test]
fn can_publish_pages_lists_feeds_and_sitemap_in_both_languages() {
    let (_temp, site) = built_fixture();
    let public = site.join("public");
    for path in [
        "az/index.html",
        "en/index.html",
        "az/xeberler/index.html",
        "az/xeberler/sehife/2/index.html",
        "az/xeberler/birinci-xeber/index.html",
        "en/news/first-news/index.html",
        "az/haqqimizda/tarixce/index.html",
        "az/haqqimizda/hesabat.pdf",
        "az/atom.xml",
        "az/rss.xml",
        "az/xeberler/atom.xml",
        "en/news/rss.xml",
        "sitemap.xml",
        "static/css/base.css",
        "az/404.html",
        "en/500.html",
        "az/sayt-xeritesi/index.html",
        "text/az/xeberler/birinci-xeber/index.html",
    ] {
        assert!(public.join(path).is_file(), "missing {path}");
    }
    let page = read(&public.join("az/xeberler/birinci-xeber/index.html"));
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"az\""),
        "{page}"
    );
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("<h1>Birinci xəbər</h1>"));
    // Internal links are resolved to the target's address.
    assert!(page.contains("href=\"/az/haqqimizda/tarixce/\""), "{page}");
    // Dates in Azerbaijani on AZ pages.
    assert!(page.contains("10 yanvar 2026"), "{page}");
    let english = read(&public.join("en/news/first-news/index.html"));
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("10 January 2026"));

    // Drafts are not published.
    assert!(!public.join("az/xeberler/qaralama").exists());
    assert!(!read(&public.join("az/xeberler/index.html")).contains("Qaralama"));

    // The sitemap lists translations as hreflang alternates.
    let sitemap = read(&public.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://test.gov.az/az/xeberler/birinci-xeber/</loc>"));
    assert!(
        sitemap.contains("hreflang=\"en\" href=\"https://test.gov.az/en/news/first-news/\""),
        "{sitemap}"
    );
    assert!(!sitemap.contains("qaralama"));

    let feed = read(&public.join("az/xeberler/atom.xml"));
    assert!(feed.contains("<title>Üçüncü xəbər</title>"));
    assert!(!feed.contains("Qaralama"));
}

#[test]
fn can_paginate_lists() {
    let (_temp, site) = built_fixture();
    let first = read(&site.join("public/az/xeberler/index.html"));
    let second = read(&site.join("public/az/xeberler/sehife/2/index.html"));
    // Newest first; page size 2 in the fixture's site.toml.
    assert!(
        first.contains("Üçüncü xəbər")
            && first.contains("İkinci xəbər")
            && !first.contains("Birinci xəbər"),
        "{first}"
    );
    assert!(second.contains("Birinci xəbər"));
    assert!(
        first.contains("Səhifə 1 / 2") && second.contains("Səhifə 2 / 2"),
        "{first}"
    );
    assert!(first.contains("href=\"/az/xeberler/sehife/2/\""));
    assert!(read(&site.join("public/en/news/index.html")).contains("First news"));
}

#[test]
fn can_switch_language_with_fallbacks() {
    let (_temp, site) = built_fixture();
    let public = site.join("public");
    // D189 §3.4: the same page in the other language …
    let translated = read(&public.join("az/xeberler/birinci-xeber/index.html"));
    assert!(
        translated.contains("href=\"/en/news/first-news/\" hreflang=\"en\""),
        "{translated}"
    );
    // … else the current section in that language …
    let untranslated = read(&public.join("az/xeberler/ucuncu-xeber/index.html"));
    assert!(
        untranslated.contains("href=\"/en/news/\" hreflang=\"en\""),
        "{untranslated}"
    );
    // … else that language's home page.
    let no_section = read(&public.join("az/senedler/index.html"));
    assert!(
        no_section.contains("href=\"/en/\" hreflang=\"en\""),
        "{no_section}"
    );
}

#[test]
fn can_build_incrementally_to_the_same_tree_as_a_full_build() {
    let (temp, site) = built_fixture();
    let output = ok(&site, &["build"]);
    assert!(
        written(&output).is_empty(),
        "a second build writes nothing:\n{output}"
    );

    let file = site.join("content/az/xeberler/ikinci-xeber.md");
    fs::write(
        &file,
        read(&file).replace("Portal yeniləndi.", "Portal tamamilə yeniləndi."),
    )
    .unwrap();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let incremental = temp.path().join("incremental");
    common::copy_dir(&site.join("public"), &incremental);
    ok(&site, &["build", "--full"]);
    assert_same_tree(&site.join("public"), &incremental);
}

#[test]
fn can_rewrite_only_what_depends_on_an_edited_page() {
    let (_temp, site) = built_fixture();
    let file = site.join("content/az/xeberler/ikinci-xeber.md");
    fs::write(
        &file,
        read(&file).replace("Portal yeniləndi.", "Portal tamamilə yeniləndi."),
    )
    .unwrap();
    ok(&site, &["import"]);
    let mut files = written(&ok(&site, &["build"]));
    files.sort();
    // The page itself; the list page it appears on; the home page's latest items (each with
    // its text-only twin); the feeds of its section and language. Nothing else: not its translation (its address did not
    // change), not other list pages, not the sitemap (no address or date changed).
    assert_eq!(
        files,
        vec![
            "az/atom.xml",
            "az/index.html",
            "az/rss.xml",
            "az/xeberler/atom.xml",
            "az/xeberler/ikinci-xeber/index.html",
            "az/xeberler/index.html",
            "az/xeberler/rss.xml",
            "text/az/index.html",
            "text/az/xeberler/ikinci-xeber/index.html",
            "text/az/xeberler/index.html",
        ]
    );
    assert!(read(&site.join("public/az/xeberler/ikinci-xeber/index.html")).contains("tamamilə"));
}

#[test]
fn can_rerender_translations_and_menus_when_they_change() {
    let (_temp, site) = built_fixture();
    // Publishing a translation changes the language switch of the page it translates.
    fs::write(
        site.join("content/en/news/third-news.md"),
        "+++\ntitle = \"Third news\"\ntype = \"news\"\nstatus = \"published\"\ntranslation = \"news/third\"\nissued = 2026-03-20\n+++\nNow translated.\n",
    )
    .unwrap();
    ok(&site, &["import"]);
    let files = written(&ok(&site, &["build"]));
    assert!(
        files.contains(&"az/xeberler/ucuncu-xeber/index.html".to_string()),
        "{files:?}"
    );
    assert!(files.contains(&"sitemap.xml".to_string()), "{files:?}");
    assert!(
        read(&site.join("public/az/xeberler/ucuncu-xeber/index.html"))
            .contains("href=\"/en/news/third-news/\"")
    );

    // A section title in the menu changes every page of that language.
    let file = site.join("content/az/xeberler/_section.md");
    fs::write(
        &file,
        read(&file).replace("title = \"Xəbərlər\"", "title = \"Yeniliklər\""),
    )
    .unwrap();
    ok(&site, &["import"]);
    let files = written(&ok(&site, &["build"]));
    assert!(
        files.contains(&"az/haqqimizda/tarixce/index.html".to_string()),
        "{files:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("en/") && f.ends_with(".html")),
        "{files:?}"
    );
}

#[test]
fn can_keep_published_revision_live_while_a_draft_waits() {
    let (_temp, site) = built_fixture();
    let (config, mut store) = open(&site);
    let page_id = store.page_id("az", "news/second").unwrap();
    let mut draft = store.head_revision(page_id).unwrap();
    draft.title = "İkinci xəbər (qaralama)".into();
    draft.status = govsite::model::Status::Draft;
    store
        .save_revision(page_id, &draft, &Actor("editor".into()))
        .unwrap();
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    let page = read(&site.join("public/az/xeberler/ikinci-xeber/index.html"));
    assert!(
        page.contains("<h1>İkinci xəbər</h1>"),
        "the published revision stays live"
    );

    draft.status = govsite::model::Status::Published;
    store
        .save_revision(page_id, &draft, &Actor("moderator".into()))
        .unwrap();
    let report = govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    assert!(
        report
            .written
            .contains(&"az/xeberler/ikinci-xeber/index.html".to_string())
    );
    assert!(
        read(&site.join("public/az/xeberler/ikinci-xeber/index.html"))
            .contains("<h1>İkinci xəbər (qaralama)</h1>")
    );

    // Unpublishing takes it off the site.
    draft.status = govsite::model::Status::Unpublished;
    store
        .save_revision(page_id, &draft, &Actor("moderator".into()))
        .unwrap();
    let report = govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    assert!(
        report
            .removed
            .contains(&"az/xeberler/ikinci-xeber/index.html".to_string()),
        "{report:?}"
    );
    assert!(
        !site
            .join("public/az/xeberler/ikinci-xeber/index.html")
            .exists()
    );
}

#[test]
fn can_schedule_publication_and_expiry() {
    let (_temp, site) = built_fixture();
    let (config, mut store) = open(&site);
    let page_id = store.page_id("az", "news/first").unwrap();
    let mut scheduled = store.head_revision(page_id).unwrap();
    scheduled.title = "Planlı xəbər".into();
    scheduled.publish_at = Some(govsite::model::Stamp::parse("2030-01-01T09:00:00+04:00").unwrap());
    scheduled.valid_until = Some(govsite::model::Stamp::parse("2030-06-01").unwrap());
    store
        .save_revision(page_id, &scheduled, &Actor("editor".into()))
        .unwrap();
    assert_eq!(
        store
            .next_scheduled_change(OffsetDateTime::now_utc().unix_timestamp())
            .unwrap(),
        Some(1_893_474_000)
    );

    let page = site.join("public/az/xeberler/birinci-xeber/index.html");
    let before = time::macros::datetime!(2030-01-01 04:59 UTC);
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, before)
        .unwrap();
    assert!(
        read(&page).contains("<h1>Birinci xəbər</h1>"),
        "not yet: the earlier revision stays live"
    );

    let after = time::macros::datetime!(2030-01-01 05:00 UTC);
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, after)
        .unwrap();
    assert!(read(&page).contains("<h1>Planlı xəbər</h1>"));
    assert!(read(&site.join("public/az/xeberler/sehife/2/index.html")).contains("Planlı xəbər"));

    // D189 §4.2: after its validity period the item drops out of lists and feeds.
    let expired = time::macros::datetime!(2030-06-02 00:00 UTC);
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, expired)
        .unwrap();
    assert!(!read(&site.join("public/az/xeberler/index.html")).contains("Planlı xəbər"));
    assert!(
        !site.join("public/az/xeberler/sehife/2/index.html").exists(),
        "one page fewer"
    );
    assert!(!read(&site.join("public/az/xeberler/atom.xml")).contains("Planlı xəbər"));
    assert!(
        read(&page).contains("Etibarlılıq müddəti bitib"),
        "the page itself says so"
    );

    // The scheduler does the same on its own when the time comes: asked as of an earlier
    // time than the last publish, it publishes that moment's site; then nothing is pending.
    let publisher = govsite::publishing::Publisher::new(config.clone());
    let report = govsite::ops::publish_pending(&publisher, after).unwrap();
    assert!(report.is_some(), "a publication was due");
    assert!(read(&page).contains("<h1>Planlı xəbər</h1>"));
    assert!(
        govsite::ops::publish_pending(&publisher, after)
            .unwrap()
            .is_none()
    );
}

#[test]
fn can_redirect_a_renamed_page_and_refuse_deleting_a_linked_one() {
    let (_temp, site) = built_fixture();
    let (config, mut store) = open(&site);
    let history = store.page_id("az", "about/history").unwrap();
    let error = store
        .delete_page(history, &Actor("editor".into()))
        .unwrap_err();
    let message = error.into_user_error().unwrap().to_string();
    assert!(
        message.contains("/az/xeberler/birinci-xeber/"),
        "names the linking page: {message}"
    );

    let third = store.page_id("az", "news/third").unwrap();
    store
        .rename_page(third, "ucuncu-xeber-yeni", &Actor("editor".into()))
        .unwrap();
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    let redirects = read(&site.join("public/_redirects"));
    assert!(
        redirects.contains("/az/xeberler/ucuncu-xeber/ /az/xeberler/ucuncu-xeber-yeni/"),
        "{redirects}"
    );
    let stub = read(&site.join("public/az/xeberler/ucuncu-xeber/index.html"));
    assert!(
        stub.contains("url=/az/xeberler/ucuncu-xeber-yeni/"),
        "{stub}"
    );
    assert!(
        store
            .rename_page(third, "Yeni Ad", &Actor("editor".into()))
            .is_err()
    );

    store.delete_page(third, &Actor("editor".into())).unwrap();
    govsite::publishing::Publisher::new(config.clone())
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    assert!(!site.join("public/az/xeberler/ucuncu-xeber-yeni").exists());
    let journal = store.journal().unwrap();
    assert!(
        journal
            .iter()
            .any(|e| e.action == "rename" && e.actor == "editor")
    );
    assert!(
        journal
            .iter()
            .any(|e| e.action == "delete" && e.object == "/az/xeberler/ucuncu-xeber-yeni/")
    );
    assert_eq!(
        store.verify_journal().unwrap(),
        None,
        "the hash chain holds"
    );
}

#[test]
fn can_build_the_demo_site() {
    let (_temp, site) = common::demo_site();
    ok(&site, &["import"]);
    let output = ok(&site, &["build", "--quiet"]);
    assert!(output.contains("written"), "{output}");
    let public = site.join("public");
    let pages = common::tree(&public)
        .keys()
        .filter(|p| p.ends_with("index.html"))
        .count();
    assert!(pages >= 130, "{pages} pages");
    assert!(public.join("az/xeberler/sehife/2/index.html").is_file());
    assert!(public.join("en/news/page/2/index.html").is_file());
}

// Issue 10: the scheduler advanced its `last_check` even when its build failed, so a scheduled
// publication whose build failed was never retried and the site stayed stale.
#[test]
fn can_retry_a_scheduled_publication_whose_build_failed() {
    let (_temp, site) = built_fixture();
    let (config, mut store) = open(&site);
    let page_id = store.page_id("az", "news/first").unwrap();
    let mut scheduled = store.head_revision(page_id).unwrap();
    scheduled.title = "Planlı xəbər".into();
    scheduled.publish_at = Some(govsite::model::Stamp::parse("2030-01-01T09:00:00+04:00").unwrap());
    store
        .save_revision(page_id, &scheduled, &Actor("editor".into()))
        .unwrap();
    let after = time::macros::datetime!(2030-01-01 05:00 UTC);

    // The build cannot write: `public/` is a file.
    let public = site.join("public");
    std::fs::rename(&public, site.join("public.away")).unwrap();
    std::fs::write(&public, "not a folder").unwrap();
    let publisher = govsite::publishing::Publisher::new(config.clone());
    assert!(govsite::ops::publish_pending(&publisher, after).is_err());
    // The failure is recorded for the dashboard and journaled; the change stays pending.
    let state = store.publish_state().unwrap();
    assert!(state.failure.is_some(), "{state:?}");
    assert!(publisher.has_pending(&store, after).unwrap());
    assert!(
        store
            .journal()
            .unwrap()
            .iter()
            .any(|e| e.action == "publish_failed")
    );

    // The next check, once the build can write, publishes it and clears the failure.
    std::fs::remove_file(&public).unwrap();
    std::fs::rename(site.join("public.away"), &public).unwrap();
    assert!(
        govsite::ops::publish_pending(&publisher, after)
            .unwrap()
            .is_some()
    );
    assert!(
        read(&public.join("az/xeberler/birinci-xeber/index.html"))
            .contains("<h1>Planlı xəbər</h1>")
    );
    assert_eq!(store.publish_state().unwrap().failure, None);
    assert!(!publisher.has_pending(&store, after).unwrap());
}

// Issue 10: `govsite build` while another process published raced on `public/`, the manifest
// and the search index ("LockBusy", 500s in the panel). One lock per site, across processes:
// a second publisher waits for its turn and says so.
#[test]
fn can_wait_for_another_process_that_is_publishing() {
    let (_temp, site) = built_fixture();
    let config = Config::load(&site).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(config.data_dir.join(govsite::publishing::PUBLISH_LOCK_FILE))
        .unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_govsite"))
        .arg("--site")
        .arg(&site)
        .args(["build", "--full"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    lock.unlock().unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1500),
        "the build did not wait for the lock"
    );
    assert!(
        stderr.contains("another govsite process is publishing this site; waiting"),
        "{stderr}"
    );
}

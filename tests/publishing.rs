//! The publisher (issue 10): after every kind of change an incremental publish gives the same
//! tree as `build --full`, only the outputs a changed page shapes are planned, a failed
//! publish leaves its change pending and retried, a killed publish leaves no temporary file,
//! and a publish with nothing to do does nothing.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_same_tree, copy_dir, fixture, ok, read};
use govsite::config::Config;
use govsite::model::Stamp;
use govsite::publishing::{PublishReport, Publisher, TEMPORARY_PREFIX, WRITING_MARKER};
use govsite::store::{Actor, Store};
use time::OffsetDateTime;

fn editor() -> Actor {
    Actor("editor".into())
}

/// The basic fixture imported and published once, with the store and one publisher kept for
/// the whole test, as `serve` keeps them.
fn published() -> (tempfile::TempDir, std::path::PathBuf, Store, Publisher) {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let config = Config::load(&site).unwrap();
    let mut store =
        Store::open(&config.database_path(), &config.domain, config.utc_offset).unwrap();
    let publisher = Publisher::new(config);
    publisher
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    (temp, site, store, publisher)
}

/// Publishes incrementally at `now`, then fully in another publisher (as `govsite build
/// --full` would), and requires the same tree.
fn publish_and_compare(
    what: &str,
    site: &Path,
    store: &mut Store,
    publisher: &Publisher,
    now: OffsetDateTime,
) -> PublishReport {
    let report = publisher.publish(store, now).unwrap();
    assert!(!report.nothing_to_do, "{what}: the change was not noticed");
    let incremental = site.parent().unwrap().join(format!("incremental-{what}"));
    copy_dir(&site.join("public"), &incremental);
    Publisher::new(publisher.config().clone())
        .publish_full(store, now)
        .unwrap();
    assert_same_tree(&site.join("public"), &incremental);
    report
}

#[test]
fn can_publish_every_kind_of_change_incrementally_to_the_same_tree_as_a_full_build() {
    let (_temp, site, mut store, publisher) = published();
    let now = OffsetDateTime::now_utc();

    // A page: a news item's text and title.
    let news = store.page_id("az", "news/second").unwrap();
    let mut content = store.head_revision(news).unwrap();
    content.title = "İkinci xəbər, yenilənmiş".into();
    content.body.push_str("\n\nƏlavə abzas.\n");
    store.save_revision(news, &content, &editor()).unwrap();
    let report = publish_and_compare("page", &site, &mut store, &publisher, now);
    assert!(report.pages_only, "a page edit plans only what it shapes");
    assert!(
        report
            .written
            .contains(&"az/xeberler/ikinci-xeber/index.html".to_string()),
        "{:?}",
        report.written
    );

    // A title shown in a menu: pages of a small undated section list each other.
    let history = store.page_id("az", "about/history").unwrap();
    let mut content = store.head_revision(history).unwrap();
    content.title = "Agentliyin tarixçəsi".into();
    store.save_revision(history, &content, &editor()).unwrap();
    let report = publish_and_compare("menu-title", &site, &mut store, &publisher, now);
    assert!(report.pages_only);
    let sibling = read(&site.join("public/az/haqqimizda/tam/index.html"));
    assert!(sibling.contains("Agentliyin tarixçəsi"), "{sibling}");

    // A new page in a dated section, and a translation of it.
    let section = store
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == "az" && s.path == ["xeberler"])
        .unwrap();
    let mut fresh = store.head_revision(news).unwrap();
    fresh.title = "Yeni xəbər".into();
    fresh.issued = Some(Stamp::parse("2026-11-30").unwrap());
    store
        .create_page(section.id, "yeni-xeber", None, &fresh, &editor())
        .unwrap();
    publish_and_compare("new-page", &site, &mut store, &publisher, now);

    // A template: every page changes.
    let templates = store.templates(&publisher.config().theme).unwrap();
    let (name, body) = templates
        .iter()
        .find(|(_, body)| body.contains("</footer>"))
        .expect("a template with the footer");
    let changed = body.replace("</footer>", "<!-- trial --></footer>");
    store
        .save_template(&publisher.config().theme, name, &changed, &editor())
        .unwrap();
    let report = publish_and_compare("template", &site, &mut store, &publisher, now);
    assert!(!report.pages_only);

    // A UI string.
    store
        .save_ui_strings(
            "az",
            &[("read_more".into(), "Daha ətraflı".into())],
            &editor(),
        )
        .unwrap();
    publish_and_compare("ui-string", &site, &mut store, &publisher, now);

    // A stored file.
    let png = fs::read(site.join("content/az/bina.png")).unwrap();
    store
        .add_media("az/yeni-bina.png", "image/png", &png, &editor())
        .unwrap();
    publish_and_compare("media", &site, &mut store, &publisher, now);
    assert!(site.join("public/az/yeni-bina.png").is_file());

    // A section taken out of the main menu and a page moved to another section.
    let about = store
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == "az" && s.path == ["haqqimizda"])
        .unwrap();
    store
        .set_section_order(about.id, 9, false, None, &editor())
        .unwrap();
    publish_and_compare("menu", &site, &mut store, &publisher, now);
    store.move_page(history, section.id, &editor()).unwrap();
    publish_and_compare("section-move", &site, &mut store, &publisher, now);
    assert!(site.join("public/az/xeberler/tarixce/index.html").is_file());

    // Expiry and scheduled publication by time alone.
    let first = store.page_id("az", "news/first").unwrap();
    let mut content = store.head_revision(first).unwrap();
    content.valid_until = Some(Stamp::parse("2030-06-01").unwrap());
    store.save_revision(first, &content, &editor()).unwrap();
    let mut scheduled = store.head_revision(news).unwrap();
    scheduled.title = "Planlı başlıq".into();
    scheduled.publish_at = Some(Stamp::parse("2030-03-01T09:00:00+04:00").unwrap());
    store.save_revision(news, &scheduled, &editor()).unwrap();
    publish_and_compare("dated", &site, &mut store, &publisher, now);
    let spring = time::macros::datetime!(2030-03-02 00:00 UTC);
    publish_and_compare("scheduled", &site, &mut store, &publisher, spring);
    assert!(
        read(&site.join("public/az/xeberler/ikinci-xeber/index.html")).contains("Planlı başlıq")
    );
    let summer = time::macros::datetime!(2030-06-02 00:00 UTC);
    publish_and_compare("expiry", &site, &mut store, &publisher, summer);
    assert!(!read(&site.join("public/az/xeberler/index.html")).contains("Birinci xəbər"));

    // A page deleted.
    let third = store.page_id("az", "news/third").unwrap();
    store.delete_page(third, &editor()).unwrap();
    publish_and_compare("delete", &site, &mut store, &publisher, summer);

    // Nothing changed: nothing is planned.
    let report = publisher.publish(&mut store, summer).unwrap();
    assert!(report.nothing_to_do, "{report:?}");
}

// Issue 10: a publish killed with -9 could leave a `.govsite-*` file that later incremental
// builds kept, so the tree differed from `build --full`. A killed publish is simulated: its
// marker in data/ and a half-written temporary file (killing a real one at the right moment
// cannot be made reliable).
#[test]
fn can_sweep_the_temporary_files_of_a_killed_publish() {
    let (_temp, site, mut store, publisher) = published();
    let config = publisher.config().clone();
    fs::write(config.data_dir.join(WRITING_MARKER), b"").unwrap();
    let leftover = site
        .join("public/az/xeberler")
        .join(format!("{TEMPORARY_PREFIX}a1b2c3"));
    fs::write(&leftover, "<html>half").unwrap();
    let output = ok(&site, &["build"]);
    assert!(!leftover.exists(), "{output}");
    assert!(
        output.contains("swept /az/xeberler/.govsite-a1b2c3"),
        "{output}"
    );
    assert!(!config.data_dir.join(WRITING_MARKER).exists());
    let incremental = site.parent().unwrap().join("after-sweep");
    copy_dir(&site.join("public"), &incremental);
    publisher
        .publish_full(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    assert_same_tree(&site.join("public"), &incremental);
}

// Issue 10: `govsite build` with nothing to do reloaded the whole site and recomputed every
// digest; now it reads the change log and stops.
#[test]
fn can_tell_that_nothing_changed_without_planning() {
    let (_temp, site, _store, _publisher) = published();
    let output = ok(&site, &["build"]);
    assert!(
        output.contains("nothing changed since the last publish"),
        "{output}"
    );
    // A change of the configuration plans everything again.
    let toml = site.join("site.toml");
    fs::write(
        &toml,
        read(&toml).replace("https://test.gov.az", "https://www.test.gov.az"),
    )
    .unwrap();
    let output = ok(&site, &["build"]);
    assert!(!output.contains("nothing changed"), "{output}");
    assert!(
        read(&site.join("public/sitemap.xml")).contains("https://www.test.gov.az/"),
        "{output}"
    );
}

// D189 §4.9.3: the HTML site map is a rubricator. A section of 25,000 news items made it a
// page of 25,000 links, rendered again on every edit of any item (issue 10's one-page publish);
// it now shows the newest items of a dated section and says how many more its list holds.
#[test]
fn can_keep_the_html_site_map_a_rubricator_of_bounded_size() {
    let (_temp, site, mut store, publisher) = published();
    let news = store.page_id("az", "news/second").unwrap();
    let section = store
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == "az" && s.path == ["xeberler"])
        .unwrap();
    for day in 1..=12 {
        let mut item = store.head_revision(news).unwrap();
        item.title = format!("Dekabr xəbəri {day}");
        item.issued = Some(Stamp::parse(&format!("2026-12-{day:02}")).unwrap());
        store
            .create_page(section.id, &format!("dekabr-{day}"), None, &item, &editor())
            .unwrap();
    }
    publisher
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    let map = read(&site.join("public/az/sayt-xeritesi/index.html"));
    assert!(map.contains(">Dekabr xəbəri 12</a>"), "{map}");
    assert!(map.contains(">Dekabr xəbəri 3</a>"), "{map}");
    assert!(
        !map.contains(">Dekabr xəbəri 2</a>"),
        "the eleventh newest is left out: {map}"
    );
    // 12 new and the fixture's live items of the section, less the 10 shown.
    let listed = read(&site.join("public/az/xeberler/index.html"));
    assert!(
        map.contains("<li class=\"more\"><a href=\"/az/xeberler/\">daha "),
        "{map}"
    );
    assert!(listed.contains("Dekabr xəbəri 12"));
}

/// The database itself, for what no screen does (a direct edit the triggers must still see).
fn database(publisher: &Publisher) -> rusqlite::Connection {
    rusqlite::Connection::open(publisher.config().database_path()).unwrap()
}

fn section_id(store: &Store, lang: &str, path: &[&str]) -> i64 {
    store
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == lang && s.path == path)
        .unwrap()
        .id
}

// Review of the partial plan: a process that kept its view (serve) must not reuse it after
// another process published pages that came due (that moves only the publish time).
#[test]
fn can_keep_the_view_only_while_no_other_process_published() {
    let (_temp, site, mut store, publisher) = published();
    let news = store.page_id("az", "news/second").unwrap();
    let mut scheduled = store.head_revision(news).unwrap();
    scheduled.title = "Planlı başlıq".into();
    scheduled.publish_at = Some(Stamp::parse("2030-03-01T09:00:00+04:00").unwrap());
    store.save_revision(news, &scheduled, &editor()).unwrap();
    publisher
        .publish(&mut store, OffsetDateTime::now_utc())
        .unwrap();
    // Another process publishes what came due.
    Publisher::new(publisher.config().clone())
        .publish(&mut store, time::macros::datetime!(2030-03-02 00:00 UTC))
        .unwrap();
    let history = store.page_id("az", "about/history").unwrap();
    let mut content = store.head_revision(history).unwrap();
    content.title = "Tarixçə, yenilənmiş".into();
    store.save_revision(history, &content, &editor()).unwrap();
    let later = time::macros::datetime!(2030-03-03 00:00 UTC);
    publish_and_compare("after-other", &site, &mut store, &publisher, later);
    assert!(read(&site.join("public/az/index.html")).contains("Planlı başlıq"));
}

// Review: the section menu lists live pages, so the limit that decides whether a section's
// pages list each other counts live pages, not expired ones.
#[test]
fn can_follow_a_section_menu_whose_section_holds_expired_pages() {
    let (_temp, site, mut store, publisher) = published();
    let about = section_id(&store, "az", &["haqqimizda"]);
    let history = store.page_id("az", "about/history").unwrap();
    let model = store.head_revision(history).unwrap();
    for n in 0..32 {
        let mut page = model.clone();
        page.title = format!("Səhifə {n}");
        if n < 8 {
            page.valid_until = Some(Stamp::parse("2020-01-01").unwrap());
        }
        store
            .create_page(about, &format!("sehife-{n}"), None, &page, &editor())
            .unwrap();
    }
    let now = OffsetDateTime::now_utc();
    publish_and_compare("crowded", &site, &mut store, &publisher, now);
    let mut content = store.head_revision(history).unwrap();
    content.title = "Tarixçəmiz".into();
    store.save_revision(history, &content, &editor()).unwrap();
    // 34 pages, 26 live: the menu is shown, and lists the new title on every sibling.
    publish_and_compare("crowded-title", &site, &mut store, &publisher, now);
}

// Review: a page created at the old address of a renamed page got the redirect stub instead
// of itself once a publish planned only other pages.
#[test]
fn can_give_an_old_address_back_to_a_new_page() {
    let (_temp, site, mut store, publisher) = published();
    let now = OffsetDateTime::now_utc();
    let history = store.page_id("az", "about/history").unwrap();
    store.rename_page(history, "tarix", &editor()).unwrap();
    publish_and_compare("renamed", &site, &mut store, &publisher, now);
    let mut page = store.head_revision(history).unwrap();
    page.title = "Yeni tarixçə".into();
    let about = section_id(&store, "az", &["haqqimizda"]);
    store
        .create_page(about, "tarixce", None, &page, &editor())
        .unwrap();
    publish_and_compare("reused", &site, &mut store, &publisher, now);
    let news = store.page_id("az", "news/second").unwrap();
    let mut content = store.head_revision(news).unwrap();
    content.title = "Başqa bir düzəliş".into();
    store.save_revision(news, &content, &editor()).unwrap();
    publish_and_compare("elsewhere", &site, &mut store, &publisher, now);
    assert!(read(&site.join("public/az/haqqimizda/tarixce/index.html")).contains("Yeni tarixçə"));
}

// Review: changes made directly in the database are seen too — a translation key changed in
// place leaves the old partner's language links to be redone; a date that is not part of the
// content (the save time of an undated item) shows on the home page.
#[test]
fn can_follow_direct_edits_of_translation_keys_and_save_times() {
    let (_temp, site, mut store, publisher) = published();
    let now = OffsetDateTime::now_utc();
    let db = database(&publisher);
    db.execute(
        "UPDATE pages SET translation_key = 'about/other' WHERE lang = 'en' AND translation_key = 'about/history'",
        [],
    )
    .unwrap();
    publish_and_compare("translation-key", &site, &mut store, &publisher, now);
    assert!(
        !read(&site.join("public/az/haqqimizda/tarixce/index.html")).contains("/en/about/history/")
    );

    let news = store.page_id("az", "news/second").unwrap();
    let mut undated = store.head_revision(news).unwrap();
    undated.title = "Tarixsiz xəbər".into();
    undated.issued = None;
    undated.created = None;
    let section = section_id(&store, "az", &["xeberler"]);
    let id = store
        .create_page(section, "tarixsiz", None, &undated, &editor())
        .unwrap();
    publish_and_compare("undated", &site, &mut store, &publisher, now);
    db.execute(
        "UPDATE revisions SET saved_at = '2026-12-01T08:00:00Z' WHERE page_id = ?1",
        [id],
    )
    .unwrap();
    publish_and_compare("saved-at", &site, &mut store, &publisher, now);
}

// Issue 10, a one-page publish at 50,000 pages: `serve` keeps the layout of its view (URLs,
// list order, menus, the sitemap's digest) between publishes while the changed pages keep
// their place, instead of deriving it again for the whole site; anything that moves a page in
// its lists, menus or site maps derives it again. Either way the tree is a full build's.
#[test]
fn can_keep_the_layout_while_edited_pages_keep_their_place() {
    let (_temp, site, mut store, publisher) = published();
    let now = OffsetDateTime::now_utc();
    let news = store.page_id("az", "news/second").unwrap();
    let page = "az/xeberler/ikinci-xeber/index.html";

    // Text and summary: the page, its lists and the home page change; the layout is kept.
    let mut content = store.head_revision(news).unwrap();
    content.body.push_str("\n\nYalnız mətn dəyişdi.\n");
    content.summary = Some("Yeni qısa məzmun.".into());
    store.save_revision(news, &content, &editor()).unwrap();
    let report = publish_and_compare("text", &site, &mut store, &publisher, now);
    assert!(report.pages_only && report.layout_kept, "{report:?}");
    assert!(report.written.contains(&page.to_string()), "{report:?}");
    assert!(read(&site.join("public").join(page)).contains("Yalnız mətn dəyişdi."));
    assert!(read(&site.join("public/az/xeberler/index.html")).contains("Yeni qısa məzmun."));

    // An item on the second page of its list: only that list page is planned, and it shows
    // the new summary; the first list page is left as it was.
    let first = store.page_id("az", "news/first").unwrap();
    let mut content = store.head_revision(first).unwrap();
    content.summary = Some("Birincinin yeni xülasəsi.".into());
    store.save_revision(first, &content, &editor()).unwrap();
    let report = publish_and_compare("second-list-page", &site, &mut store, &publisher, now);
    assert!(report.layout_kept, "{report:?}");
    assert!(
        report
            .written
            .contains(&"az/xeberler/sehife/2/index.html".to_string()),
        "{report:?}"
    );
    assert!(
        !report
            .written
            .contains(&"az/xeberler/index.html".to_string())
    );
    assert!(
        read(&site.join("public/az/xeberler/sehife/2/index.html"))
            .contains("Birincinin yeni xülasəsi.")
    );

    // A new title is shown in lists, menus and the HTML site map: derived again.
    let mut content = store.head_revision(news).unwrap();
    content.title = "Başlığı dəyişmiş xəbər".into();
    store.save_revision(news, &content, &editor()).unwrap();
    let report = publish_and_compare("title", &site, &mut store, &publisher, now);
    assert!(report.pages_only && !report.layout_kept, "{report:?}");

    // A new publication date reorders the lists: derived again.
    let mut content = store.head_revision(news).unwrap();
    content.issued = Some(Stamp::parse("2020-01-02").unwrap());
    store.save_revision(news, &content, &editor()).unwrap();
    let report = publish_and_compare("date", &site, &mut store, &publisher, now);
    assert!(!report.layout_kept, "{report:?}");

    // The translation of a page, edited in its text: kept again.
    let english = store.page_id("en", "news/second").unwrap();
    let mut content = store.head_revision(english).unwrap();
    content.body.push_str("\n\nOnly the text changed.\n");
    store.save_revision(english, &content, &editor()).unwrap();
    let report = publish_and_compare("translation-text", &site, &mut store, &publisher, now);
    assert!(report.layout_kept, "{report:?}");
}

// `serve` reads the published site into memory when it starts (`keep_view`), so its first
// publish from the panel is a one-page publish too; a change saved before that, and not yet
// published, is still published by it.
#[test]
fn can_keep_the_view_read_at_start_and_publish_from_it() {
    let (_temp, site, mut store, publisher) = published();
    let now = OffsetDateTime::now_utc();
    let news = store.page_id("az", "news/second").unwrap();
    let first = store.page_id("az", "news/first").unwrap();
    let mut content = store.head_revision(first).unwrap();
    content.body.push_str("\n\nGözləyən dəyişiklik.\n");
    store.save_revision(first, &content, &editor()).unwrap();

    let started = Publisher::new(publisher.config().clone());
    started.keep_view(&store).unwrap();
    let mut content = store.head_revision(news).unwrap();
    content.body.push_str("\n\nPanel dəyişikliyi.\n");
    store.save_revision(news, &content, &editor()).unwrap();
    let report = publish_and_compare("first-publish", &site, &mut store, &started, now);
    assert!(report.pages_only && report.layout_kept, "{report:?}");
    assert!(
        read(&site.join("public/az/xeberler/ikinci-xeber/index.html"))
            .contains("Panel dəyişikliyi.")
    );
    assert!(
        read(&site.join("public/az/xeberler/birinci-xeber/index.html"))
            .contains("Gözləyən dəyişiklik.")
    );
}

// A page saved with internal links records each link to a page or section, looked up on its
// own (not by listing the whole site on every save): the linked page then cannot be deleted.
#[test]
fn can_record_the_links_of_a_saved_page() {
    let (_temp, _site, mut store, publisher) = published();
    let news = store.page_id("az", "news/second").unwrap();
    let root_page = store.page_id("az", "personal-data").unwrap();
    let linked = store.page_id("az", "news/third").unwrap();
    let mut content = store.head_revision(news).unwrap();
    content.body.push_str(
        "\n\n[Üçüncü](@/az/xeberler/ucuncu-xeber.md#bax), [məlumat](@/az/sexsi-melumatlar.md), \
         [bölmə](@/az/haqqimizda/_section.md), [yoxdur](@/az/yoxdur.md).\n",
    );
    store.save_revision(news, &content, &editor()).unwrap();
    for target in [linked, root_page] {
        let error = store.delete_page(target, &editor()).unwrap_err();
        let message = error.into_user_error().unwrap().to_string();
        assert!(message.contains("/az/xeberler/ikinci-xeber/"), "{message}");
    }
    let about = section_id(&store, "az", &["haqqimizda"]);
    let links: i64 = database(&publisher)
        .query_row(
            "SELECT COUNT(*) FROM links WHERE from_page_id = ?1
               AND (target_page_id IN (?2, ?3) OR target_section_id = ?4)",
            [news, linked, root_page, about],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(links, 3, "a page, a page of the home section and a section");
}

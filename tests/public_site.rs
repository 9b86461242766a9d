//! The public site as a citizen sees it (issue 16), on the built demo site: titles, one
//! language per page, headed blocks on the home page, type labels only where a list mixes
//! types, readable search snippets, a language switch that keeps the search, one list of a
//! document's files, one personal-data link in the footer, and a favicon on both listeners.
//! The phone-sized header is checked in a real browser (`tests/browser.rs`).

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{ok, read};
use http_body_util::BodyExt as _;
use lol_html::{RewriteStrSettings, element, rewrite_str, text};
use tower::ServiceExt as _;

/// The demo site, imported and built once for every test here.
fn site() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let (temp, site) = common::demo_site();
            ok(&site, &["import"]);
            ok(&site, &["build"]);
            (temp, site)
        })
        .1
}

fn page(path: &str) -> String {
    read(&site().join("public").join(path))
}

/// The text of every element matching `selector`, whitespace collapsed.
fn texts(html: &str, selector: &str) -> Vec<String> {
    let found = std::cell::RefCell::new(Vec::<String>::new());
    rewrite_str(
        html,
        RewriteStrSettings::new()
            .append_element_content_handler(element!(selector, |_| {
                found.borrow_mut().push(String::new());
                Ok(())
            }))
            .append_element_content_handler(text!(selector, |chunk| {
                if let Some(last) = found.borrow_mut().last_mut() {
                    last.push_str(chunk.as_str());
                }
                Ok(())
            })),
    )
    .unwrap();
    found
        .into_inner()
        .into_iter()
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn title(html: &str) -> String {
    texts(html, "title").remove(0)
}

async fn get(app: &axum::Router, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(
            Request::get(path)
                .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let mime = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, mime, body.to_vec())
}

fn public_app() -> axum::Router {
    let config = govsite::config::Config::load(site()).unwrap();
    govsite::http::public_router(govsite::http::PublicState::new(&config))
}

#[test]
fn titles_read_page_then_body_and_the_home_page_is_the_body_alone() {
    // Was "Dövlət Açıq Məlumat Agentliyi — Dövlət Açıq Məlumat Agentliyi".
    assert_eq!(
        title(&page("az/index.html")),
        "Dövlət Açıq Məlumat Agentliyi"
    );
    assert_eq!(title(&page("en/index.html")), "State Agency for Open Data");
    assert_eq!(
        title(&page("text/az/index.html")),
        "Dövlət Açıq Məlumat Agentliyi"
    );
    assert_eq!(
        title(&page("az/xeberler/index.html")),
        "Xəbərlər — Dövlət Açıq Məlumat Agentliyi"
    );
    let news = page("en/news/nine-month-statistics/index.html");
    assert!(
        title(&news).ends_with(" — State Agency for Open Data")
            && !title(&news).starts_with("State"),
        "{}",
        title(&news)
    );
}

#[test]
fn every_string_on_a_page_is_in_its_language() {
    // Was "Xətanın kodu: 404 Not Found".
    let error = page("az/404.html");
    assert_eq!(texts(&error, "p.error-code"), ["Xətanın kodu: 404"]);
    assert_eq!(
        texts(&page("en/404.html"), "p.error-code"),
        ["Error code: 404"]
    );
    // Was "səhifə 1 / 4", in lower case at the start of its line.
    let list = page("az/xeberler/index.html");
    let label = &texts(&list, "nav.pager p")[0];
    assert!(label.starts_with("Səhifə 1 / "), "{label}");
    let label = &texts(&page("en/news/index.html"), "nav.pager p")[0];
    assert!(label.starts_with("Page 1 of "), "{label}");
}

#[tokio::test]
async fn a_query_read_as_plain_words_is_shown_in_the_pages_language() {
    // "və ya" alone is no query: it is read as the words "və" and "ya" — shown as typed, not
    // as "və AND ya".
    let (status, _, body) = get(&public_app(), "/az/axtaris/?q=v%C9%99+ya+(").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    let reading = texts(&html, "p.search-reading");
    assert_eq!(reading.len(), 1, "{html}");
    assert!(
        !reading[0].contains("AND") && !reading[0].contains("OR"),
        "{reading:?}"
    );
}

#[test]
fn every_block_of_the_home_page_has_a_heading_and_undated_pages_show_no_date() {
    let home = page("az/index.html");
    // The pages at the top of the site were three cards with no heading, dated.
    assert!(home.contains("<section class=\"home-pages\">"), "{home}");
    assert_eq!(texts(&home, "section.home-pages h2"), ["Sayt haqqında"]);
    let pages = texts(&home, "section.home-pages li.item");
    assert!(pages.len() >= 3, "{pages:?}");
    assert!(
        !home
            .split("<section class=\"home-pages\">")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap()
            .contains("<time"),
        "undated pages are not shown as dated items"
    );
    // No list of items outside a headed block.
    let main = home.split("<main").nth(1).unwrap();
    let headed = main.matches("<h2>").count();
    let lists = main.matches("<ul class=\"items\">").count();
    assert!(headed >= lists, "{lists} lists but {headed} headings");
    // The figures table of the introduction has borders like the tables of pages.
    let css = read(&site().join("public/static/css/content.css"));
    assert!(css.contains(".intro th, .intro td"), "{css}");
}

#[test]
fn items_name_their_type_only_where_a_list_mixes_types() {
    // Leadership profiles said "Səhifə" on each.
    let people = page("az/haqqimizda/rehberlik/index.html");
    assert!(!people.contains("class=\"type\""), "{people}");
    let news = page("az/xeberler/index.html");
    assert!(!news.contains("class=\"type\""));
    assert!(
        news.contains("<time datetime="),
        "news items keep their dates"
    );
    // The home page's newest items are news and announcements: named.
    let home = page("az/index.html");
    let latest = home.split("<section class=\"latest\">").nth(1).unwrap();
    let latest = latest.split("</section>").next().unwrap();
    assert!(
        latest.contains("<span class=\"type\">Xəbər</span>"),
        "{latest}"
    );
    assert!(
        latest.contains("<span class=\"type\">Elan</span>"),
        "{latest}"
    );
}

#[tokio::test]
async fn search_snippets_keep_table_cells_apart_and_say_where_they_are_cut() {
    let app = public_app();
    let (_, _, body) = get(&app, "/az/axtaris/?q=seminarlar+%C5%9F%C9%99h%C9%99r").await;
    let html = String::from_utf8(body).unwrap();
    let snippets = texts(&html, "p.snippet");
    assert!(!snippets.is_empty(), "{html}");
    let all = snippets.join("\n");
    // Was "Şəhər Tarix İştirakçılar Gəncə 10 mart 72".
    assert!(all.contains(" · "), "{all}");
    assert!(!all.contains("Şəhər Tarix"), "{all}");
    assert!(
        snippets
            .iter()
            .any(|s| s.ends_with('…') || s.starts_with('…')),
        "{snippets:?}"
    );
    // Results from one section of news do not say "Xəbərlər · Xəbər".
    let metas = texts(&html, "ol.items p.meta");
    if metas.iter().all(|meta| meta.starts_with("Xəbərlər")) {
        assert!(
            metas.iter().all(|meta| !meta.contains("Xəbər ·")),
            "{metas:?}"
        );
    }
}

#[tokio::test]
async fn the_language_switch_of_a_results_page_keeps_the_query() {
    let (_, _, body) = get(&public_app(), "/az/axtaris/?q=statistika&type=news").await;
    let html = String::from_utf8(body).unwrap();
    // Was a link to the empty /en/search/.
    assert!(
        html.contains("href=\"/en/search/?q=statistika\" hreflang=\"en\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"/text/az/axtaris/?q=statistika&amp;type=news\""),
        "the text-only switch keeps the whole search: {html}"
    );
    // The static page without a query links as before.
    let shell = page("az/axtaris/index.html");
    assert!(shell.contains("href=\"/en/search/\" hreflang=\"en\""));
}

#[test]
fn a_document_lists_each_file_once() {
    // The body's list and the automatic block both listed the PDF.
    let html = page("az/senedler/illik-hesabat-2025/index.html");
    assert_eq!(
        html.matches("href=\"/az/senedler/illik-hesabat-2025.pdf\"")
            .count(),
        1,
        "{html}"
    );
    // The file the text does not mention is still listed, in the block.
    assert_eq!(
        html.matches("href=\"/az/senedler/illik-hesabat-2025-elave.xlsx\"")
            .count(),
        1,
        "{html}"
    );
}

#[test]
fn the_footer_names_the_personal_data_page_once() {
    // Was both "Fərdi məlumatların qorunması" (a footer link) and "Şəxsi məlumatların
    // qorunması" (the D189 §10.1.8 notice).
    for (path, url) in [
        ("az/index.html", "/az/shexsi-melumatlar/"),
        ("en/news/index.html", "/en/personal-data/"),
    ] {
        let html = page(path);
        let footer = html.split("<footer").nth(1).unwrap();
        assert_eq!(
            footer.matches(&format!("href=\"{url}\"")).count(),
            1,
            "{path}: {footer}"
        );
    }
}

#[tokio::test]
async fn both_listeners_answer_favicon_ico() {
    let icon = std::fs::read(site().join("public/favicon.ico")).unwrap();
    assert!(icon.starts_with(&[0, 0, 1, 0]), "an ICO file");
    let (status, mime, body) = get(&public_app(), "/favicon.ico").await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/x-icon"));
    assert_eq!(body, icon);
    assert!(page("az/index.html").contains("<link rel=\"icon\" href=\"/static/favicon.ico\">"));

    let config = govsite::config::Config::load(site()).unwrap();
    let panel = govsite::admin::admin_router(govsite::admin::AdminState::new(
        &config,
        "127.0.0.1:9".parse().unwrap(),
    ));
    let (status, mime, body) = get(&panel, "/favicon.ico").await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/x-icon"));
    assert!(body.starts_with(&[0, 0, 1, 0]));
}

// Templates live in the database: a site imported before issue 16 keeps its error page, which
// printed `{{ status }}` ("404 Not Found"). It still renders after the upgrade, in one language.
#[test]
fn an_error_page_template_from_before_still_renders() {
    let (_temp, site) = common::fixture("basic");
    let template = site.join("themes/default/templates/error.html");
    let current = read(&template);
    let before = current.replace("{{ code }}</p>", "{{ status }}</p>");
    assert_ne!(before, current, "the template prints the code");
    std::fs::write(&template, before).unwrap();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let error = read(&site.join("public/az/404.html"));
    assert!(error.contains("Xətanın kodu: 404</p>"), "{error}");
}

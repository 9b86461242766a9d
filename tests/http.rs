//! The public server: files, 301 for slash-less folders and old addresses, 404 pages; and
//! `govsite serve` end to end on a real socket.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{fixture, ok};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

async fn get(app: &axum::Router, path: &str) -> (StatusCode, Option<String>, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[tokio::test]
async fn can_serve_the_published_site() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let state = govsite::http::PublicState::new(&govsite::config::Config::load(&site).unwrap());
    let app = govsite::http::public_router(state);

    let (status, _, body) = get(&app, "/az/xeberler/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Xəbərlər"));

    // `/` leads to the default language.
    let (status, location, _) = get(&app, "/").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::MOVED_PERMANENTLY, Some("/az/"))
    );

    // D189 §6.17: the slash-less form of a folder address redirects with 301.
    let (status, location, _) = get(&app, "/az/xeberler?x=1").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::MOVED_PERMANENTLY, Some("/az/xeberler/?x=1"))
    );

    let (status, _, body) = get(&app, "/az/haqqimizda/hesabat.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("%PDF"));

    // Missing pages get the language's 404 page with the 404 status.
    let (status, _, body) = get(&app, "/en/nothing-here/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"), "{body}");
    let (status, _, body) = get(&app, "/az/yoxdur/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Səhifə tapılmadı"));

    // Nothing outside public/ and no build bookkeeping is served.
    for path in ["/../site.toml", "/%2e%2e/site.toml"] {
        let (status, _, _) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // D189 §6.25: forbidden paths get the 403 page in the path's language.
    for path in ["/_redirects", "/en/.govsite-x"] {
        let (status, _, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(body.contains(": 403</p>"), "{body}");
    }
    let (_, _, body) = get(&app, "/en/.hidden").await;
    assert!(body.contains("Access forbidden"), "{body}");
}

#[tokio::test]
async fn can_redirect_old_addresses_after_a_rename() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    fs_rename(&site);
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let state = govsite::http::PublicState::new(&govsite::config::Config::load(&site).unwrap());
    let app = govsite::http::public_router(state);
    let (status, location, _) = get(&app, "/az/xeberler/ucuncu-xeber/").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::MOVED_PERMANENTLY, Some("/az/xeberler/ucuncu/"))
    );
    let (status, _, body) = get(&app, "/az/xeberler/ucuncu/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Üçüncü xəbər"));
}

/// Renames a page's file: same translation key, new slug.
fn fs_rename(site: &std::path::Path) {
    let dir = site.join("content/az/xeberler");
    std::fs::rename(dir.join("ucuncu-xeber.md"), dir.join("ucuncu.md")).unwrap();
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn can_serve_from_an_empty_data_folder_and_reuse_it() {
    let (_temp, site) = fixture("basic");
    for run in 0..2 {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govsite"))
            .args([
                "--site",
                site.to_str().unwrap(),
                "serve",
                "--public",
                &addr,
                "--admin",
                "127.0.0.1:0",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let response = loop {
            if let Ok(mut stream) = TcpStream::connect(&addr) {
                drop(stream.flush());
                break http_get(&addr, "/az/xeberler/birinci-xeber/");
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("Birinci xəbər"));
        if run == 0 {
            assert!(
                stdout.contains("importing"),
                "first start imports: {stdout}"
            );
        } else {
            assert!(
                !stdout.contains("importing"),
                "second start reuses the database: {stdout}"
            );
        }
        assert!(stdout.contains(&format!("http://{addr}/")), "{stdout}");
    }
    assert!(site.join("data/govsite.sqlite").is_file());
}

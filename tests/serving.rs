//! How the public server sends published files (issue 10): streamed from disk with `ETag` and
//! `Last-Modified` (304 to a conditional request), ranges (206), precompressed twins or
//! on-the-fly gzip/brotli for text only, the security headers on every kind of answer; and
//! `govsite serve` on real sockets: a large file streamed without holding it in memory, one log
//! line per request on both listeners (never a query string) and per build.

mod common;

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{fixture, ok};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// The `basic` fixture imported and built: (guard, site folder).
fn built_site() -> (tempfile::TempDir, PathBuf) {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    ok(&site, &["build", "--quiet"]);
    (temp, site)
}

fn public_app(site: &Path) -> axum::Router {
    let config = govsite::config::Config::load(site).unwrap();
    govsite::http::public_router(govsite::http::PublicState::new(&config))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map_or("", |value| value.to_str().unwrap())
    }
}

/// `GET path` (or another method) with extra request headers, on the public router.
async fn send(app: &axum::Router, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(builder.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: body.to_vec(),
    }
}

/// The headers of issue 9 item 10 are on every answer, 304 and 206 included.
fn assert_security_headers(what: &str, answer: &Answer) {
    let policy = answer.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{what}: {policy:?}"
    );
    assert_eq!(
        answer.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(answer.header(header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(
        answer.header(header::REFERRER_POLICY),
        "strict-origin-when-cross-origin",
        "{what}"
    );
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("not gzip");
    plain
}

#[tokio::test]
async fn can_answer_a_conditional_get_with_304() {
    let (_temp, site) = built_site();
    let app = public_app(&site);
    let page = fs::read(site.join("public/az/xeberler/index.html")).unwrap();

    let first = send(&app, "GET", "/az/xeberler/", &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, page);
    assert_eq!(
        first.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(first.header(header::CONTENT_LENGTH), page.len().to_string());
    assert_security_headers("200", &first);
    let etag = first.header(header::ETAG).to_string();
    assert!(etag.starts_with('"'), "a strong ETag: {etag:?}");
    let last_modified = first.header(header::LAST_MODIFIED).to_string();
    assert!(last_modified.ends_with(" GMT"), "{last_modified:?}");

    let again = send(&app, "GET", "/az/xeberler/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::ETAG), etag);
    assert_security_headers("304", &again);

    let since = send(
        &app,
        "GET",
        "/az/xeberler/",
        &[("if-modified-since", &last_modified)],
    )
    .await;
    assert_eq!(since.status, StatusCode::NOT_MODIFIED);

    // Another tag, or a file changed since: the whole file again.
    let other = send(&app, "GET", "/az/xeberler/", &[("if-none-match", "\"x\"")]).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.body, page);

    let head = send(&app, "HEAD", "/az/xeberler/", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header(header::ETAG), etag);
    assert_eq!(head.header(header::CONTENT_LENGTH), page.len().to_string());
    assert_security_headers("HEAD", &head);
}

#[tokio::test]
async fn can_answer_a_range_with_206() {
    let (_temp, site) = built_site();
    let app = public_app(&site);
    let pdf = fs::read(site.join("public/az/haqqimizda/hesabat.pdf")).unwrap();

    let part = send(
        &app,
        "GET",
        "/az/haqqimizda/hesabat.pdf",
        &[("range", "bytes=0-9")],
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, pdf[..10]);
    assert_eq!(
        part.header(header::CONTENT_RANGE),
        format!("bytes 0-9/{}", pdf.len())
    );
    assert_eq!(part.header(header::CONTENT_LENGTH), "10");
    assert_eq!(part.header(header::ACCEPT_RANGES), "bytes");
    assert_eq!(part.header(header::CONTENT_TYPE), "application/pdf");
    assert_security_headers("206", &part);

    // A range of a page is not compressed, even for a client that accepts gzip.
    let page = fs::read(site.join("public/az/index.html")).unwrap();
    let part = send(
        &app,
        "GET",
        "/az/",
        &[("range", "bytes=5-14"), ("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, page[5..15]);
    assert!(!part.headers.contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn can_compress_pages_stylesheets_and_feeds_but_not_images() {
    let (_temp, site) = built_site();
    let app = public_app(&site);
    let public = site.join("public");
    let page = fs::read(public.join("az/xeberler/index.html")).unwrap();

    let zipped = send(&app, "GET", "/az/xeberler/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.header(header::CONTENT_ENCODING), "gzip");
    assert!(zipped.header(header::VARY).contains("accept-encoding"));
    assert_eq!(
        zipped.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert!(zipped.body.len() < page.len());
    assert_eq!(gunzip(&zipped.body), page);
    assert_security_headers("gzip", &zipped);
    // Not the identity's tag: another representation of the file.
    assert!(zipped.header(header::ETAG).starts_with("W/\""));

    let brotli = send(
        &app,
        "GET",
        "/az/xeberler/",
        &[("accept-encoding", "br;q=1, gzip;q=0.5")],
    )
    .await;
    assert_eq!(brotli.header(header::CONTENT_ENCODING), "br");

    // Stylesheets and feeds too.
    let stylesheet = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(Result::unwrap)
        .find(|entry| {
            entry.path().extension().is_some_and(|ext| ext == "css")
                && entry.metadata().unwrap().len() > 1024
        })
        .expect("a stylesheet over 1 KB")
        .into_path();
    let stylesheet_url = format!(
        "/{}",
        stylesheet
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/")
    );
    for path in [stylesheet_url.as_str(), "/az/atom.xml", "/sitemap.xml"] {
        let answer = send(&app, "GET", path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.header(header::CONTENT_ENCODING), "gzip", "{path}");
        assert_eq!(
            gunzip(&answer.body),
            fs::read(public.join(path.trim_start_matches('/'))).unwrap(),
            "{path}"
        );
    }

    // Images (and PDFs) are compressed already: sent as they are.
    let mut picture = b"\x89PNG\r\n\x1a\n".to_vec();
    picture.extend(std::iter::repeat_n(b'a', 8192));
    fs::write(public.join("az/photo.png"), &picture).unwrap();
    for path in ["/az/photo.png", "/az/haqqimizda/hesabat.pdf"] {
        let answer = send(&app, "GET", path, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(
            !answer.headers.contains_key(header::CONTENT_ENCODING),
            "{path}"
        );
    }
    let answer = send(&app, "GET", "/az/photo.png", &[("accept-encoding", "gzip")]).await;
    assert_eq!(answer.body, picture);
}

#[tokio::test]
async fn can_send_a_precompressed_twin_but_only_from_inside_public() {
    let (_temp, site) = built_site();
    let app = public_app(&site);
    let folder = site.join("public/az/xeberler");
    let page = fs::read(folder.join("index.html")).unwrap();
    // A twin that says which it is, so the answer shows it was sent as it is.
    let mut twin = Vec::new();
    let mut encoder = flate2::write::GzEncoder::new(&mut twin, flate2::Compression::best());
    encoder.write_all(&page).unwrap();
    encoder.write_all(b"<!-- the twin -->").unwrap();
    encoder.finish().unwrap();
    fs::write(folder.join("index.html.gz"), &twin).unwrap();

    let answer = send(&app, "GET", "/az/xeberler/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(answer.body, twin);
    assert_eq!(
        answer.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_security_headers("twin", &answer);
    // Clients without gzip get the file itself.
    let plain = send(&app, "GET", "/az/xeberler/", &[]).await;
    assert_eq!(plain.body, page);

    // A twin that is a symlink (here to a file outside public/) is never followed.
    #[cfg(unix)]
    {
        let outside = site.join("outside.gz");
        let mut secret = Vec::new();
        let mut encoder = flate2::write::GzEncoder::new(&mut secret, flate2::Compression::fast());
        encoder.write_all(b"secret outside public").unwrap();
        encoder.finish().unwrap();
        fs::write(&outside, &secret).unwrap();
        let en = site.join("public/en/news");
        std::os::unix::fs::symlink(&outside, en.join("index.html.gz")).unwrap();
        let answer = send(&app, "GET", "/en/news/", &[("accept-encoding", "gzip")]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_ne!(answer.body, secret);
        assert_eq!(
            gunzip(&answer.body),
            fs::read(en.join("index.html")).unwrap()
        );
    }
}

// ---------------------------------------------------------------- `govsite serve` itself

/// `govsite serve` on a free public port and any admin port, its output in files.
struct Served {
    child: Child,
    public: String,
    admin: String,
    stderr: PathBuf,
}

impl Served {
    fn start(site: &Path, logs: &Path) -> Served {
        let public = format!(
            "127.0.0.1:{}",
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        );
        let stdout = logs.join("serve.out");
        let stderr = logs.join("serve.err");
        let child = Command::new(env!("CARGO_BIN_EXE_govsite"))
            .args([
                "--site",
                site.to_str().unwrap(),
                "serve",
                "--public",
                &public,
            ])
            .args(["--admin", "127.0.0.1:0"])
            .env("USER", "tester")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut served = Served {
            child,
            public,
            admin: String::new(),
            stderr,
        };
        let started = Instant::now();
        loop {
            let out = fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(admin) = out.lines().find_map(|line| {
                line.strip_prefix("serve: admin panel at http://")
                    .map(|rest| rest.trim_end_matches('/').to_string())
            }) && TcpStream::connect(&served.public).is_ok()
            {
                served.admin = admin;
                return served;
            }
            if let Ok(Some(status)) = served.child.try_wait() {
                panic!("serve exited with {status}: {out}\n{}", served.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "serve did not start: {out}\n{}",
                served.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// The server's resident memory in KiB.
    fn resident_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc")
    }

    /// Waits until the log has a line containing every one of `parts`, and returns it.
    fn log_line(&self, parts: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let log = self.log();
            if let Some(line) = log
                .lines()
                .find(|line| parts.iter().all(|part| line.contains(part)))
            {
                return line.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no log line with {parts:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET target` on a socket: (status line and headers, body).
fn get_on_socket(addr: &str, target: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("a complete head");
    (
        String::from_utf8_lossy(&response[..end]).into_owned(),
        response[end + 4..].to_vec(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn serve_streams_a_large_file_and_logs_every_request_without_its_query() {
    let (temp, site) = built_site();
    // 48 MiB that are not all alike, so a wrong offset shows.
    let size = 48 * 1024 * 1024;
    let big: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    fs::write(site.join("public/az/big.bin"), &big).unwrap();
    let served = Served::start(&site, temp.path());
    // Every build is logged, the one at the start too.
    served.log_line(&["publish", "written=", "plan="]);

    // Half a megabyte taken, the rest left waiting: the server must not hold the whole file.
    let _ = get_on_socket(&served.public, "/az/");
    let before = served.resident_kib();
    let mut stream = TcpStream::connect(&served.public).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /az/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut received = vec![0_u8; 512 * 1024];
    stream.read_exact(&mut received).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let during = served.resident_kib();
    assert!(
        during < before + 16 * 1024,
        "the server's memory grew from {before} KiB to {during} KiB while sending a {} MiB file",
        size / 1024 / 1024
    );
    stream.read_to_end(&mut received).unwrap();
    let end = received
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap();
    let head = String::from_utf8_lossy(&received[..end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-length: {size}")),
        "{head}"
    );
    assert!(received[end + 4..] == big[..], "the file arrives whole");
    served.log_line(&[
        "listener=public",
        "method=GET",
        "path=/az/big.bin",
        "status=200",
    ]);

    // One line per request on each listener; the query string is never logged.
    let (head, _) = get_on_socket(&served.public, "/az/xeberler/?ref=reader-secret-77");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let (head, _) = get_on_socket(&served.public, "/az/nothing-here/");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (head, _) = get_on_socket(&served.admin, "/login?next=editor-secret-42");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let public_line = served.log_line(&["listener=public", "path=/az/xeberler/", "status=200"]);
    assert!(public_line.contains("ms="), "{public_line}");
    served.log_line(&["listener=public", "path=/az/nothing-here/", "status=404"]);
    let admin_line =
        served.log_line(&["listener=admin", "method=GET", "path=/login", "status=200"]);
    assert!(admin_line.contains("ms="), "{admin_line}");
    let log = served.log();
    for secret in ["reader-secret-77", "editor-secret-42"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    assert_eq!(
        log.lines()
            .filter(|line| line.contains("path=/az/big.bin"))
            .count(),
        1,
        "{log}"
    );
}

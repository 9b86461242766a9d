//! The demo site in a real browser: Debian's Chromium driven by npm `playwright-core` through the
//! node scripts in `tests/browser/`, each printing one JSON object. `pages.mjs` loads every sample
//! page once per width for the width, axe-core and blocking checks (one test each reads its part
//! of that report); `no_js.mjs` loads pages with scripts off. One `govsite serve` of a fresh
//! build of the demo site is shared by the tests that run at the same time and killed after the
//! last of them, even when one fails. Screenshots go to `target/screenshots/`.
//!
//! Needs `/usr/bin/chromium` (or `CHROMIUM`), `node` and `npm ci` in the repository root. Without
//! them a test prints `skipped: …` and passes, except under `CI=true`, where it fails naming
//! what to install (`.ci/run` installs all of it).
mod common;

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use common::repo;

// ---------------------------------------------------------------------------------------------
// Tools

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// What is missing to run the browser tests (`npm_files`: files under `node_modules/` a script
/// loads), each with how to install it.
fn missing_tools(npm_files: &[&str]) -> Vec<String> {
    let mut missing = Vec::new();
    let chromium = chromium();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (install Debian's `chromium`: apt-get install chromium)",
            chromium.display()
        ));
    }
    if !runs("node", "--version") {
        missing.push(
            "node (install Debian's `nodejs` and `npm`: apt-get install nodejs npm)".to_string(),
        );
    }
    for file in npm_files {
        if !repo().join("node_modules").join(file).is_file() {
            missing.push(format!(
                "node_modules/{file} (run `npm ci` in {})",
                repo().display()
            ));
        }
    }
    missing
}

/// True when the test must stop here: prints `skipped: …`, or fails under `CI=true`.
fn skip_without(missing: &[String]) -> bool {
    if missing.is_empty() {
        return false;
    }
    let reason = format!("missing {}", missing.join("; "));
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("the browser tests cannot run on CI: {reason}");
    }
    println!("skipped: {reason}");
    true
}

// ---------------------------------------------------------------------------------------------
// The demo site, built and served

struct Server {
    child: Child,
    base: String,
    site: PathBuf,
    log: PathBuf,
    _temp: TempDir,
}

impl Server {
    fn start() -> Server {
        let started = Instant::now();
        let (temp, site) = common::demo_site();
        common::ok(&site, &["import"]);
        common::ok(&site, &["build", "--quiet"]);
        let addr = format!(
            "127.0.0.1:{}",
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        );
        let log = temp.path().join("serve.log");
        let out = fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_govsite"))
            .args([
                "--site",
                site.to_str().unwrap(),
                "serve",
                "--public",
                &addr,
                "--admin",
                "127.0.0.1:0",
            ])
            .env("USER", "tester")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("cannot start govsite serve");
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            site,
            log,
            _temp: temp,
        };
        loop {
            if TcpStream::connect(&addr).is_ok() {
                break;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "govsite serve exited with {status}:\n{}",
                    fs::read_to_string(&server.log).unwrap_or_default()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "govsite serve did not answer on {addr} within 60 s:\n{}",
                fs::read_to_string(&server.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!(
            "demo site built and served at {} in {:.1} s",
            server.base,
            started.elapsed().as_secs_f64()
        );
        server
    }

    /// The last lines of its log, indented.
    fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..]
            .iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn public(&self) -> PathBuf {
        self.site.join("public")
    }

    /// Whether `GET path` answers 200 (for pages the build may not have yet, and dynamic ones).
    fn answers_ok(&self, path: &str) -> bool {
        let addr = self.base.trim_start_matches("http://");
        let Ok(mut stream) = TcpStream::connect(addr) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut head = [0_u8; 12];
        stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static SHARED: Mutex<Weak<Server>> = Mutex::new(Weak::new());

/// The running demo site, started if no test holds it.
fn server() -> Arc<Server> {
    let mut slot = SHARED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(server) = slot.upgrade() {
        return server;
    }
    let server = Arc::new(Server::start());
    *slot = Arc::downgrade(&server);
    server
}

/// The news item used for the README screenshots and as the sample news item.
const NEWS_ITEM: &str = "/az/xeberler/doqquz-ayin-statistikasi/";

/// A page of every type; each must exist in the demo site.
const SAMPLE: &[&str] = &[
    "/az/",                                               // home
    "/az/xeberler/",                                      // news list, page 1
    "/az/xeberler/sehife/2/",                             // news list, later page
    NEWS_ITEM,                                            // news item (table, image)
    "/az/elanlar/planli-texniki-isler/",                  // announcement with validity
    "/az/senedler/",                                      // documents list
    "/az/senedler/illik-hesabat-2025/",                   // document with PDF/XLSX attached
    "/az/haqqimizda/",                                    // section with subsections
    "/az/haqqimizda/rehberlik/",                          // people list
    "/az/qanunvericilik/aciq-melumatlar-haqqinda-qanun/", // legal act
    "/az/e-xidmetler/melumat-desti-sorgusu/",             // e-service (table)
    "/az/404.html",                                       // error page
    "/en/",                                               // English home
    "/en/news/page/2/",                                   // English list, later page
    "/en/news/nine-month-statistics/",                    // English news item
];

/// Pages of types that are being added: sampled when the build has them.
const OPTIONAL: &[&str] = &[
    "/az/sayt-xeritesi/", // HTML site map
    "/text/az/",          // text-only version (D189 §6.3.4)
    "/text/en/news/",
    "/text/az/xeberler/doqquz-ayin-statistikasi/",
    "/az/axtaris/?q=a%C3%A7%C4%B1q+m%C9%99lumat", // search results, «açıq məlumat» (D189 §4.10)
];

/// The pages loaded without JavaScript: one of each layout (those of `OPTIONAL` when built).
const NO_JS_SAMPLE: &[&str] = &[
    "/az/",
    "/az/xeberler/",
    NEWS_ITEM,
    "/az/senedler/illik-hesabat-2025/",
    "/az/404.html",
    "/en/",
    "/text/az/",
    "/text/en/news/",
];

fn file_of(public: &Path, url: &str) -> PathBuf {
    let relative = url.trim_start_matches('/');
    if url.ends_with('/') {
        public.join(relative).join("index.html")
    } else {
        public.join(relative)
    }
}

fn sample(server: &Server) -> Vec<String> {
    let public = server.public();
    let missing: Vec<&str> = SAMPLE
        .iter()
        .copied()
        .filter(|url| !file_of(&public, url).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "sample pages missing from the demo site's public/ (update SAMPLE in tests/browser.rs if they moved): {missing:?}"
    );
    SAMPLE
        .iter()
        .chain(OPTIONAL.iter().filter(|url| server.answers_ok(url)))
        .map(|url| (*url).to_string())
        .collect()
}

/// `target/screenshots/` (next to `target/tmp/`, so it follows CARGO_TARGET_DIR).
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots")
}

// ---------------------------------------------------------------------------------------------
// Running a script

/// Runs `node tests/browser/SCRIPT JSON` and returns its JSON report, or why it could not run
/// its checks at all (including taking longer than `limit`).
fn node(script: &str, input: &Value, limit: Duration) -> Result<Value, String> {
    let started = Instant::now();
    let mut child = Command::new("node")
        .arg(repo().join("tests/browser").join(script))
        .arg(input.to_string())
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run node");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            // Ends node; Chromium, its child, closes with the pipe.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    let Some(status) = status else {
        return Err(format!(
            "{script} did not finish within {} s\nstdout:\n{stdout}\nstderr:\n{stderr}",
            limit.as_secs()
        ));
    };
    let Some(report) = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
    else {
        return Err(format!(
            "{script} printed no JSON report ({status})\nstdout:\n{stdout}\nstderr:\n{stderr}"
        ));
    };
    if let Some(fatal) = report.get("fatal").and_then(Value::as_str) {
        return Err(format!(
            "{script} could not run its checks: {fatal}\nstderr:\n{stderr}"
        ));
    }
    eprintln!(
        "{script}: {:.1} s ({} ms in node)",
        started.elapsed().as_secs_f64(),
        report["ms"]
    );
    Ok(report)
}

fn messages(report: &Value, key: &str) -> Vec<String> {
    report[key].as_array().map_or_else(Vec::new, |items| {
        items
            .iter()
            .map(|item| {
                item["message"]
                    .as_str()
                    .map_or_else(|| item.to_string(), str::to_string)
            })
            .collect()
    })
}

/// Fails listing the report's problems (numbered) and the end of the server's log, after
/// printing its notes.
fn assert_no_problems(report: &Value, what: &str, log: &str) {
    let notes = messages(report, "notes");
    if !notes.is_empty() {
        eprintln!(
            "{what}: {} notes (not failures):\n  {}",
            notes.len(),
            notes.join("\n  ")
        );
    }
    let problems = messages(report, "problems");
    if problems.is_empty() {
        return;
    }
    panic!(
        "{what}: {} problems:\n{}\n\nthe end of `govsite serve`'s log:\n{log}",
        problems.len(),
        problems
            .iter()
            .enumerate()
            .map(|(index, problem)| format!("  {}. {problem}", index + 1))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The main menu's `aria-label` of each language, from the site's UI strings.
fn menu_labels(site: &Path) -> Value {
    let mut labels = serde_json::Map::new();
    for entry in fs::read_dir(site.join("i18n")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let table: toml::Table = toml::from_str(&common::read(&path)).unwrap();
            if let Some(label) = table.get("main_menu").and_then(|value| value.as_str()) {
                labels.insert(
                    path.file_stem().unwrap().to_string_lossy().into_owned(),
                    Value::from(label),
                );
            }
        }
    }
    Value::Object(labels)
}

// ---------------------------------------------------------------------------------------------
// The checks of pages as shown, run once for the tests that read them

/// What `pages.mjs` loads from `node_modules/`.
const PAGE_CHECK_FILES: &[&str] = &["playwright-core/package.json", "axe-core/axe.min.js"];

/// The report of `pages.mjs` and the end of the server's log then, or why it could not run.
type PageChecks = Arc<Result<(Value, String), String>>;

static PAGE_CHECKS: Mutex<Option<PageChecks>> = Mutex::new(None);

/// The report of `pages.mjs` (width, axe-core and blocking checks in one pass over the sample
/// pages of the demo site): run by the first test that asks, read by the others, which wait.
fn page_checks() -> PageChecks {
    let mut slot = PAGE_CHECKS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(report) = slot.as_ref() {
        return Arc::clone(report);
    }
    let server = server();
    let dir = screenshots();
    let mut readme =
        vec![serde_json::json!({ "path": NEWS_ITEM, "file": dir.join("readme-az.png") })];
    let text_twin = format!("/text{NEWS_ITEM}");
    if file_of(&server.public(), &text_twin).is_file() {
        readme
            .push(serde_json::json!({ "path": text_twin, "file": dir.join("readme-text-az.png") }));
    }
    let input = serde_json::json!({
        "base": server.base, "pages": sample(&server), "height": 800,
        "widths": [320, 768, 1366], "axe_widths": [320, 1366], "blocking_width": 1366,
        "screenshots": dir, "readme": readme,
    });
    let report = Arc::new(
        node("pages.mjs", &input, Duration::from_secs(400))
            .map(|report| (report, server.log_tail())),
    );
    *slot = Some(Arc::clone(&report));
    report
}

/// One part of the page checks' report, and the server's log.
fn page_report(part: &str) -> (Value, String) {
    match page_checks().as_ref() {
        Ok((report, log)) => (report[part].clone(), log.clone()),
        Err(error) => panic!("{error}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The tests (`can_browse…` sorts first, so that with cargo's two test threads it runs beside the
// one that starts `pages.mjs`, which the others then wait for)

// D189 §6.3.3, §7.3.3: one responsive, mobile-first layout, no horizontal scrolling from 320 px
// wide up to a maximised desktop window. Also writes the screenshots under target/screenshots/.
#[test]
fn can_read_every_page_type_from_320_px_to_desktop_width_without_scrolling_sideways() {
    if skip_without(&missing_tools(PAGE_CHECK_FILES)) {
        return;
    }
    let (report, log) = page_report("width");
    if let Some(scrolled) = report["scrolled"]
        .as_array()
        .filter(|items| !items.is_empty())
    {
        eprintln!(
            "content wider than the viewport inside its own horizontal scroll container (allowed):"
        );
        for item in scrolled {
            eprintln!(
                "  {} at {} px: {} (content to {} px)",
                item["page"], item["width"], item["container"], item["right"]
            );
        }
    }
    eprintln!("screenshots in {}", screenshots().display());
    assert_no_problems(
        &report,
        &format!(
            "horizontal overflow (D189 §6.3.3, §7.3.3; screenshots in {})",
            screenshots().display()
        ),
        &log,
    );
}

// The accessibility clause (WCAG 2 A/AA, checked by axe-core) and D189 §6.3.14 (pages
// display correctly in widely used browsers): axe-core finds no serious or critical violation.
#[test]
fn can_pass_axe_core_without_serious_or_critical_violations() {
    if skip_without(&missing_tools(PAGE_CHECK_FILES)) {
        return;
    }
    let (report, log) = page_report("axe");
    eprintln!("axe-core {}", report["version"]);
    assert_no_problems(&report, "axe-core serious/critical violations", &log);
}

// D189 §6.20: nothing blocks right-click, copying, selecting text or zooming.
#[test]
fn can_right_click_copy_select_and_zoom_on_every_page_type() {
    if skip_without(&missing_tools(PAGE_CHECK_FILES)) {
        return;
    }
    let (report, log) = page_report("blocking");
    assert_no_problems(
        &report,
        "blocked right-click/copy/selection/zoom (D189 §6.20)",
        &log,
    );
}

// D189 §6.3.14 (pages open and display correctly in widely used browsers, which includes one with
// scripts off), §6.19 (real links): the site works fully with JavaScript off: menu, links and
// content are all there and the same as with scripts on.
#[test]
fn can_browse_the_site_with_javascript_off() {
    if skip_without(&missing_tools(&["playwright-core/package.json"])) {
        return;
    }
    let server = server();
    // Loading every page twice (scripts off and on) at two widths is slow: one page of each
    // layout is enough here.
    let pages: Vec<String> = sample(&server)
        .into_iter()
        .filter(|url| NO_JS_SAMPLE.contains(&url.as_str()))
        .collect();
    let report = node(
        "no_js.mjs",
        &serde_json::json!({ "base": server.base, "pages": pages, "menu_labels": menu_labels(&server.site) }),
        Duration::from_secs(240),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert_no_problems(&report, "pages without JavaScript", &server.log_tail());
}

// Issue 16, D189 §6.3.3: on a 320 × 568 px phone the header takes at most 40 % of the first
// screen, the main content starts within it, and the menu button opens the main menu and the
// search box without JavaScript. Writes `target/screenshots/readme-phone-az.png`.
#[test]
fn can_start_reading_on_a_phone_and_open_the_menu_without_javascript() {
    if skip_without(&missing_tools(&["playwright-core/package.json"])) {
        return;
    }
    let server = server();
    let pages: Vec<String> = sample(&server)
        .into_iter()
        .filter(|url| PHONE_SAMPLE.contains(&url.as_str()))
        .collect();
    assert_eq!(pages.len(), PHONE_SAMPLE.len(), "{pages:?}");
    let report = node(
        "phone.mjs",
        &serde_json::json!({
            "base": server.base, "pages": pages, "menu_labels": menu_labels(&server.site),
            "screenshot": screenshots().join("readme-phone-az.png"),
        }),
        Duration::from_secs(240),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    eprintln!("header bottom and main top, px: {}", report["measured"]);
    assert_no_problems(
        &report,
        "the site on a phone (issue 16)",
        &server.log_tail(),
    );
}

/// The pages checked at a phone's size: the home page first (its screenshot is README's).
const PHONE_SAMPLE: &[&str] = &["/az/", NEWS_ITEM, "/az/xeberler/", "/en/", "/az/404.html"];

// ---------------------------------------------------------------------------------------------
// The admin panel (issue "Web admin panel"; D189 §6.4–6.5, §6.4.3, §10.1.3)

/// `(admin panel URL, one-time password)` from the log of a freshly started `serve`.
fn admin_login(server: &Server) -> (String, String) {
    let started = Instant::now();
    loop {
        let log = fs::read_to_string(&server.log).unwrap_or_default();
        let admin = log
            .lines()
            .find_map(|line| line.strip_prefix("serve: admin panel at "))
            .map(|url| url.trim().trim_end_matches('/').to_string());
        let password = log
            .lines()
            .find_map(|line| line.split_once("one-time password: "))
            .map(|(_, password)| password.trim().to_string());
        if let (Some(admin), Some(password)) = (admin, password) {
            return (admin, password);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve printed no admin address or one-time password:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// The browser flow in real Chromium: sign in with the one-time password and change it,
// create a content manager and a moderator; the content manager is refused user management
// (403), writes an Azerbaijani news item whose misspelling the live preview marks, adds its
// English translation and submits both for review; the moderator publishes them; both are on
// the public site and found by its search. Its own server: it changes the site.
#[test]
fn can_write_review_and_publish_through_the_admin_panel() {
    if skip_without(&missing_tools(&["playwright-core/package.json"])) {
        return;
    }
    let server = Server::start();
    let (admin, password) = admin_login(&server);
    let shots = screenshots();
    fs::create_dir_all(&shots).unwrap();
    let report = node(
        "admin.mjs",
        &serde_json::json!({ "base": server.base, "admin": admin, "password": password, "shots": shots }),
        Duration::from_secs(240),
    )
    .unwrap_or_else(|error| panic!("{error}\n{}", server.log_tail()));
    for step in report["steps"].as_array().into_iter().flatten() {
        eprintln!("  {}", step.as_str().unwrap_or_default());
    }
    assert_no_problems(&report, "the admin panel flow", &server.log_tail());
}

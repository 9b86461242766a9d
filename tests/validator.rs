//! D189 §6.3.5 (W3C standards): every page of the built demo site passes the W3C Nu HTML
//! checker (npm `vnu-jar`, run with Java) with zero errors; its CSS and SVG files too.
//!
//! Needs `java` and `npm ci` in the repository root. Without them the test prints
//! `skipped: …` and passes, except under `CI=true`, where it fails naming what to install.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use common::repo;

/// At most this many errors are listed in a failure.
const SHOWN: usize = 30;

fn vnu_jar() -> PathBuf {
    repo().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

/// True when the test must stop here: prints `skipped: …`, or fails under `CI=true`.
fn skip_without_tools() -> bool {
    let mut missing = Vec::new();
    let java = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !java.is_ok_and(|status| status.success()) {
        missing.push(
            "java (install Debian's `default-jre-headless`: apt-get install default-jre-headless)"
                .to_string(),
        );
    }
    if !vnu_jar().is_file() {
        missing.push(format!(
            "node_modules/vnu-jar/build/dist/vnu.jar (run `npm ci` in {})",
            repo().display()
        ));
    }
    if missing.is_empty() {
        return false;
    }
    let reason = format!("missing {}", missing.join("; "));
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!("the validator test cannot run on CI: {reason}");
    }
    println!("skipped: {reason}");
    true
}

/// Starts `java -jar vnu.jar --errors-only --format json --stdout FLAGS… PATHS…` on a thread.
fn vnu(flags: &[&str], paths: &[PathBuf]) -> std::thread::JoinHandle<std::process::Output> {
    let mut command = Command::new("java");
    command
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "json", "--stdout"])
        .args(flags)
        .args(paths)
        .stdin(Stdio::null());
    std::thread::spawn(move || command.output().expect("cannot run java"))
}

/// `file:/tmp/…/public/az/index.html` → `az/index.html`.
fn relative(url: &str, public: &Path) -> String {
    let path = url.strip_prefix("file:").unwrap_or(url);
    let path = path.trim_start_matches("//");
    let public = public.to_string_lossy();
    let public = public.trim_start_matches('/');
    path.trim_start_matches('/')
        .strip_prefix(public)
        .map_or(path, |rest| rest.trim_start_matches('/'))
        .to_string()
}

// D189 §6.3.5: the public pages comply with W3C standards (HTML, CSS and SVG as the W3C Nu
// checker reads them), checked over the whole built public/ of the demo site in one go (vnu is
// slow to start, so never page by page).
#[test]
fn can_pass_the_w3c_nu_validator_on_every_page_of_the_demo_site() {
    if skip_without_tools() {
        return;
    }
    let (_temp, site) = common::demo_site();
    common::ok(&site, &["import"]);
    common::ok(&site, &["build", "--quiet"]);
    let public = site.join("public");
    let pages = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "html"))
        .count();
    assert!(
        pages > 0,
        "the demo site built no HTML pages into {}",
        public.display()
    );

    // Two checks at once, in two JVMs: HTML (and SVG) over the folder, and its CSS files named
    // one by one with `--css`. vnu 26.9.27 reports every HTML line one too low with
    // `--also-check-css`, and every CSS line one too high with `--skip-non-css`.
    let css_files: Vec<PathBuf> = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_type().is_file() && entry.path().extension().is_some_and(|ext| ext == "css")
        })
        .map(|entry| entry.into_path())
        .collect();
    let started = Instant::now();
    let html = vnu(
        &["--skip-non-html", "--also-check-svg"],
        std::slice::from_ref(&public),
    );
    let css = (!css_files.is_empty()).then(|| vnu(&["--css"], &css_files));
    let mut runs = vec![("HTML", html.join().unwrap())];
    if let Some(css) = css {
        runs.push(("CSS", css.join().unwrap()));
    }
    eprintln!(
        "vnu checked {pages} pages, their SVG and {} CSS files in {:.1} s",
        css_files.len(),
        started.elapsed().as_secs_f64()
    );
    let mut messages = Vec::new();
    let mut version = String::new();
    for (what, output) in runs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
            panic!("vnu ({what}) printed no JSON report ({error}; exit {:?})\nstdout:\n{stdout}\nstderr:\n{stderr}", output.status.code())
        });
        let found = report["messages"].as_array().cloned().unwrap_or_default();
        assert!(
            output.status.success() || !found.is_empty(),
            "vnu ({what}) failed with {:?} and reported nothing:\n{stderr}",
            output.status.code()
        );
        version = report["version"].as_str().unwrap_or("?").to_string();
        messages.extend(found);
    }
    // `--errors-only` keeps errors and "non-document-error"s (a file vnu could not read).
    let errors: Vec<String> = messages
        .iter()
        .filter(|message| message["type"] != "info")
        .map(|message| {
            let file = relative(message["url"].as_str().unwrap_or("?"), &public);
            let line = message["firstLine"]
                .as_u64()
                .or_else(|| message["lastLine"].as_u64())
                .map_or_else(String::new, |line| format!(":{line}"));
            let column = message["firstColumn"]
                .as_u64()
                .or_else(|| message["lastColumn"].as_u64())
                .map_or_else(String::new, |column| format!(":{column}"));
            let kind = match message["subType"].as_str() {
                Some(sub) => format!("{} {sub}", message["type"].as_str().unwrap_or("?")),
                None => message["type"].as_str().unwrap_or("?").to_string(),
            };
            let extract = message["extract"]
                .as_str()
                .map_or_else(String::new, |text| {
                    format!("\n       «{}»", text.replace('\n', "⏎"))
                });
            format!(
                "{file}{line}{column} [{kind}] {}{extract}",
                message["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "the W3C Nu validator (vnu {version}) reports {} errors in {}{}:\n{}",
        errors.len(),
        public.display(),
        if errors.len() > SHOWN {
            format!(" (first {SHOWN} shown)")
        } else {
            String::new()
        },
        errors
            .iter()
            .take(SHOWN)
            .enumerate()
            .map(|(index, error)| format!("  {}. {error}", index + 1))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// D189 §6.3.5 for the admin panel too (D189 §6.4.7: a web interface): every screen of the panel,
// rendered for an administrator over the demo site, passes the Nu checker.
#[tokio::test(flavor = "multi_thread")]
async fn can_pass_the_w3c_nu_validator_on_every_screen_of_the_admin_panel() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    if skip_without_tools() {
        return;
    }
    let (temp, site) = common::demo_site();
    common::ok(&site, &["import"]);
    common::ok(&site, &["build", "--quiet"]);
    let config = govsite::config::Config::load(&site).unwrap();
    {
        let mut store =
            govsite::store::Store::open(&config.database_path(), &config.domain, config.utc_offset)
                .unwrap();
        let hash = govsite::admin::auth::hash_password("Bahar-Yağışı-7-Quba").unwrap();
        store
            .create_user(
                "tester",
                "administrator",
                &hash,
                false,
                &govsite::store::Actor("os:tester".into()),
            )
            .unwrap();
    }
    let app = govsite::admin::admin_router(govsite::admin::AdminState::new(
        &config,
        "127.0.0.1:8081".parse().unwrap(),
    ));
    let fetch = |request: Request<Body>| {
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let cookie = response
                .headers()
                .get(header::SET_COOKIE)
                .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, cookie, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (_, _, login_page) = fetch(Request::get("/login").body(Body::empty()).unwrap()).await;
    let (_, cookie, _) = fetch(
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "name=tester&password=Bahar-Ya%C4%9F%C4%B1%C5%9F%C4%B1-7-Quba",
            ))
            .unwrap(),
    )
    .await;
    let cookie = cookie.expect("the login set no cookie");
    let page_id =
        govsite::store::Store::open(&config.database_path(), &config.domain, config.utc_offset)
            .unwrap()
            .page_id("az", "news/nine-month-statistics")
            .unwrap();
    let screens = [
        "/".to_string(),
        "/pages".into(),
        "/pages/new".into(),
        format!("/pages/new?translation_of={page_id}&lang=en"),
        format!("/pages/{page_id}"),
        format!("/pages/{page_id}/revisions"),
        format!("/pages/{page_id}/revisions/1"),
        "/sections".into(),
        "/menus".into(),
        "/media".into(),
        "/templates".into(),
        "/templates/page.html".into(),
        "/strings".into(),
        "/users".into(),
        "/users/1".into(),
        "/groups".into(),
        "/journal".into(),
        "/password".into(),
    ];
    let folder = temp.path().join("panel");
    std::fs::create_dir_all(&folder).unwrap();
    let mut files = vec![folder.join("login.html")];
    std::fs::write(&files[0], login_page).unwrap();
    for (n, screen) in screens.iter().enumerate() {
        let (status, _, html) = fetch(
            Request::get(screen.as_str())
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "GET {screen}");
        let file = folder.join(format!("screen-{n}.html"));
        std::fs::write(&file, html).unwrap();
        files.push(file);
    }
    let output = vnu(&[], &files).join().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "vnu printed no JSON report ({error}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let errors: Vec<String> = report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let file = m["url"].as_str().unwrap_or_default();
            let index = files
                .iter()
                .position(|f| file.ends_with(&*f.file_name().unwrap().to_string_lossy()))
                .map_or("?".to_string(), |i| {
                    if i == 0 {
                        "/login".to_string()
                    } else {
                        screens[i - 1].clone()
                    }
                });
            format!(
                "{index}:{}: {}",
                m["lastLine"],
                m["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "the Nu checker reports {} errors on the admin panel:\n{}",
        errors.len(),
        errors
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

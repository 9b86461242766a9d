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

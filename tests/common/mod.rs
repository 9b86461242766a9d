//! Shared test helpers: fixture sites in temporary folders and running the `govsite` binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The repository root, where the demo site lives.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of `tests/fixtures/NAME` with the repository's theme and UI strings, in a temporary
/// folder: (guard, site folder).
pub fn fixture(name: &str) -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    copy_dir(&repo().join("tests/fixtures").join(name), &site);
    if !site.join("themes").exists() {
        copy_dir(&repo().join("themes"), &site.join("themes"));
    }
    if !site.join("i18n").exists() {
        copy_dir(&repo().join("i18n"), &site.join("i18n"));
    }
    (temp, site)
}

/// A copy of the demo site (site.toml, content, themes, i18n) in a temporary folder.
pub fn demo_site() -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    fs::create_dir_all(&site).unwrap();
    fs::copy(repo().join("site.toml"), site.join("site.toml")).unwrap();
    for folder in ["content", "themes", "i18n"] {
        copy_dir(&repo().join(folder), &site.join(folder));
    }
    (temp, site)
}

/// Runs `govsite --site SITE ARGS…`.
pub fn govsite(site: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsite"))
        .arg("--site")
        .arg(site)
        .args(args)
        .env("USER", "tester")
        .output()
        .expect("failed to run govsite")
}

/// Runs govsite and insists on success; returns stdout.
pub fn ok(site: &Path, args: &[&str]) -> String {
    let output = govsite(site, args);
    assert!(
        output.status.success(),
        "govsite {args:?} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs govsite and insists on failure with `code`; returns stderr.
pub fn fails(site: &Path, args: &[&str], code: i32) -> String {
    let output = govsite(site, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "govsite {args:?}: expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Every file under a folder with its bytes, by relative path.
pub fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, fs::read(entry.path()).unwrap())
        })
        .collect()
}

/// Asserts two trees hold the same files with the same bytes, naming the first differences.
pub fn assert_same_tree(expected: &Path, actual: &Path) {
    let expected_tree = tree(expected);
    let actual_tree = tree(actual);
    let mut problems = Vec::new();
    for (path, bytes) in &expected_tree {
        match actual_tree.get(path) {
            None => problems.push(format!("missing: {path}")),
            Some(other) if other != bytes => problems.push(format!(
                "differs: {path}\n--- expected\n{}\n--- actual\n{}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(other)
            )),
            _ => {}
        }
    }
    for path in actual_tree.keys() {
        if !expected_tree.contains_key(path) {
            problems.push(format!("extra: {path}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} vs {}:\n{}",
        expected.display(),
        actual.display(),
        problems
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

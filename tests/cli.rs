//! The command line's contract: help on every command, exit codes 0/1/2, clear messages.

mod common;

use common::{fails, fixture, govsite, ok};

#[test]
fn can_show_help_for_every_command() {
    let (_temp, site) = fixture("basic");
    for command in ["import", "export", "build", "serve", "check"] {
        let output = govsite(&site, &[command, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{command} --help");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage: govsite"),
            "{command}"
        );
    }
}

#[test]
fn errors_with_code_1_on_bad_arguments() {
    let (_temp, site) = fixture("basic");
    let stderr = fails(&site, &["biuld"], 1);
    assert!(stderr.contains("biuld"), "{stderr}");
    fails(&site, &["export"], 1);
    let stderr = fails(&site, &["serve", "--public", "localhost"], 1);
    assert!(stderr.contains("--public localhost"), "{stderr}");
}

#[test]
fn errors_with_code_1_on_bad_site_toml() {
    let (_temp, site) = fixture("basic");
    let path = site.join("site.toml");
    std::fs::write(
        &path,
        common::read(&path).replace(
            "languages = [\"az\", \"en\"]",
            "languages = [\"en\", \"az\"]",
        ),
    )
    .unwrap();
    let stderr = fails(&site, &["check"], 1);
    assert!(stderr.contains("D189 §3.1"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let stderr = fails(empty.path(), &["build"], 1);
    assert!(stderr.contains("site.toml"), "{stderr}");
    assert!(stderr.contains("--site DIR"), "{stderr}");
}

#[test]
fn can_check_a_valid_site_without_writing() {
    let (_temp, site) = fixture("basic");
    let output = ok(&site, &["check"]);
    assert!(output.contains("valid"), "{output}");
    assert!(!site.join("data").exists(), "check writes nothing");
    assert!(!site.join("public").exists());
}

#[test]
fn errors_on_export_into_a_non_empty_folder() {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let stderr = fails(&site, &["export", "--to", site.to_str().unwrap()], 1);
    assert!(stderr.contains("not empty"), "{stderr}");
    let target = temp.path().join("out");
    ok(&site, &["export", "--to", target.to_str().unwrap()]);
    assert!(target.join("content/az/_section.md").is_file());
}

#[test]
fn errors_with_code_1_on_broken_templates() {
    let (_temp, site) = fixture("basic");
    std::fs::write(
        site.join("themes/default/templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}{{ page.title {% endblock content %}",
    )
    .unwrap();
    let stderr = fails(&site, &["import"], 1);
    assert!(stderr.contains("templates"), "{stderr}");
    assert!(!common::read(&site.join("themes/default/templates/page.html")).is_empty());
}

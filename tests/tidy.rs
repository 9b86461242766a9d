//! Repository rules a compiler does not check: every module says what it owns in a `//!` first
//! line; only `store` contains SQL; only the two servers (`http`, `admin`) know axum; only the
//! publisher renders the site and writes the search index, and it never reaches up to the
//! handlers; the panel changes pages only through `workflow::decide` and `Store::apply_step`.

mod common;

fn sources() -> Vec<(String, String)> {
    walkdir::WalkDir::new(common::repo().join("src"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "rs"))
        .map(|entry| {
            let relative = entry
                .path()
                .strip_prefix(common::repo())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, std::fs::read_to_string(entry.path()).unwrap())
        })
        .collect()
}

#[test]
fn every_module_starts_with_its_doc_line() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` first line: {missing:?}"
    );
}

#[test]
fn only_store_contains_sql() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| !path.starts_with("src/store/"))
        .filter(|(_, text)| {
            [
                "rusqlite",
                "SELECT ",
                "INSERT INTO",
                "UPDATE ",
                "DELETE FROM",
            ]
            .iter()
            .any(|sql| text.contains(sql))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(offenders.is_empty(), "SQL outside src/store: {offenders:?}");
}

#[test]
fn only_the_servers_know_axum() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| {
            !path.starts_with("src/http/")
                && !path.starts_with("src/admin/")
                && path != "src/cli.rs"
        })
        .filter(|(_, text)| text.contains("axum"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "axum outside src/http and src/admin: {offenders:?}"
    );
}

// Issue 10: the panel, the scheduler and the CLI change what is published only through the
// publisher; nothing else renders the site, writes the search index or knows the layers above.
#[test]
fn only_the_publisher_renders_the_site_and_writes_the_index() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| {
            !path.starts_with("src/publishing/") && !path.starts_with("src/render/")
        })
        .filter(|(path, _)| !path.starts_with("src/search/"))
        .filter(|(_, text)| {
            ["SiteView::new", "view.render(", "open_for_writing("]
                .iter()
                .any(|call| text.contains(call))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "rendering or index writes outside src/publishing: {offenders:?}"
    );
}

#[test]
fn the_publisher_and_the_store_never_reach_up_to_the_handlers() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| path.starts_with("src/publishing/") || path.starts_with("src/store/"))
        .filter(|(_, text)| {
            ["crate::admin", "crate::http", "crate::cli", "crate::ops"]
                .iter()
                .any(|layer| text.contains(layer))
        })
        .map(|(path, _)| path)
        .collect();
    assert!(
        offenders.is_empty(),
        "the publisher or the store depends on a handler layer: {offenders:?}"
    );
}

#[test]
fn the_panel_changes_pages_only_through_the_workflow() {
    // Issue 10: what a save, publication, correction, unpublishing, restore or deletion does is
    // `workflow::decide`'s, and the store applies it in one transaction (`Store::apply_step`),
    // called from one place (`take_step` in `src/admin/content.rs`).
    let writers = [
        ".save_revision",
        ".move_page(",
        ".delete_page(",
        ".rename_page(",
    ];
    let mut offenders: Vec<String> = Vec::new();
    let mut apply_calls = Vec::new();
    for (path, text) in sources() {
        if !path.starts_with("src/admin/") {
            continue;
        }
        for writer in writers {
            if text.contains(writer) {
                offenders.push(format!("{path}: {writer}"));
            }
        }
        if text.contains(".apply_step(") {
            apply_calls.push((path, text.matches(".apply_step(").count()));
        }
    }
    assert!(
        offenders.is_empty(),
        "the panel writes pages around workflow::decide + Store::apply_step: {offenders:?}"
    );
    assert_eq!(
        apply_calls,
        [("src/admin/content.rs".to_string(), 1)],
        "Store::apply_step is called once, after workflow::decide"
    );
    // The workflow is a pure function: no database, clock or files.
    let workflow = std::fs::read_to_string(common::repo().join("src/workflow.rs")).unwrap();
    for io in [
        "use crate::store",
        "rusqlite",
        "std::fs",
        "now_utc(",
        "SystemTime",
    ] {
        assert!(!workflow.contains(io), "src/workflow.rs uses `{io}`");
    }
}

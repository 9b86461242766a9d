//! Paths that come from content and strings, and what import lets onto the site: UI strings
//! that become URL segments (D189 §6.15), output paths of the build (writes and stale-file
//! removal), files placed beside pages, and the messages of refused imports.

use std::fs;
use std::path::Path;

use crate::common::{fails, fixture, ok};

/// The UI strings that become a segment of a URL and of a file path in `public/`.
const URL_SEGMENT_KEYS: [&str; 3] = ["sitemap_segment", "search_segment", "pagination_segment"];

/// Replaces the line `key = …` of a TOML file with `key = "value"`; returns its line number.
fn set_toml_string(file: &Path, key: &str, value: &str) -> usize {
    let text = fs::read_to_string(file).unwrap();
    let mut found = 0;
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(index, line)| {
            if line.split('=').next().map(str::trim) == Some(key) {
                found = index + 1;
                format!("{key} = \"{value}\"")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(found > 0, "no `{key}` in {}", file.display());
    fs::write(file, lines.join("\n") + "\n").unwrap();
    found
}

fn database(site: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(site.join("data/govsite.sqlite")).unwrap()
}

/// Every file under a folder (not following symlinks), as sorted relative paths.
fn files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            entry
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

/// Files of the site folder outside `public/` and `data/`: what a build must never touch.
fn files_outside_public(site: &Path) -> Vec<String> {
    let temp = site.parent().unwrap();
    files(temp)
        .into_iter()
        .filter(|path| !path.starts_with("site/public/") && !path.starts_with("site/data/"))
        .collect()
}

// ---------------------------------------------------------------- URL segments from strings

#[test]
fn url_segment_strings_that_leave_the_site_are_refused_by_check_and_import() {
    for key in URL_SEGMENT_KEYS {
        for bad in ["../../../x", "", "Sayt Xəritəsi", "a/b", ".."] {
            let (_temp, site) = fixture("basic");
            let line = set_toml_string(&site.join("i18n/az.toml"), key, bad);
            let location = format!("i18n/az.toml:{line}:");
            for command in [&["check"][..], &["import"][..]] {
                let stderr = fails(&site, command, 1);
                assert!(
                    stderr.contains(&location) && stderr.contains(key),
                    "{command:?} with {key} = {bad:?} must name {location} and the key:\n{stderr}"
                );
                assert!(
                    stderr.contains("a-z") && stderr.contains("D189 §6.15"),
                    "{command:?}: the message must say what is expected:\n{stderr}"
                );
            }
            assert!(
                !site.join("data/govsite.sqlite").exists() || {
                    let count: i64 = database(&site)
                        .query_row("SELECT count(*) FROM pages", [], |row| row.get(0))
                        .unwrap();
                    count == 0
                }
            );
        }
    }
}

#[test]
fn a_build_over_a_database_with_a_forced_segment_writes_nothing_outside_public() {
    // An older database (or a direct edit) holds a segment string that is not a slug: the
    // build refuses it and creates nothing outside public/.
    for key in URL_SEGMENT_KEYS {
        let (_temp, site) = fixture("basic");
        ok(&site, &["import"]);
        ok(&site, &["build"]);
        let before = files_outside_public(&site);
        database(&site)
            .execute(
                "UPDATE ui_strings SET value = '../../x' WHERE lang = 'az' AND key = ?1",
                [key],
            )
            .unwrap();
        for args in [&["build"][..], &["build", "--full"][..]] {
            let stderr = fails(&site, args, 1);
            assert!(
                stderr.contains(key) && stderr.contains("../../x"),
                "{args:?}: the refusal must name the string {key}:\n{stderr}"
            );
            assert_eq!(files_outside_public(&site), before, "{args:?} with {key}");
            assert!(!site.join("x").exists());
            assert!(!site.parent().unwrap().join("x").exists());
        }
        // Set back, the site builds again and nothing outside public/ is deleted.
        database(&site)
            .execute(
                "UPDATE ui_strings SET value = 'ok-segment' WHERE lang = 'az' AND key = ?1",
                [key],
            )
            .unwrap();
        ok(&site, &["build"]);
        assert_eq!(files_outside_public(&site), before, "{key} set back");
    }
}

#[test]
fn manifest_rows_and_stored_file_paths_outside_public_are_never_written_or_deleted() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let victim = site.join("victim.txt");
    fs::write(&victim, "kept").unwrap();
    let also = site.join("site.toml");
    let before = files_outside_public(&site);
    // Stale-file removal reads the manifest of the last build: untrusted input.
    let db = database(&site);
    for path in [
        "../victim.txt",
        "../site.toml",
        "az/../../victim.txt",
        "/etc/hostname",
    ] {
        db.execute(
            "INSERT INTO build_outputs (path, digest) VALUES (?1, 'x')",
            [path],
        )
        .unwrap();
    }
    let output = crate::common::govsite(&site, &["build"]);
    assert!(output.status.code().is_some());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "kept");
    assert!(also.is_file());
    assert_eq!(files_outside_public(&site), before);

    // A stored file whose path leaves public/ is refused, not written.
    db.execute(
        "UPDATE media SET path = '../../escaped.png' WHERE path LIKE '%bina.png'",
        [],
    )
    .unwrap();
    let stderr = fails(&site, &["build"], 1);
    assert!(stderr.contains("../../escaped.png"), "{stderr}");
    assert_eq!(files_outside_public(&site), before);
    assert!(!site.parent().unwrap().join("escaped.png").exists());
}

#[cfg(unix)]
#[test]
fn the_build_never_writes_through_a_symlinked_folder_of_public() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    let outside = site.parent().unwrap().join("outside");
    fs::create_dir_all(&outside).unwrap();
    let folder = site.join("public/az/haqqimizda");
    fs::remove_dir_all(&folder).unwrap();
    std::os::unix::fs::symlink(&outside, &folder).unwrap();
    // Whether the publish plans everything or only what changed (issue 10: a page of that
    // section edited), the path is checked before anything is written.
    let page = site.join("content/az/haqqimizda/tarixce.md");
    fs::write(&page, fs::read_to_string(&page).unwrap() + "\nDəyişdi.\n").unwrap();
    ok(&site, &["import"]);
    for build in [&["build"][..], &["build", "--full"]] {
        let stderr = fails(&site, build, 1);
        assert!(
            stderr.contains("az/haqqimizda") && stderr.contains("symbolic link"),
            "{build:?}: {stderr}"
        );
        assert!(files(&outside).is_empty(), "{:?}", files(&outside));
    }
}

// ---------------------------------------------------------------- files beside pages

/// An HTML document that runs script.
const EVIL_HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
/// An SVG image that runs script.
const EVIL_SVG: &[u8] = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>";

#[test]
fn import_refuses_active_content_beside_pages_and_changes_nothing() {
    let cases: [(&str, &[u8]); 6] = [
        ("evil.html", EVIL_HTML),
        ("evil.svg", EVIL_SVG),
        ("evil.htm", EVIL_HTML),
        ("report.pdf", EVIL_HTML),
        ("picture.png", EVIL_SVG),
        ("table.xlsx", EVIL_HTML),
    ];
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let media_before: Vec<(String, String)> = media_rows(&site);
    for (name, bytes) in cases {
        let file = site.join("content/az/haqqimizda").join(name);
        fs::write(&file, bytes).unwrap();
        for command in [&["import"][..], &["check"][..]] {
            let stderr = fails(&site, command, 1);
            assert!(
                stderr.contains(&format!("content/az/haqqimizda/{name}")),
                "{command:?} must name the file {name}:\n{stderr}"
            );
            assert!(
                stderr.contains("pdf") && stderr.contains("docx") && stderr.contains("png"),
                "{command:?} must list the allowed types:\n{stderr}"
            );
        }
        assert_eq!(media_rows(&site), media_before, "{name}");
        fs::remove_file(&file).unwrap();
    }
    ok(&site, &["build"]);
    for name in ["evil.html", "evil.svg", "evil.htm"] {
        assert!(!site.join("public/az/haqqimizda").join(name).exists());
    }
}

#[test]
fn legitimate_documents_and_images_still_import() {
    let (_temp, site) = fixture("basic");
    let folder = site.join("content/az/haqqimizda");
    fs::write(
        folder.join("yeni.pdf"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    )
    .unwrap();
    fs::write(
        folder.join("sekil.png"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
    )
    .unwrap();
    fs::write(folder.join("foto.jpg"), b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").unwrap();
    fs::write(
        folder.join("forma.docx"),
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
    )
    .unwrap();
    fs::write(folder.join("qeyd.txt"), "Sadə mətn faylı.\n").unwrap();
    fs::write(folder.join("cedvel.csv"), "ad,say\nBakı,1\n").unwrap();
    ok(&site, &["import"]);
    ok(&site, &["build"]);
    for name in [
        "yeni.pdf",
        "sekil.png",
        "foto.jpg",
        "forma.docx",
        "qeyd.txt",
        "cedvel.csv",
    ] {
        assert!(
            site.join("public/az/haqqimizda").join(name).is_file(),
            "{name}"
        );
    }
}

fn media_rows(site: &Path) -> Vec<(String, String)> {
    let db = database(site);
    let mut statement = db
        .prepare("SELECT path, sha256 FROM media ORDER BY path")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

// ---------------------------------------------------------------- refused imports, named

#[test]
fn an_import_that_changes_a_translation_key_names_the_file_and_the_collision() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let before = media_rows(&site);
    let page = site.join("content/en/news/first-news.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        text.replace(
            "translation = \"news/first\"",
            "translation = \"news/renamed\"",
        ),
    )
    .unwrap();
    let stderr = fails(&site, &["import"], 1);
    assert!(
        stderr.contains("content/en/news/first-news.md")
            && stderr.contains("news/renamed")
            && stderr.contains("news/first"),
        "must name the file, the new key and the page holding the address:\n{stderr}"
    );
    assert!(!stderr.contains("UNIQUE constraint"), "{stderr}");
    assert_eq!(media_rows(&site), before);
    let keys: i64 = database(&site)
        .query_row(
            "SELECT count(*) FROM pages WHERE translation_key = 'news/renamed'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(keys, 0, "nothing imported");
}

#[test]
fn non_utf8_sources_are_refused_naming_file_and_line() {
    let cases = [
        ("content/en/news/first-news.md", 3),
        ("i18n/az.toml", 4),
        ("themes/default/templates/page.html", 2),
    ];
    for (file, line) in cases {
        let (_temp, site) = fixture("basic");
        let path = site.join(file);
        assert!(path.is_file(), "{file} is in the fixture");
        let text = fs::read_to_string(&path).unwrap();
        let mut bytes = Vec::new();
        for (index, text_line) in text.split_inclusive('\n').enumerate() {
            if index + 1 == line {
                bytes.extend_from_slice(b"\xff\xfe ");
            }
            bytes.extend_from_slice(text_line.as_bytes());
        }
        fs::write(&path, bytes).unwrap();
        for command in [&["check"][..], &["import"][..]] {
            let stderr = fails(&site, command, 1);
            assert!(
                stderr.contains(&format!("{file}:{line}:")) && stderr.contains("UTF-8"),
                "{command:?} must name {file}:{line}:\n{stderr}"
            );
        }
    }
}

#[test]
fn wrong_type_ui_strings_name_file_line_and_key() {
    for (value, shown) in [
        ("copyright = 5", "copyright"),
        ("copyright = [\"a\", \"b\"]", "copyright"),
        ("copyright = true", "copyright"),
    ] {
        let (_temp, site) = fixture("basic");
        let file = site.join("i18n/az.toml");
        let line = set_toml_string(&file, "copyright", "placeholder");
        let text = fs::read_to_string(&file)
            .unwrap()
            .replace("copyright = \"placeholder\"", value);
        fs::write(&file, text).unwrap();
        let stderr = fails(&site, &["check"], 1);
        assert!(
            stderr.contains(&format!("i18n/az.toml:{line}:")) && stderr.contains(shown),
            "{value}: must name the file, line {line} and the key:\n{stderr}"
        );
    }
    // A table where a string is expected: the line of its header.
    let (_temp, site) = fixture("basic");
    let file = site.join("i18n/az.toml");
    let mut text = fs::read_to_string(&file).unwrap();
    text = text
        .lines()
        .filter(|line| !line.starts_with("copyright"))
        .collect::<Vec<_>>()
        .join("\n");
    let line = text.lines().count() + 2;
    text.push_str("\n\n[copyright]\nyear = 2026\n");
    fs::write(&file, text).unwrap();
    let stderr = fails(&site, &["check"], 1);
    assert!(
        stderr.contains(&format!("i18n/az.toml:{line}:")) && stderr.contains("copyright"),
        "a table must be named by its header line {line}:\n{stderr}"
    );
}

// ---------------------------------------------------------------- the output path resolver

mod output_paths {
    use std::path::{Component, Path};

    use govsite::publishing::output_file;
    use proptest::prelude::*;

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("..".to_string()),
            Just(".".to_string()),
            Just(String::new()),
            Just("\\..".to_string()),
            Just("index.html".to_string()),
            Just("/etc".to_string()),
            "[a-z0-9_.-]{1,8}",
            "\\PC{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the relative path, an accepted one names a file strictly inside public/,
        /// with plain components only.
        #[test]
        fn accepted_output_paths_stay_inside_public(segments in prop::collection::vec(segment(), 1..6)) {
            let public = Path::new("/srv/site/public");
            let relative = segments.join("/");
            if let Ok(file) = output_file(public, &relative) {
                let rest = file.strip_prefix(public).expect("inside public/");
                prop_assert!(rest.components().count() == relative.split('/').count());
                prop_assert!(rest.components().all(|c| matches!(c, Component::Normal(_))));
            }
            if segments.iter().any(|s| s == ".." || s.is_empty() || s == ".") {
                prop_assert!(output_file(public, &relative).is_err(), "{relative:?}");
            }
        }
    }

    #[test]
    fn known_escapes_are_refused() {
        let public = Path::new("/srv/site/public");
        for bad in [
            "../x",
            "az/../../x/index.html",
            "/etc/passwd",
            "//etc/passwd",
            "az//index.html",
            "az/./index.html",
            "az\\..\\..\\x",
            "",
        ] {
            assert!(output_file(public, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            output_file(public, "az/xeberler/index.html").unwrap(),
            public.join("az/xeberler/index.html")
        );
    }
}

// ---------------------------------------------------------------- the second attack

// `ln -s /etc/passwd content/az/senedler/passwd.txt` made import store the machine's file
// and the build publish it; a linked `.md` from outside became a page.
#[test]
fn import_refuses_symbolic_links_in_content_and_changes_nothing() {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let media_before = media_rows(&site);
    let outside = temp.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.txt"), "the machine's secret\n").unwrap();
    fs::write(
        outside.join("leak.md"),
        "+++\ntitle = \"Sızma\"\n+++\nKənardan gələn mətn.\n",
    )
    .unwrap();
    for (link, target) in [
        (
            "content/az/haqqimizda/secret.txt",
            outside.join("secret.txt"),
        ),
        ("content/az/haqqimizda/leak.md", outside.join("leak.md")),
        ("content/az/kenar", outside.clone()),
    ] {
        let path = site.join(link);
        std::os::unix::fs::symlink(&target, &path).unwrap();
        for command in [&["import"][..], &["check"][..]] {
            let stderr = fails(&site, command, 1);
            assert!(
                stderr.contains(link) && stderr.contains("symbolic link"),
                "{command:?} must name the link {link}:\n{stderr}"
            );
        }
        assert_eq!(media_rows(&site), media_before, "{link}");
        fs::remove_file(&path).unwrap();
    }
    ok(&site, &["build"]);
    assert!(!site.join("public/az/haqqimizda/secret.txt").exists());
    assert!(!site.join("public/az/haqqimizda/leak/index.html").exists());
}

// A footer link `data:text/html,<script>…` passed `check` and import and was published,
// while the panel refused it.
#[test]
fn import_holds_footer_links_to_the_panels_rule() {
    let (_temp, site) = fixture("basic");
    let menus = site.join("content/az/_menus.toml");
    let original = fs::read_to_string(&menus).unwrap();
    for link in [
        "data:text/html,<script>alert(1)</script>",
        "javascript:alert(1)",
        "//evil.example/",
        "ftp://example.org/",
    ] {
        fs::write(
            &menus,
            format!("{original}\n[[footer]]\ntitle = \"Pis\"\nlink = \"{link}\"\n"),
        )
        .unwrap();
        for command in [&["check"][..], &["import"][..]] {
            let stderr = fails(&site, command, 1);
            assert!(
                stderr.contains("content/az/_menus.toml") && stderr.contains(link),
                "{command:?} must name the file and the link {link}:\n{stderr}"
            );
        }
    }
    fs::write(&menus, original).unwrap();
    ok(&site, &["import"]);
}

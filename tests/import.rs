//! Import, export and their round trips; bad input is reported by file, line and field and
//! leaves the database as it was (D189 §6.10, §6.11).

mod common;

use std::fs;

use common::{assert_same_tree, fails, fixture, ok, read};

/// The journal as the database holds it: (action, object type, object, actor).
fn journal(site: &std::path::Path) -> Vec<(String, String, String, String)> {
    let conn = rusqlite::Connection::open(site.join("data/govsite.sqlite")).unwrap();
    let mut statement = conn
        .prepare("SELECT action, object_type, object, actor FROM journal ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn count(site: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(site.join("data/govsite.sqlite")).unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[test]
fn can_round_trip_fixture_byte_for_byte() {
    let (temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let first = temp.path().join("first");
    ok(&site, &["export", "--to", first.to_str().unwrap()]);
    assert_same_tree(&site.join("content"), &first.join("content"));
    assert_same_tree(&site.join("themes"), &first.join("themes"));
    assert_same_tree(&site.join("i18n"), &first.join("i18n"));

    // Import of an export, then export again: byte-identical, every stored field kept
    // (the fixture's `haqqimizda/tam.md` sets every field, Dublin Core and correction included).
    let (_temp2, second_site) = fixture("basic");
    fs::remove_dir_all(second_site.join("content")).unwrap();
    ok(&second_site, &["import", "--from", first.to_str().unwrap()]);
    let second = temp.path().join("second");
    ok(&second_site, &["export", "--to", second.to_str().unwrap()]);
    assert_same_tree(&first, &second);
    assert!(read(&second.join("content/az/haqqimizda/tam.md")).contains("coverage = \"Bakı\""));
    assert_eq!(
        fs::read(second.join("content/az/haqqimizda/hesabat.pdf")).unwrap(),
        fs::read(site.join("content/az/haqqimizda/hesabat.pdf")).unwrap()
    );
}

#[test]
fn can_round_trip_demo_content_byte_for_byte() {
    let (temp, site) = common::demo_site();
    ok(&site, &["import"]);
    let out = temp.path().join("export");
    ok(&site, &["export", "--to", out.to_str().unwrap()]);
    assert_same_tree(&site.join("content"), &out.join("content"));
    assert_same_tree(&site.join("i18n"), &out.join("i18n"));
    assert_same_tree(&site.join("themes"), &out.join("themes"));
}

#[test]
fn can_reimport_without_changes_and_journal_everything() {
    let (_temp, site) = fixture("basic");
    let output = ok(&site, &["import"]);
    assert!(
        output.contains("added page /az/xeberler/birinci-xeber/"),
        "{output}"
    );
    let entries = journal(&site);
    // D189 §10.1.3: every placement is journaled with the person who made it.
    assert!(
        entries
            .iter()
            .any(|(action, kind, object, actor)| action == "create"
                && kind == "page"
                && object == "/az/xeberler/birinci-xeber/"
                && actor == "os:tester")
    );
    let n_pages = count(&site, "SELECT COUNT(*) FROM pages");
    assert_eq!(n_pages, 12);
    assert_eq!(entries.iter().filter(|e| e.1 == "page").count(), 12);

    let output = ok(&site, &["import"]);
    assert!(output.contains("0 added, 0 updated, 0 removed"), "{output}");
    assert_eq!(
        journal(&site).len(),
        entries.len(),
        "an import without changes journals nothing"
    );
}

#[test]
fn can_update_changed_source_with_a_new_revision() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    let file = site.join("content/az/xeberler/ikinci-xeber.md");
    fs::write(
        &file,
        read(&file).replace("Portal yeniləndi.", "Portal yenidən yeniləndi."),
    )
    .unwrap();
    let output = ok(&site, &["import"]);
    assert!(
        output.contains("updated page /az/xeberler/ikinci-xeber/"),
        "{output}"
    );
    assert!(output.contains("0 added, 1 updated"), "{output}");
    let revisions = count(
        &site,
        "SELECT COUNT(*) FROM revisions r JOIN pages p ON p.id = r.page_id WHERE p.slug = 'ikinci-xeber'",
    );
    assert_eq!(revisions, 2, "every save is a revision");
}

#[test]
fn errors_on_conflict_with_database_edit_unless_forced() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    // An editor changes the page in the database (as the admin panel will).
    {
        let conn = rusqlite::Connection::open(site.join("data/govsite.sqlite")).unwrap();
        conn.execute(
            "INSERT INTO revisions (page_id, number, status, title, content_type, body, content_hash, author, saved_at)
             SELECT page_id, number + 1, status, 'Redaktə edilmiş', content_type, body, 'x', 'editor', '2026-11-22T00:00:00Z'
             FROM revisions WHERE page_id = (SELECT id FROM pages WHERE slug = 'ikinci-xeber')",
            [],
        )
        .unwrap();
    }
    let file = site.join("content/az/xeberler/ikinci-xeber.md");
    fs::write(
        &file,
        read(&file).replace("Portal yeniləndi.", "Fayldan dəyişiklik."),
    )
    .unwrap();
    let before = count(&site, "SELECT COUNT(*) FROM revisions");
    let stderr = fails(&site, &["import"], 1);
    assert!(
        stderr.contains("content/az/xeberler/ikinci-xeber.md"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM revisions"),
        before,
        "nothing imported on conflict"
    );

    ok(&site, &["import", "--force"]);
    let title: String = rusqlite::Connection::open(site.join("data/govsite.sqlite"))
        .unwrap()
        .query_row(
            "SELECT title FROM revisions WHERE page_id = (SELECT id FROM pages WHERE slug = 'ikinci-xeber') ORDER BY number DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(title, "İkinci xəbər");
}

#[test]
fn can_prune_removed_pages_but_not_linked_ones() {
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    // A linked page cannot go: the first news links to it.
    fs::remove_file(site.join("content/az/haqqimizda/tarixce.md")).unwrap();
    fs::remove_file(site.join("content/az/_menus.toml")).unwrap();
    let stderr = fails(&site, &["import", "--prune"], 1);
    assert!(stderr.contains("/az/haqqimizda/tarixce/"), "{stderr}");
    assert!(
        stderr.contains("/az/xeberler/birinci-xeber/"),
        "names the linking page: {stderr}"
    );
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM pages WHERE slug = 'tarixce'"),
        1
    );

    // An unlinked page goes with --prune, and not without it.
    let (_temp, site) = fixture("basic");
    ok(&site, &["import"]);
    fs::remove_file(site.join("content/az/xeberler/ucuncu-xeber.md")).unwrap();
    ok(&site, &["import"]);
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM pages WHERE slug = 'ucuncu-xeber'"
        ),
        1
    );
    let output = ok(&site, &["import", "--prune"]);
    assert!(
        output.contains("removed page /az/xeberler/ucuncu-xeber/"),
        "{output}"
    );
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM pages WHERE slug = 'ucuncu-xeber'"
        ),
        0
    );
    assert!(
        journal(&site)
            .iter()
            .any(|(action, _, object, _)| action == "delete"
                && object == "/az/xeberler/ucuncu-xeber/")
    );
}

/// Writes a bad file into a fresh copy of the fixture and checks the import fails with a
/// message naming the file, line and field, and the database stays empty.
fn check_bad_input(relative: &str, text: &str, expected: &[&str]) {
    let (_temp, site) = fixture("basic");
    let path = site.join("content").join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    let stderr = fails(&site, &["import"], 1);
    for part in expected {
        assert!(stderr.contains(part), "expected `{part}` in:\n{stderr}");
    }
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM pages"),
        0,
        "the database is unchanged"
    );
    // `check` reports the same without writing anything.
    let stderr = fails(&site, &["check"], 1);
    assert!(stderr.contains(expected[0]), "{stderr}");
}

#[test]
fn errors_on_bad_front_matter() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\nstatus = \"published\"\n+++\n",
        &["content/az/xeberler/pis.md:2:"],
    );
    check_bad_input(
        "az/xeberler/pis.md",
        "title = \"Pis\"\n",
        &["content/az/xeberler/pis.md:1:", "+++"],
    );
}

#[test]
fn errors_on_unknown_field() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\"\ntype = \"news\"\nmuellif = \"Kimsə\"\n+++\n",
        &["content/az/xeberler/pis.md:4:", "muellif"],
    );
}

#[test]
fn errors_on_missing_required_field() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ndescription = \"Başlıqsız\"\n+++\n",
        &["content/az/xeberler/pis.md:", "title"],
    );
}

#[test]
fn errors_on_bad_field_values() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\"\ntype = \"news\"\nstatus = \"live\"\nissued = 2026-01-01T10:00:00\n+++\n",
        &[
            "content/az/xeberler/pis.md:4: `status`",
            "content/az/xeberler/pis.md:5: `issued`",
            "+04:00",
        ],
    );
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\"\ntype = \"document\"\n+++\n",
        &["content/az/xeberler/pis.md:3: `type`", "`news`"],
    );
}

#[test]
fn errors_on_broken_link() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\"\n+++\nMətn.\n\nBax: [yoxdur](@/az/haqqimizda/yoxdur.md)\n",
        &[
            "content/az/xeberler/pis.md:6:",
            "broken link",
            "@/az/haqqimizda/yoxdur.md",
        ],
    );
}

#[test]
fn errors_on_duplicate_slug() {
    // `Birinci-Xəbər.md` transliterates to the slug of `birinci-xeber.md`.
    check_bad_input(
        "az/xeberler/Birinci-Xəbər.md",
        "+++\ntitle = \"Dublikat\"\ntranslation = \"news/dup\"\n+++\n",
        &["duplicate slug", "/az/xeberler/birinci-xeber/"],
    );
}

#[test]
fn errors_on_unknown_template() {
    check_bad_input(
        "az/xeberler/pis.md",
        "+++\ntitle = \"Pis\"\ntemplate = \"yoxdur.html\"\n+++\n",
        &[
            "content/az/xeberler/pis.md:3:",
            "unknown template `yoxdur.html`",
        ],
    );
}

#[test]
fn errors_on_bad_file_names() {
    check_bad_input(
        "az/senedler/Hesabat 2025.PDF",
        "%PDF",
        &[
            "content/az/senedler/Hesabat 2025.PDF",
            "hesabat-2025.pdf",
            "D189 §6.15",
        ],
    );
}

#[test]
fn errors_list_every_problem_at_once() {
    let (_temp, site) = fixture("basic");
    fs::write(
        site.join("content/az/xeberler/a.md"),
        "+++\ntitle = \"A\"\nstatus = \"x\"\n+++\n",
    )
    .unwrap();
    fs::write(
        site.join("content/en/news/b.md"),
        "+++\ntitle = \"B\"\nfoo = 1\n+++\n",
    )
    .unwrap();
    let stderr = fails(&site, &["check"], 1);
    assert!(stderr.contains("content/az/xeberler/a.md:3:"), "{stderr}");
    assert!(stderr.contains("content/en/news/b.md:3:"), "{stderr}");
    assert!(stderr.contains("2 problem(s)"), "{stderr}");
}

#[test]
fn can_transliterate_azerbaijani_file_names_into_slugs() {
    let (_temp, site) = fixture("basic");
    fs::write(
        site.join("content/az/xeberler/Şəhər-günü.md"),
        "+++\ntitle = \"Şəhər günü\"\ntranslation = \"news/city\"\n+++\nMətn.\n",
    )
    .unwrap();
    let output = ok(&site, &["import"]);
    assert!(
        output.contains("added page /az/xeberler/seher-gunu/"),
        "{output}"
    );
}

// Issue 10: `import` skips files whose size and modification time match what it stored.

/// Sets a file's modification time to `seconds_ago` before now.
fn set_mtime(path: &std::path::Path, seconds_ago: u64) {
    let time = std::time::SystemTime::now() - std::time::Duration::from_secs(seconds_ago);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

/// Puts every file of the tree an hour into the past, so that the import that follows trusts
/// their mtimes (a file changed within two seconds of an import is read again next time).
fn age_tree(site: &std::path::Path) {
    for entry in walkdir::WalkDir::new(site.join("content"))
        .into_iter()
        .chain(walkdir::WalkDir::new(site.join("themes")))
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
    {
        set_mtime(entry.path(), 3600);
    }
}

/// Replaces a file with bytes that are no valid source (not UTF-8, not a PDF) of the same size,
/// and gives it back its modification time: what import must not notice without `--full`.
fn corrupt_keeping_size_and_mtime(path: &std::path::Path) {
    let modified = fs::metadata(path).unwrap().modified().unwrap();
    let size = fs::metadata(path).unwrap().len() as usize;
    fs::write(path, vec![0xff; size]).unwrap();
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
}

fn stored_sources(site: &std::path::Path) -> i64 {
    count(site, "SELECT COUNT(*) FROM source_files")
}

#[test]
fn issue_10_import_does_not_read_unchanged_files() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_temp, site) = fixture("basic");
    age_tree(&site);
    ok(&site, &["import"]);
    let pages = count(&site, "SELECT COUNT(*) FROM pages");
    let revisions = count(&site, "SELECT COUNT(*) FROM revisions");
    // Unreadable (for anyone but root) …
    let locked = site.join("content/az/xeberler/birinci-xeber.md");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // … and, for root too, files that would fail every check if they were read: a page, a
    // section and a file beside a page, each of the same size and mtime.
    for relative in [
        "content/az/xeberler/ucuncu-xeber.md",
        "content/az/senedler/_section.md",
        "content/az/haqqimizda/hesabat.pdf",
    ] {
        corrupt_keeping_size_and_mtime(&site.join(relative));
    }
    let output = ok(&site, &["import"]);
    assert!(output.contains("0 added, 0 updated, 0 removed"), "{output}");
    assert_eq!(count(&site, "SELECT COUNT(*) FROM pages"), pages);
    assert_eq!(count(&site, "SELECT COUNT(*) FROM revisions"), revisions);
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM media WHERE path = 'az/haqqimizda/hesabat.pdf' AND substr(bytes, 1, 4) = CAST('%PDF' AS BLOB)"
        ),
        1,
        "the stored file is kept"
    );
    // The documented limit: only `--full` reads them, and then refuses them.
    let stderr = fails(&site, &["import", "--full"], 1);
    assert!(
        stderr.contains("content/az/xeberler/ucuncu-xeber.md:1: is not UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/az/haqqimizda/hesabat.pdf"),
        "{stderr}"
    );
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn issue_10_import_reads_files_whose_mtime_changed() {
    let (_temp, site) = fixture("basic");
    age_tree(&site);
    ok(&site, &["import"]);

    // The same size, a new mtime: read, and the change imported.
    let edited = site.join("content/az/xeberler/ikinci-xeber.md");
    let text = read(&edited);
    assert!(text.contains("Portal yeniləndi."));
    fs::write(
        &edited,
        text.replace("Portal yeniləndi.", "Portal yeniləndi!"),
    )
    .unwrap();
    assert_eq!(fs::metadata(&edited).unwrap().len() as usize, text.len());
    set_mtime(&edited, 1800);
    // A new mtime, the same bytes: read and hashed, not a new revision.
    let touched = site.join("content/az/xeberler/ucuncu-xeber.md");
    set_mtime(&touched, 1800);
    let revisions = count(&site, "SELECT COUNT(*) FROM revisions");
    let output = ok(&site, &["import"]);
    assert!(
        output.contains("updated page /az/xeberler/ikinci-xeber/"),
        "{output}"
    );
    assert!(output.contains("0 added, 1 updated"), "{output}");
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM revisions"),
        revisions + 1
    );

    // The touched file's new mtime was stored: it is not read again.
    corrupt_keeping_size_and_mtime(&touched);
    let output = ok(&site, &["import"]);
    assert!(output.contains("0 added, 0 updated"), "{output}");
}

#[test]
fn issue_10_import_notices_deleted_files() {
    let (_temp, site) = fixture("basic");
    age_tree(&site);
    ok(&site, &["import"]);
    let stored = stored_sources(&site);
    assert!(
        stored > 10,
        "pages, sections and files are remembered: {stored}"
    );
    fs::remove_file(site.join("content/az/xeberler/ucuncu-xeber.md")).unwrap();
    let output = ok(&site, &["import", "--prune"]);
    assert!(
        output.contains("removed page /az/xeberler/ucuncu-xeber/"),
        "{output}"
    );
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM pages WHERE slug = 'ucuncu-xeber'"
        ),
        0
    );
    assert_eq!(stored_sources(&site), stored - 1);
    assert_eq!(
        count(
            &site,
            "SELECT COUNT(*) FROM source_files WHERE path = 'content/az/xeberler/ucuncu-xeber.md'"
        ),
        0
    );
}

#[test]
fn issue_10_incremental_import_equals_full_import() {
    let (temp, site) = fixture("basic");
    age_tree(&site);
    ok(&site, &["import"]);
    // Every kind of change at once: a page edited, one added, one removed, a section's title
    // and another section's translation key changed (its pages move to the new section), a
    // file beside a page replaced, a page only touched.
    let edited = site.join("content/az/xeberler/ikinci-xeber.md");
    fs::write(
        &edited,
        read(&edited).replace("Portal yeniləndi.", "Portal bu gün yeniləndi."),
    )
    .unwrap();
    fs::write(
        site.join("content/az/xeberler/dorduncu-xeber.md"),
        "+++\ntitle = \"Dördüncü xəbər\"\ntype = \"news\"\nstatus = \"published\"\nissued = 2026-03-21\n+++\nYeni xəbər.\n",
    )
    .unwrap();
    fs::remove_file(site.join("content/az/xeberler/ucuncu-xeber.md")).unwrap();
    let section = site.join("content/az/haqqimizda/_section.md");
    let text = read(&section);
    let title_line = text.lines().find(|l| l.starts_with("title")).unwrap();
    fs::write(
        &section,
        text.replace(title_line, "title = \"Haqqımızda (yeni)\""),
    )
    .unwrap();
    let section = site.join("content/az/senedler/_section.md");
    fs::write(
        &section,
        read(&section).replace("translation = \"documents\"", "translation = \"papers\""),
    )
    .unwrap();
    let pdf = site.join("content/az/haqqimizda/hesabat.pdf");
    let mut bytes = fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"\n% appended\n");
    fs::write(&pdf, bytes).unwrap();
    set_mtime(&site.join("content/az/xeberler/birinci-xeber.md"), 60);

    ok(&site, &["import", "--prune"]);
    // A full import finds nothing left to do …
    let output = ok(&site, &["import", "--full", "--prune"]);
    assert!(output.contains("0 added, 0 updated, 0 removed"), "{output}");
    // … and a fresh database importing the same tree in full exports the same site.
    let (_temp2, fresh) = fixture("basic");
    fs::remove_dir_all(fresh.join("content")).unwrap();
    common::copy_dir(&site.join("content"), &fresh.join("content"));
    ok(&fresh, &["import", "--full"]);
    let incremental = temp.path().join("incremental");
    let full = temp.path().join("full");
    ok(&site, &["export", "--to", incremental.to_str().unwrap()]);
    ok(&fresh, &["export", "--to", full.to_str().unwrap()]);
    assert_same_tree(&full, &incremental);
    assert_eq!(
        count(&site, "SELECT COUNT(*) FROM links"),
        count(&fresh, "SELECT COUNT(*) FROM links")
    );
}

// Issue 11: UI strings keep the placeholders the site fills in; the import names the file,
// line and key, and changes nothing.
#[test]
fn can_refuse_ui_strings_that_lose_their_placeholders() {
    let (_temp, site) = fixture("basic");
    let file = site.join("i18n/az.toml");
    let strings = read(&file).replace(
        "page_n_of_m = \"Səhifə {n} / {m}\"",
        "page_n_of_m = \"Səhifə {n} / {total}\"",
    );
    assert!(strings.contains("{total}"));
    fs::write(&file, strings).unwrap();
    let stderr = fails(&site, &["import"], 1);
    assert!(stderr.contains("i18n/az.toml:"), "{stderr}");
    assert!(
        stderr.contains("`page_n_of_m`") && stderr.contains("{total}") && stderr.contains("{m}"),
        "{stderr}"
    );
}

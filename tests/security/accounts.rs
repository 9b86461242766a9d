//! Accounts and the journal under attack: the journal head under a flood of concurrent writes,
//! login throttling under parallel attempts, who may grant which rights, throttled attempts
//! counted instead of journaled one by one, what a limited content manager may see, where
//! `/ui-lang` may send a browser, and the admin listener's `X-Forwarded-For`/`Host` handling.
//!
//! Every test works on its own copy of one imported and built fixture site (users `admin`,
//! `editor`, `moderator` with the password [`PASSWORD`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use govsite::admin::{AdminState, admin_router, auth};
use govsite::config::Config;
use govsite::store::{Actor, ImportOptions, JournalEntry, Store};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use crate::common;

/// The password of the template's users.
const PASSWORD: &str = "Bahar-Yağışı-7-Quba";
const WRONG: &str = "Yanlış-Parol-42";
const LOOPBACK: &str = "127.0.0.1:8081";

// ---------------------------------------------------------------- the site

/// The basic fixture imported and built once, with one user per built-in group; tests copy it.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let temp = tempfile::Builder::new()
                .prefix("accounts-template")
                .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                .unwrap();
            let site = temp.path().join("site");
            let (_fixture, source) = common::fixture("basic");
            common::copy_dir(&source, &site);
            let config = Config::load(&site).unwrap();
            std::fs::create_dir_all(&config.data_dir).unwrap();
            let mut store = open_store(&config);
            govsite::cli::import(&mut store, &config, &site, ImportOptions::default()).unwrap();
            govsite::publishing::Publisher::new(config.clone())
                .publish(&mut store, time::OffsetDateTime::now_utc())
                .unwrap();
            let hash = auth::hash_password(PASSWORD).unwrap();
            for (name, group) in [
                ("admin", "administrator"),
                ("editor", "content_manager"),
                ("moderator", "moderator"),
            ] {
                store
                    .create_user(name, group, &hash, false, &os_actor())
                    .unwrap();
            }
            (temp, site)
        })
        .1
}

fn open_store(config: &Config) -> Store {
    Store::open(&config.database_path(), &config.domain, config.utc_offset).unwrap()
}

fn os_actor() -> Actor {
    Actor("os:tester".into())
}

/// A private copy of the template site.
struct Site {
    _temp: tempfile::TempDir,
    dir: PathBuf,
    config: Config,
}

impl Site {
    fn new() -> Site {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("site");
        common::copy_dir(template(), &dir);
        let config = Config::load(&dir).unwrap();
        Site {
            _temp: temp,
            dir,
            config,
        }
    }

    fn admin(&self) -> Router {
        admin_router(AdminState::new(&self.config, LOOPBACK.parse().unwrap()))
    }

    /// The panel as configured behind a TLS proxy (`listen.admin_https = true`).
    fn admin_behind_proxy(&self) -> Router {
        let mut config = self.config.clone();
        config.admin_https = true;
        admin_router(AdminState::new(&config, LOOPBACK.parse().unwrap()))
    }

    fn store(&self) -> Store {
        open_store(&self.config)
    }

    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.config.database_path()).unwrap()
    }

    fn user_id(&self, name: &str) -> i64 {
        self.store().user_with_hash(name).unwrap().unwrap().0.id
    }

    fn password_hash(&self, name: &str) -> String {
        self.store().user_with_hash(name).unwrap().unwrap().1
    }

    fn group_of(&self, name: &str) -> String {
        self.store()
            .user_with_hash(name)
            .unwrap()
            .unwrap()
            .0
            .group
            .name
    }

    fn journal(&self) -> Vec<JournalEntry> {
        self.store().journal().unwrap()
    }

    fn journaled(&self, action: &str) -> Vec<JournalEntry> {
        self.journal()
            .into_iter()
            .filter(|e| e.action == action)
            .collect()
    }

    /// Creates a user whose password is [`PASSWORD`] (reusing the template's hash: no argon2).
    fn add_user(&self, name: &str, group: &str) {
        let hash = self.password_hash("admin");
        self.store()
            .create_user(name, group, &hash, false, &os_actor())
            .unwrap();
    }

    fn add_group(&self, name: &str, modules: &[&str], can_publish: bool) {
        let modules: Vec<String> = modules.iter().map(|m| m.to_string()).collect();
        self.store()
            .save_group(name, &modules, can_publish, &os_actor())
            .unwrap();
    }

    fn session_count(&self) -> i64 {
        self.db()
            .query_row("SELECT COUNT(*) FROM sessions", [], |row| row.get(0))
            .unwrap()
    }
}

// ---------------------------------------------------------------- requests

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    fn assert_status(&self, status: StatusCode) {
        assert_eq!(
            self.status,
            status,
            "location {:?}, body:\n{}",
            self.location(),
            self.body
        );
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A signed-in browser: its cookie (`name=value`) and the session's CSRF token.
#[derive(Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

fn encoded(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn get(app: &Router, path: &str, session: &Session) -> Reply {
    let request = Request::get(path)
        .header(header::COOKIE, &session.cookie)
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

/// A form POST of a signed-in user, with the session's CSRF token.
async fn post(app: &Router, path: &str, session: &Session, fields: &[(&str, &str)]) -> Reply {
    let mut pairs = fields.to_vec();
    pairs.push(("csrf", &session.csrf));
    let request = Request::post(path)
        .header(header::COOKIE, &session.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(encoded(&pairs)))
        .unwrap();
    send(app, request).await
}

/// POST /login from the peer `from` (an IP address), with extra headers.
async fn attempt_login(
    app: &Router,
    name: &str,
    password: &str,
    from: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let mut builder =
        Request::post("/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (key, value) in extra {
        builder = builder.header(*key, *value);
    }
    let mut request = builder
        .body(Body::from(encoded(&[
            ("name", name),
            ("password", password),
        ])))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(from.parse().unwrap(), 50_000)));
    send(app, request).await
}

/// Signs in and picks up the CSRF token from a panel page.
async fn login(app: &Router, name: &str) -> Session {
    let reply = attempt_login(app, name, PASSWORD, "127.0.0.1", &[]).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "login of {name}: {}",
        reply.body
    );
    let cookie = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = get(
        app,
        "/password",
        &Session {
            cookie: cookie.clone(),
            csrf: String::new(),
        },
    )
    .await;
    page.assert_status(StatusCode::OK);
    let marker = "name=\"csrf\" value=\"";
    let start = page.body.find(marker).expect("a CSRF field") + marker.len();
    let csrf = page.body[start..].split('"').next().unwrap().to_string();
    Session { cookie, csrf }
}

// ---------------------------------------------------------------- 1. the journal head

/// A minimal blocking HTTP/1.1 client on a real socket: the status of one request.
fn raw_request(addr: SocketAddr, request: &str) -> Option<u16> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    text.split(' ').nth(1)?.parse().ok()
}

fn login_request(name: &str, password: &str) -> String {
    let body = encoded(&[("name", name), ("password", password)]);
    format!(
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Serves the panel on a real loopback socket until the returned handle is aborted.
async fn serve(app: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    (addr, handle)
}

/// The head file's lines as (count, hash).
fn head_lines(site: &Site) -> Vec<(usize, String)> {
    let path = govsite::store::journal_head_path(&site.config.database_path());
    common::read(&path)
        .lines()
        .map(|line| {
            let (count, hash) = line.split_once(' ').expect("`COUNT HASH`");
            (count.parse().unwrap(), hash.to_string())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn journal_head_stays_in_chain_order_under_a_flood_of_logins_and_edits() {
    // D189 §10.1.3: a flood of wrong logins must not make the journal look tampered with.
    let site = Site::new();
    let (addr, server) = serve(site.admin()).await;
    let until = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for n in 0..20 {
        tasks.push(tokio::task::spawn_blocking(move || {
            let mut sent = 0;
            while Instant::now() < until {
                raw_request(addr, &login_request(&format!("guess{n}"), WRONG));
                sent += 1;
            }
            sent
        }));
    }
    // Other writers of the journal at the same time, each on its own connection, as the
    // scheduler, the command line and other panel requests are.
    let mut writers = Vec::new();
    for n in 0..4 {
        let config = site.config.clone();
        writers.push(std::thread::spawn(move || {
            let mut store = open_store(&config);
            while Instant::now() < until {
                store
                    .journal_event(
                        &Actor(format!("os:writer{n}")),
                        "export",
                        "journal",
                        "journal.csv",
                        serde_json::json!({}),
                    )
                    .unwrap();
            }
        }));
    }
    let mut sent = 0;
    for task in tasks {
        sent += task.await.unwrap();
    }
    for writer in writers {
        writer.join().unwrap();
    }
    server.abort();
    assert!(sent > 20, "the flood sent only {sent} requests");

    let stdout = common::ok(&site.dir, &["audit-log", "verify"]);
    assert!(stdout.contains("agree"), "{stdout}");
    let entries = site.journal();
    let lines = head_lines(&site);
    for pair in lines.windows(2) {
        assert!(
            pair[0].0 < pair[1].0,
            "head lines out of chain order: {pair:?}"
        );
    }
    for (count, hash) in &lines {
        assert_eq!(
            &entries[count - 1].hash,
            hash,
            "head line for entry {count}"
        );
    }
}

// ---------------------------------------------------------------- 2. throttling

/// Sends the logins all at once (each from its address) and returns their statuses in order.
async fn parallel_logins(app: &Router, attempts: Vec<(String, String, String)>) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for (name, password, from) in attempts {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            attempt_login(&app, &name, &password, &from, &[])
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_most_five_passwords_of_one_account_are_checked_under_100_parallel_logins() {
    // D189 §6.11: five failures per account per window, however fast they come.
    let site = Site::new();
    let app = site.admin();
    // Each from its own address, so that only the account's limit applies.
    let mut attempts: Vec<(String, String, String)> = (0..99)
        .map(|n| {
            (
                "admin".to_string(),
                WRONG.to_string(),
                format!("10.0.{}.{}", n / 200, n % 200 + 1),
            )
        })
        .collect();
    attempts.push(("admin".into(), PASSWORD.into(), "10.1.0.1".into()));
    let statuses = parallel_logins(&app, attempts).await;
    let checked: Vec<&StatusCode> = statuses
        .iter()
        .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(
        checked.len() as i64 <= auth::MAX_FAILURES_PER_ACCOUNT,
        "{} passwords were checked: {checked:?}",
        checked.len()
    );
    let right_one_got_in = statuses[99] == StatusCode::SEE_OTHER;
    assert_eq!(site.session_count(), i64::from(right_one_got_in));
    assert!(site.journaled("login_failed").len() as i64 <= auth::MAX_FAILURES_PER_ACCOUNT);
    if !right_one_got_in {
        // The account stays locked for the window, even for the right password.
        attempt_login(&app, "admin", PASSWORD, "10.2.0.1", &[])
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_most_twenty_passwords_from_one_address_are_checked_under_a_flood() {
    // D189 §6.11: twenty failures per address per window, across accounts.
    let site = Site::new();
    let app = site.admin();
    let attempts = (0..100)
        .map(|n| (format!("guess{n}"), WRONG.to_string(), "203.0.113.5".into()))
        .collect();
    let statuses = parallel_logins(&app, attempts).await;
    let checked = statuses
        .iter()
        .filter(|s| **s != StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked as i64 <= auth::MAX_FAILURES_PER_ADDRESS,
        "{checked} passwords were checked from one address"
    );
    attempt_login(&app, "editor", PASSWORD, "203.0.113.5", &[])
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
}

// ---------------------------------------------------------------- 4. throttled attempts

#[tokio::test]
async fn two_hundred_throttled_logins_are_counted_in_one_journal_entry() {
    // Issue 9, item 7: refused logins must not fill the disk with journal entries.
    let site = Site::new();
    let app = site.admin();
    for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
        attempt_login(&app, "admin", WRONG, "198.51.100.1", &[])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let before = site.journal().len();
    for n in 0..200 {
        let from = format!("198.51.{}.{}", 101 + n / 100, n % 100 + 1);
        attempt_login(&app, "admin", WRONG, &from, &[])
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
    let added = site.journal().len() - before;
    assert!(
        added <= 1,
        "200 refused logins wrote {added} journal entries"
    );
    assert_eq!(site.journaled("login_throttled").len(), 1);
    let counted: i64 = site
        .db()
        .query_row(
            "SELECT SUM(attempts) FROM login_throttles WHERE subject = 'account:admin'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(counted, 200, "every refused attempt is counted");
    common::ok(&site.dir, &["audit-log", "verify"]);
}

// ---------------------------------------------------------------- 3. granting rights

/// A custom group with only the `users` module (`ulvi`), and a group with nothing (`rena`).
async fn user_manager() -> (Site, Router, Session) {
    let site = Site::new();
    site.add_group("user_admins", &["users"], false);
    site.add_group("readers", &[], false);
    site.add_user("ulvi", "user_admins");
    site.add_user("rena", "readers");
    let app = site.admin();
    let ulvi = login(&app, "ulvi").await;
    (site, app, ulvi)
}

fn forbidden_count(site: &Site) -> usize {
    site.journaled("forbidden").len()
}

#[tokio::test]
async fn a_user_manager_cannot_put_anyone_into_a_more_powerful_group() {
    // D189 §6.5: nobody grants rights they do not hold.
    let (site, app, ulvi) = user_manager().await;
    let refused_before = forbidden_count(&site);
    for name in ["ulvi", "rena"] {
        let id = site.user_id(name).to_string();
        let reply = post(
            &app,
            &format!("/users/{id}"),
            &ulvi,
            &[("action", "access"), ("group", "administrator")],
        )
        .await;
        reply.assert_status(StatusCode::FORBIDDEN);
        assert!(reply.body.contains("<html"), "the panel's 403 page");
    }
    assert_eq!(site.group_of("ulvi"), "user_admins");
    assert_eq!(site.group_of("rena"), "readers");
    post(
        &app,
        "/users",
        &ulvi,
        &[("name", "yeni.admin"), ("group", "administrator")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert!(site.store().user_with_hash("yeni.admin").unwrap().is_none());
    assert_eq!(
        forbidden_count(&site),
        refused_before + 3,
        "refusals are journaled"
    );
    // What the manager holds, they may give.
    let rena = site.user_id("rena").to_string();
    let reply = post(
        &app,
        &format!("/users/{rena}"),
        &ulvi,
        &[("action", "access"), ("group", "user_admins")],
    )
    .await;
    reply.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(site.group_of("rena"), "user_admins");
}

#[tokio::test]
async fn nobody_changes_their_own_group_not_even_an_administrator() {
    // D189 §6.5: rights come from someone else.
    let (site, app, ulvi) = user_manager().await;
    let own = site.user_id("ulvi").to_string();
    post(
        &app,
        &format!("/users/{own}"),
        &ulvi,
        &[("action", "access"), ("group", "readers")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(site.group_of("ulvi"), "user_admins");
    let admin = login(&app, "admin").await;
    let own = site.user_id("admin").to_string();
    post(
        &app,
        &format!("/users/{own}"),
        &admin,
        &[("action", "access"), ("group", "content_manager")],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(site.group_of("admin"), "administrator");
}

#[tokio::test]
async fn a_user_manager_cannot_reset_disable_or_demote_a_more_privileged_account() {
    // D189 §6.5, §6.11: the administrator's password is not the user manager's to set.
    let (site, app, ulvi) = user_manager().await;
    let admin = site.user_id("admin").to_string();
    let hash = site.password_hash("admin");
    for fields in [
        vec![("action", "reset")],
        vec![("action", "disable")],
        vec![("action", "access"), ("group", "readers")],
    ] {
        post(&app, &format!("/users/{admin}"), &ulvi, &fields)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    assert_eq!(site.password_hash("admin"), hash);
    let admin_user = site.store().user(site.user_id("admin")).unwrap();
    assert!(!admin_user.disabled);
    assert_eq!(admin_user.group.name, "administrator");
    // An account with less may be reset.
    let rena = site.user_id("rena").to_string();
    post(
        &app,
        &format!("/users/{rena}"),
        &ulvi,
        &[("action", "reset")],
    )
    .await
    .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_user_manager_cannot_create_or_widen_a_group_beyond_their_rights() {
    // D189 §6.5: a group is no way around the rule.
    let (site, app, ulvi) = user_manager().await;
    for fields in [
        vec![
            ("name", "user_admins"),
            ("modules", "users"),
            ("modules", "templates"),
        ],
        vec![("name", "superset"), ("modules", "journal")],
        vec![
            ("name", "publishers"),
            ("modules", "users"),
            ("can_publish", "on"),
        ],
    ] {
        post(&app, "/groups", &ulvi, &fields)
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let groups = site.store().groups().unwrap();
    let own = groups.iter().find(|g| g.name == "user_admins").unwrap();
    assert_eq!(own.modules, vec!["users".to_string()]);
    assert!(
        !groups
            .iter()
            .any(|g| g.name == "superset" || g.name == "publishers")
    );
    post(
        &app,
        "/groups",
        &ulvi,
        &[("name", "helpers"), ("modules", "users")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

// ---------------------------------------------------------------- 5. low

#[tokio::test]
async fn ui_lang_sends_the_browser_only_to_a_path_of_the_panel() {
    // Issue 9: no open redirect through the language switch.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin").await;
    for back in [
        "/\\evil.example/",
        "//evil.example",
        "https://evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\\/evil.example",
        " //evil.example",
    ] {
        let reply = post(&app, "/ui-lang", &admin, &[("lang", "az"), ("back", back)]).await;
        reply.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), "/", "back={back:?}");
    }
    let reply = post(
        &app,
        "/ui-lang",
        &admin,
        &[("lang", "en"), ("back", "/pages?lang=az")],
    )
    .await;
    assert_eq!(reply.location(), "/pages?lang=az");
}

/// The editor, limited to the az news section.
async fn limited_editor() -> (Site, Router, Session) {
    let site = Site::new();
    site.store()
        .set_user_access(
            site.user_id("editor"),
            "content_manager",
            &["news".into()],
            &["az".into()],
            &os_actor(),
        )
        .unwrap();
    let app = site.admin();
    let editor = login(&app, "editor").await;
    (site, app, editor)
}

#[tokio::test]
async fn a_limited_content_manager_sees_no_title_of_a_page_outside_the_grant() {
    // D189 §6.5: access to particular sections and languages.
    let (site, app, editor) = limited_editor().await;
    let other = site.store().page_id("az", "about/history").unwrap();
    let reply = get(
        &app,
        &format!("/pages/new?translation_of={other}&lang=en"),
        &editor,
    )
    .await;
    assert!(
        reply.status == StatusCode::FORBIDDEN || reply.status == StatusCode::NOT_FOUND,
        "{}",
        reply.status
    );
    assert!(!reply.body.contains("Tarixçə"), "{}", reply.body);
    let reply = get(&app, "/pages/new?translation_of=999999&lang=en", &editor).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let own = site.store().page_id("az", "news/first").unwrap();
    let reply = get(
        &app,
        &format!("/pages/new?translation_of={own}&lang=az"),
        &editor,
    )
    .await;
    reply.assert_status(StatusCode::OK);
    assert!(reply.body.contains("Birinci xəbər"));
}

#[tokio::test]
async fn a_content_manager_sees_on_the_dashboard_only_what_the_grant_covers() {
    // D189 §6.5, §10.1.3: the journal is for the journal module; counts for the grant.
    let (_site, app, editor) = limited_editor().await;
    attempt_login(&app, "admin", WRONG, "192.0.2.77", &[])
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let reply = get(&app, "/", &editor).await;
    reply.assert_status(StatusCode::OK);
    assert!(!reply.body.contains("anonymous@"), "{}", reply.body);
    assert!(!reply.body.contains("os:tester"), "{}", reply.body);
    assert!(!reply.body.contains("/pages?lang=en&amp;status"));
    for title in ["Uzun sənəd", "Bütün sahələr", "Tarixçə"] {
        assert!(!reply.body.contains(title), "{title} on the dashboard");
    }
}

// ---------------------------------------------------------------- 6. headers

#[tokio::test]
async fn rotating_x_forwarded_for_does_not_get_past_the_address_limit() {
    // D189 §6.11: the address is the peer's unless a TLS proxy on loopback forwards it.
    let site = Site::new();
    for (app, peer) in [
        (site.admin(), "203.0.113.9"),
        (site.admin_behind_proxy(), "203.0.113.10"),
    ] {
        for n in 0..auth::MAX_FAILURES_PER_ADDRESS {
            let forwarded = format!("192.0.2.{}", n + 1);
            attempt_login(
                &app,
                &format!("guess{n}"),
                WRONG,
                peer,
                &[("x-forwarded-for", forwarded.as_str())],
            )
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        }
        attempt_login(
            &app,
            "editor",
            PASSWORD,
            peer,
            &[("x-forwarded-for", "192.0.2.250")],
        )
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
    // Behind the declared proxy on loopback, the forwarded address is the one counted.
    let app = site.admin_behind_proxy();
    for n in 0..auth::MAX_FAILURES_PER_ADDRESS {
        attempt_login(
            &app,
            &format!("other{n}"),
            WRONG,
            "127.0.0.1",
            &[("x-forwarded-for", "198.51.100.66")],
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    }
    attempt_login(
        &app,
        "moderator",
        PASSWORD,
        "127.0.0.1",
        &[("x-forwarded-for", "198.51.100.67")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_host_header_never_ends_up_in_a_location_or_a_link() {
    // Host header injection: redirects are relative, links come from site.toml.
    let site = Site::new();
    let app = site.admin();
    let reply = attempt_login(
        &app,
        "admin",
        PASSWORD,
        "127.0.0.1",
        &[("host", "evil.example")],
    )
    .await;
    reply.assert_status(StatusCode::SEE_OTHER);
    assert!(!reply.location().contains("evil"), "{}", reply.location());
    let admin = login(&app, "admin").await;
    for path in ["/", "/users", "/journal", "/login", "/nowhere"] {
        let request = Request::get(path)
            .header(header::COOKIE, &admin.cookie)
            .header(header::HOST, "evil.example")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, request).await;
        assert!(!reply.location().contains("evil"), "{path}");
        assert!(
            !reply.body.contains("evil.example"),
            "{path}: {}",
            reply.body
        );
    }
}

// ---------------------------------------------------------------- 4. incremental verification

const CHAIN_BROKEN: &str = "Jurnalın bütövlüyü pozulub";

#[tokio::test]
async fn the_journal_page_checks_what_was_added_and_the_command_line_checks_everything() {
    // Issue 9, item 7: the journal page verifies from its last checkpoint (in memory), the
    // command line recomputes the whole chain (D189 §10.1.3).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin").await;
    let first = get(&app, "/journal", &admin).await;
    first.assert_status(StatusCode::OK);
    assert!(!first.body.contains(CHAIN_BROKEN), "{}", first.body);
    // New entries are checked on the next load …
    post(&app, "/ui-lang", &admin, &[("lang", "az"), ("back", "/")]).await;
    attempt_login(&app, "nobody", WRONG, "192.0.2.1", &[]).await;
    site.db()
        .execute(
            "UPDATE journal SET detail = '{\"changed\":true}' WHERE id = (SELECT MAX(id) FROM journal)",
            [],
        )
        .unwrap();
    let second = get(&app, "/journal", &admin).await;
    assert!(second.body.contains(CHAIN_BROKEN), "a new entry changed");
    // … and so is the checkpoint's own entry, even when only it is changed.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin").await;
    get(&app, "/journal", &admin).await;
    let checkpoint: i64 = site
        .db()
        .query_row("SELECT MAX(id) FROM journal", [], |row| row.get(0))
        .unwrap();
    site.db()
        .execute(
            "UPDATE journal SET actor = 'someone else' WHERE id = ?1",
            [checkpoint],
        )
        .unwrap();
    let page = get(&app, "/journal", &admin).await;
    assert!(
        page.body.contains(CHAIN_BROKEN),
        "the checkpoint's entry changed"
    );
    // An old entry changed after the page verified it: the command line's full check names it.
    site.db()
        .execute(
            "UPDATE journal SET detail = '{\"changed\":true}' WHERE id = 2",
            [],
        )
        .unwrap();
    let stderr = common::fails(&site.dir, &["audit-log", "verify"], 1);
    assert!(stderr.contains("entry 2 "), "{stderr}");
}

// ---------------------------------------------------------------- the second attack
//
// What an attack on the fixed build found (SECURITY.md, "The second attack").

/// The panel on a real socket with the limits `govsite serve` gives it.
async fn serve_like_govsite(site: &Site) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let state = AdminState::new(&site.config, LOOPBACK.parse().unwrap());
    let limits = govsite::http::ServerLimits {
        max_body_bytes: govsite::admin::MAX_ANONYMOUS_REQUEST_BYTES,
        large_bodies: Some(govsite::admin::large_bodies(state.clone())),
        ..govsite::http::ServerLimits::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let _ = govsite::http::serve_connections(
            listener,
            "admin",
            admin_router(state),
            limits,
            std::future::pending(),
        )
        .await;
    });
    (addr, handle)
}

/// The status of a request whose headers announce `declared` body bytes of which none are
/// sent, or `None` when the server says nothing within 3 s (it waits for the body).
fn status_without_the_body(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
    declared: usize,
) -> Option<u16> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = [0u8; 512];
    let read = stream.read(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response[..read]);
    text.split(' ').nth(1)?.parse().ok()
}

// One `POST /login` with a 20 MiB name grew the data folder by 63 MB: the panel read 20 MiB
// bodies from anyone and held them in memory, and the name went whole into the journal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_sends_the_panel_a_large_body_without_a_live_session() {
    let site = Site::new();
    let app = site.admin();
    let session = login(&app, "admin").await;
    let (addr, server) = serve_like_govsite(&site).await;
    let large = 20 * 1024 * 1024;
    let statuses = tokio::task::spawn_blocking({
        let cookie = session.cookie.clone();
        let forged = format!("govsite_session={}", "ab".repeat(32));
        move || {
            (
                status_without_the_body(addr, "/login", "", large),
                status_without_the_body(addr, "/ui-lang", &forged, large),
                // A live session may upload: the server waits for its body.
                status_without_the_body(addr, "/media", &cookie, large),
            )
        }
    })
    .await
    .unwrap();
    server.abort();
    assert_eq!(
        statuses,
        (Some(413), Some(413), None),
        "anonymous and forged-session bodies over the small limit must be refused before they are read; a live session's upload must be read"
    );
}

#[tokio::test]
async fn a_login_name_no_account_can_have_is_journaled_as_a_placeholder() {
    let site = Site::new();
    let app = site.admin();
    let long_name = "B".repeat(12 * 1024);
    for name in [long_name.as_str(), "ADMIN", "admin\u{200b}"] {
        attempt_login(&app, name, WRONG, "10.1.2.3", &[])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let failures = site.journaled("login_failed");
    assert_eq!(failures.len(), 3);
    for entry in &failures {
        assert!(
            entry.object.len() < 64 && !entry.object.contains("BBBB"),
            "a typed name that is no user name went into the journal: {:?}",
            &entry.object[..entry.object.len().min(80)]
        );
    }
    // The placeholder is counted like any name: a sixth wrong attempt is throttled.
    for _ in 0..2 {
        attempt_login(&app, &long_name, WRONG, "10.1.2.4", &[]).await;
    }
    attempt_login(&app, "BBB", WRONG, "10.1.2.5", &[])
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
}

// Thirty wrong current passwords on `/password` in 1.4 s were all checked: a stolen session
// could guess the password without limit.
#[tokio::test]
async fn guessing_the_current_password_counts_against_the_login_limit() {
    let site = Site::new();
    let app = site.admin();
    let session = login(&app, "editor").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let reply = post(
            &app,
            "/password",
            &session,
            &[("current", WRONG), ("new", "x"), ("repeat", "x")],
        )
        .await;
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(statuses[..5], [422; 5], "{statuses:?}");
    assert_eq!(statuses[5..], [429; 2], "{statuses:?}");
}

// A 300-character slug was accepted; once its page was published every build failed with
// "File name too long", for the whole site.
#[tokio::test]
async fn a_page_cannot_get_a_slug_too_long_for_an_address() {
    let site = Site::new();
    let app = site.admin();
    let session = login(&app, "admin").await;
    let section = site
        .store()
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == "az" && s.parent_id.is_some())
        .unwrap()
        .id
        .to_string();
    let long_slug = "a".repeat(300);
    let reply = post(
        &app,
        "/pages/new",
        &session,
        &[
            ("type", "news"),
            ("section", &section),
            ("title", "Uzun ünvan"),
            ("slug", &long_slug),
        ],
    )
    .await;
    reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // A long title gives a slug cut at a word, short enough for any file system.
    let title = "Dövlət orqanlarının internet saytlarına dair tələblərin təsdiq edilməsi haqqında "
        .repeat(6);
    let reply = post(
        &app,
        "/pages/new",
        &session,
        &[
            ("type", "news"),
            ("section", &section),
            ("title", &title),
            ("slug", ""),
        ],
    )
    .await;
    reply.assert_status(StatusCode::SEE_OTHER);
    let id: i64 = reply
        .location()
        .trim_start_matches("/pages/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let slug: String = site
        .db()
        .query_row("SELECT slug FROM pages WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .unwrap();
    assert!(
        slug.len() <= govsite::slug::MAX_SLUG_BYTES && slug.starts_with("dovlet-orqanlarinin-"),
        "{slug}"
    );
}

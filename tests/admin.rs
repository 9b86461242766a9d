//! The admin panel over HTTP (D189 §6.3–6.5, §6.11, §4.3–4.5, §10.1.3): who may sign in and
//! how, sessions and CSRF, what each group may do, the publishing workflow, the confidentiality
//! guard, templates, media, interface strings, the journal and its tamper check, and the
//! `govsite user` / `govsite audit-log` commands.
//!
//! Every test works on its own copy of one imported and built fixture site (users `admin`,
//! `editor`, `moderator` with the password [`PASSWORD`]) and talks to
//! `admin_router` / `public_router` with `oneshot`. The tests at the end, in
//! `real_guard_and_spell`, check what only the real confidentiality guard (`src/guard.rs`) and
//! speller (`src/spell`) do; against stand-in stubs that flag nothing they fail. Run them alone
//! with `cargo test --test admin real_guard_and_spell`.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{fails, ok};
use govsite::admin::{AdminState, admin_router, auth};
use govsite::config::Config;
use govsite::model::{PageContent, Stamp};
use govsite::store::{Actor, ImportOptions, JournalEntry, Store};
use govsite::workflow;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// The password of the template's users.
const PASSWORD: &str = "Bahar-Yağışı-7-Quba";
/// A second password that passes the policy.
const NEW_PASSWORD: &str = "Gəncə şəhəri 1804-cü il";
const LOOPBACK: &str = "127.0.0.1:8081";

// ---------------------------------------------------------------- the site

/// The basic fixture imported and built once, with one user per built-in group; tests copy it.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let temp = tempfile::Builder::new()
                .prefix("admin-template")
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

    /// The panel on its default loopback listener.
    fn admin(&self) -> Router {
        panel(&self.config, LOOPBACK)
    }

    fn public(&self) -> Router {
        govsite::http::public_router(govsite::http::PublicState::new(&self.config))
    }

    fn store(&self) -> Store {
        open_store(&self.config)
    }

    /// The database directly, for what the panel offers no way to do (tampering, ageing).
    fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.config.database_path()).unwrap()
    }

    /// A published file, if it exists.
    fn published(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.config.public_dir.join(path)).ok()
    }

    fn page_id(&self, lang: &str, key: &str) -> i64 {
        self.store().page_id(lang, key).unwrap()
    }

    fn section_id(&self, lang: &str, key: &str) -> i64 {
        self.store()
            .sections()
            .unwrap()
            .into_iter()
            .find(|s| s.lang == lang && s.translation_key == key)
            .unwrap_or_else(|| panic!("no section {key} in {lang}"))
            .id
    }

    fn head(&self, page_id: i64) -> PageContent {
        self.store().head_revision(page_id).unwrap()
    }

    fn user_id(&self, name: &str) -> i64 {
        self.store().user_with_hash(name).unwrap().unwrap().0.id
    }

    fn journal(&self) -> Vec<JournalEntry> {
        self.store().journal().unwrap()
    }

    /// Creates a user whose password is [`PASSWORD`] (reusing the template's hash: no argon2).
    fn add_user(&self, name: &str, group: &str, must_change: bool) {
        let hash: String = self
            .db()
            .query_row(
                "SELECT password_hash FROM users WHERE name = 'admin'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        self.store()
            .create_user(name, group, &hash, must_change, &os_actor())
            .unwrap();
    }

    fn session_count(&self) -> i64 {
        self.db()
            .query_row("SELECT COUNT(*) FROM sessions", [], |row| row.get(0))
            .unwrap()
    }
}

fn panel(config: &Config, listen: &str) -> Router {
    admin_router(AdminState::new(config, listen.parse().unwrap()))
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

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a 303 to `location` (compared up to the query when it has none).
    fn assert_redirect(&self, location: &str) {
        let actual = if location.contains('?') {
            self.location()
        } else {
            self.location().split('?').next().unwrap_or("")
        };
        assert_eq!(
            (self.status, actual),
            (StatusCode::SEE_OTHER, location),
            "{}",
            self.body
        );
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

/// Form fields in order; `set` replaces a field or adds it.
#[derive(Clone, Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn of(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn set(mut self, key: &str, value: &str) -> Fields {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value.to_string(),
            None => self.0.push((key.to_string(), value.to_string())),
        }
        self
    }

    fn add(mut self, key: &str, value: &str) -> Fields {
        self.0.push((key.to_string(), value.to_string()));
        self
    }

    fn encoded(&self) -> String {
        serde_urlencoded::to_string(&self.0).unwrap()
    }
}

fn with_cookie(
    builder: axum::http::request::Builder,
    session: Option<&Session>,
) -> axum::http::request::Builder {
    match session {
        Some(session) => builder.header(header::COOKIE, &session.cookie),
        None => builder,
    }
}

async fn get(app: &Router, path: &str, session: Option<&Session>) -> Reply {
    let request = with_cookie(Request::get(path), session)
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

/// A form POST exactly as given: no CSRF token is added.
async fn post_raw(app: &Router, path: &str, session: Option<&Session>, fields: &Fields) -> Reply {
    let request = with_cookie(Request::post(path), session)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(fields.encoded()))
        .unwrap();
    send(app, request).await
}

/// A form POST of a signed-in user, with the session's CSRF token.
async fn post(app: &Router, path: &str, session: &Session, fields: Fields) -> Reply {
    post_raw(app, path, Some(session), &fields.set("csrf", &session.csrf)).await
}

/// POST /login, from `from` (an IP address) when given.
async fn attempt_login(app: &Router, name: &str, password: &str, from: Option<&str>) -> Reply {
    let mut request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            Fields::of(&[("name", name), ("password", password)]).encoded(),
        ))
        .unwrap();
    if let Some(ip) = from {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 50_000)));
    }
    send(app, request).await
}

/// Signs in and picks up the CSRF token from a panel page.
async fn login(app: &Router, name: &str, password: &str) -> Session {
    let reply = attempt_login(app, name, password, None).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "login of {name}: {}",
        reply.body
    );
    let cookie = reply.set_cookies()[0]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = get(
        app,
        "/password",
        Some(&Session {
            cookie: cookie.clone(),
            csrf: String::new(),
        }),
    )
    .await;
    page.assert_status(StatusCode::OK);
    Session {
        cookie,
        csrf: csrf_of(&page.body),
    }
}

fn csrf_of(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in:\n{html}"))
        + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

fn is_session_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The editor's fields for a page's content, as the browser sends them back.
fn editor_fields(content: &PageContent) -> Fields {
    let stamp = |s: &Option<Stamp>| s.as_ref().map_or(String::new(), |s| s.as_str().to_string());
    let mut fields = Fields::of(&[
        ("title", content.title.as_str()),
        ("summary", content.summary.as_deref().unwrap_or("")),
        ("description", content.description.as_deref().unwrap_or("")),
        ("keywords", content.keywords.join(", ").as_str()),
        ("type", content.content_type.as_str()),
        ("created", stamp(&content.created).as_str()),
        ("issued", stamp(&content.issued).as_str()),
        ("modified", stamp(&content.modified).as_str()),
        ("publish_at", stamp(&content.publish_at).as_str()),
        ("valid_until", stamp(&content.valid_until).as_str()),
        ("files", content.files.join("\n").as_str()),
        ("body", content.body.as_str()),
    ]);
    for (name, value) in content.dc.fields() {
        fields = fields.add(&format!("dc_{name}"), value.as_deref().unwrap_or(""));
    }
    fields
}

/// POST /pages/{id}: the page's current fields with `changes`, e.g. `("action", "save")`.
async fn edit(
    site: &Site,
    app: &Router,
    session: &Session,
    page_id: i64,
    changes: &[(&str, &str)],
) -> Reply {
    // The editor as just opened: its form carries the head revision as its base (issue 10).
    let (head_id, head) = site.store().head_revision_with_id(page_id).unwrap();
    let mut fields = editor_fields(&head).set("base_revision", &head_id.to_string());
    for (key, value) in changes {
        fields = fields.set(key, value);
    }
    post(app, &format!("/pages/{page_id}"), session, fields).await
}

/// An interface string of the panel in Azerbaijani (the users' default), HTML-escaped as the
/// panel's templates print it.
fn admin_text(key: &str) -> String {
    static STRINGS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let strings =
        STRINGS.get_or_init(|| toml::from_str(include_str!("../src/admin/i18n/az.toml")).unwrap());
    strings
        .get(key)
        .unwrap_or_else(|| panic!("no admin string {key}"))
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn journaled(site: &Site, action: &str) -> Vec<JournalEntry> {
    site.journal()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

// ---------------------------------------------------------------- listeners and transport

#[tokio::test]
async fn the_panels_view_of_public_files_stays_inside_public_with_the_sites_headers() {
    // Issue 9 items 1 and 10: the panel's fallback joined `//etc/passwd` onto public/ and sent
    // public files without CSP, nosniff or a charset.
    let site = Site::new();
    let admin = site.admin();
    let session = login(&admin, "admin", PASSWORD).await;
    let database = format!("/{}", site.config.database_path().display());
    for path in ["//etc/passwd", database.as_str(), "/%2e%2e/site.toml"] {
        let reply = get(&admin, path, Some(&session)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.contains("root:"), "{path}");
    }
    let reply = get(&admin, "/az/xeberler/", Some(&session)).await;
    reply.assert_status(StatusCode::OK);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(reply.headers.contains_key(header::CONTENT_SECURITY_POLICY));
}

#[tokio::test]
async fn the_panels_view_of_public_files_is_streamed_with_etag_and_ranges() {
    // Issue 10: the panel read whole files into memory, without ETag or ranges.
    let site = Site::new();
    let admin = site.admin();
    let session = login(&admin, "admin", PASSWORD).await;
    let first = get(&admin, "/az/haqqimizda/hesabat.pdf", Some(&session)).await;
    first.assert_status(StatusCode::OK);
    let etag = first.headers[header::ETAG].to_str().unwrap().to_string();
    let request = with_cookie(Request::get("/az/haqqimizda/hesabat.pdf"), Some(&session))
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    let again = send(&admin, request).await;
    again.assert_status(StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let request = with_cookie(Request::get("/az/haqqimizda/hesabat.pdf"), Some(&session))
        .header(header::RANGE, "bytes=0-3")
        .body(Body::empty())
        .unwrap();
    let part = send(&admin, request).await;
    part.assert_status(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "%PDF");
    assert!(part.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    // Signed-out requests still see nothing of it.
    let request = Request::get("/az/haqqimizda/hesabat.pdf")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    assert_ne!(send(&admin, request).await.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn public_listener_does_not_serve_the_panel() {
    // D189 §6.4.9: the panel has its own listener; §6.3.10: nothing of it on the public site.
    let site = Site::new();
    let public = site.public();
    for path in [
        "/login",
        "/pages",
        "/users",
        "/journal",
        "/admin-assets/admin.css",
    ] {
        let reply = get(&public, path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.contains("name=\"password\""), "{path}");
    }
    let reply = post_raw(
        &public,
        "/login",
        None,
        &Fields::of(&[("name", "admin"), ("password", PASSWORD)]),
    )
    .await;
    // The static site refuses every POST before looking at the path (405); either way the
    // login is not there.
    assert!(
        matches!(
            reply.status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
        ),
        "{}",
        reply.status
    );
    assert!(reply.set_cookies().is_empty());
    assert_eq!(site.session_count(), 0);
    assert!(journaled(&site, "login").is_empty());
}

#[tokio::test]
async fn refuses_passwords_over_plain_http_off_loopback() {
    // D189 §6.3.12: credentials only over HTTPS, or plain HTTP that never leaves the machine.
    let site = Site::new();
    let remote = panel(&site.config, "192.0.2.1:8081");
    let form = get(&remote, "/login", None).await;
    form.assert_status(StatusCode::FORBIDDEN);
    assert!(form.body.contains(&admin_text("https_required_title")));
    assert!(!form.body.contains("name=\"password\""));
    let reply = attempt_login(&remote, "admin", PASSWORD, None).await;
    reply.assert_status(StatusCode::FORBIDDEN);
    assert!(reply.set_cookies().is_empty());
    assert_eq!(site.session_count(), 0);

    // Behind a TLS proxy (`listen.admin_https`): allowed, with a Secure `__Host-` cookie.
    let mut https = site.config.clone();
    https.admin_https = true;
    let behind_tls = panel(&https, "192.0.2.1:8081");
    get(&behind_tls, "/login", None)
        .await
        .assert_status(StatusCode::OK);
    let reply = attempt_login(&behind_tls, "admin", PASSWORD, None).await;
    reply.assert_redirect("/");
    let cookies = reply.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let id = cookies[0]
        .strip_prefix("__Host-govsite_session=")
        .and_then(|rest| rest.strip_suffix("; Path=/; HttpOnly; SameSite=Strict; Secure"))
        .unwrap_or_else(|| panic!("{}", cookies[0]));
    assert!(is_session_id(id), "{id}");
    let secure = Session {
        cookie: format!("__Host-govsite_session={id}"),
        csrf: String::new(),
    };
    get(&behind_tls, "/", Some(&secure))
        .await
        .assert_status(StatusCode::OK);
    // The same id under the plain name is not a session there.
    let plain = Session {
        cookie: format!("govsite_session={id}"),
        csrf: String::new(),
    };
    get(&behind_tls, "/", Some(&plain))
        .await
        .assert_redirect("/login");
}

#[tokio::test]
async fn session_cookie_is_only_an_opaque_strict_http_only_id() {
    // D189 §6.3.11: the cookie carries nothing but a random id; the database only its hash.
    let site = Site::new();
    let reply = attempt_login(&site.admin(), "admin", PASSWORD, None).await;
    reply.assert_redirect("/");
    let cookies = reply.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let id = cookies[0]
        .strip_prefix("govsite_session=")
        .and_then(|rest| rest.strip_suffix("; Path=/; HttpOnly; SameSite=Strict"))
        .unwrap_or_else(|| panic!("{}", cookies[0]));
    assert!(is_session_id(id), "{id}");
    let stored: Vec<String> = {
        let db = site.db();
        let mut statement = db.prepare("SELECT id_hash FROM sessions").unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(stored, vec![sha256_hex(id.as_bytes())]);
}

// ---------------------------------------------------------------- failed logins

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401_and_are_journaled() {
    // D189 §6.11, §10.1.3
    let site = Site::new();
    let app = site.admin();
    let wrong = attempt_login(&app, "admin", "Yanlış-Parol-42", None).await;
    let unknown = attempt_login(&app, "nobody", PASSWORD, None).await;
    for reply in [&wrong, &unknown] {
        reply.assert_status(StatusCode::UNAUTHORIZED);
        assert!(reply.set_cookies().is_empty());
        assert!(
            reply.body.contains(&admin_text("login_failed")),
            "{}",
            reply.body
        );
    }
    assert_eq!(site.session_count(), 0);
    let failures = journaled(&site, "login_failed");
    let seen: Vec<(&str, &str)> = failures
        .iter()
        .map(|e| (e.object.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        seen,
        [("admin", "anonymous@local"), ("nobody", "anonymous@local")]
    );
    assert!(
        failures[0].detail.contains("wrong password"),
        "{}",
        failures[0].detail
    );
    assert!(
        failures[1].detail.contains("unknown user"),
        "{}",
        failures[1].detail
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    // D189 §6.11: throttling per account.
    let site = Site::new();
    let app = site.admin();
    for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
        attempt_login(&app, "admin", "Yanlış-Parol-42", None)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let locked = attempt_login(&app, "admin", PASSWORD, None).await;
    locked.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.set_cookies().is_empty());
    assert!(locked.body.contains(&admin_text("login_throttled")));
    assert_eq!(site.session_count(), 0);
    assert_eq!(journaled(&site, "login_throttled").len(), 1);
    // Another account from the same address is not affected.
    attempt_login(&app, "editor", PASSWORD, None)
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_that_address() {
    // D189 §6.11: throttling per address, across accounts.
    let site = Site::new();
    let app = site.admin();
    let attacker = "203.0.113.5";
    for n in 0..auth::MAX_FAILURES_PER_ADDRESS {
        attempt_login(
            &app,
            &format!("guess{n}"),
            "Yanlış-Parol-42",
            Some(attacker),
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    }
    let throttled = attempt_login(&app, "editor", PASSWORD, Some(attacker)).await;
    throttled.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.set_cookies().is_empty());
    attempt_login(&app, "editor", PASSWORD, Some("198.51.100.7"))
        .await
        .assert_redirect("/");
    assert!(
        journaled(&site, "login_failed")
            .iter()
            .all(|e| e.actor == format!("anonymous@{attacker}"))
    );
}

// ---------------------------------------------------------------- passwords and accounts

#[tokio::test]
async fn one_time_password_must_be_changed_first_and_the_change_ends_other_sessions() {
    // D189 §6.11: generated passwords are changed at first login, new ones follow the policy.
    let site = Site::new();
    let app = site.admin();
    site.add_user("aynur", "content_manager", true);
    attempt_login(&app, "aynur", PASSWORD, None)
        .await
        .assert_redirect("/password");
    let current = login(&app, "aynur", PASSWORD).await;
    let other = login(&app, "aynur", PASSWORD).await;
    for path in ["/", "/pages", "/media"] {
        get(&app, path, Some(&current))
            .await
            .assert_redirect("/password");
    }
    let form = get(&app, "/password", Some(&current)).await;
    assert!(form.body.contains(&admin_text("password_forced")));

    for (weak, reason) in [
        ("Ab1!xyzq", "password_too_short"),
        ("Mənim-AYNUR-2024", "password_contains_name"),
        ("Password2024!!", "password_common"),
        ("Xq9!1234-Lm#zz", "password_run"),
    ] {
        let reply = post(
            &app,
            "/password",
            &current,
            Fields::of(&[("current", PASSWORD), ("new", weak), ("repeat", weak)]),
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let expected = admin_text(reason).replace("{min}", &auth::MIN_PASSWORD_CHARS.to_string());
        assert!(
            reply.body.contains(&expected),
            "{weak}: {expected}\n{}",
            reply.body
        );
    }
    get(&app, "/", Some(&current))
        .await
        .assert_redirect("/password");

    post(
        &app,
        "/password",
        &current,
        Fields::of(&[
            ("current", PASSWORD),
            ("new", NEW_PASSWORD),
            ("repeat", NEW_PASSWORD),
        ]),
    )
    .await
    .assert_redirect("/?done=password");
    get(&app, "/", Some(&current))
        .await
        .assert_status(StatusCode::OK);
    get(&app, "/pages", Some(&current))
        .await
        .assert_status(StatusCode::OK);
    get(&app, "/", Some(&other)).await.assert_redirect("/login");
    attempt_login(&app, "aynur", PASSWORD, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    attempt_login(&app, "aynur", NEW_PASSWORD, None)
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn disabled_users_cannot_sign_in_and_lose_their_sessions() {
    // D189 §6.5; their journal entries stay (§10.1.3).
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let moderator = login(&app, "moderator", PASSWORD).await;
    get(&app, "/users", Some(&editor))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let by_editor = site
        .journal()
        .iter()
        .filter(|e| e.actor == "editor")
        .count();
    assert!(by_editor >= 2, "login and the refused request");

    // From the command line.
    let stdout = ok(&site.dir, &["user", "disable", "editor"]);
    assert!(stdout.contains("disabled"), "{stdout}");
    get(&app, "/pages", Some(&editor))
        .await
        .assert_redirect("/login");
    attempt_login(&app, "editor", PASSWORD, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        site.journal()
            .iter()
            .filter(|e| e.actor == "editor")
            .count(),
        by_editor
    );

    // From the panel.
    let admin = login(&app, "admin", PASSWORD).await;
    let id = site.user_id("moderator");
    post(
        &app,
        &format!("/users/{id}"),
        &admin,
        Fields::of(&[("action", "disable")]),
    )
    .await
    .assert_redirect(&format!("/users/{id}"));
    get(&app, "/pages", Some(&moderator))
        .await
        .assert_redirect("/login");
    attempt_login(&app, "moderator", PASSWORD, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert!(
        journaled(&site, "disable")
            .iter()
            .any(|e| e.actor == "admin" && e.object == "moderator")
    );
    // Nobody locks themselves out.
    let own = site.user_id("admin");
    post(
        &app,
        &format!("/users/{own}"),
        &admin,
        Fields::of(&[("action", "disable")]),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    get(&app, "/", Some(&admin))
        .await
        .assert_status(StatusCode::OK);
}

// ---------------------------------------------------------------- sessions and CSRF

#[tokio::test]
async fn state_changing_posts_without_the_session_csrf_token_change_nothing() {
    // Forms carry the session's CSRF token (part of the session protection, D189 §6.3.11).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let second = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    let pages_before = site.store().page_summaries(0).unwrap().len();
    let users_before = site.store().users().unwrap().len();
    let groups_before = site.store().groups().unwrap().len();
    let strings_before = site.store().ui_strings("az").unwrap();
    let journal_before = site.journal().len();

    let news = site.section_id("az", "news").to_string();
    let attempts = [
        (
            "/pages/new".to_string(),
            Fields::of(&[
                ("section", news.as_str()),
                ("type", "news"),
                ("title", "Yeni"),
            ]),
        ),
        (
            format!("/pages/{page}"),
            editor_fields(&before)
                .set("title", "Dəyişdirilmiş")
                .set("action", "save"),
        ),
        (format!("/pages/{page}/delete"), Fields::default()),
        (
            "/users".to_string(),
            Fields::of(&[("name", "intruder"), ("group", "administrator")]),
        ),
        (
            "/groups".to_string(),
            Fields::of(&[("name", "intruders"), ("modules", "users")]),
        ),
        (
            "/strings".to_string(),
            Fields::of(&[("lang", "az"), ("s.copyright", "Ələ keçirildi")]),
        ),
        (
            "/password".to_string(),
            Fields::of(&[
                ("current", PASSWORD),
                ("new", NEW_PASSWORD),
                ("repeat", NEW_PASSWORD),
            ]),
        ),
        ("/logout".to_string(), Fields::default()),
    ];
    let wrong = "0".repeat(64);
    for (path, fields) in &attempts {
        for token in [None, Some(wrong.as_str()), Some(second.csrf.as_str())] {
            let fields = match token {
                Some(token) => fields.clone().set("csrf", token),
                None => fields.clone(),
            };
            let reply = post_raw(&app, path, Some(&admin), &fields).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path} with {token:?}");
            assert!(reply.body.contains(&admin_text("csrf_title")), "{path}");
        }
    }
    assert_eq!(site.head(page), before);
    assert_eq!(site.store().page_summaries(0).unwrap().len(), pages_before);
    assert_eq!(site.store().users().unwrap().len(), users_before);
    assert_eq!(site.store().groups().unwrap().len(), groups_before);
    assert_eq!(site.store().ui_strings("az").unwrap(), strings_before);
    assert_eq!(site.journal().len(), journal_before);
    get(&app, "/", Some(&admin))
        .await
        .assert_status(StatusCode::OK);
    attempt_login(&app, "admin", PASSWORD, None)
        .await
        .assert_redirect("/");

    // The same form with the session's own token goes through.
    post(
        &app,
        "/strings",
        &admin,
        Fields::of(&[("lang", "az"), ("s.copyright", "Yeni mətn")]),
    )
    .await
    .assert_redirect("/strings?lang=az&saved=1");
    post(&app, "/logout", &admin, Fields::default())
        .await
        .assert_redirect("/login");
    get(&app, "/", Some(&admin)).await.assert_redirect("/login");
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_twelve_hours() {
    // auth::SESSION_IDLE_SECONDS (30 min) and SESSION_ABSOLUTE_SECONDS (12 h).
    let site = Site::new();
    let app = site.admin();
    let session = login(&app, "admin", PASSWORD).await;
    let age = |column: &str, seconds: i64| {
        site.db()
            .execute(
                &format!("UPDATE sessions SET {column} = strftime('%s', 'now') - ?1"),
                [seconds],
            )
            .unwrap();
    };
    age("last_seen", auth::SESSION_IDLE_SECONDS - 60);
    get(&app, "/", Some(&session))
        .await
        .assert_status(StatusCode::OK);
    age("last_seen", auth::SESSION_IDLE_SECONDS + 60);
    get(&app, "/", Some(&session))
        .await
        .assert_redirect("/login");
    assert_eq!(site.session_count(), 0, "the expired session is removed");

    let session = login(&app, "admin", PASSWORD).await;
    age("created_at", 13 * 3600);
    get(&app, "/pages", Some(&session))
        .await
        .assert_redirect("/login");
    assert_eq!(site.session_count(), 0);
}

// ---------------------------------------------------------------- groups and permissions

#[tokio::test]
async fn administrator_reaches_every_module() {
    // D189 §6.5
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    for path in [
        "/",
        "/pages",
        "/pages/new",
        "/sections",
        "/media",
        "/templates",
        "/strings",
        "/users",
        "/groups",
        "/journal",
    ] {
        let reply = get(&app, path, Some(&admin)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
}

#[tokio::test]
async fn content_manager_writes_and_submits_but_cannot_publish_or_administer() {
    // D189 §6.5: content managers edit content and media; refusals are journaled (§10.1.3).
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let refused = [
        "/users",
        "/groups",
        "/templates",
        "/strings",
        "/sections",
        "/journal",
    ];
    for path in refused {
        get(&app, path, Some(&editor))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    for path in ["/", "/pages", "/media"] {
        get(&app, path, Some(&editor))
            .await
            .assert_status(StatusCode::OK);
    }
    let forbidden: Vec<String> = journaled(&site, "forbidden")
        .into_iter()
        .filter(|e| e.actor == "editor")
        .map(|e| e.object)
        .collect();
    assert_eq!(forbidden, refused);

    let page = site.page_id("az", "news/draft");
    edit(
        &site,
        &app,
        &editor,
        page,
        &[("body", "Yeni qaralama mətni."), ("action", "save")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));
    assert_eq!(site.head(page).body, "Yeni qaralama mətni.");
    assert_eq!(site.head(page).status.as_str(), "draft");
    edit(&site, &app, &editor, page, &[("action", "review")])
        .await
        .assert_redirect(&format!("/pages/{page}?done=submitted"));
    assert_eq!(site.head(page).status.as_str(), "review");

    edit(&site, &app, &editor, page, &[("action", "publish")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(site.head(page).status.as_str(), "review");
    assert!(site.published("az/xeberler/qaralama/index.html").is_none());
    assert!(
        journaled(&site, "forbidden")
            .iter()
            .any(|e| e.actor == "editor" && e.object.ends_with("publish"))
    );
}

#[tokio::test]
async fn content_manager_limited_to_a_section_and_language_cannot_edit_elsewhere() {
    // D189 §6.5: access to particular sections and languages.
    let site = Site::new();
    let app = site.admin();
    site.store()
        .set_user_access(
            site.user_id("editor"),
            "content_manager",
            &["news".into()],
            &["az".into()],
            &os_actor(),
        )
        .unwrap();
    let editor = login(&app, "editor", PASSWORD).await;
    let own = site.page_id("az", "news/first");
    get(&app, &format!("/pages/{own}"), Some(&editor))
        .await
        .assert_status(StatusCode::OK);
    edit(&site, &app, &editor, own, &[("action", "save")])
        .await
        .assert_status(StatusCode::SEE_OTHER);

    let other_section = site.page_id("az", "about/history");
    let other_language = site.page_id("en", "news/first");
    for page in [other_section, other_language] {
        let before = site.head(page);
        get(&app, &format!("/pages/{page}"), Some(&editor))
            .await
            .assert_status(StatusCode::FORBIDDEN);
        edit(
            &site,
            &app,
            &editor,
            page,
            &[("title", "Başqasının səhifəsi"), ("action", "save")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        assert_eq!(site.head(page), before);
    }
    let pages = site.store().page_summaries(0).unwrap().len();
    let about = site.section_id("az", "about").to_string();
    post(
        &app,
        "/pages/new",
        &editor,
        Fields::of(&[
            ("section", about.as_str()),
            ("type", "page"),
            ("title", "Başqa bölmədə"),
        ]),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(site.store().page_summaries(0).unwrap().len(), pages);
    let list = get(&app, "/pages", Some(&editor)).await;
    assert!(list.body.contains("Birinci xəbər"));
    assert!(!list.body.contains("Tarixçə") && !list.body.contains("First news"));
}

#[tokio::test]
async fn moderator_publishes_but_has_no_media_templates_or_users() {
    // D189 §6.5
    let site = Site::new();
    let app = site.admin();
    let moderator = login(&app, "moderator", PASSWORD).await;
    for path in ["/users", "/media", "/templates"] {
        get(&app, path, Some(&moderator))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    let page = site.page_id("az", "news/draft");
    assert!(site.published("az/xeberler/qaralama/index.html").is_none());
    edit(&site, &app, &moderator, page, &[("action", "publish")])
        .await
        .assert_redirect(&format!("/pages/{page}?done=published"));
    assert!(site.published("az/xeberler/qaralama/index.html").is_some());
    let served = get(&site.public(), "/az/xeberler/qaralama/", None).await;
    served.assert_status(StatusCode::OK);
    assert!(served.body.contains("Qaralama xəbər"));
}

#[tokio::test]
async fn custom_group_gets_exactly_its_modules() {
    // D189 §6.5: more groups as needed, each allowed specific modules.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    post(
        &app,
        "/groups",
        &admin,
        Fields::of(&[("name", "media_team"), ("modules", "media")]),
    )
    .await
    .assert_redirect("/groups");
    site.add_user("leyla", "media_team", false);
    let leyla = login(&app, "leyla", PASSWORD).await;
    for path in ["/", "/media"] {
        get(&app, path, Some(&leyla))
            .await
            .assert_status(StatusCode::OK);
    }
    for path in ["/pages", "/users", "/templates", "/journal"] {
        get(&app, path, Some(&leyla))
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
}

// ---------------------------------------------------------------- publishing workflow

/// Creates an az news item through the panel; its id.
async fn create_news(site: &Site, app: &Router, session: &Session, title: &str) -> i64 {
    let news = site.section_id("az", "news").to_string();
    let reply = post(
        app,
        "/pages/new",
        session,
        Fields::of(&[
            ("section", news.as_str()),
            ("type", "news"),
            ("title", title),
        ]),
    )
    .await;
    reply.assert_status(StatusCode::SEE_OTHER);
    let location = reply.location();
    assert!(location.ends_with("?done=created"), "{location}");
    location["/pages/".len()..location.find('?').unwrap()]
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_new_page_goes_from_draft_through_review_to_the_site_and_its_search() {
    // D189 §6.4: the workflow draft → review → published; published pages are searchable (§4.10).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = create_news(&site, &app, &admin, "Yeni tender elanı").await;
    let url = site.store().page_meta(page).unwrap().url;
    assert_eq!(url, "/az/xeberler/yeni-tender-elani/");
    let file = "az/xeberler/yeni-tender-elani/index.html";
    assert_eq!(site.head(page).status.as_str(), "draft");
    assert!(site.published(file).is_none());

    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Bələdiyyə yol təmiri üçün tender elan edir."),
            ("issued", "2026-05-01"),
            ("action", "save"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));
    edit(&site, &app, &admin, page, &[("action", "review")])
        .await
        .assert_redirect(&format!("/pages/{page}?done=submitted"));
    assert!(site.published(file).is_none());
    edit(&site, &app, &admin, page, &[("action", "publish")])
        .await
        .assert_redirect(&format!("/pages/{page}?done=published"));
    assert!(site.published(file).unwrap().contains("Yeni tender elanı"));

    let found = get(&site.public(), "/az/axtaris/?q=tender", None).await;
    found.assert_status(StatusCode::OK);
    assert!(found.body.contains(&url), "{}", found.body);
    let steps: Vec<String> = site
        .journal()
        .into_iter()
        .filter(|e| e.object == url)
        .map(|e| e.action)
        .collect();
    assert_eq!(steps, ["create", "update", "submit", "publish"]);
}

#[tokio::test]
async fn publishing_with_a_future_time_schedules_without_publishing() {
    // D189 §6.4: scheduled publication.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    edit(
        &site,
        &app,
        &admin,
        page,
        &[("publish_at", "2099-01-01T09:00"), ("action", "publish")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=scheduled"));
    assert!(site.published("az/xeberler/qaralama/index.html").is_none());
    let list = get(&app, "/pages?status=scheduled", Some(&admin)).await;
    assert!(list.body.contains("Qaralama xəbər"), "{}", list.body);
    let list = get(&app, "/pages?status=published", Some(&admin)).await;
    assert!(!list.body.contains("Qaralama xəbər"));
    assert_eq!(journaled(&site, "schedule").len(), 1);
}

#[tokio::test]
async fn unpublishing_needs_a_reason_which_is_journaled() {
    // D189 §4.3: information is taken off the site with a recorded reason.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/second");
    let file = "az/xeberler/ikinci-xeber/index.html";
    assert!(site.published(file).is_some());
    let refused = edit(&site, &app, &admin, page, &[("action", "unpublish")]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&admin_text("error_reason")));
    assert!(site.published(file).is_some());
    assert_eq!(site.head(page).status.as_str(), "published");

    edit(
        &site,
        &app,
        &admin,
        page,
        &[("action", "unpublish"), ("reason", "Məlumat köhnəlib")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=unpublished"));
    assert!(site.published(file).is_none());
    let entry = journaled(&site, "unpublish").pop().unwrap();
    assert_eq!(entry.object, "/az/xeberler/ikinci-xeber/");
    assert!(
        entry.detail.contains("Məlumat köhnəlib"),
        "{}",
        entry.detail
    );
    let history = get(&app, &format!("/pages/{page}/revisions"), Some(&admin)).await;
    assert!(history.body.contains("Məlumat köhnəlib"));
}

#[tokio::test]
async fn a_correction_needs_a_note_which_the_public_page_shows() {
    // D189 §4.3: corrections of published information say what was corrected.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/first");
    let file = "az/xeberler/birinci-xeber/index.html";
    let changes = [(
        "body",
        "Agentlik 2026-cı ilin yanvarında fəaliyyətə başladı.",
    )];
    let refused = edit(
        &site,
        &app,
        &admin,
        page,
        &[changes[0], ("action", "correct")],
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&admin_text("error_correction_note")));
    assert!(!site.published(file).unwrap().contains("yanvarında"));

    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            changes[0],
            ("action", "correct"),
            ("correction_note", "Başlama tarixi dəqiqləşdirildi."),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=corrected"));
    let published = site.published(file).unwrap();
    assert!(published.contains("yanvarında"), "{published}");
    assert!(
        published.contains("Başlama tarixi dəqiqləşdirildi."),
        "{published}"
    );
}

#[tokio::test]
async fn revisions_show_line_diffs_and_restore_makes_a_new_draft() {
    // D189 §10.1.3: every change kept, comparable and restorable.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/first");
    let original = site.head(page);
    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Agentlik yeni binada işləyir."),
            ("action", "save"),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);

    let history = get(&app, &format!("/pages/{page}/revisions"), Some(&admin)).await;
    history.assert_status(StatusCode::OK);
    for number in [1, 2] {
        assert!(
            history
                .body
                .contains(&format!("href=\"/pages/{page}/revisions/{number}\""))
        );
    }
    let diff = get(&app, &format!("/pages/{page}/revisions/2"), Some(&admin)).await;
    diff.assert_status(StatusCode::OK);
    let row = |kind: &str, sign: &str, text: &str| {
        format!(
            "<tr class=\"diff-{kind}\"><td class=\"diff-sign\">{sign}</td><td><pre>{text}</pre>"
        )
    };
    assert!(
        diff.body
            .contains(&row("del", "-", original.body.trim_end())),
        "{}",
        diff.body
    );
    assert!(
        diff.body
            .contains(&row("add", "+", "Agentlik yeni binada işləyir."))
    );
    assert!(
        diff.body
            .contains(&row("same", " ", "title: Birinci xəbər"))
    );

    // The restore form carries the head it was opened on (issue 10).
    let diff = get(&app, &format!("/pages/{page}/revisions/1"), Some(&admin)).await;
    let base = base_revision_of(&diff.body).expect("the restore form has a base revision");
    post(
        &app,
        &format!("/pages/{page}/revisions/1/restore"),
        &admin,
        Fields::default().set("base_revision", &base),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=restored"));
    let revisions = site.store().revisions(page).unwrap();
    assert_eq!(revisions.len(), 3);
    let head = site.head(page);
    assert_eq!(head.body, original.body);
    assert_eq!(head.status.as_str(), "draft");
}

// ---------------------------------------------------------------- confidentiality guard

#[tokio::test]
async fn publishing_a_secrecy_stamp_needs_a_journaled_override() {
    // D189 §4.5: stamps and personal data stop publishing unless someone takes responsibility.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let body = "Məxfi\n\nBu sənəd daxili istifadə üçündür.";
    let stopped = edit(
        &site,
        &app,
        &admin,
        page,
        &[("body", body), ("action", "publish")],
    )
    .await;
    stopped.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stopped.body.contains("class=\"warning-box\""),
        "{}",
        stopped.body
    );
    assert!(stopped.body.contains("<strong>Məxfi</strong>"));
    assert!(stopped.body.contains("name=\"override\""));
    assert!(site.published("az/xeberler/qaralama/index.html").is_none());
    assert_eq!(site.head(page).status.as_str(), "draft");
    assert!(journaled(&site, "override_confidentiality").is_empty());

    edit(
        &site,
        &app,
        &admin,
        page,
        &[("body", body), ("action", "publish"), ("override", "1")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=published"));
    assert!(
        site.published("az/xeberler/qaralama/index.html")
            .unwrap()
            .contains("daxili istifadə")
    );
    let overrides = journaled(&site, "override_confidentiality");
    assert_eq!(overrides.len(), 1);
    assert_eq!(
        (overrides[0].actor.as_str(), overrides[0].object.as_str()),
        ("admin", "/az/xeberler/qaralama/")
    );
}

// ---------------------------------------------------------------- deleting

#[tokio::test]
async fn a_linked_page_cannot_be_deleted_an_unlinked_one_leaves_the_site() {
    // D189 §6.4.4: deleting is refused while other pages link to the page, naming them.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    // az/xeberler/birinci-xeber.md links to @/az/haqqimizda/tarixce.md.
    let linked = site.page_id("az", "about/history");
    let refused = post(
        &app,
        &format!("/pages/{linked}/delete"),
        &admin,
        Fields::default(),
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&admin_text("error_linked")));
    assert!(
        refused.body.contains("/az/xeberler/birinci-xeber/"),
        "{}",
        refused.body
    );
    assert!(site.store().page_meta(linked).is_ok());
    assert!(site.published("az/haqqimizda/tarixce/index.html").is_some());

    let unlinked = site.page_id("az", "news/second");
    post(
        &app,
        &format!("/pages/{unlinked}/delete"),
        &admin,
        Fields::default(),
    )
    .await
    .assert_redirect("/pages?done=deleted");
    assert!(site.store().page_meta(unlinked).is_err());
    assert!(
        site.published("az/xeberler/ikinci-xeber/index.html")
            .is_none()
    );
    assert_eq!(
        journaled(&site, "delete").pop().unwrap().object,
        "/az/xeberler/ikinci-xeber/"
    );
}

// ---------------------------------------------------------------- templates, media, strings

#[tokio::test]
async fn a_broken_template_is_refused_and_a_valid_one_is_published() {
    // D189 §6.4.2: template changes are checked so that a broken one never reaches the site.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let theme = site.config.theme.clone();
    let templates = site.store().templates(&theme).unwrap();
    let public_before = common::tree(&site.config.public_dir);
    for broken in [
        format!("{}{{% if %}}", templates["page.html"]),
        templates["page.html"].replacen("{% if", "{% if page.title %}{% if", 1),
    ] {
        let reply = post(
            &app,
            "/templates/page.html",
            &admin,
            Fields::of(&[("body", broken.as_str())]),
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(site.store().templates(&theme).unwrap(), templates);
    assert!(common::tree(&site.config.public_dir) == public_before);

    let marker = "<meta name=\"govsite-admin-test\" content=\"1\">";
    let changed = templates["base.html"].replacen("</head>", &format!("{marker}\n</head>"), 1);
    post(
        &app,
        "/templates/base.html",
        &admin,
        Fields::of(&[("body", changed.as_str())]),
    )
    .await
    .assert_redirect("/templates/base.html?saved=1");
    assert_eq!(
        site.store().templates(&theme).unwrap()["base.html"],
        changed
    );
    for file in ["az/index.html", "en/news/first-news/index.html"] {
        assert!(site.published(file).unwrap().contains(marker), "{file}");
    }
}

/// A multipart/form-data body with the CSRF token, a folder and one file.
fn upload_request(session: &Session, file_name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "govsite-test-boundary";
    let mut body = Vec::new();
    for (name, value) in [("csrf", session.csrf.as_str()), ("folder", "")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/media")
        .header(header::COOKIE, &session.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn media_accepts_documents_and_publishes_them_but_not_programs() {
    // D189 §6.4: the media library takes the site's file types only.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let media_before = site.store().media_list().unwrap().len();
    let refused = send(&app, upload_request(&admin, "setup.exe", b"MZ\x90\x00")).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("setup.exe"));
    assert_eq!(site.store().media_list().unwrap().len(), media_before);

    let pdf = b"%PDF-1.4\n% test document\n";
    let reply = send(&app, upload_request(&admin, "Hesabat 2026.pdf", pdf)).await;
    reply.assert_status(StatusCode::SEE_OTHER);
    let query = reply.location().strip_prefix("/media?").unwrap();
    let path = serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap()[0]
        .1
        .clone();
    assert!(
        path.starts_with("files/") && path.ends_with(".pdf"),
        "{path}"
    );
    let list = get(&app, "/media", Some(&admin)).await;
    assert!(list.body.contains(&path), "{}", list.body);
    assert_eq!(
        std::fs::read(site.config.public_dir.join(&path)).unwrap(),
        pdf
    );
    let served = get(&site.public(), &format!("/{path}"), None).await;
    served.assert_status(StatusCode::OK);
    assert!(served.body.starts_with("%PDF"));
}

#[tokio::test]
async fn media_refuses_active_content_whatever_its_name() {
    // Issue 9: HTML and SVG run script on the public origin; a file must be what its
    // extension says (checked by content, the same allow-list as import).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let media_before = site.store().media_list().unwrap();
    let html: &[u8] = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let svg: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    for (name, bytes) in [
        ("evil.html", html),
        ("evil.svg", svg),
        ("hesabat.pdf", html),
        ("sekil.png", svg),
        ("qeyd.txt", html),
    ] {
        let refused = send(&app, upload_request(&admin, name, bytes)).await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains(name), "{name}: {}", refused.body);
        assert_eq!(
            site.store().media_list().unwrap().len(),
            media_before.len(),
            "{name}"
        );
    }
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    send(&app, upload_request(&admin, "sekil.png", png))
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn url_segment_strings_that_are_not_slugs_are_refused_and_nothing_is_saved() {
    // Issue 9: `sitemap_segment` = "../../../x" made the build write outside public/.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let before = site.store().ui_strings("az").unwrap();
    let outside = site.dir.parent().unwrap().to_path_buf();
    for key in ["sitemap_segment", "search_segment", "pagination_segment"] {
        for bad in ["../../../x", "a/b", "Xəritə", "   "] {
            let reply = post(
                &app,
                "/strings",
                &admin,
                Fields::of(&[
                    ("lang", "az"),
                    ("s.copyright", "Dəyişdi"),
                    (&format!("s.{key}"), bad),
                ]),
            )
            .await;
            reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(reply.body.contains(key), "{key}: {}", reply.body);
            assert!(reply.body.contains("D189 §6.15"), "{}", reply.body);
            assert_eq!(
                site.store().ui_strings("az").unwrap(),
                before,
                "{key} = {bad:?}"
            );
            assert!(!outside.join("x").exists() && !site.dir.join("x").exists());
        }
    }
}

#[tokio::test]
async fn strings_that_lose_or_invent_placeholders_are_refused_and_nothing_is_saved() {
    // Issue 11: `Səhifə {n} / {total}` was saved and the site showed "Səhifə 1 / {total}".
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let before = site.store().ui_strings("az").unwrap();
    for (key, bad) in [
        ("page_n_of_m", "Səhifə {n} / {total}"),
        ("page_n_of_m", "Səhifə"),
        ("search_found", "Nəticələr: {count}"),
    ] {
        let reply = post(
            &app,
            "/strings",
            &admin,
            Fields::of(&[
                ("lang", "az"),
                ("s.copyright", "Dəyişdi"),
                (&format!("s.{key}"), bad),
            ]),
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(key), "{key}: {}", reply.body);
        assert!(reply.body.contains("yer tutucu"), "{}", reply.body);
        assert_eq!(
            site.store().ui_strings("az").unwrap(),
            before,
            "{key} = {bad:?}"
        );
    }
    // The same placeholders in another order are a translation, not a mistake.
    post(
        &app,
        "/strings",
        &admin,
        Fields::of(&[("lang", "az"), ("s.page_n_of_m", "{m} səhifədən {n}-ci")]),
    )
    .await
    .assert_redirect("/strings?lang=az&saved=1");
}

#[tokio::test]
async fn a_changed_interface_string_appears_on_the_public_pages() {
    // D189 §6.4: interface strings per language are edited in the panel.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let text = "Bütün hüquqlar qorunur, sınaq üçün.";
    assert!(!site.published("az/index.html").unwrap().contains(text));
    post(
        &app,
        "/strings",
        &admin,
        Fields::of(&[("lang", "az"), ("s.copyright", text)]),
    )
    .await
    .assert_redirect("/strings?lang=az&saved=1");
    for file in ["az/index.html", "az/xeberler/birinci-xeber/index.html"] {
        assert!(site.published(file).unwrap().contains(text), "{file}");
    }
    assert!(!site.published("en/index.html").unwrap().contains(text));
    let served = get(&site.public(), "/az/", None).await;
    assert!(served.body.contains(text));
}

// ---------------------------------------------------------------- journal

/// The actor column of the journal table.
fn journal_actors(html: &str) -> Vec<String> {
    html.split("</time></td><td>")
        .skip(1)
        .map(|rest| rest.split("</td>").next().unwrap().to_string())
        .collect()
}

/// RFC 4180 records.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[tokio::test]
async fn journal_filters_by_actor_and_its_csv_export_is_journaled() {
    // D189 §10.1.3: the journal is searchable and exportable; exports are recorded too.
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    get(&app, "/journal.csv", Some(&editor))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let admin = login(&app, "admin", PASSWORD).await;

    let all = journal_actors(&get(&app, "/journal", Some(&admin)).await.body);
    assert!(all.iter().any(|a| a != "editor"), "{all:?}");
    let filtered = get(&app, "/journal?actor=editor", Some(&admin)).await;
    filtered.assert_status(StatusCode::OK);
    let actors = journal_actors(&filtered.body);
    assert_eq!(actors, ["editor", "editor"], "the refusal and the login");

    let csv = get(&app, "/journal.csv?actor=editor", Some(&admin)).await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let records = csv_records(&csv.body);
    assert_eq!(
        records[0],
        [
            "id",
            "at_utc",
            "at_local",
            "actor",
            "action",
            "object_type",
            "object",
            "detail",
            "hash"
        ]
    );
    let rows: Vec<(&str, &str)> = records[1..]
        .iter()
        .map(|r| (r[3].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(rows, [("editor", "login"), ("editor", "forbidden")]);
    let export = site.journal().pop().unwrap();
    assert_eq!(
        (
            export.actor.as_str(),
            export.action.as_str(),
            export.object.as_str()
        ),
        ("admin", "export", "journal.csv")
    );
}

/// The journal's rows as the chain hashes them.
struct JournalRow {
    id: i64,
    fields: [String; 6],
    prev_hash: String,
    hash: String,
}

fn journal_rows(db: &rusqlite::Connection) -> Vec<JournalRow> {
    let mut statement = db
        .prepare("SELECT id, at, actor, action, object_type, object, detail, prev_hash, hash FROM journal ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok(JournalRow {
                id: row.get(0)?,
                fields: [
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ],
                prev_hash: row.get(7)?,
                hash: row.get(8)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// As `store::journal::entry_hash`: the previous hash and the fields joined with U+001F.
fn entry_hash(prev_hash: &str, fields: &[String; 6]) -> String {
    let mut parts = vec![prev_hash];
    parts.extend(fields.iter().map(String::as_str));
    sha256_hex(parts.join("\u{1f}").as_bytes())
}

/// A site whose journal has entries from the panel as well as from import.
async fn site_with_panel_activity() -> Site {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    edit(
        &site,
        &app,
        &admin,
        page,
        &[("body", "Düzəliş."), ("action", "save")],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    site
}

#[tokio::test]
async fn audit_log_verify_accepts_an_untouched_journal() {
    // D189 §10.1.3
    let site = site_with_panel_activity().await;
    let stdout = ok(&site.dir, &["audit-log", "verify"]);
    assert!(stdout.contains("agree"), "{stdout}");
}

#[tokio::test]
async fn audit_log_verify_names_a_changed_entry() {
    // D189 §10.1.3: journal entries cannot be changed unnoticed.
    let site = site_with_panel_activity().await;
    site.db()
        .execute(
            "UPDATE journal SET detail = '{\"changed\":true}' WHERE id = 3",
            [],
        )
        .unwrap();
    let stderr = fails(&site.dir, &["audit-log", "verify"], 1);
    assert!(stderr.contains("entry 3 "), "{stderr}");
}

#[tokio::test]
async fn audit_log_verify_notices_deleted_last_entries() {
    // D189 §10.1.3: nor removed from the end.
    let site = site_with_panel_activity().await;
    site.db()
        .execute(
            "DELETE FROM journal WHERE id IN (SELECT id FROM journal ORDER BY id DESC LIMIT 2)",
            [],
        )
        .unwrap();
    let stderr = fails(&site.dir, &["audit-log", "verify"], 1);
    assert!(stderr.contains("deleted"), "{stderr}");
}

#[tokio::test]
async fn audit_log_verify_catches_a_consistently_rewritten_chain_by_its_head_file() {
    // D189 §10.1.3: a chain rewritten as a whole is caught by the head file beside the database.
    let site = site_with_panel_activity().await;
    {
        let db = site.db();
        let mut rows = journal_rows(&db);
        for row in &rows {
            assert_eq!(
                entry_hash(&row.prev_hash, &row.fields),
                row.hash,
                "entry {}",
                row.id
            );
        }
        rows[1].fields[5] = "{\"rewritten\":true}".into();
        let mut prev = rows[0].hash.clone();
        for row in rows.iter_mut().skip(1) {
            row.prev_hash = prev;
            row.hash = entry_hash(&row.prev_hash, &row.fields);
            prev = row.hash.clone();
            db.execute(
                "UPDATE journal SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
                rusqlite::params![row.id, row.fields[5], row.prev_hash, row.hash],
            )
            .unwrap();
        }
    }
    // The chain alone holds together …
    assert_eq!(site.store().verify_journal().unwrap(), None);
    // … the head file does not.
    let stderr = fails(&site.dir, &["audit-log", "verify"], 1);
    assert!(stderr.contains("head file"), "{stderr}");
}

// ---------------------------------------------------------------- command line

/// Runs `govsite --site SITE ARGS…` with `input` on standard input.
fn govsite_with_stdin(site: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govsite"))
        .arg("--site")
        .arg(site)
        .args(args)
        .env("USER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn cli_user_add_prints_a_one_time_password_that_must_be_changed() {
    // D189 §6.11
    let site = Site::new();
    let app = site.admin();
    let stdout = ok(
        &site.dir,
        &["user", "add", "aynur", "--role", "content_manager"],
    );
    let password = stdout
        .split("one-time password: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("{stdout}"))
        .trim()
        .to_string();
    assert!(auth::check_password_policy(&password, "aynur").is_empty());
    attempt_login(&app, "aynur", &password, None)
        .await
        .assert_redirect("/password");
    let session = login(&app, "aynur", &password).await;
    get(&app, "/pages", Some(&session))
        .await
        .assert_redirect("/password");

    let list = ok(&site.dir, &["user", "list"]);
    for line in [
        "admin\tadministrator\tactive",
        "aynur\tcontent_manager\tone-time password",
        "moderator\tmoderator\tactive",
    ] {
        assert!(list.contains(line), "{line}\n{list}");
    }
}

#[test]
fn cli_refuses_a_weak_password_from_stdin_and_creates_nothing() {
    // D189 §6.11
    let site = Site::new();
    let output = govsite_with_stdin(
        &site.dir,
        &[
            "user",
            "add",
            "zaur",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        "zaur1234\n",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for reason in ["at least 12 characters", "the user name", "1234"] {
        assert!(stderr.contains(reason), "{reason}: {stderr}");
    }
    assert!(site.store().user_with_hash("zaur").unwrap().is_none());
    assert!(!ok(&site.dir, &["user", "list"]).contains("zaur"));

    let output = govsite_with_stdin(
        &site.dir,
        &[
            "user",
            "add",
            "zaur",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        &format!("{NEW_PASSWORD}\n"),
    );
    assert!(output.status.success(), "{output:?}");
    let (user, _) = site.store().user_with_hash("zaur").unwrap().unwrap();
    assert!(!user.must_change_password);
}

#[tokio::test]
async fn cli_user_passwd_ends_the_users_sessions() {
    // D189 §6.11
    let site = Site::new();
    let app = site.admin();
    let session = login(&app, "editor", PASSWORD).await;
    let stdout = ok(&site.dir, &["user", "passwd", "editor"]);
    let password = stdout
        .split("one-time password: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("{stdout}"))
        .trim()
        .to_string();
    get(&app, "/", Some(&session))
        .await
        .assert_redirect("/login");
    attempt_login(&app, "editor", PASSWORD, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    attempt_login(&app, "editor", &password, None)
        .await
        .assert_redirect("/password");
}

// ---------------------------------------------------------------- editor helpers

#[tokio::test]
async fn pasted_word_html_becomes_clean_markdown() {
    // D189 §6.4.1: text pasted from Word keeps its structure, not its styles or scripts.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let word = r#"<html><head><style>p.MsoNormal{margin:0}</style></head><body>
        <h1 class="MsoTitle">Hesabat</h1>
        <p class="MsoNormal" style="font-family:Calibri"><b>Vacib:</b> <span style="color:red">müraciət</span> qəbul edilir.</p>
        <ul><li>birinci</li><li>ikinci</li></ul>
        <p onclick="x()">Bax: <a href="javascript:alert(1)">bura</a></p>
        <script>alert(1)</script></body></html>"#;
    let reply = post(&app, "/clean-paste", &admin, Fields::of(&[("html", word)])).await;
    reply.assert_status(StatusCode::OK);
    let markdown = reply.json()["markdown"].as_str().unwrap().to_string();
    for kept in ["## Hesabat", "**Vacib:**", "müraciət", "birinci"] {
        assert!(markdown.contains(kept), "{kept}: {markdown}");
    }
    for gone in [
        "Mso",
        "Calibri",
        "color",
        "style",
        "script",
        "alert",
        "onclick",
        "javascript",
        "<",
    ] {
        assert!(!markdown.contains(gone), "{gone}: {markdown}");
    }
    post_raw(
        &app,
        "/clean-paste",
        Some(&admin),
        &Fields::of(&[("html", word)]),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

/// Issue 9 (security), item 9: pasting 40,000 `<div>` is refused at once (the script then pastes
/// the plain text) instead of keeping the sanitiser busy.
#[tokio::test]
async fn issue_9_pasting_deeply_nested_html_is_refused_at_once() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let html = format!("<p>Mətn</p>{}", "<div>".repeat(40_000));
    let reply = post(&app, "/clean-paste", &admin, Fields::of(&[("html", &html)])).await;
    reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let error = reply.json()["error"].as_str().unwrap().to_string();
    assert!(error.contains("64"), "{error}");
}

/// POST /pages/{id}/preview asking for JSON.
async fn preview_json(app: &Router, session: &Session, page: i64, fields: Fields) -> Reply {
    let request = Request::post(format!("/pages/{page}/preview"))
        .header(header::COOKIE, &session.cookie)
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(fields.set("csrf", &session.csrf).encoded()))
        .unwrap();
    send(app, request).await
}

#[tokio::test]
async fn preview_renders_unsaved_text_with_the_site_template_and_warns() {
    // D189 §6.4.3: the preview shows the page as published; §4.5: with the guard's warnings.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    let fields = editor_fields(&before)
        .set("title", "Önizləmə başlığı")
        .set("body", "Məxfi\n\nİclasın protokolu.");
    let reply = preview_json(&app, &admin, page, fields).await;
    reply.assert_status(StatusCode::OK);
    let json = reply.json();
    let html = json["html"].as_str().unwrap();
    assert!(
        html.contains("<title>Önizləmə başlığı — Sınaq Agentliyi</title>"),
        "{html}"
    );
    assert!(html.contains("İclasın protokolu."));
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["text"] == "Məxfi"),
        "{warnings:?}"
    );
    assert_eq!(site.head(page), before, "a preview saves nothing");
}

/// Issue 9 (security), item 9: 40,000 `<div>` or 100,000 `>` in the editor. Saving is refused
/// with the field, the line and the limit, keeping the text; the preview answers at once with
/// the same message instead of rendering for seconds.
#[tokio::test]
async fn issue_9_editor_refuses_deeply_nested_bodies_and_keeps_the_text() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    let body = format!("Yazılmış mətn.\n\n{}", "<div>".repeat(40_000));
    let refused = edit(
        &site,
        &app,
        &admin,
        page,
        &[("body", &body), ("action", "save")],
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(site.head(page), before, "nothing is saved");
    let expected = admin_text("error_body_too_deep")
        .replace("{line}", "3")
        .replace("{max}", "64");
    assert!(refused.body.contains(&expected), "{expected}");
    assert!(
        refused.body.contains("Yazılmış mətn.")
            && refused.body.contains(&"&lt;div&gt;".repeat(100)),
        "the text stays in the editor"
    );
}

#[tokio::test]
async fn issue_9_preview_of_a_deeply_nested_body_answers_at_once_with_the_error() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let fields = editor_fields(&site.head(page)).set("body", &">".repeat(100_000));
    let started = std::time::Instant::now();
    let reply = preview_json(&app, &admin, page, fields).await;
    reply.assert_status(StatusCode::OK);
    let json = reply.json();
    let error = json["error"].as_str().unwrap_or_default().to_string();
    assert!(
        !error.is_empty(),
        "the preview says what is wrong: {:.300}",
        reply.body
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "answered in {:?}",
        started.elapsed()
    );
    let expected = admin_text("error_body_too_deep")
        .replace("{line}", "1")
        .replace("{max}", "64");
    assert!(
        json["html"].as_str().unwrap().contains(&expected),
        "{error}"
    );
    assert!(
        crate::admin_text("error_body_too_large").contains("1 MiB"),
        "the size limit is stated"
    );
}

// ---------------------------------------------------------------- needing the real guard and speller

/// Behaviour of the real guard and speller beyond the secrecy stamp the tests above use; these
/// fail against stubs of `src/guard.rs` or `src/spell` that flag nothing.
mod real_guard_and_spell {
    use super::*;

    #[tokio::test]
    async fn guard_flags_fin_codes_id_numbers_and_phone_numbers() {
        // D189 §4.5: personal identifiers are flagged before publishing.
        let site = Site::new();
        let app = site.admin();
        let admin = login(&app, "admin", PASSWORD).await;
        let page = site.page_id("az", "news/draft");
        let base = editor_fields(&site.head(page));
        for (body, flagged) in [
            ("Vətəndaşın FİN kodu: 5ZK7R3P", true),
            ("Şəxsiyyət vəsiqəsinin nömrəsi: AZE12345678", true),
            ("Əlaqə telefonu: +994 50 123 45 67", true),
            ("Agentlik 2025-ci ildə yaradılıb, 12 şöbəsi var.", false),
        ] {
            let reply = preview_json(&app, &admin, page, base.clone().set("body", body)).await;
            reply.assert_status(StatusCode::OK);
            let warnings = reply.json()["warnings"].as_array().unwrap().len();
            assert_eq!(warnings > 0, flagged, "{body}");
        }
        let stopped = edit(
            &site,
            &app,
            &admin,
            page,
            &[
                ("body", "Əlaqə telefonu: +994 50 123 45 67"),
                ("action", "publish"),
            ],
        )
        .await;
        stopped.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(site.published("az/xeberler/qaralama/index.html").is_none());
    }

    #[tokio::test]
    async fn preview_marks_misspelled_words() {
        // D189 §6.4.3: spelling is checked in the editor.
        let site = Site::new();
        let app = site.admin();
        let admin = login(&app, "admin", PASSWORD).await;
        let page = site.page_id("az", "news/draft");
        // `kitabxana` is in vendor/hunspell-az/az.dic; `kitabxanna` is not.
        let fields = editor_fields(&site.head(page))
            .set("body", "Kitabxana səhər açılır, yeni kitabxanna isə axşam.");
        let json = preview_json(&app, &admin, page, fields).await.json();
        let words: Vec<&str> = json["misspellings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["word"].as_str().unwrap())
            .collect();
        assert!(words.contains(&"kitabxanna"), "{words:?}");
        assert!(
            !words.iter().any(|w| w.eq_ignore_ascii_case("kitabxana")),
            "{words:?}"
        );
        let html = json["html"].as_str().unwrap();
        assert!(html.contains("class=\"spell\""));
        // Issue 11: the tooltip speaks the panel's language (the admin's is Azerbaijani).
        assert!(
            html.contains("title=\"Təkliflər: ") || html.contains("title=\"Təklif yoxdur\""),
            "{html}"
        );
        assert!(!html.contains("Suggestions"), "{html}");
    }

    #[tokio::test]
    async fn preview_accepts_correct_words_it_used_to_mark() {
        // Issue 11: `münasibətilə` (münasibət-i-lə, the instrumental after the possessive) and
        // `ziyarətçilər` (ziyarətçi, in az.dic, in the plural) were marked.
        let site = Site::new();
        let app = site.admin();
        let admin = login(&app, "admin", PASSWORD).await;
        let page = site.page_id("az", "news/draft");
        let fields = editor_fields(&site.head(page)).set(
            "body",
            "Bayram münasibətilə ziyarətçilər muzeyə pulsuz buraxılır. Kitabxanna bağlıdır.",
        );
        let json = preview_json(&app, &admin, page, fields).await.json();
        let words: Vec<&str> = json["misspellings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["word"].as_str().unwrap())
            .collect();
        assert_eq!(words, ["Kitabxanna"], "only the misspelling is marked");
    }
}

// ---------------------------------------------------------------- structure

#[tokio::test]
async fn moving_a_page_to_another_section_leaves_a_redirect() {
    // D189 §6.4.4: the system manages structure; links keep working (301 from the old address).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    edit(&site, &app, &admin, page, &[("action", "publish")])
        .await
        .assert_redirect(&format!("/pages/{page}?done=published"));
    let about = site.section_id("az", "about").to_string();
    edit(
        &site,
        &app,
        &admin,
        page,
        &[("action", "publish"), ("section", &about)],
    )
    .await;
    let url = site.store().page_meta(page).unwrap().url;
    assert!(url.starts_with("/az/haqqimizda/"), "moved to {url}");
    // The old address keeps a redirect stub pointing at the new one.
    let stub = site.published("az/xeberler/qaralama/index.html").unwrap();
    assert!(stub.contains(&url), "{stub}");
    assert!(
        site.published(&format!("{}index.html", url.trim_start_matches('/')))
            .is_some()
    );
    let old = get(&site.public(), "/az/xeberler/qaralama/", None).await;
    old.assert_status(StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.location(), url);
    assert_eq!(journaled(&site, "move").len(), 1);

    // A content manager may not move a page into a section outside their grant.
    site.add_user("nigar", "content_manager", false);
    let nigar_id = site.user_id("nigar");
    site.store()
        .set_user_access(
            nigar_id,
            "content_manager",
            &["about".into()],
            &[],
            &os_actor(),
        )
        .unwrap();
    let nigar = login(&app, "nigar", PASSWORD).await;
    let news = site.section_id("az", "news").to_string();
    edit(
        &site,
        &app,
        &nigar,
        page,
        &[("action", "save"), ("section", &news)],
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(site.store().page_meta(page).unwrap().url, url);
}

#[tokio::test]
async fn administrators_create_sections_and_others_cannot() {
    // D189 §6.4.4, §6.5
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let home = site
        .store()
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.lang == "az" && s.parent_id.is_none())
        .unwrap()
        .id;
    let fields = Fields::of(&[
        ("action", "create"),
        ("parent", &home.to_string()),
        ("title", "Tenderlər"),
        ("slug", ""),
        ("translation_key", "tenders"),
        ("types", "announcement"),
    ]);
    post(&app, "/sections", &admin, fields.clone())
        .await
        .assert_redirect("/sections?done=1");
    let created = site.section_id("az", "tenders");
    let section = site
        .store()
        .sections()
        .unwrap()
        .into_iter()
        .find(|s| s.id == created)
        .unwrap();
    assert_eq!(
        section.path,
        vec!["tenderler".to_string()],
        "slug from the title, transliterated"
    );
    assert!(site.published("az/tenderler/index.html").is_some());
    // The same address again is refused, naming it.
    let again = post(&app, "/sections", &admin, fields.clone()).await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("tenderler"));

    site.add_user("nigar", "content_manager", false);
    let nigar = login(&app, "nigar", PASSWORD).await;
    post(
        &app,
        "/sections",
        &nigar,
        fields.set("translation_key", "other"),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn footer_links_are_edited_checked_and_published() {
    // D189 §6.4.4 (navigation), §6.5 (structure is an administrator's module)
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let before = site.store().footer_links("az").unwrap();
    let mut fields = Fields::of(&[("lang", "az")]);
    for (title, link) in &before {
        fields = fields.add("title", title).add("link", link);
    }
    let with_new = fields
        .clone()
        .add("title", "Elektron hökumət portalı")
        .add("link", "https://www.e-gov.az");
    post(&app, "/menus", &admin, with_new)
        .await
        .assert_redirect("/menus?lang=az&saved=1");
    let home = site.published("az/index.html").unwrap();
    assert!(
        home.contains("Elektron hökumət portalı"),
        "the footer shows the new link"
    );
    assert_eq!(
        site.store().footer_links("az").unwrap().len(),
        before.len() + 1
    );
    assert_eq!(
        journaled(&site, "update")
            .iter()
            .filter(|e| e.object == "az/footer" && e.actor == "admin")
            .count(),
        1
    );

    // A link to a page that does not exist is refused and nothing changes.
    let broken = fields
        .clone()
        .add("title", "Yoxdur")
        .add("link", "@/az/yoxdur.md");
    let refused = post(&app, "/menus", &admin, broken).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("@/az/yoxdur.md"));
    assert_eq!(
        site.store().footer_links("az").unwrap().len(),
        before.len() + 1
    );

    site.add_user("nigar", "content_manager", false);
    let nigar = login(&app, "nigar", PASSWORD).await;
    get(&app, "/menus", Some(&nigar))
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn behind_the_declared_tls_proxy_failures_count_against_the_forwarded_address() {
    // D189 §6.11, §6.3.12: with `listen.admin_https` the proxy on loopback forwards the client's
    // address; throttling must count it, not the proxy (which every client shares).
    let site = Site::new();
    let mut config = site.config.clone();
    config.admin_https = true;
    let app = panel(&config, LOOPBACK);
    let via_proxy = |client: &str, name: &str, password: &str| {
        let mut request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("192.0.2.99, {client}"))
            .body(Body::from(
                Fields::of(&[("name", name), ("password", password)]).encoded(),
            ))
            .unwrap();
        request.extensions_mut().insert(ConnectInfo(SocketAddr::new(
            "127.0.0.1".parse().unwrap(),
            50_000,
        )));
        request
    };
    for n in 0..auth::MAX_FAILURES_PER_ADDRESS {
        send(
            &app,
            via_proxy("203.0.113.5", &format!("guess{n}"), "Yanlış-Parol-42"),
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    }
    send(&app, via_proxy("203.0.113.5", "editor", PASSWORD))
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out.
    send(&app, via_proxy("198.51.100.7", "editor", PASSWORD))
        .await
        .assert_redirect("/");
    assert!(
        journaled(&site, "login_failed")
            .iter()
            .all(|e| e.actor == "anonymous@203.0.113.5")
    );
}

#[tokio::test]
async fn unpublish_takes_the_live_page_off_even_with_a_scheduled_draft() {
    // Issue 10, D189 §4.3: after a draft with a future publication time is saved on a
    // published page, unpublishing acted on the draft (its `publish_at` in the future), so
    // the published revision stayed on the site. Unpublish acts on the live revision, now.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/second");
    let file = "az/xeberler/ikinci-xeber/index.html";
    assert!(site.published(file).is_some());
    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("title", "Gələcək qaralama"),
            ("publish_at", "2099-01-01T09:00"),
            ("action", "save"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));
    assert!(site.published(file).is_some());

    edit(
        &site,
        &app,
        &admin,
        page,
        &[("action", "unpublish"), ("reason", "Məlumat köhnəlib")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=unpublished"));
    assert!(
        site.published(file).is_none(),
        "the page is still on the site"
    );
    let section = site.published("az/xeberler/index.html").unwrap();
    assert!(!section.contains("ikinci-xeber"), "{section}");
    let summary = site
        .store()
        .page_summary(page, i64::MAX / 2)
        .unwrap()
        .unwrap();
    assert!(
        !summary.live,
        "the page would come back when the draft's time comes"
    );
    // The draft's text is kept in the page's history.
    let history = get(&app, &format!("/pages/{page}/revisions"), Some(&admin)).await;
    assert!(
        history.body.contains("Gələcək qaralama"),
        "{}",
        history.body
    );
}

/// The `dcterms:issued` of a published HTML page.
fn dc_issued(html: &str) -> String {
    let start = html
        .find("<meta property=\"dcterms:issued\" content=\"")
        .unwrap_or_else(|| panic!("no dcterms:issued in {html}"))
        + "<meta property=\"dcterms:issued\" content=\"".len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_news_item_published_without_a_date_is_dated_when_it_goes_live() {
    // Issue 10, D189 §4.2: an item published from the panel without a publication date sorted
    // as the oldest (the empty date counted as 0): last page of its section, never on the
    // home page or in the feeds. Publishing dates it to the moment it goes live.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = create_news(&site, &app, &admin, "Təcili elan").await;
    let url = site.store().page_meta(page).unwrap().url;
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Sabah qəbul olmayacaq."),
            ("issued", ""),
            ("action", "publish"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=published"));
    let after = time::OffsetDateTime::now_utc().unix_timestamp();

    let section = site.published("az/xeberler/index.html").unwrap();
    // First in its section's list: before the newest item of the fixture (2026-04-01).
    let position = |link: &str| section.find(&format!("href=\"{link}\""));
    assert!(
        position(&url).is_some_and(|at| Some(at) < position("/az/xeberler/ucuncu-xeber/")),
        "not first in its section: {section}"
    );
    assert!(site.published("az/index.html").unwrap().contains(&url));
    assert!(site.published("az/rss.xml").unwrap().contains(&url));
    assert!(
        site.published("az/xeberler/atom.xml")
            .unwrap()
            .contains(&url)
    );
    // DC issued is the moment of publishing, in the site's time zone (+04:00 in the fixture).
    let file = format!("{}index.html", url.trim_start_matches('/'));
    let issued = dc_issued(&site.published(&file).unwrap());
    assert!(issued.ends_with("+04:00"), "{issued}");
    let moment = Stamp::parse(&issued)
        .unwrap()
        .instant(time::UtcOffset::UTC)
        .unwrap()
        .unix_timestamp();
    assert!((before - 1..=after + 1).contains(&moment), "{issued}");
    assert_eq!(site.head(page).issued.unwrap().as_str(), issued);
}

#[tokio::test]
async fn a_scheduled_item_is_dated_at_its_time_and_a_chosen_date_is_kept() {
    // Issue 10, D189 §4.2: a scheduled item takes its scheduled time as its publication date;
    // a date the editor typed is never replaced.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let scheduled = create_news(&site, &app, &admin, "Planlı elan").await;
    edit(
        &site,
        &app,
        &admin,
        scheduled,
        &[
            ("body", "Gələn il."),
            ("publish_at", "2099-01-01T09:00"),
            ("action", "publish"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{scheduled}?done=scheduled"));
    assert_eq!(
        site.head(scheduled).issued.unwrap().as_str(),
        "2099-01-01T09:00:00+04:00"
    );

    let chosen = create_news(&site, &app, &admin, "Tarixli elan").await;
    edit(
        &site,
        &app,
        &admin,
        chosen,
        &[
            ("body", "Köhnə xəbər."),
            ("issued", "2025-03-04"),
            ("action", "publish"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{chosen}?done=published"));
    assert_eq!(site.head(chosen).issued.unwrap().as_str(), "2025-03-04");
    let url = site.store().page_meta(chosen).unwrap().url;
    let file = format!("{}index.html", url.trim_start_matches('/'));
    assert_eq!(dc_issued(&site.published(&file).unwrap()), "2025-03-04");
}

// ---------------------------------------------------------------- issue 10: lost update

/// The `base_revision` the editor form carries (the head revision it was rendered from), if any.
fn base_revision_of(html: &str) -> Option<String> {
    let marker = "name=\"base_revision\" value=\"";
    let start = html.find(marker)? + marker.len();
    html[start..].split('"').next().map(str::to_string)
}

/// Opens the editor as `session` would in a browser: the fields it shows, with its base revision.
async fn open_editor(site: &Site, app: &Router, session: &Session, page_id: i64) -> Fields {
    let reply = get(app, &format!("/pages/{page_id}"), Some(session)).await;
    reply.assert_status(StatusCode::OK);
    let fields = editor_fields(&site.head(page_id));
    match base_revision_of(&reply.body) {
        Some(base) => fields.set("base_revision", &base),
        None => fields,
    }
}

#[tokio::test]
async fn lost_update_a_save_from_an_older_form_is_refused_and_keeps_the_text() {
    // Issue 10 (D189 §10.1.3: every change is the author's own, none silently undone): two
    // editors open the same page; the second one's save from the older form must not undo
    // the first one's change.
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let moderator = login(&app, "moderator", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let form_a = open_editor(&site, &app, &editor, page).await;
    let form_b = open_editor(&site, &app, &moderator, page).await;

    let path = format!("/pages/{page}");
    post(
        &app,
        &path,
        &editor,
        form_a
            .set("body", "Redaktorun mətni: yol təmiri.")
            .set("action", "save"),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));

    let stale = post(
        &app,
        &path,
        &moderator,
        form_b
            .clone()
            .set("body", "Moderatorun mətni: körpü.")
            .set("action", "save"),
    )
    .await;
    stale.assert_status(StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Moderatorun mətni: körpü."),
        "{}",
        stale.body
    );
    // The notice names who changed the page (its author as the revisions list shows it).
    let changed_by = admin_text("error_stale")
        .split("{name}")
        .next()
        .unwrap()
        .to_string();
    let author = site.store().revisions(page).unwrap()[0].author.clone();
    assert!(
        stale.body.contains(&format!("{changed_by}{author} ")) && author.contains("editor"),
        "the notice does not name {author}: {}",
        stale.body
    );
    let head_number = site.store().revisions(page).unwrap()[0].number;
    assert!(
        stale
            .body
            .contains(&format!("/pages/{page}/revisions/{head_number}")),
        "no link to the diff: {}",
        stale.body
    );
    assert_eq!(site.head(page).body, "Redaktorun mətni: yol təmiri.");

    // The form came back with the new head as its base: saving again works.
    let new_base = base_revision_of(&stale.body).expect("the refused form has a base revision");
    post(
        &app,
        &path,
        &moderator,
        form_b
            .set("base_revision", &new_base)
            .set("body", "Moderatorun mətni: körpü.")
            .set("action", "save"),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));
    assert_eq!(site.head(page).body, "Moderatorun mətni: körpü.");
}

#[tokio::test]
async fn lost_update_publishing_from_an_older_form_is_refused_and_publishes_nothing() {
    // Issue 10: publishing from a form opened before someone else's save would put the older
    // text on the site over the newer one.
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let moderator = login(&app, "moderator", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let file = "az/xeberler/qaralama/index.html";
    let form_a = open_editor(&site, &app, &editor, page).await;
    let form_b = open_editor(&site, &app, &moderator, page).await;
    let path = format!("/pages/{page}");
    post(
        &app,
        &path,
        &editor,
        form_a
            .set("title", "Redaktorun başlığı")
            .set("action", "save"),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));

    let stale = post(
        &app,
        &path,
        &moderator,
        form_b
            .clone()
            .set("title", "Moderatorun başlığı")
            .set("action", "publish"),
    )
    .await;
    stale.assert_status(StatusCode::CONFLICT);
    assert!(stale.body.contains("Moderatorun başlığı"), "{}", stale.body);
    assert_eq!(site.head(page).title, "Redaktorun başlığı");
    assert!(
        site.published(file).is_none(),
        "published from a stale form"
    );

    let new_base = base_revision_of(&stale.body).expect("the refused form has a base revision");
    post(
        &app,
        &path,
        &moderator,
        form_b
            .set("base_revision", &new_base)
            .set("title", "Moderatorun başlığı")
            .set("action", "publish"),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=published"));
    assert!(
        site.published(file)
            .unwrap()
            .contains("Moderatorun başlığı")
    );
}

#[tokio::test]
async fn lost_update_a_form_without_a_base_revision_is_refused() {
    // Issue 10: a tab opened before the upgrade sends no base revision; it is not trusted blindly.
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    let reply = post(
        &app,
        &format!("/pages/{page}"),
        &editor,
        editor_fields(&before)
            .set("body", "Köhnə tabdan mətn.")
            .set("action", "save"),
    )
    .await;
    reply.assert_status(StatusCode::CONFLICT);
    assert!(reply.body.contains("Köhnə tabdan mətn."), "{}", reply.body);
    assert_eq!(site.head(page).body, before.body);
}

#[tokio::test]
async fn lost_update_the_store_refuses_a_stale_base_and_writes_nothing() {
    // Issue 10: the check is in the transaction that writes, so that no save slips in between
    // the panel's check and the write; a refused step leaves no revision and no journal entry.
    let site = Site::new();
    let page = site.page_id("az", "news/draft");
    let mut store = site.store();
    let (base, mut content) = store.head_revision_with_id(page).unwrap();
    content.body = "Birinci.".into();
    store
        .apply_step(page, &draft_step(Some(base), &content), &Actor("a".into()))
        .unwrap();
    let revisions = store.revisions(page).unwrap().len();
    let journal = site.journal().len();
    content.body = "İkinci, köhnə formadan.".into();
    match store.apply_step(page, &draft_step(Some(base), &content), &Actor("b".into())) {
        Err(govsite::store::Error::Stale { by, number, .. }) => {
            assert_eq!((by.as_str(), number), ("a", revisions as i64));
        }
        other => panic!("a stale base was not refused: {other:?}"),
    }
    assert_eq!(store.revisions(page).unwrap().len(), revisions);
    assert_eq!(site.journal().len(), journal);
    assert_eq!(site.head(page).body, "Birinci.");
}

/// A workflow step that saves `content` as a draft on `base`.
fn draft_step(base: Option<i64>, content: &PageContent) -> workflow::Step {
    workflow::Step {
        base_revision: base,
        guard_override: Vec::new(),
        move_to: None,
        change: workflow::Change::Revision {
            content: Box::new(content.clone()),
            note: None,
        },
        outcome: workflow::Outcome::Saved,
    }
}

// Issue 10: a publish that failed after the revision was committed answered 500 and was
// forgotten: the site stayed stale and nothing retried. Now the change stays pending, the
// editor is told, the dashboard shows the reason to administrators, the journal says so, and
// the next publish (here the scheduler's check) puts it on the site.
#[tokio::test]
async fn a_failed_publish_stays_pending_is_shown_on_the_dashboard_and_is_retried() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/first");
    // The publish cannot write: public/ is a file.
    let public = site.config.public_dir.clone();
    let away = site.dir.join("public.away");
    std::fs::rename(&public, &away).unwrap();
    std::fs::write(&public, "not a folder").unwrap();
    let reply = edit(
        &site,
        &app,
        &admin,
        page,
        &[("action", "publish"), ("title", "Yenidən cəhd ediləcək")],
    )
    .await;
    reply.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        reply.body.contains(&admin_text("publish_failed_text")),
        "{}",
        reply.body
    );
    assert_eq!(site.head(page).title, "Yenidən cəhd ediləcək", "saved");
    assert_eq!(journaled(&site, "publish_failed").len(), 1);

    // The alert on the dashboard (the recent-activity list names the journal entry too).
    let alert = format!(
        "role=\"alert\"><h2>{}</h2>",
        admin_text("publish_failed_heading")
    );
    let dashboard = get(&app, "/", Some(&admin)).await;
    assert!(dashboard.body.contains(&alert), "{}", dashboard.body);
    assert!(
        dashboard.body.contains(&public.display().to_string()),
        "the reason names what failed: {}",
        dashboard.body
    );

    // The scheduler's next check publishes it and the dashboard no longer shows a failure.
    std::fs::remove_file(&public).unwrap();
    std::fs::rename(&away, &public).unwrap();
    let publisher = govsite::publishing::Publisher::new(site.config.clone());
    let report = govsite::ops::publish_pending(&publisher, time::OffsetDateTime::now_utc())
        .unwrap()
        .expect("the pending change is published");
    assert!(!report.written.is_empty());
    let live = site
        .published("az/xeberler/birinci-xeber/index.html")
        .unwrap();
    assert!(live.contains("Yenidən cəhd ediləcək"), "{live}");
    let dashboard = get(&app, "/", Some(&admin)).await;
    assert!(!dashboard.body.contains(&alert), "{}", dashboard.body);
    assert_eq!(journaled(&site, "publish_recovered").len(), 1);
}

// ---------------------------------------------------------------- issue 10: one step, one transaction

/// Makes every new revision of the database fail to insert, as a full disk or a broken
/// database would.
fn break_revision_inserts(site: &Site) {
    site.db()
        .execute_batch(
            "CREATE TRIGGER no_revisions BEFORE INSERT ON revisions
             BEGIN SELECT RAISE(ABORT, 'revisions are read-only in this test'); END;",
        )
        .unwrap();
}

#[tokio::test]
async fn issue_10_a_save_that_overrides_the_guard_and_moves_the_page_is_one_transaction() {
    // Issue 10: "one save can make three separate commits (guard override, move, revision)".
    // When the revision cannot be written, neither the override nor the move may stay: on
    // the old code the page had moved and the journal said the guard was overridden for a
    // publication that never happened.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let news = site.section_id("az", "news");
    let about = site.section_id("az", "about").to_string();
    let url = site.store().page_meta(page).unwrap().url;
    let journal = site.journal().len();
    break_revision_inserts(&site);

    let reply = edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Məxfi\n\nBu sənəd daxili istifadə üçündür."),
            ("section", about.as_str()),
            ("override", "1"),
            ("action", "publish"),
        ],
    )
    .await;
    reply.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        journaled(&site, "override_confidentiality").is_empty(),
        "the override was journaled for a publication that did not happen"
    );
    assert!(
        journaled(&site, "move").is_empty(),
        "the move was journaled"
    );
    let meta = site.store().page_meta(page).unwrap();
    assert_eq!((meta.section_id, meta.url.as_str()), (news, url.as_str()));
    assert_eq!(site.journal().len(), journal);

    // With revisions writable again the same save does all three, together.
    site.db()
        .execute_batch("DROP TRIGGER no_revisions")
        .unwrap();
    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Məxfi\n\nBu sənəd daxili istifadə üçündür."),
            ("section", about.as_str()),
            ("override", "1"),
            ("action", "publish"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=published"));
    let steps: Vec<String> = site.journal()[journal..]
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert_eq!(steps, ["override_confidentiality", "move", "publish"]);
    assert_ne!(site.store().page_meta(page).unwrap().section_id, news);
}

#[tokio::test]
async fn issue_10_a_move_the_store_refuses_leaves_no_guard_override_behind() {
    // Issue 10: the override was committed before the move was tried; a move refused for a
    // taken address left an override journaled for nothing.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let about = site.section_id("az", "about");
    // A page with the draft's address in the target section.
    let slug = site.store().page_meta(page).unwrap().slug;
    let mut taken = site.head(page);
    taken.title = "Eyni ünvan".into();
    site.store()
        .create_page(
            about,
            &slug,
            Some("about/same-address"),
            &taken,
            &os_actor(),
        )
        .unwrap();
    let journal = site.journal().len();

    let reply = edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("body", "Məxfi\n\nBu sənəd daxili istifadə üçündür."),
            ("section", about.to_string().as_str()),
            ("override", "1"),
            ("action", "publish"),
        ],
    )
    .await;
    reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains(&slug), "{}", reply.body);
    // The text stays in the form.
    assert!(reply.body.contains("daxili istifadə"), "{}", reply.body);
    assert_eq!(
        site.journal().len(),
        journal,
        "{:?}",
        &site.journal()[journal..]
    );
    assert_eq!(site.head(page).status.as_str(), "draft");
}

#[tokio::test]
async fn issue_10_a_restore_from_a_page_opened_before_a_save_is_refused_naming_who_and_when() {
    // Issue 10: restoring an old revision from a revision page opened before someone else's
    // save silently threw that save away (the restore carried no base revision).
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let editor = login(&app, "editor", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let opened = get(&app, &format!("/pages/{page}/revisions/1"), Some(&admin)).await;
    let head = site.store().head_revision_with_id(page).unwrap().0;
    assert_eq!(base_revision_of(&opened.body), Some(head.to_string()));
    let base = head.to_string();

    edit(
        &site,
        &app,
        &editor,
        page,
        &[("body", "Redaktorun yeni mətni."), ("action", "save")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=saved"));
    let newest = site.store().revisions(page).unwrap()[0].clone();

    let path = format!("/pages/{page}/revisions/1/restore");
    let stale = post(
        &app,
        &path,
        &admin,
        Fields::default().set("base_revision", &base),
    )
    .await;
    stale.assert_status(StatusCode::CONFLICT);
    assert_eq!(site.head(page).body, "Redaktorun yeni mətni.");
    assert_eq!(
        site.store().revisions(page).unwrap().len(),
        newest.number as usize
    );
    // Who, when (in the site's time, as the history shows it) and a link to the changes.
    let history = get(&app, &format!("/pages/{page}/revisions"), Some(&admin)).await;
    let shown = format!("{}, ", newest.author);
    let at = history.body[history.body.find(&shown).unwrap() + shown.len()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let notice = admin_text("error_stale_restore")
        .replace("{name}", &newest.author)
        .replace("{time}", &at);
    let (before_link, _) = notice.split_once("{link}").unwrap();
    assert!(
        newest.author.contains("editor") && stale.body.contains(before_link),
        "the notice does not name {} at {at}: {}",
        newest.author,
        stale.body
    );
    assert!(
        stale.body.contains(&format!(
            "href=\"/pages/{page}/revisions/{}\"",
            newest.number
        )),
        "no link to the diff: {}",
        stale.body
    );
    // A form without a base revision (opened before the upgrade) is not trusted either.
    post(&app, &path, &admin, Fields::default())
        .await
        .assert_status(StatusCode::CONFLICT);

    // The refused page carries the new head: restoring from it works.
    let new_base = base_revision_of(&stale.body).expect("the refused page has a base revision");
    post(
        &app,
        &path,
        &admin,
        Fields::default().set("base_revision", &new_base),
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=restored"));
    assert_ne!(site.head(page).body, "Redaktorun yeni mətni.");
}

#[tokio::test]
async fn issue_10_the_stale_notice_names_the_other_editor_and_time_and_links_to_the_diff() {
    // Issue 10: "this page was changed by NAME at TIME after you opened it" with a link to
    // the diff; the user's text stays in the form.
    let site = Site::new();
    let app = site.admin();
    let editor = login(&app, "editor", PASSWORD).await;
    let moderator = login(&app, "moderator", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let form = open_editor(&site, &app, &moderator, page).await;
    edit(
        &site,
        &app,
        &editor,
        page,
        &[("title", "Redaktorun başlığı"), ("action", "review")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=submitted"));
    let newest = site.store().revisions(page).unwrap()[0].clone();
    let stale = post(
        &app,
        &format!("/pages/{page}"),
        &moderator,
        form.set("body", "Moderatorun mətni.")
            .set("action", "review"),
    )
    .await;
    stale.assert_status(StatusCode::CONFLICT);
    let history = get(&app, &format!("/pages/{page}/revisions"), Some(&moderator)).await;
    let shown = format!("{}, ", newest.author);
    let at = history.body[history.body.find(&shown).unwrap() + shown.len()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let notice = admin_text("error_stale")
        .replace("{name}", &newest.author)
        .replace("{time}", &at);
    let (before_link, after_link) = notice.split_once("{link}").unwrap();
    let link = format!("/pages/{page}/revisions/{}", newest.number);
    assert!(
        stale.body.contains(&format!(
            "{before_link}<a href=\"{link}\">{}</a>{after_link}",
            admin_text("stale_link")
        )),
        "{}",
        stale.body
    );
    assert!(stale.body.contains("Moderatorun mətni."), "{}", stale.body);
    assert_eq!(site.head(page).title, "Redaktorun başlığı");
}

#[tokio::test]
async fn issue_10_a_correction_or_unpublishing_of_a_page_not_on_the_site_is_refused() {
    // D189 §4.3: a correction is of published information; unpublishing a page that is not on
    // the site (and not due) would only add an "unpublished" revision to nothing.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let revisions = site.store().revisions(page).unwrap().len();
    for changes in [
        [("action", "correct"), ("correction_note", "Düzəliş.")],
        [("action", "unpublish"), ("reason", "Köhnəlib.")],
    ] {
        let reply = edit(&site, &app, &admin, page, &changes).await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply.body.contains(&admin_text("error_not_live")),
            "{}",
            reply.body
        );
    }
    assert_eq!(site.store().revisions(page).unwrap().len(), revisions);
    assert!(site.published("az/xeberler/qaralama/index.html").is_none());
}

#[tokio::test]
async fn issue_10_unpublishing_a_scheduled_page_cancels_its_publication() {
    // The unpublish form is shown for live pages; a scheduled one is cancelled the same way,
    // taking effect now, so that its time never comes.
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    edit(
        &site,
        &app,
        &admin,
        page,
        &[("publish_at", "2099-01-01T09:00"), ("action", "publish")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=scheduled"));
    edit(
        &site,
        &app,
        &admin,
        page,
        &[("action", "unpublish"), ("reason", "Ləğv edildi.")],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=unpublished"));
    let summary = site
        .store()
        .page_summary(page, i64::MAX / 2)
        .unwrap()
        .unwrap();
    assert!(!summary.live, "the page would go live in 2099");
}

// Issue 11: an attachment given by its media-library address, as the field's hint invites, was
// left out of the page without a word. Now it is published in the page's files block, and an
// entry that names no stored file is refused with its name, keeping the text.
#[tokio::test]
async fn attachments_take_media_library_addresses_and_name_the_missing_ones() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    let refused = edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("files", "/files/xeberler/yoxdur.pdf\nbu-da-yoxdur.pdf"),
            ("body", "Yazılan mətn itməməlidir."),
            ("action", "save"),
        ],
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("/files/xeberler/yoxdur.pdf, bu-da-yoxdur.pdf"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Yazılan mətn itməməlidir."),
        "the text stays in the form"
    );
    assert_eq!(site.head(page), before, "nothing was saved");

    site.store()
        .add_media(
            "files/xeberler/hesabat.pdf",
            "application/pdf",
            b"%PDF-1.4\n% hesabat\n",
            &os_actor(),
        )
        .unwrap();
    edit(
        &site,
        &app,
        &admin,
        page,
        &[
            ("files", "/files/xeberler/hesabat.pdf"),
            ("action", "publish"),
        ],
    )
    .await
    .assert_redirect(&format!("/pages/{page}?done=published"));
    let url = site.store().page_meta(page).unwrap().url;
    let html = site.published(&format!("{}index.html", &url[1..])).unwrap();
    assert!(
        html.contains("href=\"/files/xeberler/hesabat.pdf\""),
        "{html}"
    );
}

// Issue 11: lists of sections sort by the Azerbaijani alphabet, not by code point (`X` follows
// `H` there; "Əlaqə" used to come after "Xəbərlər").
#[tokio::test]
async fn section_choices_follow_the_azerbaijani_alphabet() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let form = get(&app, "/pages/new", Some(&admin)).await;
    form.assert_status(StatusCode::OK);
    let at = |title: &str| {
        form.body
            .find(&format!("az: {title}<"))
            .unwrap_or_else(|| panic!("{title} not offered: {}", form.body))
    };
    assert!(
        at("Haqqımızda") < at("Xəbərlər") && at("Xəbərlər") < at("Sənədlər"),
        "{}",
        form.body
    );
}

/// POST /login with the token of a kept text.
async fn login_with_kept(app: &Router, name: &str, token: &str) -> Reply {
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            Fields::of(&[("name", name), ("password", PASSWORD), ("kept", token)]).encoded(),
        ))
        .unwrap();
    send(app, request).await
}

// Issue 11: when the session ended while an editor typed (logout in another tab, expiry),
// *Save* sent them to the login page and the text was gone. Now the form is kept for its
// writer — the ended session's CSRF token proves whose it is — and after logging in again the
// editor opens with it, once. Nobody else gets it, and a form that cannot be tied to its
// writer is not kept.
#[tokio::test]
async fn text_typed_when_the_session_ended_comes_back_after_logging_in() {
    let site = Site::new();
    let app = site.admin();
    let admin = login(&app, "admin", PASSWORD).await;
    let page = site.page_id("az", "news/draft");
    let before = site.head(page);
    // Logged out in another tab; this tab still sends the old cookie.
    post(&app, "/logout", &admin, Fields::default()).await;
    let typed = "Sessiya bitəndə yazılan mətn itmir.";
    // Longer than what the panel reads from a request without a session.
    let long = format!("{}{typed}", "Uzun məqalənin abzası. ".repeat(1_200));
    assert!(long.len() > govsite::admin::MAX_ANONYMOUS_REQUEST_BYTES);
    let reply = edit(
        &site,
        &app,
        &admin,
        page,
        &[("body", &long), ("action", "save")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let token = reply
        .location()
        .strip_prefix("/login?expired=1&kept=")
        .unwrap_or_else(|| panic!("{}", reply.location()))
        .to_string();
    assert_eq!(site.head(page), before, "nothing was saved");
    let form = get(&app, &format!("/login?expired=1&kept={token}"), None).await;
    assert!(
        form.body
            .contains(&format!("name=\"kept\" value=\"{token}\"")),
        "{}",
        form.body
    );

    // Another user signing in with the token does not get the text.
    login_with_kept(&app, "editor", &token)
        .await
        .assert_redirect("/");

    let back = login_with_kept(&app, "admin", &token).await;
    let editor = format!("/pages/{page}?kept={token}");
    back.assert_redirect(&editor);
    let cookie = back.set_cookies()[0].split(';').next().unwrap().to_string();
    let session = Session {
        cookie,
        csrf: String::new(),
    };
    let opened = get(&app, &editor, Some(&session)).await;
    opened.assert_status(StatusCode::OK);
    assert!(opened.body.contains(typed), "{}", opened.body);
    assert!(
        opened.body.contains("Sessiya bitəndə yazdığınız mətn"),
        "{}",
        opened.body
    );
    // Once: the next opening shows the page as saved.
    let again = get(&app, &editor, Some(&session)).await;
    assert!(!again.body.contains(typed));

    // A form without the ended session's CSRF token (another site's, say) is not kept.
    let fresh = login(&app, "admin", PASSWORD).await;
    post(&app, "/logout", &fresh, Fields::default()).await;
    let forged = post_raw(
        &app,
        &format!("/pages/{page}"),
        Some(&fresh),
        &editor_fields(&before)
            .set("body", "Başqa saytdan göndərilən mətn.")
            .set("action", "save")
            .set("csrf", "0000"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert!(
        !forged.location().contains("kept="),
        "{}",
        forged.location()
    );
}

//! The web admin panel (D189 §6.4–6.5): its own listener, sign-in and sessions, the checks of
//! who may do what, and the screens editors and administrators use. Changes go through
//! `store` (journaled) and are published through `build`, like `govsite build`.

// Handlers return `Result<Response, Response>`: the error is the response that ends the request
// early (a redirect to the login, a 403, a 500), as large as the success; boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub mod auth;
mod content;
mod people;
pub mod permissions;
mod site;
mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tera::Context;
use time::OffsetDateTime;

use crate::config::Config;
use crate::publishing::Publisher;
use crate::store::{Actor, Store, User};
use permissions::Module;

pub use views::UI_LANGUAGES;

/// What every request of the panel needs.
pub struct AdminState {
    pub config: Config,
    /// Browsers reach the panel over HTTPS (a TLS proxy in front, `listen.admin_https`):
    /// cookies get `Secure` (D189 §6.3.12).
    https: bool,
    /// The listener is on a loopback address: plain HTTP never leaves the machine.
    loopback: bool,
    /// How far the journal was last found intact by this process; kept in memory, where
    /// someone who can write the database cannot move it.
    journal_checkpoint: std::sync::Mutex<Option<crate::store::JournalCheckpoint>>,
    /// Every change the panel makes reaches the site through this publisher, shared with the
    /// scheduler of the same process.
    pub(crate) publisher: Arc<Publisher>,
}

impl AdminState {
    /// `listen` is the address the panel listens on.
    pub fn new(config: &Config, listen: SocketAddr) -> Arc<AdminState> {
        AdminState::with_publisher(config, listen, Arc::new(Publisher::new(config.clone())))
    }

    /// A panel publishing through `publisher` (`serve` shares one with its scheduler).
    pub fn with_publisher(
        config: &Config,
        listen: SocketAddr,
        publisher: Arc<Publisher>,
    ) -> Arc<AdminState> {
        Arc::new(AdminState {
            config: config.clone(),
            https: config.admin_https,
            loopback: listen.ip().is_loopback(),
            journal_checkpoint: std::sync::Mutex::new(None),
            publisher,
        })
    }

    /// Publishes what the panel just changed (and anything else pending). When publishing
    /// fails, the change is saved and stays pending — the publisher recorded the failure for
    /// the dashboard and the journal, and the next publish or the scheduler retries it — and
    /// the user is told exactly that.
    fn publish(&self, signed: &Signed) -> Result<(), Response> {
        let result = Store::open(
            &self.config.database_path(),
            &self.config.domain,
            self.config.utc_offset,
        )
        .map_err(anyhow::Error::from)
        .and_then(|mut store| {
            self.publisher
                .publish(&mut store, OffsetDateTime::now_utc())
        });
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::error!("publishing failed, the change stays pending: {error:#}");
                Err(self.message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &signed.lang,
                    "publish_failed_title",
                    "publish_failed_text",
                    Some(signed),
                ))
            }
        }
    }

    fn open_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(
            &self.config.database_path(),
            &self.config.domain,
            self.config.utc_offset,
        )?)
    }

    /// The address failed logins are counted against: the peer, or — behind the TLS proxy that
    /// `listen.admin_https` declares, when the peer is that proxy on loopback — the last address
    /// the proxy put in `X-Forwarded-For`.
    fn client_address(&self, peer: &str, headers: &HeaderMap) -> String {
        let from_proxy = self.https
            && peer
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if from_proxy
            && let Some(forwarded) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return forwarded.to_string();
        }
        peer.to_string()
    }

    /// Verifies the journal from this process's checkpoint (the whole chain the first time)
    /// and moves the checkpoint on when it is intact; after a problem the next check is full.
    fn verify_journal_incrementally(
        &self,
        store: &Store,
    ) -> Result<(usize, Option<crate::store::JournalProblem>), Response> {
        let mut checkpoint = self
            .journal_checkpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (count, problem, reached) = store
            .verify_journal_since(checkpoint.as_ref())
            .map_err(|e| self.internal(e.into()))?;
        *checkpoint = reached;
        Ok((count, problem))
    }

    /// May a password travel over this connection? Only over HTTPS or on loopback
    /// (D189 §6.3.12).
    fn credentials_allowed(&self) -> bool {
        self.https || self.loopback
    }
}

/// The panel's routes; nothing here is reachable from the public listener.
pub fn admin_router(state: Arc<AdminState>) -> Router {
    Router::new()
        .route("/login", get(people::login_form).post(people::login))
        .route("/logout", post(people::logout))
        .route(
            "/password",
            get(people::password_form).post(people::change_password),
        )
        .route("/ui-lang", post(people::set_ui_lang))
        .route("/", get(content::dashboard))
        .route("/pages", get(content::page_list))
        .route(
            "/pages/new",
            get(content::new_page_form).post(content::create_page),
        )
        .route("/pages/{id}", get(content::editor).post(content::save_page))
        .route(
            "/pages/{id}/preview",
            get(content::preview_saved).post(content::preview),
        )
        .route("/pages/{id}/revisions", get(content::revisions))
        .route(
            "/pages/{id}/revisions/{number}",
            get(content::revision_diff),
        )
        .route(
            "/pages/{id}/revisions/{number}/restore",
            post(content::restore_revision),
        )
        .route("/pages/{id}/delete", post(content::delete_page))
        .route("/clean-paste", post(content::clean_paste))
        .route("/sections", get(site::sections).post(site::save_sections))
        .route("/menus", get(site::menus).post(site::save_menus))
        .route("/media", get(site::media).post(site::upload_media))
        .route("/templates", get(site::templates))
        .route(
            "/templates/{name}",
            get(site::template_form).post(site::save_template),
        )
        .route("/strings", get(site::strings).post(site::save_strings))
        .route("/users", get(people::users).post(people::create_user))
        .route(
            "/users/{id}",
            get(people::user_form).post(people::save_user),
        )
        .route("/groups", get(people::groups).post(people::save_group))
        .route("/journal", get(people::journal))
        .route("/journal.csv", get(people::journal_csv))
        .route("/admin-assets/{file}", get(asset))
        .route("/favicon.ico", get(favicon))
        .fallback(public_file)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(state)
}

/// The largest request the panel reads: an upload and its form fields.
pub const MAX_REQUEST_BYTES: usize = site::MAX_UPLOAD_BYTES + 64 * 1024;

/// The largest request body the panel reads from a request without a live session: the login
/// form and the other small forms.
pub const MAX_ANONYMOUS_REQUEST_BYTES: usize = 16 * 1024;

/// Bodies up to [`MAX_REQUEST_BYTES`] for requests of a session (uploads, long pages), also one
/// that ended less than a day ago (issue 11: a long text saved just after the session ended is
/// kept for its writer, not refused); everyone else is held to [`MAX_ANONYMOUS_REQUEST_BYTES`]
/// before the body is read. A session id is a secret only its browser holds.
pub fn large_bodies(state: Arc<AdminState>) -> crate::http::LargeBodies {
    crate::http::LargeBodies {
        max_bytes: MAX_REQUEST_BYTES,
        allowed: Arc::new(move |headers: &HeaderMap| state.has_recent_session(headers)),
    }
}

/// The client's address, or `local` where the server was started without connection info
/// (tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "local".into()),
        ))
    }
}

/// A handler's outcome: the response, or the response that stops it (a redirect to the login,
/// a 403, a 500).
type Reply = Result<Response, Response>;

/// Runs a handler's blocking body (SQLite, argon2, builds) off the async threads.
async fn blocking(work: impl FnOnce() -> Reply + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(response)) | Ok(Err(response)) => response,
        Err(error) => {
            tracing::error!("a request failed: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A signed-in request: the user, their session and an open database.
pub struct Signed {
    pub store: Store,
    pub user: User,
    pub actor: Actor,
    session_hash: String,
    pub csrf: String,
    /// The interface language.
    pub lang: String,
}

impl Signed {
    fn can(&self, module: Module) -> bool {
        permissions::can_use(&self.user, module)
    }
}

/// Is a session still good: not idle too long, not too old, its user not disabled?
fn is_live(session: &crate::store::Session, user: &User, now: i64) -> bool {
    !user.disabled
        && now - session.last_seen <= auth::SESSION_IDLE_SECONDS
        && now - session.created_at <= auth::SESSION_ABSOLUTE_SECONDS
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl AdminState {
    /// Does the request carry the cookie of a session that has not expired, of an enabled
    /// user? Only reads; the request itself checks the session again.
    fn has_recent_session(&self, headers: &HeaderMap) -> bool {
        let Some(session_id) = self.session_id(headers) else {
            return false;
        };
        let Ok(store) = self.open_store() else {
            return false;
        };
        let hash = auth::session_hash(&session_id);
        matches!(store.session(&hash), Ok(Some(_)))
            || matches!(store.ended_session(&hash, now()), Ok(Some(_)))
    }

    /// The session id the request's cookie carries, if it is well-formed.
    fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get(header::COOKIE)
            .and_then(|value| value.to_str().ok())
            .and_then(|cookie| auth::session_from_cookie_header(cookie, self.https))
    }

    /// The signed-in user of a request, or the response that sends them to log in. Ends
    /// sessions that were idle too long or are too old; a user with a one-time password is
    /// sent to change it first.
    fn signed_in(&self, headers: &HeaderMap) -> Result<Signed, Response> {
        let Some(session_id) = self.session_id(headers) else {
            return Err(see_other("/login"));
        };
        let mut store = self.open_store().map_err(|e| self.internal(e))?;
        let hash = auth::session_hash(&session_id);
        let now = now();
        let Some((session, user)) = store.session(&hash).map_err(|e| self.internal(e.into()))?
        else {
            return Err(see_other("/login?expired=1"));
        };
        if !is_live(&session, &user, now) {
            let _ = store.end_session(&hash);
            return Err(see_other("/login?expired=1"));
        }
        store
            .touch_session(&hash, now)
            .map_err(|e| self.internal(e.into()))?;
        Ok(Signed {
            actor: Actor(user.name.clone()),
            lang: user.ui_lang.clone(),
            store,
            user,
            session_hash: hash,
            csrf: session.csrf_token,
        })
    }

    /// An editor's form posted after its session ended (logout elsewhere, expiry) is kept
    /// rather than lost (issue 11): when the form carries the CSRF token of the session its
    /// cookie names, which proves whose it is, the form is stored for that user under a new
    /// random token, and the answer sends the browser to log in with it; after logging in as
    /// the same user, the editor opens with the text. `None` when the form cannot be tied to
    /// its writer: the usual answer then stands.
    fn keep_text_after_session_end(
        &self,
        headers: &HeaderMap,
        form: &Form,
        body: &[u8],
        page_id: i64,
    ) -> Option<Response> {
        let session_id = self.session_id(headers)?;
        let mut store = self.open_store().ok()?;
        let now = now();
        let (user_id, csrf) = store
            .ended_session(&auth::session_hash(&session_id), now)
            .ok()??;
        if !auth::constant_time_eq(form.get("csrf"), &csrf) {
            return None;
        }
        let token = auth::random_token().ok()?;
        store
            .keep_text(&auth::session_hash(&token), user_id, page_id, body, now)
            .ok()?;
        Some(see_other(&format!("/login?expired=1&kept={token}")))
    }

    /// Like [`signed_in`](Self::signed_in), but also requires a changed one-time password
    /// and, for state-changing requests, the session's CSRF token in the form.
    fn signed_in_for(&self, headers: &HeaderMap, form: Option<&Form>) -> Result<Signed, Response> {
        let signed = self.signed_in(headers)?;
        if signed.user.must_change_password {
            return Err(see_other("/password"));
        }
        if let Some(form) = form {
            self.check_csrf(&signed, form)?;
        }
        Ok(signed)
    }

    /// Refuses a form whose CSRF token is not the session's.
    fn check_csrf(&self, signed: &Signed, form: &Form) -> Result<(), Response> {
        if auth::constant_time_eq(form.get("csrf"), &signed.csrf) {
            Ok(())
        } else {
            Err(self.message(
                StatusCode::FORBIDDEN,
                &signed.lang,
                "csrf_title",
                "csrf_text",
                Some(signed),
            ))
        }
    }

    /// The 403 page for a forbidden action, journaled (D189 §6.5, §10.1.3).
    fn forbidden(&self, signed: &mut Signed, what: &str) -> Response {
        let _ = signed.store.journal_event(
            &signed.actor,
            "forbidden",
            "request",
            what,
            json!({ "group": signed.user.group.name }),
        );
        self.message(
            StatusCode::FORBIDDEN,
            &signed.lang,
            "forbidden_title",
            "forbidden_text",
            Some(signed),
        )
    }

    /// Requires a module, or answers 403.
    fn require(&self, signed: &mut Signed, module: Module, what: &str) -> Result<(), Response> {
        if signed.can(module) {
            Ok(())
        } else {
            Err(self.forbidden(signed, what))
        }
    }

    fn not_found(&self, signed: Option<&Signed>) -> Response {
        let lang = signed.map_or("az", |s| s.lang.as_str()).to_string();
        self.message(
            StatusCode::NOT_FOUND,
            &lang,
            "not_found_title",
            "not_found_text",
            signed,
        )
    }

    /// What the store refused, to show on the form; anything else ends the request with a 500.
    fn refusal(&self, error: crate::store::Error) -> Result<crate::UserError, Response> {
        error
            .into_user_error()
            .map_err(|internal| self.internal(internal.into()))
    }

    /// A 500 page; the details go to the server's log, not to the browser.
    fn internal(&self, error: anyhow::Error) -> Response {
        tracing::error!("{error:#}");
        self.message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "az",
            "error_title",
            "error_text",
            None,
        )
    }

    /// A page with a title and a sentence, inside the layout.
    fn message(
        &self,
        status: StatusCode,
        lang: &str,
        title_key: &str,
        text_key: &str,
        signed: Option<&Signed>,
    ) -> Response {
        let mut context = Context::new();
        context.insert("title", &views::text(lang, title_key));
        context.insert("message", &views::text(lang, text_key));
        context.insert("status", &status.as_u16());
        let mut response = match self.layout(signed, lang, "message.html", &mut context) {
            Ok(html) => html_response(html),
            Err(error) => {
                tracing::error!("{error:#}");
                "error".into_response()
            }
        };
        *response.status_mut() = status;
        response
    }

    /// Renders a template inside the layout with the navigation of the user's modules.
    fn layout(
        &self,
        signed: Option<&Signed>,
        lang: &str,
        template: &str,
        context: &mut Context,
    ) -> anyhow::Result<String> {
        context.insert("site_name", self.config.localized(&self.config.name, lang));
        context.insert(
            "public_url",
            &format!("http://{}/", self.config.public_addr),
        );
        if let Some(signed) = signed {
            context.insert("user", &signed.user);
            context.insert("csrf", &signed.csrf);
            let nav: Vec<serde_json::Value> = navigation(signed)
                .into_iter()
                .map(|(href, key)| json!({ "href": href, "label": views::text(lang, key) }))
                .collect();
            context.insert("nav", &nav);
            context.insert("ui_languages", &UI_LANGUAGES);
        }
        if !context.contains_key("title") {
            context.insert("title", "");
        }
        views::render(template, lang, context)
    }

    /// Renders a full page for a signed-in user.
    fn page(&self, signed: &Signed, template: &str, mut context: Context) -> Reply {
        let html = self
            .layout(Some(signed), &signed.lang, template, &mut context)
            .map_err(|e| self.internal(e))?;
        Ok(html_response(html))
    }
}

/// The menu of the panel: only the modules the user may use (D189 §6.5).
fn navigation(signed: &Signed) -> Vec<(&'static str, &'static str)> {
    let mut nav = vec![("/", "nav_dashboard")];
    if permissions::can_edit_any_content(&signed.user) {
        nav.push(("/pages", "nav_pages"));
    }
    for (module, href, key) in [
        (Module::Structure, "/sections", "nav_sections"),
        (Module::Media, "/media", "nav_media"),
        (Module::Templates, "/templates", "nav_templates"),
        (Module::Strings, "/strings", "nav_strings"),
        (Module::Users, "/users", "nav_users"),
        (Module::Journal, "/journal", "nav_journal"),
    ] {
        if signed.can(module) {
            nav.push((href, key));
        }
    }
    nav
}

/// A submitted form: fields in order, repeated names kept.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Form {
        Form(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default())
    }

    /// The first value of a field, or "".
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The trimmed value, `None` when empty.
    fn optional(&self, name: &str) -> Option<String> {
        let value = self.get(name).trim();
        (!value.is_empty()).then(|| value.to_string())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

fn html_response(html: String) -> Response {
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    security_headers(headers);
    response
}

/// Headers every panel page carries: no framing by other sites, no inline script, no caching
/// of pages that show unpublished content.
fn security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; frame-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'; form-action 'self'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Does a request come from the panel's own pages? A browser sends `Origin` with every POST;
/// when it names another host than the request's `Host`, the request was made by another site
/// (cross-site request forgery; the CSRF token is the main defence, this covers the login form,
/// which is sent before there is a session).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

/// 303 See Other: after a form, the browser loads the page with GET.
fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The panel's own stylesheet and script, compiled into the binary.
async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, mime): (&'static str, &str) = match file.as_str() {
        "admin.css" => (include_str!("assets/admin.css"), "text/css; charset=utf-8"),
        "admin.js" => (
            include_str!("assets/admin.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The default theme's icon, for the panel's tabs (issue 16: `/favicon.ico` answered 404).
async fn favicon() -> Response {
    let mut response = include_bytes!("../../themes/default/static/favicon.ico")
        .as_slice()
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/x-icon"),
    );
    response
}

/// Other GET requests of a signed-in user show the published site's files (the preview's
/// stylesheets and images come from here); everything else is the panel's 404.
async fn public_file(
    State(state): State<Arc<AdminState>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let lookup_state = state.clone();
    let lookup_headers = headers.clone();
    let lookup_method = method.clone();
    // The session check reads the database: off the async threads.
    let found = tokio::task::spawn_blocking(move || -> Result<PathBuf, Response> {
        let state = lookup_state;
        let signed = state.signed_in(&lookup_headers)?;
        if lookup_method != Method::GET {
            return Err(state.not_found(Some(&signed)));
        }
        let path = uri.path();
        if path.split('/').any(|part| part.starts_with('.')) {
            return Err(state.not_found(Some(&signed)));
        }
        // The same resolver as the public server: nothing outside public/ (issue 9 item 1).
        crate::http::resolve::resolve_public_file(&state.config.public_dir, path)
            .filter(|file| {
                !file
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
            })
            .ok_or_else(|| state.not_found(Some(&signed)))
    })
    .await;
    let file = match found {
        Ok(Ok(file)) => file,
        Ok(Err(response)) => return response,
        Err(error) => {
            tracing::error!("a request failed: {error}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // Streamed as on the site: type with charset, nosniff, CSP and downloads for active
    // content, ETag and ranges.
    match crate::http::stream_published_file(&file, &method, &headers).await {
        Ok(mut response) => {
            crate::http::add_security_headers(response.headers_mut());
            response
        }
        // Removed by a build since it was found.
        Err(_) => blocking(move || Err(state.not_found(None))).await,
    }
}

/// Query parameters as a map.
type Query = axum::extract::Query<HashMap<String, String>>;

/// The values of a filter form: every key present (empty when not given), so that templates
/// can show them back.
fn filter_values(query: &HashMap<String, String>, keys: &[&str]) -> HashMap<String, String> {
    keys.iter()
        .map(|key| {
            (
                key.to_string(),
                query.get(*key).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

//! The public web server: streams the published files of `public/` (`ETag`/`Last-Modified`,
//! ranges, precompressed twins or on-the-fly gzip/brotli for text) and fills in the search
//! page's results, answers old addresses and slash-less folder addresses with 301, and errors
//! with the language's error page. The only module that knows axum and HTTP status codes;
//! `serve_connections` is the transport of both listeners (header and body timeouts, a
//! connection limit, one log line per request).

pub mod resolve;

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{Predicate as _, SizeAbove};
use tower_http::services::ServeFile;

use self::resolve::{MAX_PATH_BYTES, precompressed_sibling, resolve_public_file, url_segments};

use crate::config::Config;
use crate::render::SEARCH_RESULTS_MARKER;
use crate::render::search_page::{self, SearchParams};
use crate::search::index::SearchIndex;
use crate::store::Store;

/// What the public server needs: where the files are, which languages exist, where the
/// database and the search index are.
pub struct PublicState {
    pub public_dir: PathBuf,
    pub languages: Vec<String>,
    config: Config,
    /// Opened on the first search, kept for the next ones.
    index: Mutex<Option<Arc<SearchIndex>>>,
    /// `_redirects` as last read, with the modification time it had then.
    redirects: Mutex<(Option<SystemTime>, HashMap<String, String>)>,
    /// Searches run on this many blocking threads at most, so that a flood of expensive
    /// queries never starves the static files (issue 9 item 8).
    searches: Arc<Semaphore>,
    limits: ServerLimits,
}

/// The bounds of a listener: how long a client may take to send its headers and its body, how
/// many connections are served at once, and how searches share the machine.
#[derive(Clone, Debug)]
pub struct ServerLimits {
    /// A connection whose request headers are not complete after this long is closed.
    pub header_read_timeout: Duration,
    /// A request whose body is not complete after this long gets 408.
    pub body_timeout: Duration,
    /// Larger request bodies get 413 before they are read, unless `large_bodies` lets the
    /// request send more. The public site takes no bodies at all.
    pub max_body_bytes: usize,
    /// Who may send more than `max_body_bytes`: on the panel, requests of a live session
    /// (uploads, long pages), so that nobody can make the server hold large bodies without
    /// logging in.
    pub large_bodies: Option<LargeBodies>,
    /// Connections served at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// Connections one client address may hold at once; more are closed at once, so that one
    /// client cannot take every connection slot with unfinished requests. Generous enough for
    /// a proxy in front of the server.
    pub max_connections_per_address: usize,
    /// Searches running at once.
    pub search_permits: usize,
    /// How long a search waits for a free slot before the answer is 503 with `Retry-After`.
    pub search_wait: Duration,
    /// A search that takes longer is answered 503 (its thread finishes, its slot is kept).
    pub search_time_limit: Duration,
}

/// Bodies above a listener's `max_body_bytes`, up to `max_bytes`, for the requests `allowed`
/// accepts (it sees only the headers, and runs on a blocking thread: it may read the database).
#[derive(Clone)]
pub struct LargeBodies {
    pub max_bytes: usize,
    pub allowed: Arc<dyn Fn(&axum::http::HeaderMap) -> bool + Send + Sync>,
}

impl std::fmt::Debug for LargeBodies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LargeBodies")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Default for ServerLimits {
    fn default() -> ServerLimits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(20),
            max_body_bytes: 0,
            large_bodies: None,
            max_connections: 1024,
            max_connections_per_address: 256,
            search_permits: 2 * cores,
            search_wait: Duration::from_secs(2),
            search_time_limit: Duration::from_secs(10),
        }
    }
}

impl PublicState {
    pub fn new(config: &Config) -> Arc<PublicState> {
        PublicState::with_limits(config, ServerLimits::default())
    }

    pub fn with_limits(config: &Config, limits: ServerLimits) -> Arc<PublicState> {
        Arc::new(PublicState {
            public_dir: config.public_dir.clone(),
            languages: config.languages.clone(),
            config: config.clone(),
            index: Mutex::new(None),
            redirects: Mutex::new((None, HashMap::new())),
            searches: Arc::new(Semaphore::new(limits.search_permits.max(1))),
            limits,
        })
    }

    fn search_index(&self) -> anyhow::Result<Arc<SearchIndex>> {
        let mut cached = self
            .index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(index) = cached.as_ref() {
            index.reload()?;
            return Ok(index.clone());
        }
        let index = Arc::new(SearchIndex::open_for_reading(
            &self.config.search_index_dir(),
        )?);
        *cached = Some(index.clone());
        Ok(index)
    }

    /// Runs a search and fills the static search page with its results (D189 §4.10).
    fn search_page(
        &self,
        shell: &str,
        path: &str,
        params: &SearchParams,
    ) -> anyhow::Result<String> {
        let text_only = path.starts_with("/text/");
        let lang = path
            .trim_start_matches("/text")
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        let request = params.request(lang, self.config.utc_offset);
        let results = match self.search_index().and_then(|index| index.search(&request)) {
            Ok(results) => results,
            Err(error) => {
                // A broken index must not stay cached; it is reopened on the next search.
                *self
                    .index
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
                return Err(error);
            }
        };
        let store = Store::open(
            &self.config.database_path(),
            &self.config.domain,
            self.config.utc_offset,
        )?;
        let strings = store.ui_strings(lang)?;
        let results_html =
            search_page::results_html(&strings, path, params, &request, &results, text_only);
        search_page::fill(shell, params, &results_html)
    }

    /// The redirect for a path, rereading `_redirects` when a build has replaced it.
    fn redirect_for(&self, path: &str) -> Option<String> {
        let file = self.public_dir.join("_redirects");
        let modified = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
        let mut cached = self
            .redirects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cached.0 != modified {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let map = text
                .lines()
                .filter_map(|line| line.split_once(' '))
                .map(|(from, to)| (from.to_string(), to.to_string()))
                .collect();
            *cached = (modified, map);
        }
        cached.1.get(path).cloned()
    }
}

/// The public site's routes. Every answer, error pages and redirects included, carries the
/// security headers (issue 9 item 10); text answers are compressed for clients that accept
/// gzip or brotli, unless a precompressed twin was sent.
pub fn public_router(state: Arc<PublicState>) -> Router {
    Router::new()
        .fallback(serve_public)
        .layer(axum::middleware::map_response(with_security_headers))
        .layer(CompressionLayer::new().compress_when(SizeAbove::new(256).and(is_compressible)))
        .layer(axum::middleware::map_response(weaken_etag_when_encoded))
        .with_state(state)
}

/// Pages, stylesheets, feeds, the sitemap and plain text are worth compressing; images, PDFs,
/// archives and fonts are compressed already, and ranges are never compressed (tower-http
/// skips answers with `Content-Range` itself).
fn is_compressible(
    _: StatusCode,
    _: axum::http::Version,
    headers: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    matches!(
        essence,
        "text/html"
            | "text/css"
            | "text/plain"
            | "application/xml"
            | "text/xml"
            | "application/atom+xml"
            | "application/rss+xml"
    )
}

/// An encoded answer is another representation than the file whose length and time the `ETag`
/// names, so its tag becomes weak (as nginx does); a conditional request with it still gets
/// 304, since `If-None-Match` compares weakly.
async fn weaken_etag_when_encoded(mut response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_ENCODING)
        && let Some(tag) = response.headers().get(header::ETAG)
        && tag.as_bytes().starts_with(b"\"")
    {
        let mut weak = b"W/".to_vec();
        weak.extend_from_slice(tag.as_bytes());
        if let Ok(weak) = HeaderValue::from_bytes(&weak) {
            response.headers_mut().insert(header::ETAG, weak);
        }
    }
    response
}

/// The published site's policy: only its own stylesheets, images and fonts, no scripts at all
/// (the theme has none), no framing, forms only to itself.
const SITE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; media-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Files that could run script if opened on the site's origin (SVG, HTML or XML the build did
/// not produce as a page) are downloads in a sandbox.
const DOWNLOAD_POLICY: &str = "default-src 'none'; sandbox; frame-ancestors 'none'";

/// `Content-Security-Policy` (unless the response has its own), `nosniff`, `Referrer-Policy`
/// and `X-Frame-Options` on a response.
async fn with_security_headers(mut response: Response) -> Response {
    add_security_headers(response.headers_mut());
    response
}

/// The public site's security headers, also for its files shown by the admin panel.
pub fn add_security_headers(headers: &mut axum::http::HeaderMap) {
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(SITE_POLICY));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn content_type(path: &Path) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let value = match mime.essence_str() {
        "text/html" => "text/html; charset=utf-8".to_string(),
        "text/css" => "text/css; charset=utf-8".to_string(),
        "application/xml" | "text/xml" => "application/xml; charset=utf-8".to_string(),
        other if other.starts_with("text/") => format!("{other}; charset=utf-8"),
        other => other.to_string(),
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

/// Whether a published file could run script on the site's origin although the build did not
/// make it a page: SVG anywhere, HTML other than `index.html` and the error pages, XML other
/// than feeds and the sitemap.
pub fn is_active_download(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = mime.essence_str();
    let is_error_page =
        name.len() == 8 && name.ends_with(".html") && name[..3].bytes().all(|b| b.is_ascii_digit());
    match essence {
        "image/svg+xml" => true,
        "text/html" | "application/xhtml+xml" => name != "index.html" && !is_error_page,
        "application/xml" | "text/xml" | "application/rss+xml" | "application/atom+xml" => {
            !matches!(name, "rss.xml" | "atom.xml" | "sitemap.xml")
        }
        other => other.ends_with("+xml"),
    }
}

/// A generated answer in the form of a published file (error pages, the search page with
/// results): its type with a charset, its length, and for active content a download in a
/// sandbox. Files as they are on disk go through [`stream_published_file`].
pub fn published_file_response(
    status: StatusCode,
    path: &Path,
    bytes: Vec<u8>,
    head: bool,
) -> Response {
    let length = bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(path));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    add_file_headers(headers, path);
    response
}

/// `nosniff`, and for active content a download in a sandbox.
fn add_file_headers(headers: &mut HeaderMap, path: &Path) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_active_download(path) {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOWNLOAD_POLICY),
        );
    }
}

/// Streams a file that `resolve::resolve_public_file` returned, for a GET or HEAD with these
/// request headers: `ETag` and `Last-Modified` (304 to a matching conditional request),
/// `Range` (206), the precompressed `.br`/`.gz` twin when the client accepts it
/// ([`resolve::precompressed_sibling`]), and the headers of [`published_file_response`]. The
/// file is read in chunks as the client takes them, never whole. Used by the public server and
/// the admin panel's view of `public/`; an error (the file vanished) is the caller's to answer.
pub async fn stream_published_file(
    file: &Path,
    method: &Method,
    request_headers: &HeaderMap,
) -> std::io::Result<Response> {
    let mime = content_type(file)
        .to_str()
        .ok()
        .and_then(|value| value.parse::<mime_guess::mime::Mime>().ok())
        .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM);
    let mut service = ServeFile::new_with_mime(file, &mime);
    if precompressed_sibling(file, "br").is_some() {
        service = service.precompressed_br();
    }
    if precompressed_sibling(file, "gz").is_some() {
        service = service.precompressed_gzip();
    }
    let mut request = axum::http::Request::new(Body::empty());
    *request.method_mut() = method.clone();
    *request.headers_mut() = request_headers.clone();
    let response = service.try_call(request).await?;
    let mut response = response.map(Body::new);
    add_file_headers(response.headers_mut(), file);
    Ok(response)
}

/// A request path shortened for a log line: long URLs are an attack, not a record to keep.
pub fn path_for_log(path: &str) -> String {
    const SHOWN: usize = 200;
    match path.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}… ({} bytes)", &path[..cut], path.len()),
        None => path.to_string(),
    }
}

async fn serve_public(
    State(state): State<Arc<PublicState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let head = method == Method::HEAD;
    let path = uri.path();
    // Issue 9 item 11: very long URLs are refused before they reach the file system.
    if path.len() > MAX_PATH_BYTES {
        return error_page(&state, "/", StatusCode::URI_TOO_LONG, head).await;
    }
    // Only plain names: no `//`, `.`, `..`, encoded separators or drive forms (issue 9 item 1).
    let Some((segments, _)) = url_segments(path) else {
        return error_page(&state, path, StatusCode::NOT_FOUND, head).await;
    };
    // Hidden files and the build's bookkeeping are not for readers (D189 §6.3.10).
    if segments.iter().any(|segment| segment.starts_with('.')) || segments == ["_redirects"] {
        return error_page(&state, path, StatusCode::FORBIDDEN, head).await;
    }
    if let Some(to) = state.redirect_for(path) {
        return redirect(&to);
    }
    let Some(file) = resolve_public_file(&state.public_dir, path) else {
        // D189 §6.17: folder addresses end with a slash; the slash-less form redirects.
        if !path.ends_with('/')
            && resolve_public_file(&state.public_dir, &format!("{path}/")).is_some()
        {
            let location = match uri.query() {
                Some(query) => format!("{path}/?{query}"),
                None => format!("{path}/"),
            };
            return redirect(&location);
        }
        return error_page(&state, path, StatusCode::NOT_FOUND, head).await;
    };
    // A folder page asked with a query may be the search page, which is filled in; it is small.
    if path.ends_with('/') && uri.query().is_some() {
        match tokio::fs::read(&file).await {
            Ok(bytes) if contains(&bytes, SEARCH_RESULTS_MARKER.as_bytes()) => {
                return search(&state, &uri, &file, bytes, head).await;
            }
            Ok(_) => {}
            Err(error) => return unreadable(&state, path, &error, head).await,
        }
    }
    match stream_published_file(&file, &method, &headers).await {
        Ok(response) => response,
        Err(error) => unreadable(&state, path, &error, head).await,
    }
}

/// A resolved file that could not be opened: gone since (a build removed it) is 404, anything
/// else 500 and a log line.
async fn unreadable(
    state: &PublicState,
    path: &str,
    error: &std::io::Error,
    head: bool,
) -> Response {
    if error.kind() == std::io::ErrorKind::NotFound {
        return error_page(state, path, StatusCode::NOT_FOUND, head).await;
    }
    tracing::error!("cannot read {}: {error}", path_for_log(path));
    error_page(state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await
}

/// Fills the search page with results on the bounded pool of search threads; when all are
/// busy for longer than `search_wait`, or the search runs past `search_time_limit`, the
/// answer is 503 with `Retry-After` and static files are never kept waiting (issue 9 item 8).
async fn search(
    state: &Arc<PublicState>,
    uri: &Uri,
    file: &Path,
    bytes: Vec<u8>,
    head: bool,
) -> Response {
    let path = uri.path();
    let permit = match tokio::time::timeout(
        state.limits.search_wait,
        state.searches.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(permit)) => permit,
        _ => return busy(state, path, head).await,
    };
    let params = Query::<SearchParams>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let shell = String::from_utf8_lossy(&bytes).into_owned();
    let owned_path = path.to_string();
    let worker = state.clone();
    let task = tokio::task::spawn_blocking(move || {
        // The slot is free again only when the search has really finished.
        let _permit = permit;
        worker.search_page(&shell, &owned_path, &params)
    });
    match tokio::time::timeout(state.limits.search_time_limit, task).await {
        Ok(Ok(Ok(html))) => published_file_response(StatusCode::OK, file, html.into_bytes(), head),
        Ok(Ok(Err(error))) => {
            // The error chain names the index, not the reader's query.
            tracing::error!("search failed on {}: {error:#}", path_for_log(path));
            error_page(state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await
        }
        Ok(Err(_)) => error_page(state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await,
        Err(_) => {
            tracing::warn!(
                "a search on {} took longer than {} s",
                path_for_log(path),
                state.limits.search_time_limit.as_secs()
            );
            busy(state, path, head).await
        }
    }
}

/// 503 with the language's error page and `Retry-After`.
async fn busy(state: &PublicState, path: &str, head: bool) -> Response {
    let mut response = error_page(state, path, StatusCode::SERVICE_UNAVAILABLE, head).await;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish
/// (at most 10 s). Request headers must arrive within `header_read_timeout` and bodies within
/// `body_timeout`; at most `max_connections` are served at once, at most
/// `max_connections_per_address` of them for one client address. Handlers see the client's
/// address as `ConnectInfo<SocketAddr>`. Issue 9 item 11: `axum::serve` has no header timeout.
///
/// Every request is logged once, when its answer's headers are ready: the listener's `name`,
/// method, path without the query string (search words and panel filters are the readers'
/// and editors' business), status and milliseconds. No client address, no body.
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    name: &'static str,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};

    let router = router.layer(axum::middleware::from_fn_with_state(
        limits.clone(),
        read_body_in_time,
    ));
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections_per_address = Arc::new(Mutex::new(HashMap::new()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(listener = %name, "cannot accept a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(address_slot) = AddressSlot::take(
            &connections_per_address,
            remote.ip(),
            limits.max_connections_per_address,
        ) else {
            // Closed without a word: this client already holds its share of the slots.
            drop(stream);
            continue;
        };
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(remote));
                let method = request.method().clone();
                let path = path_for_log(request.uri().path());
                let started = Instant::now();
                let answer = tower::ServiceExt::oneshot(router.clone(), request);
                async move {
                    let response = answer.await?;
                    tracing::info!(
                        listener = %name,
                        method = %method,
                        path = %path,
                        status = response.status().as_u16(),
                        ms = started.elapsed().as_millis() as u64,
                        "request"
                    );
                    Ok::<_, std::convert::Infallible>(response)
                }
            },
        );
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(address_slot);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

/// One connection of a client address, counted while it is open.
struct AddressSlot {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    address: IpAddr,
}

impl AddressSlot {
    /// A slot for `address`, or `None` when it already holds `limit` connections.
    fn take(
        counts: &Arc<Mutex<HashMap<IpAddr, usize>>>,
        address: IpAddr,
        limit: usize,
    ) -> Option<AddressSlot> {
        let mut held = counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = held.entry(address).or_insert(0);
        if *count >= limit.max(1) {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            counts: counts.clone(),
            address,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = held.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.address);
            }
        }
    }
}

/// Reads the request body within `body_timeout` (408) and `max_body_bytes` (413) before the
/// handler runs, so a client that trickles its body holds nothing for long.
async fn read_body_in_time(
    State(limits): State<ServerLimits>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // A body without a declared length (chunked) may be large too.
    let may_be_large = declared.is_none_or(|length| length > limits.max_body_bytes as u64);
    let mut limit = limits.max_body_bytes;
    if let Some(large) = limits.large_bodies.as_ref().filter(|_| may_be_large)
        && declared.is_none_or(|length| length <= large.max_bytes as u64)
    {
        let allowed = large.allowed.clone();
        let headers = request.headers().clone();
        if tokio::task::spawn_blocking(move || allowed(&headers))
            .await
            .unwrap_or(false)
        {
            limit = large.max_bytes;
        }
    }
    if declared.is_some_and(|length| length > limit as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limits.body_timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(error)) => {
            let too_large = error
                .into_inner()
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            if too_large {
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            } else {
                StatusCode::BAD_REQUEST.into_response()
            }
        }
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The language's error page for a status (D189 §6.25), chosen by the path's language.
async fn error_page(state: &PublicState, path: &str, status: StatusCode, head: bool) -> Response {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = match segments.next() {
        Some("text") => segments.next().unwrap_or(""),
        other => other.unwrap_or(""),
    };
    let lang = state
        .languages
        .iter()
        .find(|lang| *lang == first)
        .or(state.languages.first());
    if let Some(lang) = lang {
        let page = state
            .public_dir
            .join(lang)
            .join(format!("{}.html", status.as_u16()));
        if let Ok(bytes) = tokio::fs::read(&page).await {
            return published_file_response(status, &page, bytes, head);
        }
        // 414 and 503 have no page of their own: the 404 and 500 pages say it in the language.
        let fallback = if status.is_server_error() {
            "500"
        } else {
            "404"
        };
        let page = state.public_dir.join(lang).join(format!("{fallback}.html"));
        if let Ok(bytes) = tokio::fs::read(&page).await {
            return published_file_response(status, &page, bytes, head);
        }
    }
    (status, status.to_string()).into_response()
}

//! The public web server: serves the published files of `public/` and the search page's
//! results, answers old addresses and
//! slash-less folder addresses with 301, and errors with the language's error page. The
//! only module that knows axum and HTTP status codes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

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
}

impl PublicState {
    pub fn new(config: &Config) -> Arc<PublicState> {
        Arc::new(PublicState {
            public_dir: config.public_dir.clone(),
            languages: config.languages.clone(),
            config: config.clone(),
            index: Mutex::new(None),
            redirects: Mutex::new((None, HashMap::new())),
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
        let index = Arc::new(SearchIndex::open(&self.config.search_index_dir())?);
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

/// The public site's routes.
pub fn public_router(state: Arc<PublicState>) -> Router {
    Router::new().fallback(serve_public).with_state(state)
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

fn file_response(status: StatusCode, path: &Path, bytes: Vec<u8>, head: bool) -> Response {
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
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn serve_public(State(state): State<Arc<PublicState>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let head = method == Method::HEAD;
    let path = uri.path();
    if !path.starts_with('/')
        || !path.is_ascii()
        || path.contains('\\')
        || path.split('/').any(|s| s == ".." || s == ".")
    {
        return error_page(&state, path, StatusCode::NOT_FOUND, head).await;
    }
    // Hidden files and the build's bookkeeping are not for readers (D189 §6.3.10).
    if path.split('/').any(|segment| segment.starts_with('.')) || path == "/_redirects" {
        return error_page(&state, path, StatusCode::FORBIDDEN, head).await;
    }
    if let Some(to) = state.redirect_for(path) {
        return redirect(&to);
    }
    let relative = &path[1..];
    let file = if path.ends_with('/') {
        state.public_dir.join(relative).join("index.html")
    } else {
        state.public_dir.join(relative)
    };
    match tokio::fs::read(&file).await {
        Ok(bytes)
            if path.ends_with('/')
                && uri.query().is_some()
                && contains(&bytes, SEARCH_RESULTS_MARKER.as_bytes()) =>
        {
            let params = Query::<SearchParams>::try_from_uri(&uri)
                .map(|q| q.0)
                .unwrap_or_default();
            let shell = String::from_utf8_lossy(&bytes).into_owned();
            let owned_path = path.to_string();
            let worker = state.clone();
            let filled = tokio::task::spawn_blocking(move || {
                worker.search_page(&shell, &owned_path, &params)
            })
            .await;
            return match filled {
                Ok(Ok(html)) => file_response(StatusCode::OK, &file, html.into_bytes(), head),
                Ok(Err(error)) => {
                    eprintln!("serve: search failed: {error:#}");
                    error_page(&state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await
                }
                Err(_) => error_page(&state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await,
            };
        }
        Ok(bytes) => return file_response(StatusCode::OK, &file, bytes, head),
        Err(error)
            if !matches!(
                error.kind(),
                std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::NotADirectory
                    | std::io::ErrorKind::IsADirectory
            ) =>
        {
            eprintln!("serve: cannot read {}: {error}", file.display());
            return error_page(&state, path, StatusCode::INTERNAL_SERVER_ERROR, head).await;
        }
        Err(_) => {}
    }
    // D189 §6.17: folder addresses end with a slash; the slash-less form redirects.
    if !path.ends_with('/')
        && tokio::fs::metadata(state.public_dir.join(relative).join("index.html"))
            .await
            .is_ok()
    {
        let location = match uri.query() {
            Some(query) => format!("{path}/?{query}"),
            None => format!("{path}/"),
        };
        return redirect(&location);
    }
    error_page(&state, path, StatusCode::NOT_FOUND, head).await
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
            return file_response(status, &page, bytes, head);
        }
    }
    (status, status.to_string()).into_response()
}

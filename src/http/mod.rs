//! The public web server: serves the published files of `public/`, answers old addresses and
//! slash-less folder addresses with 301, and errors with the language's error page. The
//! only module that knows axum and HTTP status codes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// What the public server needs: where the files are and which languages exist.
pub struct PublicState {
    pub public_dir: PathBuf,
    pub languages: Vec<String>,
    /// `_redirects` as last read, with the modification time it had then.
    redirects: Mutex<(Option<SystemTime>, HashMap<String, String>)>,
}

impl PublicState {
    pub fn new(public_dir: PathBuf, languages: Vec<String>) -> Arc<PublicState> {
        Arc::new(PublicState {
            public_dir,
            languages,
            redirects: Mutex::new((None, HashMap::new())),
        })
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

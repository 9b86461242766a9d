//! The URL resolver: turns a request path into a file inside `public/`, or nothing. Used by
//! the public server and by the admin panel's view of the published files, so that no path
//! form (absolute, `..`, encoded separators, symlinks) reaches a file outside `public/`.

use std::path::{Path, PathBuf};

/// Longest request path the servers look at; longer ones are answered 414 (issue 9 item 11).
pub const MAX_PATH_BYTES: usize = 2048;

/// Longest single segment; file systems refuse longer names (ENAMETOOLONG).
const MAX_SEGMENT_BYTES: usize = 255;

/// The decoded segments of a request path (`/az/xeberler/` → `["az", "xeberler"]`, with
/// `folder` true for the trailing slash), or `None` when any segment is not a plain name:
/// empty (`//`), `.`, `..`, containing `/`, `\`, `:` or NUL after percent-decoding, not UTF-8,
/// or too long.
pub fn url_segments(path: &str) -> Option<(Vec<String>, bool)> {
    if path.len() > MAX_PATH_BYTES {
        return None;
    }
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some((Vec::new(), true));
    }
    let folder = rest.ends_with('/');
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segments = Vec::new();
    for raw in rest.split('/') {
        let segment = percent_decode(raw)?;
        let plain = !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment.len() <= MAX_SEGMENT_BYTES
            && !segment.contains(['/', '\\', ':', '\0']);
        if !plain {
            return None;
        }
        segments.push(segment);
    }
    Some((segments, folder))
}

/// `%XX` sequences decoded; `None` for a broken sequence or bytes that are not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = raw.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The file a request path names inside `public_dir` (`index.html` for a folder address), if
/// it exists and is a regular file whose real location, symlinks resolved, is inside
/// `public_dir` (D189 §6.3.10: nothing but the published files is served).
pub fn resolve_public_file(public_dir: &Path, path: &str) -> Option<PathBuf> {
    let (segments, folder) = url_segments(path)?;
    let mut file = public_dir.to_path_buf();
    for segment in &segments {
        file.push(segment);
    }
    if folder {
        file.push("index.html");
    }
    let root = public_dir.canonicalize().ok()?;
    let real = file.canonicalize().ok()?;
    (real.starts_with(&root) && real.is_file()).then_some(real)
}

/// The precompressed twin of a file `resolve_public_file` returned (`index.html.gz` beside
/// `index.html`, `extension` without the dot), if it is a regular file in the same folder (not
/// a symlink, so it is inside `public/` too) and not older than the file: the server may send
/// it to clients that accept its encoding instead of compressing the file itself.
pub fn precompressed_sibling(file: &Path, extension: &str) -> Option<PathBuf> {
    let mut name = file.file_name()?.to_os_string();
    name.push(".");
    name.push(extension);
    let sibling = file.with_file_name(name);
    let sibling_meta = std::fs::symlink_metadata(&sibling).ok()?;
    let file_modified = std::fs::metadata(file)
        .and_then(|meta| meta.modified())
        .ok()?;
    (sibling_meta.file_type().is_file() && sibling_meta.modified().ok()? >= file_modified)
        .then_some(sibling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_plain_names_only() {
        assert_eq!(
            url_segments("/az/xeberler/"),
            Some((vec!["az".to_string(), "xeberler".to_string()], true))
        );
        assert_eq!(url_segments("/"), Some((vec![], true)));
        for path in [
            "//etc/passwd",
            "/az//x",
            "/%2e%2e/x",
            "/a/./b",
            "/a%2fb",
            "/a%5cb",
            "/C:/x",
            "/a%00",
            "/a%zz",
            "etc",
        ] {
            assert_eq!(url_segments(path), None, "{path}");
        }
    }
}

//! What files may be published beside pages and in the media library, by type and content:
//! one allow-list for the panel's upload and for import, checked by the file's first bytes, not
//! only its extension, so that nothing a browser would run (HTML, SVG, XML) reaches the public
//! origin under a harmless name (issue 9, item 10).

/// File types that may be published, by extension, with the MIME type recorded for them.
pub const ALLOWED_TYPES: [(&str, &str); 14] = [
    ("pdf", "application/pdf"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("rtf", "application/rtf"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("zip", "application/zip"),
];

/// Why a file may not be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "`.{extension}` files are not published; allowed types: {}",
        allowed_list()
    )]
    Type { extension: String },
    #[error(
        "the content is not a {extension} file (it may be a web page or a script under another name); allowed types: {}",
        allowed_list()
    )]
    Content { extension: String },
}

/// The allowed extensions, for messages: `pdf, doc, docx, …`.
pub fn allowed_list() -> String {
    ALLOWED_TYPES
        .iter()
        .map(|(extension, _)| *extension)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The MIME type a file is published with, if its extension (lowercase, without the dot) is
/// allowed and its content is of that type.
pub fn check(extension: &str, bytes: &[u8]) -> Result<&'static str, Refusal> {
    let Some(&(_, mime)) = ALLOWED_TYPES.iter().find(|(known, _)| *known == extension) else {
        return Err(Refusal::Type {
            extension: extension.to_string(),
        });
    };
    if content_matches(extension, bytes) {
        Ok(mime)
    } else {
        Err(Refusal::Content {
            extension: extension.to_string(),
        })
    }
}

/// Do the first bytes say the file is what its extension claims?
fn content_matches(extension: &str, bytes: &[u8]) -> bool {
    const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
    match extension {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "doc" | "xls" => bytes.starts_with(OLE),
        "docx" | "xlsx" | "odt" | "ods" | "zip" => {
            bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
        }
        "rtf" => bytes.starts_with(b"{\\rtf"),
        "jpg" | "jpeg" => bytes.starts_with(b"\xff\xd8\xff"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "txt" | "csv" => is_plain_text(bytes),
        _ => false,
    }
}

/// UTF-8 text without NUL bytes that does not begin like markup a browser might sniff as
/// HTML, SVG or XML.
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    if text.contains('\0') {
        return false;
    }
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n', '\u{c}']);
    !start.starts_with('<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_content_is_refused_whatever_its_name() {
        assert!(matches!(
            check("html", b"<html>"),
            Err(Refusal::Type { .. })
        ));
        assert!(matches!(check("svg", b"<svg>"), Err(Refusal::Type { .. })));
        assert!(matches!(
            check("pdf", b"<html><script>"),
            Err(Refusal::Content { .. })
        ));
        assert!(matches!(
            check("png", b"<svg onload=x>"),
            Err(Refusal::Content { .. })
        ));
        assert!(matches!(
            check("txt", b"\n <!doctype html>"),
            Err(Refusal::Content { .. })
        ));
        assert_eq!(check("pdf", b"%PDF-1.4\n"), Ok("application/pdf"));
        assert_eq!(check("csv", "ad,say\nBakı,1\n".as_bytes()), Ok("text/csv"));
    }
}

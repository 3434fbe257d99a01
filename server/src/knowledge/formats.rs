//! What an uploaded file is, told by its content: a PDF or Word document by its
//! bytes, text formats by being UTF-8 text and then by name. A name that claims a
//! binary format the content does not have is refused.

use std::io::Cursor;

/// The formats the Knowledge Vault reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Markdown,
    Html,
    Csv,
    Text,
}

impl Format {
    /// The name stored and shown (`Document::format`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }

    /// The format stored as `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Format::Pdf,
            Format::Docx,
            Format::Markdown,
            Format::Html,
            Format::Csv,
            Format::Text,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }

    /// The media type a download is sent with.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
        }
    }
}

/// The UTF-8 byte order mark, which text files may start with.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte order mark.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// What `bytes` (uploaded as `filename`) is, or why it cannot be taken.
pub fn detect(filename: &str, bytes: &[u8]) -> Result<Format, String> {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return if is_word_document(bytes) {
            Ok(Format::Docx)
        } else {
            Err("a ZIP archive that is not a Word (.docx) document".into())
        };
    }
    match extension.as_str() {
        "pdf" => return Err("named .pdf, but the content is not a PDF".into()),
        "docx" => return Err("named .docx, but the content is not a Word document".into()),
        _ => {}
    }
    let text = without_bom(bytes);
    if text.contains(&0) || std::str::from_utf8(text).is_err() {
        return Err(
            "not a supported type: PDF, Word (.docx), Markdown, HTML, CSV or UTF-8 text".into(),
        );
    }
    Ok(match extension.as_str() {
        "md" | "markdown" => Format::Markdown,
        "html" | "htm" => Format::Html,
        "csv" => Format::Csv,
        _ if looks_like_html(text) => Format::Html,
        _ => Format::Text,
    })
}

/// Whether a ZIP archive holds a Word document's body.
fn is_word_document(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|mut zip| zip.by_name("word/document.xml").is_ok())
}

/// Whether text starts as an HTML page does.
fn looks_like_html(text: &[u8]) -> bool {
    let start: Vec<u8> = text
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_and_a_false_name_is_refused() {
        assert_eq!(detect("a.txt", b"%PDF-1.7 ..."), Ok(Format::Pdf));
        assert_eq!(detect("notes.md", b"# Title\n\ntext"), Ok(Format::Markdown));
        assert_eq!(detect("page", b"  <!DOCTYPE html><p>x"), Ok(Format::Html));
        assert_eq!(detect("t.CSV", b"a,b\n1,2\n"), Ok(Format::Csv));
        assert_eq!(detect("t", b"\xEF\xBB\xBFplain"), Ok(Format::Text));
        assert!(detect("report.pdf", b"just text")
            .unwrap_err()
            .contains("not a PDF"));
        assert!(detect("x.bin", b"\x00\x01\x02")
            .unwrap_err()
            .contains("not a supported type"));
        assert!(detect("x.zip", b"PK\x03\x04garbage")
            .unwrap_err()
            .contains("not a Word"));
        assert!(detect("e.txt", b"").unwrap_err().contains("empty"));
    }
}

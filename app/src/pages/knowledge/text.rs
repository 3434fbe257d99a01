//! Words the Knowledge page shows: sizes, formats, a document's status, and the
//! excerpt of a passage around the words searched for. Pure functions, unit-tested.

use crate::knowledge_api::{Document, DocumentStatus};

/// `size_bytes` for people: `512 B`, `1.5 KB`, `2.0 MB`.
pub fn human_size(size_bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let bytes = size_bytes.max(0) as f64;
    if bytes < KB {
        format!("{size_bytes} B")
    } else if bytes < KB * KB {
        format!("{:.1} KB", bytes / KB)
    } else {
        format!("{:.1} MB", bytes / (KB * KB))
    }
}

/// The format's name as people know it, with a PDF's pages.
pub fn format_label(document: &Document) -> String {
    let name = match document.format.as_str() {
        "pdf" => "PDF",
        "docx" => "Word",
        "markdown" => "Markdown",
        "html" => "HTML",
        "csv" => "CSV",
        "text" => "Text",
        other => other,
    };
    match document.page_count {
        Some(1) => format!("{name}, 1 page"),
        Some(pages) => format!("{name}, {pages} pages"),
        None => name.to_owned(),
    }
}

/// A document's status badge: its words and its tone (`busy`, `ok`, `bad`).
pub fn status_badge(document: &Document) -> (String, &'static str) {
    match document.status {
        DocumentStatus::Processing => {
            let stage = document.stage.as_deref().unwrap_or("waiting");
            (format!("Processing: {stage}"), "busy")
        }
        DocumentStatus::Ready => {
            let chunks = match document.chunk_count {
                1 => "1 passage".to_owned(),
                n => format!("{n} passages"),
            };
            (format!("Ready, {chunks}"), "ok")
        }
        DocumentStatus::Failed => ("Failed".to_owned(), "bad"),
    }
}

/// A piece of an excerpt; `hit` when it is a word searched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// About `max_chars` of `text` (whitespace collapsed), starting a few words before
/// the first word that matches one of `query`'s, with `…` where it was cut; the
/// matching words are pieces of their own. Words match by prefix, as the index
/// stems them (`index` finds `indexing`).
pub fn excerpt(text: &str, query: &str, max_chars: usize) -> Vec<Piece> {
    const WORDS_BEFORE: usize = 8;
    let terms: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|term| term.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect();
    let matches = |word: &str| {
        let word: String = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        !word.is_empty()
            && terms.iter().any(|term| {
                word.starts_with(term.as_str())
                    || (term.chars().count() > 5 && word.starts_with(&prefix(term, 5)))
            })
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.iter().position(|w| matches(w)).unwrap_or(0);
    let start = first.saturating_sub(WORDS_BEFORE);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |text: &str, hit: bool| match pieces.last_mut() {
        Some(last) if !last.hit && !hit => last.text.push_str(text),
        _ => pieces.push(Piece {
            text: text.to_owned(),
            hit,
        }),
    };
    if start > 0 {
        push("… ", false);
    }
    let mut used = 0;
    let mut end = start;
    for (i, word) in words.iter().enumerate().skip(start) {
        let len = word.chars().count();
        if i > start && used + 1 + len > max_chars {
            break;
        }
        if i > start {
            push(" ", false);
            used += 1;
        }
        push(word, matches(word));
        used += len;
        end = i + 1;
    }
    if end < words.len() {
        push(" …", false);
    }
    pieces
}

fn prefix(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn sizes_read_like_file_managers() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(20 * 1024 * 1024), "20.0 MB");
    }

    #[test]
    fn an_excerpt_starts_a_little_before_the_first_match_and_marks_the_words() {
        let text = "one two three four five six seven eight nine ten eleven twelve \
                    Zeppelins fly\nslowly over the harbour while the zeppelin crew waves";
        assert_eq!(
            shown(&excerpt(text, "zeppelin", 60)),
            "… five six seven eight nine ten eleven twelve [Zeppelins] fly …"
        );
        assert_eq!(
            shown(&excerpt(text, "ZEPPELIN crew", 1000)),
            "… five six seven eight nine ten eleven twelve [Zeppelins] fly slowly over \
             the harbour while the [zeppelin] [crew] waves"
        );
        // Punctuation around a word does not hide it; stems match by prefix.
        assert_eq!(
            shown(&excerpt("Indexing, then (search).", "index searching", 100)),
            "[Indexing,] then [(search).]"
        );
        // No match: the start of the text.
        assert_eq!(
            shown(&excerpt("alpha beta gamma", "zzz", 10)),
            "alpha beta …"
        );
        assert_eq!(excerpt("", "x", 10), Vec::new());
    }
}

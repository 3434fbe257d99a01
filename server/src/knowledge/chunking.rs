//! Splitting a document's blocks into overlapping chunks of about [`TARGET_CHARS`]:
//! a heading always starts a new chunk (so a chunk stays within one section and
//! knows its heading), paragraphs are kept whole when they fit, and each chunk
//! repeats the end of the one before it, so a passage cut at a boundary is still
//! found whole in one of the two. A new PDF page starts a new chunk too, so a
//! citation's page is the passage's.

use super::extract::Block;

/// About how long a chunk is, in characters.
pub const TARGET_CHARS: usize = 1000;
/// About how much of the previous chunk a chunk repeats, in characters.
pub const OVERLAP_CHARS: usize = 200;

/// A piece of a document to index.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Its place in the document, from 0.
    pub position: i64,
    /// The headings it is under, outermost first, joined by " › ".
    pub heading: Option<String>,
    /// The PDF page it starts on.
    pub page: Option<i64>,
    pub content: String,
}

/// The chunks of `blocks`, in order.
pub fn chunk(blocks: &[Block]) -> Vec<Chunk> {
    let mut out = Chunker::default();
    for block in blocks {
        match block.heading {
            Some(level) => {
                out.finish();
                out.headings.retain(|(l, _)| *l < level);
                out.headings.push((level, block.text.clone()));
                out.overlap.clear();
            }
            None => {
                for piece in pieces(&block.text) {
                    out.add(piece, block.page);
                }
            }
        }
    }
    out.finish();
    out.chunks
}

#[derive(Default)]
struct Chunker {
    chunks: Vec<Chunk>,
    headings: Vec<(u8, String)>,
    /// The text of the chunk being filled (after the overlap).
    text: String,
    /// The end of the previous chunk, to start the next one with.
    overlap: String,
    page: Option<i64>,
}

impl Chunker {
    fn add(&mut self, piece: &str, page: Option<i64>) {
        let full = self.text.len() + piece.len() + 2 > TARGET_CHARS;
        if !self.text.is_empty() && (full || page != self.page) {
            self.finish();
        }
        if self.text.is_empty() {
            self.page = page;
        } else {
            self.text.push_str("\n\n");
        }
        self.text.push_str(piece);
    }

    fn finish(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let content = if self.overlap.is_empty() {
            self.text.clone()
        } else {
            format!("{}\n\n{}", self.overlap, self.text)
        };
        self.overlap = tail(&self.text, OVERLAP_CHARS).to_owned();
        self.chunks.push(Chunk {
            position: self.chunks.len() as i64,
            heading: (!self.headings.is_empty()).then(|| {
                self.headings
                    .iter()
                    .map(|(_, h)| h.as_str())
                    .collect::<Vec<_>>()
                    .join(" › ")
            }),
            page: self.page,
            content,
        });
        self.text.clear();
    }
}

/// `text` in pieces of at most [`TARGET_CHARS`], cut after a sentence or at a space
/// where one is near the limit.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > TARGET_CHARS {
        let mut limit = TARGET_CHARS;
        while !rest.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = &rest[..limit];
        let cut = window
            .rfind(". ")
            .map(|i| i + 1)
            .filter(|i| *i > TARGET_CHARS / 2)
            .or_else(|| window.rfind(char::is_whitespace).filter(|i| *i > 0))
            .unwrap_or(limit);
        out.push(rest[..cut].trim());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// About the last `chars` bytes of `text`, starting at a word.
fn tail(text: &str, chars: usize) -> &str {
    if text.len() <= chars {
        return text;
    }
    let mut start = text.len() - chars;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let tail = &text[start..];
    match tail.find(char::is_whitespace) {
        Some(i) => tail[i..].trim_start(),
        None => tail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block {
            text: text.into(),
            heading: None,
            page: None,
        }
    }

    fn heading(level: u8, text: &str) -> Block {
        Block {
            text: text.into(),
            heading: Some(level),
            page: None,
        }
    }

    #[test]
    fn headings_start_chunks_and_nest() {
        let chunks = chunk(&[
            heading(1, "Guide"),
            para("Intro."),
            heading(2, "Install"),
            para("Run it."),
            heading(2, "Use"),
            para("Click."),
        ]);
        let got: Vec<_> = chunks
            .iter()
            .map(|c| (c.heading.as_deref().unwrap(), c.content.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Guide", "Intro."),
                ("Guide › Install", "Run it."),
                ("Guide › Use", "Click.")
            ]
        );
        assert_eq!(chunks[2].position, 2);
    }

    #[test]
    fn long_text_is_cut_into_overlapping_chunks_of_about_the_target() {
        let sentence = "The quick brown fox jumps over the lazy dog. ";
        let long = sentence.repeat(100);
        let chunks = chunk(&[para(&long), para("Final words.")]);
        assert!(chunks.len() >= 4, "{}", chunks.len());
        for pair in chunks.windows(2) {
            assert!(pair[0].content.len() <= TARGET_CHARS + OVERLAP_CHARS + 2);
            // The next chunk starts with the end of this one.
            let overlap = pair[1].content.split("\n\n").next().unwrap();
            assert!(pair[0].content.ends_with(overlap), "{overlap:?}");
        }
        assert!(chunks.last().unwrap().content.ends_with("Final words."));
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let long = "ä".repeat(3000);
        let chunks = chunk(&[para(&long)]);
        assert!(chunks.len() >= 3);
    }
}

//! Text out of each format, as blocks (headings and paragraphs) for the chunker.
//!
//! PDF: `pdf-extract`, page by page. Markdown: `pulldown-cmark`'s events. HTML:
//! `html2text`, whose plain rendering is Markdown, read as such. CSV: the `csv` crate,
//! a row a block with its column names. DOCX: no maintained crate reads a document's
//! text without pulling in a whole writer, so the body (`word/document.xml`, read with
//! `zip`) is walked with `quick-xml`: paragraphs (`w:p`), their runs' text (`w:t`)
//! and heading styles (`Heading1`…, `Title`).

use std::io::{Cursor, Read};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use quick_xml::events::Event as XmlEvent;

use super::formats::{without_bom, Format};

/// A heading or a paragraph of a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub text: String,
    /// A heading's level (1 is the top); `None` for text.
    pub heading: Option<u8>,
    /// The PDF page it is on, from 1.
    pub page: Option<i64>,
}

/// A document's text.
#[derive(Debug, Default)]
pub struct Extracted {
    pub blocks: Vec<Block>,
    pub page_count: Option<i64>,
}

/// The text of `bytes`, or why there is none, in words.
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extracted, String> {
    let extracted = match format {
        Format::Pdf => pdf(bytes)?,
        Format::Docx => docx(bytes)?,
        Format::Markdown => markdown(utf8(bytes)?),
        Format::Html => html(utf8(bytes)?)?,
        Format::Csv => csv_rows(utf8(bytes)?)?,
        Format::Text => Extracted {
            blocks: lines_to_blocks(utf8(bytes)?, None),
            page_count: None,
        },
    };
    if extracted.blocks.is_empty() {
        return Err(match format {
            Format::Pdf => {
                "scanned PDF without a text layer: there is no text to index (run OCR on it first)"
                    .into()
            }
            _ => "the document has no text".into(),
        });
    }
    Ok(extracted)
}

fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(without_bom(bytes)).map_err(|_| "the text is not UTF-8".into())
}

fn text_block(text: &str, page: Option<i64>) -> Option<Block> {
    let text = text.trim();
    (!text.is_empty()).then(|| Block {
        text: text.to_owned(),
        heading: None,
        page,
    })
}

/// Paragraphs, separated by blank lines.
fn lines_to_blocks(text: &str, page: Option<i64>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            blocks.extend(text_block(&paragraph, page));
            paragraph.clear();
        } else {
            if !paragraph.is_empty() {
                paragraph.push('\n');
            }
            paragraph.push_str(line.trim_end());
        }
    }
    blocks.extend(text_block(&paragraph, page));
    blocks
}

fn pdf(bytes: &[u8]) -> Result<Extracted, String> {
    // The extractor panics on some malformed files: that is a failed document, not a
    // failed worker.
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|_| "the PDF is damaged and cannot be read".to_owned())?
        .map_err(|err| format!("the PDF cannot be read: {err}"))?;
    let blocks = pages
        .iter()
        .enumerate()
        .flat_map(|(i, page)| lines_to_blocks(page, Some(i as i64 + 1)))
        .collect();
    Ok(Extracted {
        blocks,
        page_count: Some(pages.len() as i64),
    })
}

fn markdown(text: &str) -> Extracted {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut heading = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                blocks.extend(text_block(&current, None));
                current.clear();
                heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                if !current.trim().is_empty() {
                    blocks.push(Block {
                        text: current.trim().to_owned(),
                        heading,
                        page: None,
                    });
                }
                current.clear();
                heading = None;
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::CodeBlock
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => {
                blocks.extend(text_block(&current, None));
                current.clear();
            }
            Event::Text(t) | Event::Code(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.push('\n'),
            Event::End(TagEnd::TableCell) => current.push_str(" | "),
            _ => {}
        }
    }
    blocks.extend(text_block(&current, None));
    Extracted {
        blocks,
        page_count: None,
    }
}

fn html(text: &str) -> Result<Extracted, String> {
    let plain = html2text::config::plain()
        .link_footnotes(false)
        .string_from_read(text.as_bytes(), 10_000)
        .map_err(|err| format!("the HTML cannot be read: {err}"))?;
    // The plain rendering is Markdown (`#` headings, `**` for bold): read it as such.
    Ok(markdown(&plain))
}

fn csv_rows(text: &str) -> Result<Extracted, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let names: Vec<String> = reader
        .headers()
        .map_err(|err| format!("the CSV cannot be read: {err}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut blocks = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|err| format!("the CSV cannot be read: {err}"))?;
        let row: Vec<String> = record
            .iter()
            .enumerate()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(c, value)| match names.get(c).filter(|n| !n.is_empty()) {
                Some(name) => format!("{name}: {}", value.trim()),
                None => value.trim().to_owned(),
            })
            .collect();
        blocks.extend(text_block(
            &format!("Row {}: {}", i + 1, row.join("; ")),
            None,
        ));
    }
    Ok(Extracted {
        blocks,
        page_count: None,
    })
}

fn docx(bytes: &[u8]) -> Result<Extracted, String> {
    const LIMIT: u64 = 64 * 1024 * 1024;
    let unreadable =
        |err: &dyn std::fmt::Display| format!("the Word document cannot be read: {err}");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| unreadable(&e))?
        .take(LIMIT)
        .read_to_string(&mut xml)
        .map_err(|e| unreadable(&e))?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut blocks, mut paragraph, mut heading) = (Vec::new(), String::new(), None);
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|e| unreadable(&e))? {
            XmlEvent::Start(e) if e.name().0 == "w:t" => in_text = true,
            XmlEvent::End(e) if e.name().0 == "w:t" => in_text = false,
            XmlEvent::Text(t) if in_text => {
                paragraph.push_str(&t.xml10_content());
            }
            XmlEvent::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    paragraph.push(c);
                }
                paragraph.push_str(match r.xml10_content().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            XmlEvent::Empty(e) if e.name().0 == "w:tab" => paragraph.push('\t'),
            XmlEvent::Empty(e) if e.name().0 == "w:br" => paragraph.push('\n'),
            XmlEvent::Empty(e) if e.name().0 == "w:pStyle" => {
                let style = e
                    .try_get_attribute("w:val")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned())
                    .unwrap_or_default();
                heading = heading_level(&style);
            }
            XmlEvent::End(e) if e.name().0 == "w:p" => {
                let text = paragraph.trim();
                if !text.is_empty() {
                    blocks.push(Block {
                        text: text.to_owned(),
                        heading,
                        page: None,
                    });
                }
                paragraph.clear();
                heading = None;
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(Extracted {
        blocks,
        page_count: None,
    })
}

/// The heading level of a Word paragraph style (`Title`, `Heading1`…`Heading6`).
fn heading_level(style: &str) -> Option<u8> {
    if style == "Title" {
        return Some(1);
    }
    style
        .strip_prefix("Heading")
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=6).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(extracted: &Extracted) -> Vec<(Option<u8>, &str)> {
        extracted
            .blocks
            .iter()
            .map(|b| (b.heading, b.text.as_str()))
            .collect()
    }

    #[test]
    fn markdown_keeps_headings_and_paragraphs_apart() {
        let got = markdown("# Guide\n\nFirst *para*\ngoes on.\n\n## Part\n\n- one\n- two\n");
        assert_eq!(
            texts(&got),
            [
                (Some(1), "Guide"),
                (None, "First para\ngoes on."),
                (Some(2), "Part"),
                (None, "one"),
                (None, "two")
            ]
        );
    }

    #[test]
    fn html_headings_survive_as_headings() {
        let got = html(
            "<html><body><h1>Title</h1><p>Body <b>text</b>.</p><script>x()</script></body></html>",
        )
        .unwrap();
        assert_eq!(texts(&got), [(Some(1), "Title"), (None, "Body text.")]);
    }

    #[test]
    fn csv_rows_carry_their_column_names() {
        let got = csv_rows("name,colour\nkiwi,green\nplum,\n").unwrap();
        assert_eq!(
            texts(&got),
            [
                (None, "Row 1: name: kiwi; colour: green"),
                (None, "Row 2: name: plum")
            ]
        );
    }

    #[test]
    fn empty_text_is_an_error_in_words() {
        assert_eq!(
            extract(Format::Text, b"  \n\n ").unwrap_err(),
            "the document has no text"
        );
    }
}

//! Assistant answers from Markdown to HTML (pulldown-cmark), with no raw HTML let
//! through: the model's HTML becomes text, links open in a new tab and only
//! `http`, `https` and `mailto` links are links, images become links to them, and
//! code blocks get a language label and a copy button.

use app::knowledge_api::Passage;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream};

/// `markdown` as HTML that is safe to insert into the page.
pub fn to_html(markdown: &str) -> String {
    to_html_citing(markdown, &[])
}

/// [`to_html`], with each citation `[n]` of the n-th of `sources` (outside code) a
/// link to that passage in its document.
pub fn to_html_citing(markdown: &str, sources: &[Passage]) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Whether each open link was written as an anchor (a refused scheme is not).
    let mut open_links: Vec<bool> = Vec::new();
    let mut in_code = false;
    let parser = TextMergeStream::new(Parser::new_ext(markdown, options));
    let events = parser.map(|event| match event {
        Event::Text(text) if !in_code && !sources.is_empty() && open_links.is_empty() => {
            cited(&text, sources)
        }
        // The model's own HTML is shown as what it is: text.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => Event::Text("".into()),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            if is_safe_url(&dest_url) {
                open_links.push(true);
                Event::Html(
                    format!(
                        r#"<a href="{}" target="_blank" rel="noopener noreferrer nofollow">"#,
                        escape(&dest_url)
                    )
                    .into(),
                )
            } else {
                open_links.push(false);
                Event::Text("".into())
            }
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            if open_links.pop().unwrap_or(false) {
                Event::Html("</a>".into())
            } else {
                Event::Text("".into())
            }
        }
        Event::Start(Tag::CodeBlock(kind)) => {
            in_code = true;
            let lang = match &kind {
                CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
                CodeBlockKind::Indented => "",
            };
            let label = if lang.is_empty() { "code" } else { lang };
            Event::Html(CowStr::from(format!(
                r#"<div class="code-block"><div class="code-head"><span class="code-lang">{}</span><button type="button" class="button code-copy" data-copy-code>Copy</button></div><pre tabindex="0"><code{}>"#,
                escape(label),
                if lang.is_empty() {
                    String::new()
                } else {
                    format!(r#" class="language-{}""#, escape(lang))
                }
            )))
        }
        Event::End(TagEnd::CodeBlock) => {
            in_code = false;
            Event::Html("</code></pre></div>".into())
        }
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// `text` with each `[n]` naming one of `sources` as a link to the passage.
fn cited<'a>(text: &str, sources: &[Passage]) -> Event<'a> {
    let mut html = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let number = after
            .find(']')
            .and_then(|close| after[..close].parse::<usize>().ok().map(|n| (n, close)));
        match number {
            Some((n, close)) if (1..=sources.len()).contains(&n) => {
                let source = &sources[n - 1];
                html.push_str(&escape(&rest[..open]));
                html.push_str(&format!(
                    r#"<sup class="citation"><a href="/knowledge/documents/{}#passage-{}" title="{}" data-citation="{n}">{n}</a></sup>"#,
                    escape(&source.document_id),
                    source.position,
                    escape(&source.document_name),
                ));
                rest = &after[close + 1..];
            }
            _ => {
                html.push_str(&escape(&rest[..=open]));
                rest = after;
            }
        }
    }
    html.push_str(&escape(rest));
    Event::Html(html.into())
}

fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let html = to_html("Hi <script>alert(1)</script> and <img src=x onerror=alert(2)>\n\n<div onclick=x>block</div>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<div onclick"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn links_open_in_a_new_tab_and_only_safe_schemes_link() {
        let html = to_html(
            "[a](https://example.org/x?a=1&b=2) [b](javascript:alert(1)) ![c](http://img/x.png)",
        );
        assert!(
            html.contains(r#"<a href="https://example.org/x?a=1&amp;b=2" target="_blank""#),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(r#"<a href="http://img/x.png""#), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn code_blocks_have_a_label_and_copy_button_and_escape_their_text() {
        let html =
            to_html("```rust\nfn main() { \"<b>\" }\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains(r#"<span class="code-lang">rust</span>"#),
            "{html}"
        );
        assert!(html.contains("data-copy-code"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn citations_of_known_sources_link_to_their_passage() {
        let source = Passage {
            document_id: "doc1".into(),
            document_name: "a<b>.pdf".into(),
            collection_id: "c".into(),
            position: 4,
            heading: None,
            page: None,
            text: String::new(),
            score: 0.0,
        };
        let html = to_html_citing(
            "Oil it monthly [1]. Not [2], [x] or <i>[1]</i>.\n\n`[1]`",
            &[source],
        );
        assert!(
            html.contains(r#"monthly <sup class="citation"><a href="/knowledge/documents/doc1#passage-4" title="a&lt;b&gt;.pdf" data-citation="1">1</a></sup>."#),
            "{html}"
        );
        assert!(html.contains("Not [2], [x] or &lt;i&gt;"), "{html}");
        assert!(html.contains("<code>[1]</code>"), "{html}");
        assert_eq!(to_html("see [1]"), "<p>see [1]</p>\n");
    }
}

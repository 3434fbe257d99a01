//! A conversation as a download: Markdown for people, JSON for programs.

use app::chat_api::ConversationDetail;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Md,
    Json,
}

/// The file's name (letters, digits and `-` from the title) and its content type.
pub fn file_name(detail: &ConversationDetail, format: Format) -> (String, &'static str) {
    let mut stem: String = detail
        .conversation
        .title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .filter(char::is_ascii)
        .collect();
    stem = stem
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        stem = "conversation".into();
    }
    stem.truncate(60);
    match format {
        Format::Md => (format!("{stem}.md"), "text/markdown; charset=utf-8"),
        Format::Json => (format!("{stem}.json"), "application/json"),
    }
}

/// The conversation in `format` (stored HTML renderings are left out of JSON).
pub fn render(detail: &ConversationDetail, format: Format) -> String {
    match format {
        Format::Json => {
            let mut detail = detail.clone();
            for message in &mut detail.messages {
                message.html = None;
            }
            serde_json::to_string_pretty(&detail).expect("a conversation serializes")
        }
        Format::Md => {
            let mut out = format!("# {}\n", detail.conversation.title);
            for message in &detail.messages {
                let who = match message.role.as_str() {
                    "user" => "You".to_owned(),
                    _ => match &message.model {
                        Some(model) => format!("Assistant ({model})"),
                        None => "Assistant".to_owned(),
                    },
                };
                let note = match message.status.as_str() {
                    "stopped" => " — stopped",
                    "failed" => " — failed",
                    _ => "",
                };
                out.push_str(&format!("\n## {who}{note}\n\n{}\n", message.content));
            }
            out
        }
    }
}

//! What is sent to the model: the persona's system prompt, then the conversation,
//! with the oldest turns dropped when it would not fit the model's context.

use app::chat_api::ChatMessage;

use super::model_client::WireMessage;

/// A rough token count for budgeting (about four characters a token, plus the
/// message's own overhead); servers do not tell the real one before answering.
fn estimate_tokens(text: &str) -> i64 {
    (text.chars().count() as i64 + 3) / 4 + 4
}

/// The request's messages: `system_prompt` first (when not empty), then the stored
/// `messages` that carry text (failed answers with nothing in them are left out).
/// The part of `context_tokens` kept free for the answer is a quarter; the oldest
/// turns go first, never the system prompt or the newest message.
pub fn build(
    system_prompt: &str,
    messages: &[ChatMessage],
    context_tokens: i64,
) -> Vec<WireMessage> {
    let budget = context_tokens - context_tokens / 4;
    let turns: Vec<WireMessage> = messages
        .iter()
        .filter(|m| !(m.role == "assistant" && m.content.is_empty()))
        .map(|m| WireMessage::text(&m.role, m.content.clone()))
        .collect();
    let system =
        (!system_prompt.trim().is_empty()).then(|| WireMessage::text("system", system_prompt));
    let mut used = system.as_ref().map_or(0, |s| estimate_tokens(&s.content));
    // Newest first, keeping whatever fits; the newest is kept whatever its size.
    let mut kept = Vec::new();
    for (i, turn) in turns.iter().rev().enumerate() {
        let cost = estimate_tokens(&turn.content);
        if i > 0 && used + cost > budget {
            break;
        }
        used += cost;
        kept.push(turn.clone());
    }
    // A history should not start with an answer to a question that was dropped.
    while kept.len() > 1 && kept.last().is_some_and(|m| m.role == "assistant") {
        kept.pop();
    }
    kept.reverse();
    system.into_iter().chain(kept).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            id: String::new(),
            role: role.into(),
            content: content.into(),
            model: None,
            created_at: 0,
            status: "complete".into(),
            usage: None,
            duration_ms: None,
            error: None,
            html: None,
            sources: Vec::new(),
            tool_calls: Vec::new(),
        }
    }

    fn roles_and_texts(wire: &[WireMessage]) -> Vec<(String, String)> {
        wire.iter()
            .map(|m| (m.role.clone(), m.content.clone()))
            .collect()
    }

    #[test]
    fn everything_fits_in_a_large_context() {
        let history = [
            msg("user", "hi"),
            msg("assistant", "hello"),
            msg("user", "how?"),
        ];
        let wire = build("Be brief.", &history, 8192);
        assert_eq!(wire.len(), 4);
        assert_eq!(wire[0].role, "system");
    }

    #[test]
    fn oldest_turns_go_first_and_system_and_newest_stay() {
        let long = "x".repeat(400); // ~104 tokens each
        let history = [
            msg("user", &format!("first {long}")),
            msg("assistant", &format!("second {long}")),
            msg("user", &format!("third {long}")),
            msg("assistant", &format!("fourth {long}")),
            msg("user", "newest"),
        ];
        // Budget 240 of 320: system (8) + newest (6) + two of the long turns (106 each).
        let wire = build("system prompt", &history, 320);
        let got = roles_and_texts(&wire);
        assert_eq!(got.first().unwrap().0, "system");
        assert_eq!(got.last().unwrap().1, "newest");
        assert!(got.iter().all(|(_, t)| !t.starts_with("first")), "{got:?}");
        assert!(got.iter().any(|(_, t)| t.starts_with("third")), "{got:?}");
        // A too-small context still sends the system prompt and the newest message.
        let wire = build("system prompt", &history, 10);
        assert_eq!(
            roles_and_texts(&wire),
            [
                ("system".to_owned(), "system prompt".to_owned()),
                ("user".to_owned(), "newest".to_owned())
            ]
        );
    }

    #[test]
    fn empty_failed_answers_are_left_out() {
        let history = [msg("user", "q"), msg("assistant", ""), msg("user", "again")];
        let wire = build("", &history, 8192);
        assert_eq!(wire.len(), 2);
    }
}

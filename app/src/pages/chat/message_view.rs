//! One message of the thread: the user's as typed (with Edit), an answer as the
//! server rendered it (with Copy, and Regenerate or Retry on the last one), and the
//! answer still streaming as plain text. An answer given passages of the user's
//! documents lists them as its numbered sources; one that called module tools
//! shows the calls first.

use leptos::{ev, prelude::*};

use super::tool_calls::ToolCallList;
use crate::{
    chat_api::{ChatMessage, ToolCall, ToolCallStatus},
    clipboard::copy_text,
    knowledge_api::Passage,
};

/// What a message's buttons ask the thread to do.
#[derive(Clone, Copy)]
pub struct MessageActions {
    pub regenerate: Callback<()>,
    pub edit: Callback<(String, String)>,
    /// Whether an answer is streaming (the actions wait until it ends).
    pub busy: Signal<bool>,
}

/// A stored message; `last` is whether it ends the conversation.
#[component]
pub fn MessageView(message: ChatMessage, last: bool, actions: MessageActions) -> impl IntoView {
    if message.role == "user" {
        view! { <UserMessage message actions /> }.into_any()
    } else {
        view! { <AnswerMessage message last actions /> }.into_any()
    }
}

#[component]
fn UserMessage(message: ChatMessage, actions: MessageActions) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(message.content.clone());
    let id = message.id.clone();
    let content = message.content.clone();
    let save = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            editing.set(false);
            actions.edit.run((id.clone(), text));
        }
    };
    let on_keydown = {
        let save = save.clone();
        move |ev: ev::KeyboardEvent| {
            if ev.key() == "Enter" && !ev.shift_key() {
                ev.prevent_default();
                save();
            } else if ev.key() == "Escape" {
                editing.set(false);
            }
        }
    };
    view! {
        <article class="message message-user" data-role="user" data-message=message.id.clone()>
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <div class="message-text">{content.clone()}</div>
                    <div class="message-actions">
                        <button type="button" class="button button-small" data-action="edit" disabled=move || actions.busy.get() on:click=move |_| editing.set(true)>"Edit"</button>
                    </div>
                }
            >
                <textarea class="message-edit" aria-label="Edit your message" prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev)) on:keydown=on_keydown.clone()></textarea>
                <div class="message-actions">
                    <button type="button" class="button button-primary button-small" data-action="resend" on:click={
                        let save = save.clone();
                        move |_| save()
                    }>"Save and resend"</button>
                    <button type="button" class="button button-small" on:click=move |_| editing.set(false)>"Cancel"</button>
                </div>
            </Show>
        </article>
    }
}

#[component]
fn AnswerMessage(message: ChatMessage, last: bool, actions: MessageActions) -> impl IntoView {
    let html = message.html.clone().unwrap_or_default();
    let status = message.status.clone();
    let ended_early = matches!(status.as_str(), "stopped" | "failed");
    let note = match status.as_str() {
        "stopped" => Some("Stopped before the answer was complete.".to_owned()),
        "failed" => Some(match &message.error {
            Some(error) => format!("Failed: {error}"),
            None => "Failed.".to_owned(),
        }),
        _ => None,
    };
    let meta = {
        let mut parts = Vec::new();
        if let Some(model) = &message.model {
            parts.push(model.clone());
        }
        if let Some(usage) = message.usage {
            parts.push(format!("{} tokens", usage.completion_tokens));
        }
        if let Some(ms) = message.duration_ms {
            parts.push(format!("{:.1} s", ms as f64 / 1000.0));
        }
        parts.join(" · ")
    };
    let content = message.content.clone();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        copy_text(&content);
        copied.set(true);
    };
    view! {
        <article class="message message-answer" data-role="assistant" data-status=status.clone() data-message=message.id.clone()>
            <ToolCallList calls=message.tool_calls.clone() />
            <div class="message-text markdown" inner_html=html></div>
            {note.map(|note| view! { <p class="message-note" class:form-error=ended_early role="note">{note}</p> })}
            {(!message.sources.is_empty()).then(|| view! { <Sources sources=message.sources.clone() /> })}
            <div class="message-actions">
                <button type="button" class="button button-small" data-action="copy" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                {last.then(|| view! {
                    <button type="button" class="button button-small" data-action=if ended_early { "retry" } else { "regenerate" }
                        disabled=move || actions.busy.get() on:click=move |_| actions.regenerate.run(())>
                        {if ended_early { "Retry" } else { "Regenerate" }}
                    </button>
                })}
                <span class="message-meta">{meta}</span>
            </div>
        </article>
    }
}

/// An answer's sources, collapsed: each opens its document at the passage.
#[component]
fn Sources(sources: Vec<Passage>) -> impl IntoView {
    let count = sources.len();
    let items = sources
        .into_iter()
        .enumerate()
        .map(|(i, source)| {
            let place = [
                source.heading.clone(),
                source.page.map(|page| format!("page {page}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let excerpt: String = source.text.chars().take(240).collect();
            let href = format!(
                "/knowledge/documents/{}#passage-{}",
                source.document_id, source.position
            );
            view! {
                <li data-source=i + 1>
                    <a href=href>{source.document_name}</a>
                    {(!place.is_empty()).then(|| view! { <span class="source-place">" · " {place}</span> })}
                    <p class="source-excerpt">{excerpt}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="message-sources">
            <summary>{format!("Sources ({count})")}</summary>
            <ol>{items}</ol>
        </details>
    }
}

/// The answer while it streams: its text so far, and the tools it called.
#[component]
pub fn LiveAnswer(text: Signal<String>, calls: Signal<Vec<ToolCall>>) -> impl IntoView {
    let note = move || {
        let waiting = |status| calls.with(|c| c.iter().any(|call| call.status == status));
        if waiting(ToolCallStatus::AwaitingConfirmation) {
            "Waiting for your OK to run a tool…"
        } else if waiting(ToolCallStatus::Running) {
            "Running a tool…"
        } else if text.with(String::is_empty) {
            "Waiting for the model…"
        } else {
            "Writing…"
        }
    };
    view! {
        <article class="message message-answer message-live" data-role="assistant" data-status="streaming" aria-live="polite" aria-busy="true">
            <ToolCallList calls />
            <div class="message-text message-plain">{move || text.get()}</div>
            <p class="message-note" role="status">{note}</p>
        </article>
    }
}

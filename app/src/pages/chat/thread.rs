//! The open conversation: its messages, the answer streaming into it, and the
//! composer. Sending from `/` starts a conversation and moves to `/c/<id>`.

use gantry_sdk::{http::ApiFailure, ToastKind};
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use super::{
    composer::Composer,
    knowledge_picker::KnowledgePicker,
    message_view::{LiveAnswer, MessageActions, MessageView},
    no_models::{escape, NoModels},
    stream::{post_stream, StopHandle, StreamEnd, StreamPiece},
    tool_calls::ask_confirmation,
    tools_picker::ToolsPicker,
    ChatContext,
};
use crate::{
    chat_api::{
        ChatMessage, Conversation, ConversationDetail, ConversationKnowledge, ConversationUpdate,
        NewConversation, Regenerate, SendMessage, ToolCall, ToolCallStatus,
    },
    clipboard::copy_text,
    host_ui::use_host_ui,
    http,
};

/// What the thread shows.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    /// `/`: a conversation not started yet.
    New,
    Loading,
    Ready,
    NotFound,
    Failed(String),
}

/// The thread of `current` (`None`: a new conversation).
#[component]
pub fn Thread(current: Memo<Option<String>>, is_admin: bool) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let host = use_host_ui();
    let navigate = use_navigate();
    let loaded = RwSignal::new(Loaded::New);
    let conversation = RwSignal::new(None::<Conversation>);
    let messages = RwSignal::new(Vec::<ChatMessage>::new());
    let live = RwSignal::new(None::<String>);
    // The tool calls of the answer streaming.
    let live_calls = RwSignal::new(Vec::<ToolCall>::new());
    let stop = RwSignal::new(None::<StopHandle>);
    let draft = RwSignal::new(String::new());
    let send_error = RwSignal::new(None::<String>);
    // The pickers' values for a conversation not started yet.
    let new_model = RwSignal::new(String::new());
    let new_persona = RwSignal::new(String::new());
    let new_knowledge = RwSignal::new(ConversationKnowledge::default());
    let new_tools = RwSignal::new(Vec::<String>::new());
    // A model picked for a conversation, used at once while the change is saved (so
    // a turn started right after the pick is answered by it): (conversation, model).
    let picked = RwSignal::new(None::<(String, String)>);
    let model = Signal::derive(move || match conversation.get() {
        Some(c) => picked
            .get()
            .filter(|(id, _)| *id == c.id)
            .map(|(_, model)| model)
            .unwrap_or_else(|| c.model.unwrap_or_default()),
        None => new_model.get(),
    });
    // What a turn in a conversation asks for: the model the picker shows.
    let turn_model = move || Some(model.get_untracked()).filter(|m| !m.is_empty());
    // The conversation whose messages are shown (so moving to a conversation this
    // thread just started does not load it again).
    let shown = StoredValue::new(None::<String>);
    let streaming = Signal::derive(move || stop.with(Option::is_some));

    let load = move |id: String, quietly: bool| {
        if !quietly {
            loaded.set(Loaded::Loading);
        }
        spawn_local(async move {
            match http::get::<ConversationDetail>(&format!("/api/chat/conversations/{id}")).await {
                Ok(detail) if shown.get_value().as_deref() == Some(id.as_str()) => {
                    conversation.set(Some(detail.conversation.clone()));
                    messages.set(detail.messages);
                    loaded.set(Loaded::Ready);
                    chat.upsert(detail.conversation);
                }
                Ok(_) => {}
                Err(err) if err.status == 404 => loaded.set(Loaded::NotFound),
                Err(err) => loaded.set(Loaded::Failed(err.message)),
            }
        });
    };
    Effect::new(move |_| {
        let id = current.get();
        if id == shown.get_value() {
            return;
        }
        if let Some(handle) = stop.get_untracked() {
            handle.stop();
        }
        shown.set_value(id.clone());
        send_error.set(None);
        live.set(None);
        match id {
            Some(id) => load(id, false),
            None => {
                conversation.set(None);
                messages.set(Vec::new());
                loaded.set(Loaded::New);
            }
        }
    });

    // Streams the answer of `url` with `body`; `undo` puts things back when the
    // request is refused before anything streamed.
    let run = move |id: String, url: String, body: String, undo: Box<dyn FnOnce(ApiFailure)>| {
        let Some(handle) = StopHandle::new() else {
            return;
        };
        stop.set(Some(handle.clone()));
        live.set(Some(String::new()));
        live_calls.set(Vec::new());
        send_error.set(None);
        spawn_local(async move {
            let end = post_stream(&url, body, &handle, |piece| match piece {
                StreamPiece::Delta(text) => live.update(|live| {
                    if let Some(live) = live {
                        live.push_str(&text);
                    }
                }),
                StreamPiece::ToolCall(call) => {
                    if call.status == ToolCallStatus::AwaitingConfirmation {
                        ask_confirmation(host, &call);
                    }
                    live_calls.update(|calls| match calls.iter_mut().find(|c| c.id == call.id) {
                        Some(known) => *known = call,
                        None => calls.push(call),
                    });
                }
            })
            .await;
            let still_here = shown.get_value().as_deref() == Some(id.as_str());
            stop.set(None);
            match end {
                Ok(StreamEnd::Done(message)) if still_here => {
                    messages.update(|m| m.push(message));
                    live.set(None);
                    load(id, true);
                }
                Ok(StreamEnd::Failed { failure, message }) if still_here => {
                    if let Some(message) = message {
                        messages.update(|m| m.push(message));
                    }
                    live.set(None);
                    send_error.set(Some(failure.message));
                    load(id, true);
                }
                Ok(StreamEnd::Stopped) if still_here => {
                    // The server stores the partial answer as it notices the stop.
                    let text = live.get_untracked().unwrap_or_default();
                    messages.update(|m| {
                        m.push(ChatMessage {
                            id: String::new(),
                            role: "assistant".into(),
                            html: Some(escape(&text)),
                            content: text,
                            model: None,
                            created_at: 0,
                            status: "stopped".into(),
                            usage: None,
                            duration_ms: None,
                            error: None,
                            sources: Vec::new(),
                            tool_calls: live_calls.get_untracked(),
                        })
                    });
                    live.set(None);
                    set_timeout(
                        move || load(id, true),
                        std::time::Duration::from_millis(400),
                    );
                }
                Err(failure) if still_here => {
                    live.set(None);
                    undo(failure);
                }
                _ => {}
            }
            chat.reload_conversations();
        });
    };

    let send = Callback::new(move |text: String| {
        send_error.set(None);
        let pending = ChatMessage {
            id: String::new(),
            role: "user".into(),
            content: text.clone(),
            model: None,
            created_at: 0,
            status: "complete".into(),
            usage: None,
            duration_ms: None,
            error: None,
            html: None,
            sources: Vec::new(),
            tool_calls: Vec::new(),
        };
        let body = serde_json::to_string(&SendMessage {
            content: text.clone(),
            model: turn_model(),
        })
        .expect("a message serializes");
        let undo = move |failure: ApiFailure| {
            messages.update(|m| {
                if m.last()
                    .is_some_and(|l| l.id.is_empty() && l.role == "user")
                {
                    m.pop();
                }
            });
            draft.set(text);
            send_error.set(Some(failure.message));
        };
        match shown.get_value() {
            Some(id) => {
                messages.update(|m| m.push(pending));
                draft.set(String::new());
                run(
                    id.clone(),
                    format!("/api/chat/conversations/{id}/messages"),
                    body,
                    Box::new(undo),
                );
            }
            None => {
                let navigate = navigate.clone();
                let new = NewConversation {
                    model: Some(new_model.get_untracked()).filter(|m| !m.is_empty()),
                    persona_id: Some(new_persona.get_untracked()).filter(|p| !p.is_empty()),
                    knowledge: new_knowledge.get_untracked(),
                    tools: new_tools.get_untracked(),
                };
                spawn_local(async move {
                    match http::send::<_, Conversation>("POST", "/api/chat/conversations", &new)
                        .await
                    {
                        Ok(created) => {
                            let id = created.id.clone();
                            shown.set_value(Some(id.clone()));
                            conversation.set(Some(created.clone()));
                            chat.upsert(created);
                            messages.set(vec![pending]);
                            loaded.set(Loaded::Ready);
                            draft.set(String::new());
                            navigate(&format!("/c/{id}"), Default::default());
                            run(
                                id.clone(),
                                format!("/api/chat/conversations/{id}/messages"),
                                body,
                                Box::new(undo),
                            );
                        }
                        Err(err) => send_error.set(Some(err.message)),
                    }
                });
            }
        }
    });

    let regenerate = Callback::new(move |()| {
        let Some(id) = shown.get_value() else { return };
        let removed =
            messages.with_untracked(|m| m.last().filter(|l| l.role == "assistant").cloned());
        if removed.is_some() {
            messages.update(|m| {
                m.pop();
            });
        }
        let body = serde_json::to_string(&Regenerate {
            model: turn_model(),
        })
        .expect("serializes");
        let undo = move |failure: ApiFailure| {
            if let Some(removed) = removed {
                messages.update(|m| m.push(removed));
            }
            send_error.set(Some(failure.message));
        };
        run(
            id.clone(),
            format!("/api/chat/conversations/{id}/regenerate"),
            body,
            Box::new(undo),
        );
    });

    let edit = Callback::new(move |(message_id, text): (String, String)| {
        let Some(id) = shown.get_value() else { return };
        let before = messages.get_untracked();
        messages.update(|m| {
            if let Some(i) = m.iter().position(|x| x.id == message_id) {
                m.truncate(i + 1);
                m[i].content = text.clone();
            }
        });
        let body = serde_json::to_string(&SendMessage {
            content: text,
            model: turn_model(),
        })
        .expect("serializes");
        let undo = move |failure: ApiFailure| {
            messages.set(before);
            send_error.set(Some(failure.message));
        };
        run(
            id.clone(),
            format!("/api/chat/conversations/{id}/messages/{message_id}/edit"),
            body,
            Box::new(undo),
        );
    });

    let patch = move |update: ConversationUpdate| {
        let Some(id) = shown.get_value() else { return };
        spawn_local(async move {
            match http::send::<_, Conversation>(
                "PATCH",
                &format!("/api/chat/conversations/{id}"),
                &update,
            )
            .await
            {
                Ok(changed) => {
                    conversation.set(Some(changed.clone()));
                    chat.upsert(changed);
                }
                Err(err) => {
                    if update.model.is_some() {
                        // The picker shows the conversation's model again.
                        picked.set(None);
                    }
                    host.toast(
                        ToastKind::Error,
                        format!("Cannot change the conversation: {}", err.message),
                    )
                }
            }
        });
    };
    let persona = Signal::derive(move || match conversation.get() {
        Some(c) => c.persona_id.unwrap_or_default(),
        None => new_persona.get(),
    });
    let on_model = Callback::new(move |value: String| {
        if let Some(id) = shown.get_value() {
            picked.set(Some((id, value.clone())));
            patch(ConversationUpdate {
                model: Some(Some(value).filter(|v| !v.is_empty())),
                ..ConversationUpdate::default()
            });
        } else {
            new_model.set(value);
        }
    });
    let on_persona = Callback::new(move |value: String| {
        if shown.get_value().is_some() {
            patch(ConversationUpdate {
                persona_id: Some(Some(value).filter(|v| !v.is_empty())),
                ..ConversationUpdate::default()
            });
        } else {
            new_persona.set(value);
        }
    });
    let knowledge = Signal::derive(move || match conversation.get() {
        Some(c) => c.knowledge,
        None => new_knowledge.get(),
    });
    let on_knowledge = Callback::new(move |value: ConversationKnowledge| {
        if shown.get_value().is_some() {
            patch(ConversationUpdate {
                knowledge: Some(value),
                ..ConversationUpdate::default()
            });
        } else {
            new_knowledge.set(value);
        }
    });
    let tools = Signal::derive(move || match conversation.get() {
        Some(c) => c.tools,
        None => new_tools.get(),
    });
    let on_tools = Callback::new(move |value: Vec<String>| {
        if shown.get_value().is_some() {
            patch(ConversationUpdate {
                tools: Some(value),
                ..ConversationUpdate::default()
            });
        } else {
            new_tools.set(value);
        }
    });
    let on_stop = Callback::new(move |()| {
        if let Some(handle) = stop.get_untracked() {
            handle.stop();
        }
    });
    let actions = MessageActions {
        regenerate,
        edit,
        busy: streaming,
    };

    // Follows the newest text unless the reader scrolled up.
    let scroller = NodeRef::<leptos::html::Div>::new();
    let follow = StoredValue::new(true);
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            follow.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < 80);
        }
    };
    Effect::new(move |_| {
        live.track();
        messages.track();
        if follow.get_value() {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });
    // Copy buttons inside rendered code blocks.
    let on_click = move |ev: ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let target = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            if let Some(button) = target.filter(|t| t.has_attribute("data-copy-code")) {
                if let Some(code) = button
                    .closest(".code-block")
                    .ok()
                    .flatten()
                    .and_then(|block| block.query_selector("code").ok().flatten())
                {
                    copy_text(&code.text_content().unwrap_or_default());
                    button.set_text_content(Some("Copied"));
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, copy_text);
    };

    let title = move || {
        conversation
            .get()
            .map_or_else(|| "New conversation".to_owned(), |c| c.title)
    };
    view! {
        <div class="thread-head">
            <button type="button" class="button chat-list-toggle" aria-label="Show conversations"
                aria-expanded=move || chat.list_open.get().to_string()
                on:click=move |_| chat.list_open.update(|open| *open = !*open)>"☰"</button>
            <h2 class="thread-title" data-conversation-title>{title}</h2>
            <KnowledgePicker knowledge on_change=on_knowledge />
            <ToolsPicker tools on_change=on_tools />
            {move || shown.get_value().is_some().then(|| {
                let id = conversation.get().map(|c| c.id).unwrap_or_default();
                view! {
                    <span class="thread-export">
                        <a class="button button-small" href=format!("/api/chat/conversations/{id}/export?format=md") download>"Export .md"</a>
                        <a class="button button-small" href=format!("/api/chat/conversations/{id}/export?format=json") download>"Export .json"</a>
                    </span>
                }
            })}
        </div>
        {move || match loaded.get() {
            Loaded::NotFound => view! {
                <div class="empty-state" data-state="not-found">
                    <h2>"Conversation not found"</h2>
                    <p>"It was deleted, or it is not yours."</p>
                </div>
            }.into_any(),
            Loaded::Failed(message) => view! {
                <p class="form-error" role="alert">"Cannot load the conversation: " {message}</p>
            }.into_any(),
            Loaded::Loading => view! { <p class="loading" role="status">"Loading the conversation…"</p> }.into_any(),
            Loaded::New | Loaded::Ready => view! {
                <div class="thread" node_ref=scroller on:scroll=on_scroll on:click=on_click data-thread>
                    <NoModels is_admin />
                    <For
                        each=move || {
                            let list = messages.get();
                            let n = list.len();
                            list.into_iter().enumerate().map(move |(i, m)| (i + 1 == n, m)).collect::<Vec<_>>()
                        }
                        key=|(last, m)| (m.id.clone(), m.status.clone(), m.content.len(), *last)
                        children=move |(last, message)| view! { <MessageView message last actions /> }
                    />
                    {move || live.get().is_some().then(|| view! {
                        <LiveAnswer text=Signal::derive(move || live.get().unwrap_or_default()) calls=live_calls.into() />
                    })}
                </div>
                {move || send_error.get().map(|message| view! {
                    <p class="form-error composer-error" role="alert" data-error="send">{message}</p>
                })}
                <Composer draft model persona on_model on_persona streaming on_send=send on_stop />
            }.into_any(),
        }}
    }
}

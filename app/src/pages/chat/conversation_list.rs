//! The conversation list: a new conversation, search (also Ctrl/Cmd+K), and the
//! conversations grouped by date, each with rename, pin and delete.

use gantry_sdk::ToastKind;
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate};

use super::{
    dates::{group_of, now_and_offset, DateGroup},
    ChatContext,
};
use crate::{
    chat_api::{Conversation, ConversationUpdate, SearchResult, SearchResults},
    host_ui::use_host_ui,
    http,
};

/// The list beside the thread; `current` is the open conversation's id.
#[component]
pub fn ConversationList(current: Memo<Option<String>>) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Result<Vec<SearchResult>, String>>);
    let search_input = NodeRef::<leptos::html::Input>::new();
    // Ctrl/Cmd+K: to the search box, from anywhere on the page.
    let handle = window_event_listener(ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            chat.list_open.set(true);
            if let Some(input) = search_input.get_untracked() {
                let _ = input.focus();
            }
        }
    });
    on_cleanup(move || handle.remove());
    let on_search = move |ev: ev::Event| {
        let text = event_target_value(&ev);
        query.set(text.clone());
        if text.trim().is_empty() {
            results.set(None);
            return;
        }
        spawn_local(async move {
            let url = format!("/api/chat/search?q={}", encode_query(&text));
            let answer = http::get::<SearchResults>(&url).await;
            // A newer query may have been typed meanwhile.
            if query.get_untracked() == text {
                results.set(Some(answer.map(|r| r.results).map_err(|e| e.message)));
            }
        });
    };
    let on_search_keydown = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            query.set(String::new());
            results.set(None);
        }
    };
    view! {
        <aside class="chat-list" aria-label="Conversations">
            <div class="chat-list-head">
                <A href="/" attr:class="button button-primary chat-new" attr:data-action="new-conversation" on:click=move |_| chat.list_open.set(false)>
                    "New conversation"
                </A>
                <input
                    type="search"
                    class="chat-search"
                    placeholder="Search (Ctrl+K)"
                    aria-label="Search conversations"
                    node_ref=search_input
                    prop:value=move || query.get()
                    on:input=on_search
                    on:keydown=on_search_keydown
                />
            </div>
            {move || match results.get() {
                Some(found) => view! { <SearchHits found clear=Callback::new(move |()| { query.set(String::new()); results.set(None); }) /> }.into_any(),
                None => view! { <Groups current /> }.into_any(),
            }}
        </aside>
    }
}

/// Percent-encodes a query parameter.
fn encode_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn SearchHits(found: Result<Vec<SearchResult>, String>, clear: Callback<()>) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    match found {
        Err(message) => view! { <p class="form-error" role="alert">"Search failed: " {message}</p> }.into_any(),
        Ok(hits) if hits.is_empty() => view! { <p class="chat-list-empty" role="status">"Nothing found."</p> }.into_any(),
        Ok(hits) => view! {
            <ul class="chat-search-results" data-list="search-results">
                {hits
                    .into_iter()
                    .map(|hit| {
                        let href = format!("/c/{}", hit.conversation_id);
                        view! {
                            <li>
                                <A href=href on:click=move |_| { clear.run(()); chat.list_open.set(false); }>
                                    <span class="chat-hit-title">{hit.conversation_title}</span>
                                    <span class="chat-hit-snippet">{hit.message_snippet}</span>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
}

#[component]
fn Groups(current: Memo<Option<String>>) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    move || {
        if let Some(Err(message)) = chat.conversations_loaded.get() {
            return view! { <p class="form-error" role="alert">"Cannot list your conversations: " {message}</p> }.into_any();
        }
        if chat.conversations_loaded.get().is_none() {
            return view! { <p class="loading chat-list-empty" role="status">"Loading conversations…"</p> }.into_any();
        }
        let list = chat.conversations.get();
        if list.is_empty() {
            return view! { <p class="chat-list-empty">"No conversations yet."</p> }.into_any();
        }
        let (now, offset) = now_and_offset();
        let mut groups: Vec<(DateGroup, Vec<Conversation>)> = Vec::new();
        for conversation in list {
            let group = group_of(conversation.pinned, conversation.updated_at, now, offset);
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, items)) => items.push(conversation),
                None => groups.push((group, vec![conversation])),
            }
        }
        groups.sort_by_key(|(g, _)| *g);
        groups
            .into_iter()
            .map(|(group, items)| {
                view! {
                    <section class="chat-group" data-group=group.label()>
                        <h2 class="chat-group-title">{group.label()}</h2>
                        <ul>
                            {items
                                .into_iter()
                                .map(|conversation| view! { <Row conversation current /> })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    }
}

/// One conversation in the list.
#[component]
fn Row(conversation: Conversation, current: Memo<Option<String>>) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let host = use_host_ui();
    let navigate = use_navigate();
    let id = conversation.id.clone();
    let href = format!("/c/{id}");
    let renaming = RwSignal::new(false);
    let title = RwSignal::new(conversation.title.clone());
    let is_current = {
        let id = id.clone();
        move || current.get().as_deref() == Some(id.as_str())
    };
    let patch = move |update: ConversationUpdate, id: String| {
        spawn_local(async move {
            let url = format!("/api/chat/conversations/{id}");
            match http::send::<_, Conversation>("PATCH", &url, &update).await {
                Ok(changed) => chat.upsert(changed),
                Err(err) => host.toast(
                    ToastKind::Error,
                    format!("Cannot change the conversation: {}", err.message),
                ),
            }
        });
    };
    let toggle_pin = {
        let id = id.clone();
        let pinned = conversation.pinned;
        move |_| {
            patch(
                ConversationUpdate {
                    pinned: Some(!pinned),
                    ..ConversationUpdate::default()
                },
                id.clone(),
            )
        }
    };
    let save_title = {
        let id = id.clone();
        move || {
            renaming.set(false);
            let new_title = title.get_untracked().trim().to_owned();
            if !new_title.is_empty() {
                patch(
                    ConversationUpdate {
                        title: Some(new_title),
                        ..ConversationUpdate::default()
                    },
                    id.clone(),
                );
            }
        }
    };
    let delete = {
        let id = id.clone();
        let name = conversation.title.clone();
        move |_| {
            let id = id.clone();
            let navigate = navigate.clone();
            host.confirm_delete(
                format!("Delete the conversation “{name}” and all its messages?"),
                "the conversation",
                format!("/api/chat/conversations/{id}"),
                move || {
                    chat.conversations
                        .update(|list| list.retain(|c| c.id != id));
                    if current.get_untracked().as_deref() == Some(id.as_str()) {
                        navigate("/", Default::default());
                    }
                },
            );
        }
    };
    let save_on_enter = {
        let save_title = save_title.clone();
        move |ev: ev::KeyboardEvent| match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                save_title();
            }
            "Escape" => renaming.set(false),
            _ => {}
        }
    };
    let pin_label = if conversation.pinned { "Unpin" } else { "Pin" };
    view! {
        <li class="chat-row" class:chat-row-current=is_current.clone() data-conversation=id.clone()>
            <Show
                when=move || renaming.get()
                fallback=move || view! {
                    <A href=href.clone() attr:class="chat-row-link" on:click=move |_| chat.list_open.set(false)>
                        {move || title.get()}
                    </A>
                }
            >
                <input
                    class="chat-rename"
                    aria-label="Conversation title"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                    on:keydown=save_on_enter.clone()
                    on:blur={
                        let save_title = save_title.clone();
                        move |_| if renaming.get_untracked() { save_title() }
                    }
                    autofocus
                />
            </Show>
            <span class="chat-row-actions">
                <button type="button" class="icon-button" data-action="rename" aria-label="Rename" title="Rename" on:click=move |_| renaming.set(true)>"✎"</button>
                <button type="button" class="icon-button" data-action="pin" aria-label=pin_label title=pin_label aria-pressed=conversation.pinned.to_string() on:click=toggle_pin>
                    {if conversation.pinned { "★" } else { "☆" }}
                </button>
                <button type="button" class="icon-button" data-action="delete" aria-label="Delete" title="Delete" on:click=delete>"×"</button>
            </span>
        </li>
    }
}

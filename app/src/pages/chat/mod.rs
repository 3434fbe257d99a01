//! `/` and `/c/<id>`: Chat. The conversation list beside the open conversation's
//! thread; what both need (the list, the models, the personas) is a [`ChatContext`].

mod composer;
mod conversation_list;
mod dates;
mod knowledge_picker;
mod message_view;
mod no_models;
mod stream;
mod thread;
mod tool_calls;
mod tools_picker;

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{components::Outlet, hooks::use_location};

use crate::{
    bootstrap::use_bootstrap,
    chat_api::{
        Conversation, ConversationList, ModelChoice, ModelChoices, Persona, PersonaList,
        UnavailableConnection,
    },
    http,
};
use conversation_list::ConversationList as ConversationListPanel;
use thread::Thread;

/// What the list and the thread share; `Copy`, provided by [`ChatPage`].
#[derive(Clone, Copy)]
pub struct ChatContext {
    pub conversations: RwSignal<Vec<Conversation>>,
    /// `None` until the first answer (then the error text, if it failed).
    pub conversations_loaded: RwSignal<Option<Result<(), String>>>,
    pub models: RwSignal<Vec<ModelChoice>>,
    pub models_loaded: RwSignal<bool>,
    /// Connections that did not list their models, and why.
    pub unavailable: RwSignal<Vec<UnavailableConnection>>,
    pub personas: RwSignal<Vec<Persona>>,
    /// Whether the conversation list is open on a narrow screen.
    pub list_open: RwSignal<bool>,
}

impl ChatContext {
    fn new() -> Self {
        Self {
            conversations: RwSignal::new(Vec::new()),
            conversations_loaded: RwSignal::new(None),
            models: RwSignal::new(Vec::new()),
            models_loaded: RwSignal::new(false),
            unavailable: RwSignal::new(Vec::new()),
            personas: RwSignal::new(Vec::new()),
            list_open: RwSignal::new(false),
        }
    }

    /// Asks for the conversation list again.
    pub fn reload_conversations(self) {
        spawn_local(async move {
            match http::get::<ConversationList>("/api/chat/conversations").await {
                Ok(list) => {
                    self.conversations.set(list.conversations);
                    self.conversations_loaded.set(Some(Ok(())));
                }
                Err(err) => self.conversations_loaded.set(Some(Err(err.message))),
            }
        });
    }

    /// Puts `conversation` at its place in the list (new or changed).
    pub fn upsert(self, conversation: Conversation) {
        self.conversations.update(|list| {
            list.retain(|c| c.id != conversation.id);
            list.push(conversation);
            list.sort_by(|a, b| {
                b.pinned
                    .cmp(&a.pinned)
                    .then(b.updated_at.cmp(&a.updated_at))
            });
        });
    }

    fn load_choices(self) {
        spawn_local(async move {
            if let Ok(models) = http::get::<ModelChoices>("/api/models").await {
                self.models.set(models.models);
                self.unavailable.set(models.unavailable);
            }
            self.models_loaded.set(true);
        });
        spawn_local(async move {
            if let Ok(list) = http::get::<PersonaList>("/api/personas").await {
                self.personas.set(list.personas);
            }
        });
    }
}

/// The Chat page.
#[component]
pub fn ChatPage() -> impl IntoView {
    let chat = ChatContext::new();
    provide_context(chat);
    let location = use_location();
    let current = Memo::new(move |_| {
        location
            .pathname
            .with(|path| {
                path.strip_prefix("/c/")
                    .map(|id| id.trim_end_matches('/').to_owned())
            })
            .filter(|id| !id.is_empty())
    });
    // Loaded once hydrated (on the server these requests never complete).
    Effect::new(move |_| {
        chat.reload_conversations();
        chat.load_choices();
    });
    let is_admin = use_bootstrap().user.is_some_and(|u| u.is_admin);
    view! {
        <Title text="Chat" />
        <section class="chat" data-page="chat" class:chat-list-open=move || chat.list_open.get()>
            <h1 class="visually-hidden">"Chat"</h1>
            <ConversationListPanel current />
            <div class="chat-main">
                <Thread current is_admin />
            </div>
            <Outlet />
        </section>
    }
}

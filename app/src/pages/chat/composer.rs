//! The message box under the thread: Enter sends, Shift+Enter adds a line; the model
//! and persona pickers; Send becomes Stop while an answer streams.

use leptos::{ev, prelude::*};

use super::ChatContext;

/// The composer; `draft` survives a refused send, `model` and `persona` are the
/// pickers' values (`""`: the default, no persona).
#[component]
pub fn Composer(
    draft: RwSignal<String>,
    model: Signal<String>,
    persona: Signal<String>,
    on_model: Callback<String>,
    on_persona: Callback<String>,
    streaming: Signal<bool>,
    on_send: Callback<String>,
    on_stop: Callback<()>,
) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let send = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() && !streaming.get_untracked() {
            on_send.run(text);
        }
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let default_label = move || {
        chat.models.with(|models| {
            models
                .iter()
                .find(|m| m.default)
                .map_or("Default model".to_owned(), |m| {
                    format!("Default ({})", m.name)
                })
        })
    };
    view! {
        <form class="composer" data-form="composer" on:submit=move |ev: ev::SubmitEvent| { ev.prevent_default(); send(); }>
            <textarea
                node_ref=textarea
                class="composer-input"
                name="message"
                rows="3"
                placeholder="Message (Enter sends, Shift+Enter for a new line)"
                aria-label="Message"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <div class="composer-bar">
                <label class="composer-pick">
                    <span class="visually-hidden">"Model"</span>
                    <select name="model" aria-label="Model" on:change=move |ev| on_model.run(event_target_value(&ev))>
                        <option value="" selected=move || model.get().is_empty()>{default_label}</option>
                        {move || chat.models.get().into_iter().map(|m| {
                            let id = m.id.clone();
                            let label = format!("{} · {}", m.name, m.connection);
                            view! { <option value=m.id selected=move || model.get() == id>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="composer-pick">
                    <span class="visually-hidden">"Persona"</span>
                    <select name="persona" aria-label="Persona" on:change=move |ev| on_persona.run(event_target_value(&ev))>
                        <option value="" selected=move || persona.get().is_empty()>"No persona"</option>
                        {move || chat.personas.get().into_iter().map(|p| {
                            let id = p.id.clone();
                            let label = if p.shared { format!("{} (shared)", p.name) } else { p.name.clone() };
                            view! { <option value=p.id selected=move || persona.get() == id>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <span class="composer-spacer"></span>
                <Show
                    when=move || streaming.get()
                    fallback=move || view! {
                        <button type="submit" class="button button-primary" data-action="send"
                            disabled=move || draft.with(|d| d.trim().is_empty())>"Send"</button>
                    }
                >
                    <button type="button" class="button button-danger" data-action="stop" on:click=move |_| on_stop.run(())>"Stop"</button>
                </Show>
            </div>
        </form>
    }
}

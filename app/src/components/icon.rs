//! The shared icon set: small stroke icons drawn inline, named by string.

use leptos::prelude::*;

/// The names drawn; any other name is a neutral dot.
pub const KNOWN: &[&str] = &[
    "message", "settings", "shield", "book", "zap", "note", "puzzle", "lock", "globe", "send",
    "brain",
];

/// Draws the icon called `name`; an unknown or missing name draws a neutral dot
/// (`data-icon="dot"`).
#[component]
pub fn Icon(#[prop(into)] name: Option<String>) -> impl IntoView {
    let drawn: &'static str = KNOWN
        .iter()
        .copied()
        .find(|known| name.as_deref() == Some(*known))
        .unwrap_or("dot");
    let shape = match name.as_deref() {
        Some("message") => view! { <path d="M4 5h16v11H9l-5 4z" /> }.into_any(),
        Some("settings") => view! {
            <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
            <circle cx="15" cy="6" r="2" />
            <circle cx="9" cy="12" r="2" />
            <circle cx="17" cy="18" r="2" />
        }
        .into_any(),
        Some("shield") => {
            view! { <path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" /> }.into_any()
        }
        Some("book") => view! {
            <path d="M5 19.5V5a2 2 0 0 1 2-2h12v15H7a2 2 0 0 0-2 2 2 2 0 0 0 2 2h12v-4" />
            <path d="M9 7h6" />
        }
        .into_any(),
        Some("zap") => view! { <path d="M13 2L4 14h7l-1 8 9-12h-7z" /> }.into_any(),
        Some("note") => view! { <path d="M6 3h9l4 4v14H6zM14 3v5h5M9 13h7M9 17h5" /> }.into_any(),
        Some("puzzle") => view! {
            <path d="M9 4h3a2 2 0 1 1 4 0h3v5a2 2 0 1 1 0 4v6h-6a2 2 0 1 0-4 0H4v-5a2 2 0 1 0 0-4V4z" />
        }
        .into_any(),
        Some("lock") => view! {
            <rect x="5" y="11" width="14" height="10" rx="2" />
            <path d="M8 11V7a4 4 0 0 1 8 0v4" />
        }
        .into_any(),
        Some("globe") => view! {
            <circle cx="12" cy="12" r="9" />
            <path d="M3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9z" />
        }
        .into_any(),
        Some("send") => view! { <path d="M21 3L10 14M21 3l-7 18-4-7-7-4z" /> }.into_any(),
        Some("brain") => view! {
            <path d="M9 4a3 3 0 0 0-3 3 3 3 0 0 0-2 5 3 3 0 0 0 2 5 3 3 0 0 0 3 3 3 3 0 0 0 3-3V7a3 3 0 0 0-3-3z" />
            <path d="M15 4a3 3 0 0 1 3 3 3 3 0 0 1 2 5 3 3 0 0 1-2 5 3 3 0 0 1-3 3 3 3 0 0 1-3-3" />
        }
        .into_any(),
        _ => view! { <circle cx="12" cy="12" r="3" /> }.into_any(),
    };
    view! {
        <svg
            class="icon"
            data-icon=drawn
            viewBox="0 0 24 24"
            width="18"
            height="18"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            {shape}
        </svg>
    }
}

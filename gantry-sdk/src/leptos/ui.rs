//! Building blocks for Leptos module frontends, drawn with the host's stylesheet
//! (the same classes a plain-JS module uses: `card`, `table`, `status`, `field`,
//! `empty-state`), so modules look at home in light and dark.
//!
//! ```ignore
//! use gantry_sdk::leptos::ui::{Card, EmptyState, Field, StatusBadge, Tone};
//!
//! view! {
//!     <Card title="Projects">
//!         <StatusBadge label="up" tone=Tone::Good />
//!         <Field label="Name"><input bind:value=name /></Field>
//!         <EmptyState>"No projects yet."</EmptyState>
//!     </Card>
//! }
//! ```

use leptos::prelude::*;

/// A bordered panel (`.card`), with an optional heading.
///
/// ```ignore
/// view! { <Card title="Add a project">"…"</Card> }
/// ```
#[component]
pub fn Card(
    /// The heading, if any.
    #[prop(optional, into)]
    title: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            {title.map(|t| view! { <h2>{t}</h2> })}
            {children()}
        </section>
    }
}

/// How a status reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tone {
    /// Neither good nor bad (unknown, pending, queued).
    #[default]
    Neutral,
    /// Up, done, active.
    Good,
    /// Down, failed, disabled.
    Bad,
}

/// A status badge (`.status`, `.status-ok`, `.status-bad`); `data-status` holds the label.
///
/// ```ignore
/// view! { <StatusBadge label="down" tone=Tone::Bad /> }
/// ```
#[component]
pub fn StatusBadge(
    /// What it says.
    #[prop(into)]
    label: String,
    /// How it reads.
    #[prop(optional)]
    tone: Tone,
) -> impl IntoView {
    let status = label.clone();
    view! {
        <span
            class="status"
            class:status-ok=tone == Tone::Good
            class:status-bad=tone == Tone::Bad
            data-status=status
        >
            {label}
        </span>
    }
}

/// A labelled form field (`.field`): the label text above its input.
///
/// ```ignore
/// view! { <Field label="Title"><input bind:value=title required /></Field> }
/// ```
#[component]
pub fn Field(
    /// The label.
    #[prop(into)]
    label: String,
    /// The input, select or textarea.
    children: Children,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            {children()}
        </label>
    }
}

/// What a list shows when it has nothing (`.empty-state`).
///
/// ```ignore
/// view! { <EmptyState>"Nothing found."</EmptyState> }
/// ```
#[component]
pub fn EmptyState(children: Children) -> impl IntoView {
    view! { <div class="empty-state"><p>{children()}</p></div> }
}

/// A table (`.table`) with these column headings; the rows are its children.
///
/// ```ignore
/// view! { <DataTable headings=vec!["Name", "State"]>{rows}</DataTable> }
/// ```
#[component]
pub fn DataTable(
    /// The column headings.
    headings: Vec<&'static str>,
    /// The `<tr>` rows.
    children: Children,
) -> impl IntoView {
    view! {
        <table class="table">
            <thead>
                <tr>{headings.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

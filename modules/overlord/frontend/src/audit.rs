//! Audit: the Overlord's entries in Gantry's audit trail (dispatches, edits, health
//! changes), filtered by actor, action and time, a page at a time.

use gantry_sdk::{
    leptos::{ui::EmptyState, GantryContext},
    AuditPage,
};
use leptos::{prelude::*, task::spawn_local};

use crate::ui;

const PER_PAGE: u32 = 20;

/// The Audit tab.
#[component]
pub fn AuditLog(ctx: GantryContext) -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let period = RwSignal::new(String::from("0"));
    let page = RwSignal::new(0u32);
    let newest = ui::NewestLoad::new();
    let found = RwSignal::new(None::<Result<AuditPage, String>>);
    let load = move || {
        let ctx = ctx.clone();
        let since = period
            .get_untracked()
            .parse::<i64>()
            .ok()
            .filter(|s| *s > 0)
            .map(|s| (ui::now() - s).to_string())
            .unwrap_or_default();
        let path = format!(
            "/activity?{}",
            ui::query(&[
                ("actor", actor.get_untracked()),
                ("action", action.get_untracked()),
                ("since_unix", since),
                ("page", page.get_untracked().to_string()),
                ("per_page", PER_PAGE.to_string()),
            ])
        );
        let ticket = newest.ticket();
        spawn_local(async move {
            let answer = ctx.get::<AuditPage>(&path).await.map_err(|e| e.message);
            if newest.is_newest(ticket) {
                // Emptied by deletions: step back instead of saying nothing is there.
                if let Ok(got) = &answer {
                    let rows = got.entries.len();
                    if let Some(back) = ui::page_with_rows(got.page, rows, got.total, got.per_page)
                    {
                        page.set(back);
                        return;
                    }
                }
                found.set(Some(answer));
            }
        });
    };
    load();
    Effect::watch(
        move || (actor.get(), action.get(), period.get()),
        move |_, _, _| page.set(0),
        false,
    );
    Effect::watch(
        move || (actor.get(), action.get(), period.get(), page.get()),
        {
            let load = load.clone();
            move |_, _, _| load()
        },
        false,
    );
    let table = move || match found.get() {
        None => {
            view! { <p class="loading" role="status">"Loading the audit trail…"</p> }.into_any()
        }
        Some(Err(err)) => view! { <p class="form-error" role="alert">{err}</p> }.into_any(),
        Some(Ok(result)) if result.entries.is_empty() => {
            view! { <EmptyState>"No entries match."</EmptyState> }.into_any()
        }
        Some(Ok(result)) => {
            let pages = result.total.div_ceil(u64::from(result.per_page.max(1)));
            let has_next = u64::from(result.page) + 1 < pages;
            let rows = result
                .entries
                .into_iter()
                .map(|e| {
                    let action = e.action.clone();
                    view! {
                        <tr data-action=action>
                            <td>{ui::time(e.at_unix)}</td>
                            <td>{e.actor}</td>
                            <td><code>{e.action}</code></td>
                            <td class="cell-path">{e.target}</td>
                            <td class="cell-path">{e.detail.unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="table" data-table="overlord-audit">
                    <thead>
                        <tr><th>"When"</th><th>"Actor"</th><th>"Action"</th><th>"Target"</th><th>"Detail"</th></tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <nav class="pager" aria-label="Audit pages">
                    <button type="button" class="button" disabled=result.page == 0
                        on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Newer"</button>
                    <span>{format!("page {} of {pages}", result.page + 1)}</span>
                    <button type="button" class="button" disabled=!has_next
                        on:click=move |_| page.update(|p| *p += 1)>"Older"</button>
                </nav>
            }
            .into_any()
        }
    };
    view! {
        <div class="overlord-audit">
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label class="field"><span>"Actor"</span><input name="actor" bind:value=actor placeholder="username or system" /></label>
                <label class="field"><span>"Action"</span><input name="action" bind:value=action placeholder="task. or project.health_changed" /></label>
                <label class="field">
                    <span>"When"</span>
                    <select name="period" bind:value=period>
                        <option value="0">"Any time"</option>
                        <option value="3600">"Last hour"</option>
                        <option value="86400">"Last 24 hours"</option>
                        <option value="604800">"Last 7 days"</option>
                    </select>
                </label>
            </form>
            {table}
        </div>
    }
}

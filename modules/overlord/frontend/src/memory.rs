//! Memory: search over keys, content and tags, page through, add, edit, delete.

use gantry_mod_overlord::model::{Memory, MemoryInput, MemoryPage};
use gantry_sdk::leptos::{ui::EmptyState, GantryContext};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::ui;

const PER_PAGE: u32 = 10;

/// The Memory tab.
#[component]
pub fn MemoryBrowser(ctx: GantryContext) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    let newest = ui::NewestLoad::new();
    let found = RwSignal::new(None::<Result<MemoryPage, String>>);
    let editing = RwSignal::new(None::<i64>);
    let key = RwSignal::new(String::new());
    let content = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let problem = ui::FormProblem::new();
    let load = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            let path = format!(
                "/memory?{}",
                ui::query(&[
                    ("q", search.get_untracked()),
                    ("page", page.get_untracked().to_string()),
                    ("per_page", PER_PAGE.to_string()),
                ])
            );
            let ticket = newest.ticket();
            spawn_local(async move {
                let answer = ctx.get::<MemoryPage>(&path).await.map_err(|e| e.message);
                if newest.is_newest(ticket) {
                    // Emptied by deletions: step back instead of saying nothing is there.
                    if let Ok(got) = &answer {
                        let rows = got.entries.len();
                        if let Some(back) =
                            ui::page_with_rows(got.page, rows, got.total, got.per_page)
                        {
                            page.set(back);
                            return;
                        }
                    }
                    found.set(Some(answer));
                }
            });
        }
    };
    load();
    Effect::watch(move || search.get(), move |_, _, _| page.set(0), false);
    Effect::watch(
        move || (search.get(), page.get()),
        {
            let load = load.clone();
            move |_, _, _| load()
        },
        false,
    );

    let clear = move || {
        editing.set(None);
        problem.set(None);
        for field in [key, content, tags, source] {
            field.set(String::new());
        }
    };
    let submit = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let input = MemoryInput {
                key: key.get_untracked(),
                content: content.get_untracked(),
                tags: tags
                    .get_untracked()
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
                source_project: Some(source.get_untracked()),
            };
            let (ctx, load) = (ctx.clone(), load.clone());
            spawn_local(async move {
                let saved = match editing.get_untracked() {
                    Some(id) => {
                        ctx.send::<_, Memory>("PUT", &format!("/memory/{id}"), &input)
                            .await
                    }
                    None => ctx.send::<_, Memory>("POST", "/memory", &input).await,
                };
                match saved {
                    Ok(memory) => {
                        ui::done(&ctx, format!("Saved “{}”.", memory.key));
                        clear();
                        load();
                    }
                    Err(failure) => problem.set(Some(failure)),
                }
            });
        }
    };
    let edit = move |m: Memory| {
        editing.set(Some(m.id));
        key.set(m.key);
        content.set(m.content);
        tags.set(m.tags.join(", "));
        source.set(m.source_project.unwrap_or_default());
    };
    let results = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move || match found.get() {
            None => view! { <p class="loading" role="status">"Loading memory…"</p> }.into_any(),
            Some(Err(err)) => view! { <p class="form-error" role="alert">{err}</p> }.into_any(),
            Some(Ok(result)) if result.entries.is_empty() => {
                view! { <EmptyState>"Nothing found."</EmptyState> }.into_any()
            }
            Some(Ok(result)) => {
                let pages = result.total.div_ceil(u64::from(result.per_page.max(1)));
                let has_next = u64::from(result.page) + 1 < pages;
                let entries = result
                    .entries
                    .into_iter()
                    .map(|m| entry(ctx.clone(), m, edit, load.clone()))
                    .collect_view();
                view! {
                    <ul class="memory-list" data-list="memory">{entries}</ul>
                    <nav class="pager" aria-label="Memory pages">
                        <button type="button" class="button" disabled=result.page == 0
                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                        <span data-pager>{format!("page {} of {pages} ({} entries)", result.page + 1, result.total)}</span>
                        <button type="button" class="button" disabled=!has_next
                            on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                    </nav>
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="overlord-memory">
            <form class="card form-grid" on:submit=submit data-form="memory">
                <h2>{move || if editing.get().is_some() { "Edit memory" } else { "Add a memory" }}</h2>
                <label class="field">
                    <span>"Key"</span>
                    <input name="key" bind:value=key required maxlength="200" aria-invalid=problem.invalid("key") />
                    {problem.under("key")}
                </label>
                <label class="field">
                    <span>"Content"</span>
                    <textarea name="content" rows="3" bind:value=content required maxlength="20000" aria-invalid=problem.invalid("content")></textarea>
                    {problem.under("content")}
                </label>
                <label class="field"><span>"Tags (comma-separated)"</span><input name="tags" bind:value=tags /></label>
                <label class="field"><span>"Source project"</span><input name="source" bind:value=source /></label>
                <div class="button-row">
                    <button type="submit" class="button button-primary">
                        {move || if editing.get().is_some() { "Save changes" } else { "Add memory" }}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" class="button" on:click=move |_| clear()>"Cancel"</button>
                    </Show>
                </div>
            </form>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label class="field">
                    <span>"Search"</span>
                    <input name="q" type="search" bind:value=search placeholder="words in key, content or tags" />
                </label>
            </form>
            {results}
        </div>
    }
}

fn entry(
    ctx: GantryContext,
    memory: Memory,
    edit: impl Fn(Memory) + Copy + 'static,
    load: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let (id, title) = (memory.id, memory.key.clone());
    let remove = move |_| {
        ui::confirm_and_send(
            ctx.clone(),
            format!("Delete the memory “{title}”?"),
            "Delete",
            ("DELETE", format!("/memory/{id}")),
            format!("Deleted “{title}”."),
            load.clone(),
        )
    };
    let tags = memory
        .tags
        .iter()
        .map(|t| view! { <span class="badge">{t.clone()}</span> " " })
        .collect_view();
    let for_edit = memory.clone();
    view! {
        <li class="card" data-memory=memory.key.clone()>
            <h3>{memory.key.clone()}</h3>
            <p>{memory.content.clone()}</p>
            <p>
                {tags}
                {memory.source_project.clone().map(|s| view! { <small>"from " {s} " · "</small> })}
                <small>"updated " {ui::time(memory.updated_at)}</small>
            </p>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| edit(for_edit.clone())>"Edit"</button>
                <button type="button" class="button button-danger" on:click=remove>"Delete"</button>
            </div>
        </li>
    }
}

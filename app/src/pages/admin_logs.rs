//! The Admin page's Logs tab: the server's recent log lines, newest first, filtered
//! by level and module, followed live while the tab is open.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    http,
    logs_api::LogLine,
    pages::admin_audit::{format_time, query_string},
};

/// How many lines the tab shows at most.
const SHOWN: usize = 500;

const LEVELS: [(&str, &str); 5] = [
    ("trace", "Everything"),
    ("debug", "Debug and worse"),
    ("info", "Info and worse"),
    ("warn", "Warnings and errors"),
    ("error", "Errors"),
];

/// The Logs tab.
#[component]
pub fn LogsTab() -> impl IntoView {
    let level = RwSignal::new("info".to_owned());
    let module = RwSignal::new(String::new());
    let live = RwSignal::new(true);
    let lines = RwSignal::new(None::<Result<Vec<LogLine>, String>>);
    // Live lines that come before the kept ones they follow.
    let early = StoredValue::new(Vec::<LogLine>::new());
    Effect::new(move |_| {
        let query = query_string(&[("level", level.get()), ("module", module.get())]);
        let url = format!("/api/admin/logs?{query}");
        lines.set(None);
        early.set_value(Vec::new());
        spawn_local(async move {
            let answer = http::get::<Vec<LogLine>>(&url).await;
            let shown = answer
                .map(|mut kept| {
                    kept.reverse();
                    let newest = kept.first().map_or(0, |l| l.id);
                    let arrived = early.try_get_value().unwrap_or_default();
                    let arrived = arrived.into_iter().rev().filter(|l| l.id > newest);
                    arrived.chain(kept).take(SHOWN).collect()
                })
                .map_err(|e| e.message);
            lines.try_set(Some(shown));
        });
        #[cfg(feature = "hydrate")]
        if live.get() {
            let followed = crate::browser::live::follow_log_lines(
                &format!("/api/admin/logs/live?{query}"),
                move |line| {
                    let waiting = lines.try_update(|shown| match shown {
                        Some(Ok(shown)) => {
                            shown.insert(0, line.clone());
                            shown.truncate(SHOWN);
                            false
                        }
                        _ => true,
                    });
                    if waiting == Some(true) {
                        early.update_value(|early| early.push(line));
                    }
                },
            );
            let followed = send_wrapper::SendWrapper::new(followed);
            on_cleanup(move || drop(followed));
        }
    });
    let levels = LEVELS
        .iter()
        .map(|(id, label)| view! { <option value=*id>{*label}</option> })
        .collect_view();
    view! {
        <form class="filters" on:submit=|ev| ev.prevent_default() data-form="log-filters">
            <label class="field">
                <span>"Level"</span>
                <select name="level" bind:value=level>{levels}</select>
            </label>
            <label class="field">
                <span>"Module"</span>
                <input name="module" bind:value=module placeholder="host, or a module's name" />
            </label>
            <label class="checkbox">
                <input type="checkbox" name="live" bind:checked=live />
                <span>"Follow new lines"</span>
            </label>
        </form>
        {move || match lines.get() {
            None => view! { <p class="loading" role="status">"Loading the log…"</p> }.into_any(),
            Some(Err(message)) => view! {
                <p class="form-error" role="alert">"Cannot read the log: " {message}</p>
            }
            .into_any(),
            Some(Ok(shown)) if shown.is_empty() => view! {
                <div class="empty-state"><p>"No log lines match."</p></div>
            }
            .into_any(),
            Some(Ok(shown)) => view! {
                <ol class="log-lines" data-list="logs" aria-live="off">
                    {shown.into_iter().map(log_line).collect_view()}
                </ol>
            }
            .into_any(),
        }}
    }
}

fn log_line(line: LogLine) -> impl IntoView {
    let level = line.level.to_lowercase();
    view! {
        <li class="log-line" data-level=level.clone() data-id=line.id>
            <time>{format!("{}:{:02}", format_time(line.at_ms / 1000), line.at_ms / 1000 % 60)}</time>
            " "
            <span class=format!("log-level log-{level}")>{line.level}</span>
            " "
            {line.module.map(|m| view! { <span class="badge">{m}</span> " " })}
            <span class="log-target">{line.target}</span>
            " "
            <span class="log-message">{line.message}</span>
        </li>
    }
}

//! The Admin page's Audit tab: the audit trail, newest first, filtered by actor,
//! action, module and time, a page at a time.

use gantry_sdk::{AuditEntry, AuditPage};
use leptos::prelude::*;

use crate::http;

const PER_PAGE: u32 = 25;

/// How far back the time filter looks.
const PERIODS: [(&str, &str, i64); 4] = [
    ("all", "Any time", 0),
    ("hour", "Last hour", 3600),
    ("day", "Last 24 hours", 86_400),
    ("week", "Last 7 days", 7 * 86_400),
];

/// The Audit tab.
#[component]
pub fn AuditTab() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let module = RwSignal::new(String::new());
    let period = RwSignal::new("all".to_owned());
    let page = RwSignal::new(0u32);
    // Any filter change starts again from the first page.
    Effect::watch(
        move || (actor.get(), action.get(), module.get(), period.get()),
        move |_, _, _| page.set(0),
        false,
    );
    let entries = LocalResource::new(move || {
        let mut query = vec![
            ("page", page.get().to_string()),
            ("per_page", PER_PAGE.to_string()),
        ];
        for (key, signal) in [("actor", actor), ("action", action), ("module", module)] {
            let value = signal.get().trim().to_owned();
            if !value.is_empty() {
                query.push((key, value));
            }
        }
        let back = PERIODS
            .iter()
            .find(|(id, _, _)| *id == period.get())
            .map_or(0, |(_, _, secs)| *secs);
        if back > 0 {
            query.push(("since_unix", (now_unix() - back).to_string()));
        }
        let url = format!("/api/admin/audit?{}", query_string(&query));
        async move { http::get::<AuditPage>(&url).await }
    });
    let periods = PERIODS
        .iter()
        .map(|(id, label, _)| view! { <option value=*id>{*label}</option> })
        .collect_view();
    view! {
        <form class="filters" on:submit=|ev| ev.prevent_default() data-form="audit-filters">
            <label class="field">
                <span>"Actor"</span>
                <input name="actor" bind:value=actor placeholder="username" />
            </label>
            <label class="field">
                <span>"Action"</span>
                <input name="action" bind:value=action placeholder="login. or user.created" />
            </label>
            <label class="field">
                <span>"Module"</span>
                <input name="module" bind:value=module placeholder="host, or a module's name" />
            </label>
            <label class="field">
                <span>"When"</span>
                <select name="period" bind:value=period>{periods}</select>
            </label>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the audit trail…"</p> }>
            {move || {
                entries
                    .get()
                    .map(|answer| match answer {
                        Ok(found) => view! { <AuditTable found page /> }.into_any(),
                        Err(err) => view! {
                            <p class="form-error" role="alert">"Cannot read the audit trail: " {err.message}</p>
                        }
                        .into_any(),
                    })
            }}
        </Transition>
    }
}

/// One page of entries and the pager.
#[component]
fn AuditTable(found: AuditPage, page: RwSignal<u32>) -> impl IntoView {
    if found.entries.is_empty() && found.page > 0 {
        // Emptied since it was counted (retention deleted old entries): step back to
        // the last page that has rows instead of saying nothing matches.
        let last = found
            .total
            .div_ceil(u64::from(found.per_page.max(1)))
            .saturating_sub(1);
        let back = u32::try_from(last).unwrap_or(u32::MAX).min(found.page - 1);
        Effect::new(move |_| page.set(back));
        return view! { <p class="loading" role="status">"Loading the audit trail…"</p> }
            .into_any();
    }
    if found.entries.is_empty() {
        return view! { <div class="empty-state"><p>"No entries match."</p></div> }.into_any();
    }
    let pages = found
        .total
        .div_ceil(u64::from(found.per_page.max(1)))
        .max(1);
    let first = u64::from(found.page) * u64::from(found.per_page) + 1;
    let last = first + found.entries.len() as u64 - 1;
    let has_next = u64::from(found.page) + 1 < pages;
    let rows = found.entries.into_iter().map(audit_row).collect_view();
    view! {
        <table class="table" data-table="audit">
            <thead>
                <tr>
                    <th>"When (UTC)"</th>
                    <th>"Actor"</th>
                    <th>"Action"</th>
                    <th>"Target"</th>
                    <th>"Address"</th>
                    <th>"Module"</th>
                    <th>"Detail"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Audit pages">
            <button
                type="button"
                class="button"
                disabled=found.page == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
            >
                "Newer"
            </button>
            <span data-pager>{format!("{first}–{last} of {}", found.total)}</span>
            <button type="button" class="button" disabled=!has_next on:click=move |_| page.update(|p| *p += 1)>
                "Older"
            </button>
        </nav>
    }
    .into_any()
}

fn audit_row(entry: AuditEntry) -> impl IntoView {
    let action = entry.action.clone();
    view! {
        <tr data-action=action>
            <td>{format_time(entry.at_unix)}</td>
            <td>{entry.actor}</td>
            <td><code>{entry.action}</code></td>
            <td class="cell-path">{entry.target}</td>
            <td>{entry.address.unwrap_or_default()}</td>
            <td>{entry.module.map(|m| view! { <span class="badge">{m}</span> })}</td>
            <td class="cell-path">{entry.detail.unwrap_or_default()}</td>
        </tr>
    }
}

/// `key=value&…`, percent-encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn now_unix() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub fn format_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Days to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        secs / 60 % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00");
        assert_eq!(format_time(1_795_000_000), "2026-11-18 11:06");
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            query_string(&[("action", "login.".into()), ("actor", "a b&c".into())]),
            "action=login.&actor=a%20b%26c"
        );
    }
}

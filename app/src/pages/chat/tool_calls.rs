//! The module tools an answer called: each call collapsed to its tool, state and
//! time, opening on its arguments and result; and the host's confirm dialog for a
//! tool that asks before it runs.

use gantry_sdk::{Confirm, ToastKind};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    chat_api::{ToolCall, ToolCallStatus, ToolConfirmation},
    host_ui::HostUi,
    http,
};

/// The calls, in order.
#[component]
pub fn ToolCallList(#[prop(into)] calls: Signal<Vec<ToolCall>>) -> impl IntoView {
    move || {
        let calls = calls.get();
        (!calls.is_empty()).then(|| {
            view! {
                <ul class="tool-calls" aria-label="Tools used">
                    {calls.into_iter().map(|call| view! { <ToolCallItem call /> }).collect_view()}
                </ul>
            }
        })
    }
}

#[component]
fn ToolCallItem(call: ToolCall) -> impl IntoView {
    let (state, tone) = match call.status {
        ToolCallStatus::AwaitingConfirmation => ("waiting for your OK", "busy"),
        ToolCallStatus::Running => ("running…", "busy"),
        ToolCallStatus::Done => ("done", "ok"),
        ToolCallStatus::Failed => ("failed", "bad"),
        ToolCallStatus::Declined => ("not run", "bad"),
    };
    let time = call
        .duration_ms
        .map(|ms| format!(" · {:.1} s", ms as f64 / 1000.0))
        .unwrap_or_default();
    let status = serde_json::to_value(call.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let arguments = pretty(&call.arguments);
    let result = call.result.as_ref().map(pretty);
    view! {
        <li class="tool-call" data-tool-call=format!("{}/{}", call.module, call.tool) data-status=status>
            <details>
                <summary>
                    <code>{format!("{}/{}", call.module, call.tool)}</code>
                    " "
                    <span class=format!("status status-{tone}")>{state}</span>
                    {time}
                </summary>
                <p class="tool-call-label">"Arguments"</p>
                <pre class="tool-call-json" tabindex="0">{arguments}</pre>
                {result.map(|result| view! {
                    <p class="tool-call-label">"Result"</p>
                    <pre class="tool-call-json" tabindex="0" data-tool-result>{result}</pre>
                })}
                {call.error.map(|error| view! { <p class="form-error" data-tool-error>{error}</p> })}
            </details>
        </li>
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Asks the user, in the host's confirm dialog, whether `call` may run, and sends
/// the answer.
pub fn ask_confirmation(host: HostUi, call: &ToolCall) {
    // Everything the tool will be given, unless it is very long (then marked).
    const SHOWN: usize = 4000;
    let arguments = serde_json::to_string(&call.arguments).unwrap_or_default();
    let total = arguments.chars().count();
    let mut shown: String = arguments.chars().take(SHOWN).collect();
    if total > SHOWN {
        shown.push_str(&format!("… ({} more characters not shown)", total - SHOWN));
    }
    let id = call.id.clone();
    let name = format!("{}/{}", call.module, call.tool);
    host.confirm(
        Confirm {
            message: format!("The model wants to run the tool {name} with {shown}. Run it?"),
            confirm_label: Some("Run".into()),
            cancel_label: Some("Don't run".into()),
            danger: false,
        },
        move |approve| {
            spawn_local(async move {
                let url = format!("/api/chat/tool-calls/{id}/confirm");
                if let Err(err) = http::send_only("POST", &url, &ToolConfirmation { approve }).await
                {
                    host.toast(
                        ToastKind::Error,
                        format!("Cannot answer for {name}: {}", err.message),
                    );
                }
            });
        },
    );
}

//! A module's settings tab, drawn by the host from the module's declared settings:
//! Admin → the module (instance-wide, administrators) and Settings → the module (the
//! user's own). The browser checks what it can before sending; the server checks
//! everything again. A secret is never shown: its field says whether one is set,
//! and stays empty unless a new one is typed.

use std::collections::HashMap;

use gantry_sdk::{Setting, SettingType, SettingsUpdate, SettingsView, TabSection, ToastKind};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use serde_json::Value;

use crate::{
    host_ui::use_host_ui,
    http::{self, ApiFailure},
};

/// The settings form of `module` for the page of `section`.
#[component]
pub fn ModuleSettingsForm(module: String, section: TabSection) -> impl IntoView {
    let scope = match section {
        TabSection::Admin => "instance",
        TabSection::Settings => "user",
    };
    let url = format!("/api/modules/{module}/settings/{scope}");
    let view = {
        let url = url.clone();
        LocalResource::new(move || {
            let url = url.clone();
            async move { http::get::<SettingsView>(&url).await }
        })
    };
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading settings…"</p> }>
            {move || {
                view.get()
                    .map(|answer| match answer {
                        Ok(loaded) => view! { <SettingsFields url=url.clone() loaded /> }.into_any(),
                        Err(err) => view! {
                            <p class="form-error" role="alert">"Cannot load the settings: " {err.message}</p>
                        }
                        .into_any(),
                    })
            }}
        </Transition>
    }
}

/// What a field holds while it is edited: text for every kind (a checkbox's is
/// `"true"` or `""`), and for a secret whether to remove the saved one.
#[derive(Clone, Copy)]
struct Input {
    text: RwSignal<String>,
    remove: RwSignal<bool>,
}

#[component]
fn SettingsFields(url: String, loaded: SettingsView) -> impl IntoView {
    let host = use_host_ui();
    let fields = loaded.fields.clone();
    let secrets = RwSignal::new(loaded.secrets.clone());
    // What each field showed when loaded or last saved: only what differs is sent, so
    // a default nobody touched stays a default (and may change with the module).
    let shown = StoredValue::new(as_texts(&loaded.values));
    let inputs: HashMap<String, Input> = fields
        .iter()
        .map(|f| {
            let text = shown.with_value(|s| s.get(&f.key).cloned().unwrap_or_default());
            let input = Input {
                text: RwSignal::new(text),
                remove: RwSignal::new(false),
            };
            (f.key.clone(), input)
        })
        .collect();
    let error = RwSignal::new(None::<ApiFailure>);
    let busy = RwSignal::new(false);
    let submit = {
        let (fields, inputs) = (fields.clone(), inputs.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let update = match shown.with_value(|shown| collect(&fields, &inputs, shown)) {
                Ok(update) => update,
                Err(failure) => {
                    error.set(Some(failure));
                    return;
                }
            };
            error.set(None);
            busy.set(true);
            let (url, inputs) = (url.clone(), inputs.clone());
            spawn_local(async move {
                match http::send::<_, SettingsView>("PUT", &url, &update).await {
                    Ok(saved) => {
                        host.toast(ToastKind::Success, "Settings saved.");
                        shown.set_value(as_texts(&saved.values));
                        secrets.set(saved.secrets);
                        for input in inputs.values() {
                            input.remove.set(false);
                        }
                        for (key, input) in &inputs {
                            if saved.values.get(key).is_none() {
                                // A secret: typed once, kept on the server, never shown.
                                input.text.set(String::new());
                            }
                        }
                    }
                    Err(err) => error.set(Some(err)),
                }
                busy.set(false);
            });
        }
    };
    let rows = fields
        .into_iter()
        .filter_map(|field| {
            let input = inputs.get(&field.key).copied()?;
            Some(view! { <SettingField field input secrets error /> })
        })
        .collect_view();
    view! {
        <form class="card form-grid" on:submit=submit data-form="module-settings" novalidate>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! {
                <p class="form-error" role="alert">{e.message}</p>
            })}
            {rows}
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    "Save settings"
                </button>
            </div>
        </form>
    }
}

/// One field, with its error (from the browser's own check or the server's) below it.
#[component]
fn SettingField(
    field: Setting,
    input: Input,
    secrets: RwSignal<std::collections::BTreeMap<String, bool>>,
    error: RwSignal<Option<ApiFailure>>,
) -> impl IntoView {
    let id = format!("setting-{}", field.key);
    let key = field.key.clone();
    let own_error = move || {
        error
            .get()
            .filter(|e| e.field.as_deref() == Some(key.as_str()))
            .map(|e| e.message)
    };
    let error_id = format!("{id}-error");
    let control = match field.kind {
        SettingType::Bool => view! {
            <input id=id.clone() type="checkbox" name=field.key.clone()
                prop:checked=move || !input.text.get().is_empty()
                on:change=move |ev| input.text.set(if event_target_checked(&ev) { "true".into() } else { String::new() }) />
        }
        .into_any(),
        SettingType::Select => {
            let options = field
                .options
                .iter()
                .map(|o| view! { <option value=o.clone()>{o.clone()}</option> })
                .collect_view();
            view! {
                <select id=id.clone() name=field.key.clone() prop:value=move || input.text.get()
                    on:change=move |ev| input.text.set(event_target_value(&ev))>
                    // Nothing chosen yet shows as such, never as the first choice.
                    <option value="" disabled=field.required>
                        {if field.required { "(choose one)" } else { "(none)" }}
                    </option>
                    {options}
                </select>
            }
            .into_any()
        }
        SettingType::Number => view! {
            <input id=id.clone() type="number" step="any" name=field.key.clone()
                min=field.min.map(|m| m.to_string()) max=field.max.map(|m| m.to_string())
                required=field.required bind:value=input.text />
        }
        .into_any(),
        SettingType::String => view! {
            <input id=id.clone() type="text" name=field.key.clone() required=field.required
                pattern=field.pattern.clone() bind:value=input.text />
        }
        .into_any(),
        SettingType::Secret => {
            let key = field.key.clone();
            let is_set = Signal::derive(move || secrets.get().get(&key).copied().unwrap_or(false));
            view! {
                <input id=id.clone() type="password" name=field.key.clone() autocomplete="new-password"
                    placeholder=move || if is_set.get() { "set: type a new one to replace it" } else { "not set" }
                    bind:value=input.text />
                <span class="checkbox" hidden=move || !is_set.get()>
                    <input type="checkbox" id=format!("{id}-remove") bind:checked=input.remove />
                    <label for=format!("{id}-remove")>"Remove the saved secret"</label>
                </span>
            }
            .into_any()
        }
    };
    view! {
        <div class="field" data-setting=field.key.clone()>
            <label for=id.clone()>
                {field.label.clone()}
                {field.required.then_some(" (required)")}
            </label>
            {control}
            {(!field.help.is_empty()).then(|| view! { <small>{field.help.clone()}</small> })}
            {move || own_error().map(|message| view! {
                <p class="form-error" role="alert" id=error_id.clone()>{message}</p>
            })}
        </div>
    }
}

/// Each value as a field shows it.
fn as_texts(values: &serde_json::Map<String, Value>) -> HashMap<String, String> {
    values
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Bool(b) => if *b { "true" } else { "" }.to_owned(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            (key.clone(), text)
        })
        .collect()
}

/// The update the form's fields make: the fields changed since `shown`, and a secret
/// typed or removed; checked as far as the browser can (type, range, choices,
/// required), the first problem naming its field.
fn collect(
    fields: &[Setting],
    inputs: &HashMap<String, Input>,
    shown: &HashMap<String, String>,
) -> Result<SettingsUpdate, ApiFailure> {
    let mut update = SettingsUpdate::default();
    for field in fields {
        let Some(input) = inputs.get(&field.key).copied() else {
            continue;
        };
        let text = input.text.get_untracked();
        let unchanged = field.kind != SettingType::Secret
            && shown
                .get(&field.key)
                .map_or(text.is_empty(), |s| *s == text);
        let value = match field.kind {
            SettingType::Secret if input.remove.get_untracked() => Value::Null,
            SettingType::Secret if text.is_empty() => continue,
            SettingType::Bool => Value::Bool(!text.is_empty()),
            _ if text.trim().is_empty() => {
                if field.required && field.default.is_none() {
                    return Err(problem(field, "is required"));
                }
                Value::Null
            }
            SettingType::Number => match text.trim().parse::<f64>() {
                // Whole numbers stay whole, so a module may read them as integers.
                Ok(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(n as i64),
                Ok(n) => serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or_else(|| problem(field, "must be a number"))?,
                Err(_) => return Err(problem(field, "must be a number")),
            },
            _ => Value::String(text),
        };
        if !value.is_null() {
            field.check(&value).map_err(|why| problem(field, &why))?;
        }
        if !unchanged {
            update.values.insert(field.key.clone(), value);
        }
    }
    Ok(update)
}

fn problem(field: &Setting, why: &str) -> ApiFailure {
    ApiFailure {
        status: 400,
        code: "invalid_setting".into(),
        message: format!("{} {why}", field.label),
        module: None,
        field: Some(field.key.clone()),
    }
}

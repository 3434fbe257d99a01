//! The thread header's Tools picker: which module tools the conversation's model may
//! call, from the modules the user may use now (`/api/modules`, kept live). Each
//! change is applied at once, like the Knowledge picker's.

use leptos::prelude::*;

use crate::live_modules::use_live_modules;

/// One tool the user may offer: `<module>/<tool>`, its module's and its own words.
#[derive(Clone, Debug, PartialEq)]
struct Offerable {
    id: String,
    module: String,
    description: String,
    confirm: bool,
}

/// The picker for `tools`; `on_change` gets the whole new choice.
#[component]
pub fn ToolsPicker(tools: Signal<Vec<String>>, on_change: Callback<Vec<String>>) -> impl IntoView {
    let modules = use_live_modules();
    let offerable = Memo::new(move |_| {
        modules.with(|modules| {
            modules
                .iter()
                .flat_map(|m| {
                    m.tools.iter().map(|t| Offerable {
                        id: format!("{}/{}", m.name, t.name),
                        module: m.display_name.clone(),
                        description: t.description.clone(),
                        confirm: t.confirm,
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let count = move || tools.with(Vec::len);
    let toggle = move |id: String, on: bool| {
        let mut next = tools.get_untracked();
        next.retain(|t| *t != id);
        if on {
            next.push(id);
        }
        on_change.run(next);
    };
    // Hidden when no module offers a tool and none is chosen.
    move || {
        (!offerable.with(Vec::is_empty) || count() > 0).then(|| {
            view! {
                <details class="knowledge-picker" data-tools-picker>
                    <summary class="button button-small">
                        "Tools"
                        {move || (count() > 0).then(|| view! { <span class="badge" data-tools-count>{count()}</span> })}
                    </summary>
                    <div class="knowledge-panel" role="group" aria-label="Tools the model may use in this conversation">
                        <p class="source-place">"The model may call the tools you tick, acting as you, with your rights. Those marked “asks first” wait for your OK each time."</p>
                        {move || offerable.get().into_iter().map(|tool| {
                            let checked = {
                                let id = tool.id.clone();
                                move || tools.with(|t| t.contains(&id))
                            };
                            let id = tool.id.clone();
                            view! {
                                <label class="knowledge-document" data-tool=tool.id.clone()>
                                    <input type="checkbox" prop:checked=checked
                                        on:change=move |ev| toggle(id.clone(), event_target_checked(&ev)) />
                                    <code>{tool.id.clone()}</code>
                                    {tool.confirm.then_some(" (asks first)")}
                                    <span class="source-place">{format!(" · {}: {}", tool.module, tool.description)}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </details>
            }
        })
    }
}

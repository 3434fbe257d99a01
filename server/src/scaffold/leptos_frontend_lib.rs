//! {{display}}'s pages, registered with Gantry when the WASM starts.

use gantry_mod_{{crate_name}}::{Item, NewItem};
use gantry_sdk::leptos::{register, GantryContext};
use leptos::{prelude::*, task::spawn_local};

/// The Items tab: lists the items and adds one.
#[component]
fn Items(ctx: GantryContext) -> impl IntoView {
    let items = RwSignal::new(Vec::<Item>::new());
    let title = RwSignal::new(String::new());
    let load = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            spawn_local(async move {
                if let Ok(list) = ctx.get::<Vec<Item>>("/items").await {
                    items.set(list);
                }
            });
        }
    };
    load();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (ctx, load) = (ctx.clone(), load.clone());
        let new = NewItem {
            title: title.get_untracked(),
        };
        spawn_local(async move {
            if ctx.send::<_, Item>("POST", "/items", &new).await.is_ok() {
                title.set(String::new());
                load();
            }
        });
    };
    view! {
        <form class="card form-grid" on:submit=add>
            <label class="field"><span>"Title"</span><input bind:value=title required /></label>
            <div class="button-row"><button type="submit" class="button button-primary">"Add"</button></div>
        </form>
        <ul>
            {move || {
                items
                    .get()
                    .into_iter()
                    .map(|item| {
                        let title = item.title.clone();
                        view! { <li data-item=title>{item.title}</li> }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// Runs when the bundle instantiates the WASM.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    register("{{name}}", "Items", |ctx| view! { <Items ctx /> });
}

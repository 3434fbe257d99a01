//! Pages whose code is a WebAssembly chunk of its own, fetched when one of them is
//! first opened (and preloaded by the server's page when it is the first page), so
//! the main bundle holds only the shell. `cargo xtask` cuts the chunks out after
//! linking (`wasm_split_cli_support`); on the server the page renders directly.
//!
//! Leptos 0.8's `#[lazy_route]` panics when a chunk cannot be fetched, which stops
//! the whole page; [`lazy_page!`] declares the route with a fallible load instead, and
//! a failed fetch while moving between pages shows [`ChunkFailed`] in place, whose
//! button fetches it again. The first page's chunks are checked before it hydrates
//! (`first_page_chunks_arrive`): when one does not arrive, the page stays as the
//! server rendered it (readable, not interactive) under a notice that says so and
//! reloads on request.

use leptos::prelude::*;

/// Declares `$route`, a [`leptos_router::LazyRoute`] showing `$page` from the chunk
/// `$chunk` (a name unique in the app; it names the chunk's file).
macro_rules! lazy_page {
    ($route:ident, $chunk:ident, $page:ident) => {
        #[doc = concat!("The route of [`", stringify!($page), "`], loaded as the chunk `", stringify!($chunk), "`.")]
        pub struct $route;

        mod $chunk {
            use leptos::prelude::*;

            #[::leptos::wasm_split::wasm_split(
                $chunk,
                wasm_split_path = ::leptos::wasm_split,
                fallible,
                preload(fetch)
            )]
            pub fn page() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok(view! { <super::$page /> }.into_any())
            }
        }

        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                // The server's page preloads the chunks it used.
                #[cfg(feature = "ssr")]
                ::leptos::prefetch_lazy_fn_on_server(stringify!($chunk));
                match $chunk::page().await {
                    Ok(view) => view,
                    Err(_) => view! {
                        <$crate::lazy_page::ChunkFailed load=|| Box::pin(async {
                            $chunk::page().await.ok()
                        }) />
                    }
                    .into_any(),
                }
            }

            async fn preload() {
                // A failure shows when the page is opened.
                let _ = $chunk::fetch().await;
            }
        }
    };
}

pub(crate) use lazy_page;

/// Whether every chunk the server's page lists for itself (its `preload` links)
/// arrives; `hydrate` checks before it hydrates, since hydrating a page without
/// its code stops the whole page with a panic. The browser has them from the
/// preloads already, so this costs no second download.
#[cfg(feature = "hydrate")]
pub async fn first_page_chunks_arrive() -> bool {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return true;
    };
    let Some(links) = window.document().and_then(|d| {
        d.query_selector_all(
            "link[rel=preload][href^='/pkg/split_'], link[rel=preload][href^='/pkg/chunk_']",
        )
        .ok()
    }) else {
        return true;
    };
    let fetches: Vec<_> = (0..links.length())
        .filter_map(|i| links.get(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|link| link.get_attribute("href"))
        .map(|href| wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&href)))
        .collect();
    for fetch in fetches {
        let arrived = fetch
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
            .is_some_and(|r| r.ok());
        if !arrived {
            return false;
        }
    }
    true
}

/// The first page's code did not arrive: the server's page stays as it is (not
/// hydrated), and a notice above it says why and reloads on request.
#[cfg(feature = "hydrate")]
pub fn show_first_page_failed() {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(body), Ok(notice), Ok(text), Ok(button)) = (
        document.body(),
        document.create_element("div"),
        document.create_element("p"),
        document.create_element("button"),
    ) else {
        return;
    };
    let _ = notice.set_attribute("class", "first-page-failed");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("data-state", "first-chunk-failed");
    text.set_text_content(Some(
        "This page cannot be used yet: its code did not arrive (the network or the server may be down). What you see is the page as the server sent it.",
    ));
    let _ = button.set_attribute("type", "button");
    let _ = button.set_attribute("class", "button button-primary");
    button.set_text_content(Some("Reload"));
    let reload = Closure::<dyn Fn()>::new(|| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    let _ = button.add_event_listener_with_callback("click", reload.as_ref().unchecked_ref());
    reload.forget();
    let _ = notice.append_child(&text);
    let _ = notice.append_child(&button);
    let _ = body.prepend_with_node_1(&notice);
}

/// What loads a page's chunk again: the page, or `None` when it failed again.
pub type LoadAgain = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<AnyView>>>>;

/// A page whose code could not be fetched: says so, and fetches it again on request.
#[component]
pub fn ChunkFailed(load: LoadAgain) -> impl IntoView {
    let page = StoredValue::new_local(None::<AnyView>);
    let loaded = RwSignal::new(false);
    let trying = RwSignal::new(false);
    let failed_again = RwSignal::new(false);
    let retry = move |_| {
        trying.set(true);
        leptos::task::spawn_local(async move {
            match load().await {
                Some(view) => {
                    page.set_value(Some(view));
                    loaded.set(true);
                }
                None => failed_again.set(true),
            }
            trying.set(false);
        });
    };
    move || {
        match loaded.get() {
        true => page.try_update_value(Option::take).flatten().into_any(),
        false => view! {
            <section class="page" data-page="chunk-failed">
                <div class="empty-state" role="alert" data-state="chunk-failed">
                    <p>"This page could not be loaded: its code did not arrive (the network or the server may be down)."</p>
                    <Show when=move || failed_again.get()>
                        <p>"It failed again."</p>
                    </Show>
                    <button type="button" class="button button-primary" disabled=move || trying.get() on:click=retry>
                        {move || if trying.get() { "Loading…" } else { "Try again" }}
                    </button>
                </div>
            </section>
        }
        .into_any(),
    }
    }
}

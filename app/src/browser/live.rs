//! Following the server's pushes (`GET /api/events`) while the page is in view.
//!
//! A browser opens at most six HTTP/1.1 connections to one host, shared by all its
//! tabs, and each stream holds one: so a page closes its stream while it is hidden
//! and opens it again when shown (the first event then brings it up to date).

use std::{cell::RefCell, collections::BTreeMap, rc::Rc};

use gantry_sdk::ModuleInfo;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{EventSource, MessageEvent};

/// Replaces `modules` with each `modules` event's list that differs from it (adding
/// what is new to `known`), and `problems` with each `problems` event's. The browser
/// reconnects by itself after a network failure; a refused stream (signed out)
/// stays closed.
pub fn follow_modules(
    modules: RwSignal<Vec<ModuleInfo>>,
    known: RwSignal<Vec<ModuleInfo>>,
    problems: RwSignal<BTreeMap<String, String>>,
) {
    let on_problems = Rc::new(Closure::<dyn FnMut(MessageEvent)>::new(
        move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<BTreeMap<String, String>>(&text) {
                Ok(now) => problems.set(now),
                Err(err) => {
                    web_sys::console::warn_1(&format!("gantry: bad problems event: {err}").into())
                }
            }
        },
    ));
    let on_modules = Rc::new(Closure::<dyn FnMut(MessageEvent)>::new(
        move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<Vec<ModuleInfo>>(&text) {
                Ok(list) if modules.with_untracked(|now| *now != list) => {
                    known.update(|known| crate::live_modules::remember(known, &list));
                    modules.set(list);
                }
                Ok(_) => {}
                Err(err) => {
                    web_sys::console::warn_1(&format!("gantry: bad modules event: {err}").into())
                }
            }
        },
    ));
    let stream: Rc<RefCell<Option<EventSource>>> = Rc::default();
    let open = {
        let stream = stream.clone();
        move || {
            if stream.borrow().is_some() {
                return;
            }
            if let Ok(source) = EventSource::new("/api/events") {
                let listener: &js_sys::Function = (*on_modules).as_ref().unchecked_ref();
                let _ = source.add_event_listener_with_callback("modules", listener);
                let listener: &js_sys::Function = (*on_problems).as_ref().unchecked_ref();
                let _ = source.add_event_listener_with_callback("problems", listener);
                *stream.borrow_mut() = Some(source);
            }
        }
    };
    let shown_or_hidden = {
        let open = open.clone();
        Closure::<dyn FnMut()>::new(move || {
            if document().hidden() {
                if let Some(source) = stream.borrow_mut().take() {
                    source.close();
                }
            } else {
                open();
            }
        })
    };
    if !document().hidden() {
        open();
    }
    let _ = document().add_event_listener_with_callback(
        "visibilitychange",
        shown_or_hidden.as_ref().unchecked_ref(),
    );
    // The listener lives as long as the page.
    shown_or_hidden.forget();
}

/// A followed stream of log lines (`GET /api/admin/logs/live`); closed when dropped.
pub struct LiveLogLines {
    source: EventSource,
    _on_line: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for LiveLogLines {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Opens `url` and calls `on_line` with each `line` event's line. The browser
/// reconnects by itself after a network failure.
pub fn follow_log_lines(
    url: &str,
    on_line: impl Fn(crate::logs_api::LogLine) + 'static,
) -> Option<LiveLogLines> {
    let on_line = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match serde_json::from_str(&text) {
            Ok(line) => on_line(line),
            Err(err) => web_sys::console::warn_1(&format!("gantry: bad log line: {err}").into()),
        }
    });
    let source = EventSource::new(url).ok()?;
    let _ = source.add_event_listener_with_callback("line", on_line.as_ref().unchecked_ref());
    Some(LiveLogLines {
        source,
        _on_line: on_line,
    })
}

//! Reading a streamed answer in the browser: `fetch` with an `AbortController` (the
//! Stop button), the body read chunk by chunk and split into server-sent events.
//! On the server (SSR) nothing streams: the future never completes.

// Only the browser build reads streams.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use crate::chat_api::{ChatMessage, ToolCall};
use gantry_sdk::http::ApiFailure;

/// How a streamed answer ended.
pub enum StreamEnd {
    /// The answer is complete and stored.
    Done(ChatMessage),
    /// The model server failed; the stored (failed) message when there is one.
    Failed {
        failure: ApiFailure,
        message: Option<ChatMessage>,
    },
    /// The user stopped it.
    Stopped,
}

/// Something of the answer while it streams.
pub enum StreamPiece {
    /// More text.
    Delta(String),
    /// A tool call, new or changed.
    ToolCall(ToolCall),
}

/// One parsed event: its name and data.
fn parse_event(block: &str) -> Option<(String, String)> {
    let mut event = String::from("message");
    let mut data = String::new();
    for line in block.lines() {
        if let Some(name) = line.strip_prefix("event:") {
            event = name.trim().to_owned();
        } else if let Some(d) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(d.strip_prefix(' ').unwrap_or(d));
        }
    }
    (!data.is_empty()).then_some((event, data))
}

/// Splits complete events off the front of `buffer`.
pub fn take_events(buffer: &mut String) -> Vec<(String, String)> {
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        events.extend(parse_event(&block));
    }
    events
}

/// A way to stop a stream that is running.
#[derive(Clone)]
pub struct StopHandle {
    #[cfg(feature = "hydrate")]
    controller: send_wrapper::SendWrapper<web_sys::AbortController>,
}

impl StopHandle {
    /// A handle for a new stream.
    pub fn new() -> Option<Self> {
        #[cfg(feature = "hydrate")]
        {
            web_sys::AbortController::new().ok().map(|controller| Self {
                controller: send_wrapper::SendWrapper::new(controller),
            })
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }

    /// Stops the stream: the request goes away, the server stores what arrived.
    pub fn stop(&self) {
        #[cfg(feature = "hydrate")]
        self.controller.abort();
    }
}

/// POSTs `body` to `url` and calls `on_piece` with each piece of text and each tool
/// call as it arrives.
pub async fn post_stream(
    url: &str,
    body: String,
    stop: &StopHandle,
    on_piece: impl Fn(StreamPiece),
) -> Result<StreamEnd, ApiFailure> {
    #[cfg(feature = "hydrate")]
    return browser::post_stream(url, body, stop, on_piece).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, body, stop, on_piece);
        std::future::pending().await
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use gantry_sdk::http::ApiFailure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{take_events, StopHandle, StreamEnd, StreamPiece};
    use crate::chat_api::{StreamDelta, StreamDone, StreamToolCall};

    fn failure(err: JsValue) -> ApiFailure {
        let reason = err
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| "unknown error".into());
        ApiFailure::local(
            "network",
            format!("the connection to Gantry broke: {reason}"),
        )
    }

    pub async fn post_stream(
        url: &str,
        body: String,
        stop: &StopHandle,
        on_piece: impl Fn(StreamPiece),
    ) -> Result<StreamEnd, ApiFailure> {
        let signal = stop.controller.signal();
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_signal(Some(&signal));
        let headers = web_sys::Headers::new().map_err(failure)?;
        headers
            .set("content-type", "application/json")
            .map_err(failure)?;
        headers
            .set("accept", "text/event-stream")
            .map_err(failure)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
        let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(failure)?;
        let window = web_sys::window().ok_or_else(|| ApiFailure::local("client", "no window"))?;
        let response: web_sys::Response =
            match JsFuture::from(window.fetch_with_request(&request)).await {
                Ok(res) => res.unchecked_into(),
                Err(_) if signal.aborted() => return Ok(StreamEnd::Stopped),
                Err(err) => return Err(failure(err)),
            };
        if !response.ok() {
            let text = match response.text() {
                Ok(promise) => JsFuture::from(promise)
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            let status = response.status();
            if status == 401 {
                if let Some(location) = web_sys::window().map(|w| w.location()) {
                    let _ = location.set_href("/login");
                }
            }
            return Err(ApiFailure::from_response(status, &text));
        }
        let Some(stream) = response.body() else {
            return Err(ApiFailure::local("client", "the answer has no body"));
        };
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let decoder = web_sys::TextDecoder::new().map_err(failure)?;
        let options = web_sys::TextDecodeOptions::new();
        options.set_stream(true);
        let mut buffer = String::new();
        loop {
            let chunk = match JsFuture::from(reader.read()).await {
                Ok(chunk) => chunk,
                Err(_) if signal.aborted() => return Ok(StreamEnd::Stopped),
                Err(err) => return Err(failure(err)),
            };
            let done = js_sys::Reflect::get(&chunk, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                return Err(ApiFailure::local(
                    "network",
                    "the answer ended before it was complete",
                ));
            }
            let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
                .map_err(failure)?
                .unchecked_into();
            let text = decoder
                .decode_with_js_u8_array_and_options(&value, &options)
                .map_err(failure)?;
            buffer.push_str(&text);
            for (event, data) in take_events(&mut buffer) {
                match event.as_str() {
                    "delta" => {
                        if let Ok(delta) = serde_json::from_str::<StreamDelta>(&data) {
                            on_piece(StreamPiece::Delta(delta.content));
                        }
                    }
                    "tool_call" => {
                        if let Ok(event) = serde_json::from_str::<StreamToolCall>(&data) {
                            on_piece(StreamPiece::ToolCall(event.call));
                        }
                    }
                    "done" => {
                        let done: StreamDone = serde_json::from_str(&data).map_err(|err| {
                            ApiFailure::local("client", format!("unexpected answer: {err}"))
                        })?;
                        let _ = reader.cancel();
                        return Ok(StreamEnd::Done(done.message));
                    }
                    "error" => {
                        let failure = ApiFailure::from_response(502, &data);
                        let message = serde_json::from_str::<serde_json::Value>(&data)
                            .ok()
                            .and_then(|v| serde_json::from_value(v["message"].clone()).ok());
                        let _ = reader.cancel();
                        return Ok(StreamEnd::Failed { failure, message });
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_as_they_complete() {
        let mut buffer = String::from(
            "event: delta\ndata: {\"content\":\"a\"}\n\n:keep-alive\n\nevent: done\ndata: {\"x\"",
        );
        let events = take_events(&mut buffer);
        assert_eq!(
            events,
            [("delta".to_owned(), "{\"content\":\"a\"}".to_owned())]
        );
        buffer.push_str(":1}\n\n");
        assert_eq!(
            take_events(&mut buffer),
            [("done".to_owned(), "{\"x\":1}".to_owned())]
        );
        assert!(buffer.is_empty());
    }
}

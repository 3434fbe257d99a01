//! The upload zone: files chosen with the file input or dropped onto the zone (one
//! or several) are sent at once as one multipart form; afterwards it lists what was
//! added, what the collection had already, and what was refused and why.

use leptos::{ev, prelude::*};

use crate::knowledge_api::UploadResult;

/// What the file input offers (the server decides by content anyway).
const ACCEPT: &str = ".pdf,.docx,.md,.markdown,.html,.htm,.csv,.txt";

/// The outcome of the last upload (only the browser uploads).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Outcome {
    Done(UploadResult),
    /// Nothing was taken in (or the request failed): the server's message.
    Refused(String),
}

/// Above the document list of a collection the user may manage; `on_uploaded` runs
/// after files were taken in.
#[component]
pub fn UploadZone(collection_id: String, on_uploaded: Callback<()>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    // Drag events fire for every child the pointer crosses: count them, so the zone
    // stays highlighted until the pointer leaves it.
    let drag_depth = RwSignal::new(0_i32);
    let dragging = Memo::new(move |_| drag_depth.get() > 0);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let collection_id = StoredValue::new(collection_id);
    // On the server nothing is sent.
    #[cfg(not(feature = "hydrate"))]
    let _ = (collection_id, on_uploaded);

    #[cfg(feature = "hydrate")]
    let send = move |files: Vec<web_sys::File>| {
        if files.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let answer = match multipart(&collection_id.get_value(), &files) {
                Ok(form) => {
                    crate::http::send_form::<UploadResult>(
                        "POST",
                        &format!("{}/documents", super::API),
                        &form,
                    )
                    .await
                }
                Err(failure) => Err(failure),
            };
            let taken = answer.is_ok();
            outcome.try_set(Some(match answer {
                Ok(result) => Outcome::Done(result),
                Err(err) => Outcome::Refused(err.message),
            }));
            busy.try_set(false);
            if let Some(input) = file_input.get_untracked() {
                // The same files may be chosen again.
                input.set_value("");
            }
            if taken {
                on_uploaded.run(());
            }
        });
    };

    let on_change = move |_: ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(files) = file_input.get_untracked().and_then(|input| input.files()) {
            send(file_list(&files));
        }
    };
    let on_dragenter = move |ev: ev::DragEvent| {
        ev.prevent_default();
        drag_depth.update(|d| *d += 1);
    };
    let on_dragover = move |ev: ev::DragEvent| {
        // Without this the browser opens the dropped file instead.
        ev.prevent_default();
    };
    let on_dragleave = move |_: ev::DragEvent| drag_depth.update(|d| *d = (*d - 1).max(0));
    let on_drop = move |ev: ev::DragEvent| {
        ev.prevent_default();
        drag_depth.set(0);
        #[cfg(feature = "hydrate")]
        if let Some(files) = ev.data_transfer().and_then(|data| data.files()) {
            send(file_list(&files));
        }
    };
    view! {
        <section
            class="kb-upload"
            class:kb-upload-dragging=dragging
            aria-labelledby="kb-upload-title"
            data-zone="upload"
            on:dragenter=on_dragenter
            on:dragover=on_dragover
            on:dragleave=on_dragleave
            on:drop=on_drop
        >
            <h3 id="kb-upload-title">"Add documents"</h3>
            <p class="kb-muted">
                "Drop files here, or choose them: PDF, Word (.docx), Markdown, HTML, CSV or plain text, up to 20 MB each."
            </p>
            <label class="field kb-upload-input">
                <span>"Files to upload"</span>
                <input
                    type="file"
                    name="file"
                    multiple
                    accept=ACCEPT
                    node_ref=file_input
                    disabled=move || busy.get()
                    on:change=on_change
                />
            </label>
            <Show when=move || busy.get()>
                <p class="loading" role="status" data-state="uploading">"Uploading…"</p>
            </Show>
            {move || outcome.get().map(|outcome| view! { <OutcomeView outcome /> })}
        </section>
    }
}

/// What the last upload did.
#[component]
fn OutcomeView(outcome: Outcome) -> impl IntoView {
    match outcome {
        Outcome::Refused(message) => view! {
            <p class="form-error" role="alert" data-state="upload-refused">"Nothing was added: " {message}</p>
        }
        .into_any(),
        Outcome::Done(result) => {
            let added = result.documents.iter().filter(|d| !d.duplicate).count();
            let summary = match added {
                0 => "No new document.".to_owned(),
                1 => "Added 1 document; it is being processed.".to_owned(),
                n => format!("Added {n} documents; they are being processed."),
            };
            let duplicates: Vec<String> = result
                .documents
                .into_iter()
                .filter(|d| d.duplicate)
                .map(|d| d.document.filename)
                .collect();
            view! {
                <div class="kb-upload-outcome" role="status" data-state="uploaded">
                    <p>{summary}</p>
                    {(!duplicates.is_empty()).then(|| view! {
                        <ul class="compact-list" data-list="duplicates">
                            {duplicates.into_iter().map(|name| {
                                let file = name.clone();
                                view! {
                                    <li data-file=file><strong>{name}</strong>": already in this collection"</li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    {(!result.rejected.is_empty()).then(|| view! {
                        <p class="form-error">"Not added:"</p>
                        <ul class="compact-list kb-rejected" data-list="rejected">
                            {result.rejected.into_iter().map(|file| {
                                let name = file.filename.clone();
                                view! {
                                    <li data-file=name><strong>{file.filename}</strong>": " {file.error}</li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

/// The files of a `FileList`, in order.
#[cfg(feature = "hydrate")]
fn file_list(files: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..files.length()).filter_map(|i| files.get(i)).collect()
}

/// The upload's form: `collection_id` first (the server reads it before the files),
/// then one `file` part per file.
#[cfg(feature = "hydrate")]
fn multipart(
    collection_id: &str,
    files: &[web_sys::File],
) -> Result<web_sys::FormData, crate::http::ApiFailure> {
    let failed = |_| crate::http::ApiFailure::local("client", "cannot build the upload form");
    let form = web_sys::FormData::new().map_err(failed)?;
    form.append_with_str("collection_id", collection_id)
        .map_err(failed)?;
    for file in files {
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed)?;
    }
    Ok(form)
}

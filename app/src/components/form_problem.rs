//! What the server refused in a form, shown where it belongs: under the field that
//! `ApiFailure::field` names, or above the form when it names none of the form's
//! fields. (The browser checks `required`, lengths and types before sending; the
//! server checks everything again, and this shows what only it can know.)

use leptos::prelude::*;

use crate::http::ApiFailure;

/// The refusal a form's last submission met, if any, and the fields that show their
/// own.
#[derive(Clone, Copy)]
pub struct FormProblem {
    failure: RwSignal<Option<ApiFailure>>,
    fields: &'static [&'static str],
}

impl FormProblem {
    /// No problem yet, for a form with these fields (named as the API names them).
    pub fn new(fields: &'static [&'static str]) -> Self {
        Self {
            failure: RwSignal::new(None),
            fields,
        }
    }

    /// Shows `failure`, or clears it with `None`. A no-op once the form is gone.
    pub fn set(self, failure: Option<ApiFailure>) {
        self.failure.try_set(failure);
    }

    /// The message of the problem with `field`, if that is what the server named.
    fn about(self, field: &str) -> Option<String> {
        self.failure.with(|failure| {
            failure
                .as_ref()
                .filter(|f| f.field.as_deref() == Some(field))
                .map(|f| f.message.clone())
        })
    }

    /// `aria-invalid` for `field`'s input: set while the server's problem names it.
    pub fn invalid(self, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
        move || self.about(field).map(|_| "true")
    }
}

/// Above the form: the problem, when it names none of the form's fields.
#[component]
pub fn FormAlert(problem: FormProblem) -> impl IntoView {
    move || {
        problem.failure.with(|failure| {
            failure
                .as_ref()
                .filter(|f| {
                    !f.field
                        .as_deref()
                        .is_some_and(|x| problem.fields.contains(&x))
                })
                .map(|f| view! { <p class="form-error" role="alert">{f.message.clone()}</p> })
        })
    }
}

/// Under `field`'s input: the problem, when it names that field.
#[component]
pub fn FieldAlert(problem: FormProblem, field: &'static str) -> impl IntoView {
    move || {
        problem.about(field).map(|message| {
            view! { <span class="field-error" role="alert" data-field-error=field>{message}</span> }
        })
    }
}

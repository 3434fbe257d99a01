//! Light and dark themes: which one the visitor chose, and switching between them.
//!
//! The choice lives in a cookie so that the server renders the right theme in the
//! first HTML (no flash); without one, the stylesheet follows the system setting.

/// Name of the cookie holding the visitor's theme.
pub const THEME_COOKIE: &str = "gantry_theme";

/// A colour theme of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// The value used in the cookie and in `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses [`Theme::as_str`]'s output.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The other theme.
    pub fn toggled(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// Finds the theme in a `Cookie` request header.
pub fn theme_from_cookie_header(header: &str) -> Option<Theme> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == THEME_COOKIE)
        .and_then(|(_, value)| Theme::parse(value.trim()))
}

/// The theme the visitor chose, if any: from the request's cookie on the server, from
/// the rendered `<html data-theme>` in the browser (so both agree while hydrating).
pub fn requested_theme() -> Option<Theme> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::COOKIE)?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .and_then(|cookies| theme_from_cookie_header(&cookies))
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|root| root.get_attribute("data-theme"))
            .and_then(|value| Theme::parse(&value))
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        None
    }
}

/// The theme the browser shows when the visitor chose none (the system setting).
#[cfg(feature = "hydrate")]
pub fn system_theme() -> Theme {
    let prefers_dark = leptos::prelude::window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    if prefers_dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// Shows `theme` now, remembers it (in this browser and with the account), and
/// tells mounted modules.
#[cfg(feature = "hydrate")]
pub fn choose(state: leptos::prelude::RwSignal<Option<Theme>>, theme: Theme) {
    use leptos::prelude::Set;

    apply_theme(theme);
    state.set(Some(theme));
    leptos::task::spawn_local(async move {
        let update = crate::account::ThemeUpdate {
            theme: Some(theme.as_str().into()),
        };
        // Development users have no account to keep it in; the cookie still does.
        if let Err(err) = crate::http::send_only("PUT", "/api/me/theme", &update).await {
            if err.code != "no_account" {
                leptos::logging::warn!("cannot store the theme with the account: {err}");
            }
        }
    });
    let detail = serde_wasm_bindgen::to_value(&gantry_sdk::ThemeChange {
        theme: theme.as_str().into(),
    })
    .unwrap_or_default();
    crate::browser::bus::broadcast("theme", &detail);
}

/// Shows `theme` now and remembers it for a year.
#[cfg(feature = "hydrate")]
fn apply_theme(theme: Theme) {
    use wasm_bindgen::JsCast;

    let document = leptos::prelude::document();
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    if let Ok(html_document) = document.dyn_into::<web_sys::HtmlDocument>() {
        let cookie = format!(
            "{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            theme.as_str()
        );
        let _ = html_document.set_cookie(&cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_theme_among_other_cookies() {
        assert_eq!(
            theme_from_cookie_header("a=1; gantry_theme=dark; b=2"),
            Some(Theme::Dark)
        );
        assert_eq!(
            theme_from_cookie_header("gantry_theme=light"),
            Some(Theme::Light)
        );
    }

    #[test]
    fn ignores_missing_or_unknown_values() {
        assert_eq!(theme_from_cookie_header(""), None);
        assert_eq!(theme_from_cookie_header("gantry_theme=purple"), None);
        assert_eq!(theme_from_cookie_header("xgantry_theme=dark"), None);
    }
}

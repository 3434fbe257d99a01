//! The frontend's built files (`frontend/dist`, made by `cargo xtask`), inside the
//! binary, so that a release binary copied elsewhere still serves them.

use std::borrow::Cow;

#[derive(rust_embed::RustEmbed)]
#[folder = "frontend/dist"]
#[allow_missing = true]
struct Dist;

/// Each file under `frontend/dist`, by its path there.
pub fn files() -> Vec<(String, Cow<'static, [u8]>)> {
    Dist::iter()
        .filter_map(|path| {
            let file = Dist::get(&path)?;
            Some((path.into_owned(), file.data))
        })
        .collect()
}

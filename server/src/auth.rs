//! Who is asking: the host's auth middleware puts the signed-in user into every
//! request's extensions, where `CurrentUser` and `RequireAdmin` find it.
//!
//! Until accounts exist, the user comes from a trusted development setting
//! (`--dev-user`); without it every request is anonymous.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use gantry_sdk::CurrentUser;

/// How requests are authenticated.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// The user every request is made as, when set.
    pub dev_user: Option<CurrentUser>,
}

/// Which development user to act as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DevUser {
    /// An administrator.
    Admin,
    /// A user without admin rights.
    User,
}

impl DevUser {
    /// The user this setting stands for.
    pub fn user(self) -> CurrentUser {
        let (id, name, is_admin) = match self {
            DevUser::Admin => ("dev-admin", "Admin (development)", true),
            DevUser::User => ("dev-user", "User (development)", false),
        };
        CurrentUser {
            id: id.into(),
            name: name.into(),
            is_admin,
        }
    }
}

/// Middleware: attaches the request's user, if any.
pub async fn attach_user(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    if let Some(user) = &auth.dev_user {
        request.extensions_mut().insert(user.clone());
    }
    next.run(request).await
}

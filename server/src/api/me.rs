//! `/api/me`: the signed-in user's own account, for the Settings page.

use app::account::{PasswordChange, Profile, ProfileUpdate, ThemeUpdate};
use axum::{extract::State, http::HeaderMap, response::IntoResponse};
use gantry_sdk::{ApiError, CurrentUser, Json};

use super::auth::{session_cookie, set_cookie};
use crate::{
    accounts::{self, Acting, SessionCache},
    db::Db,
};

/// `GET /api/me`.
pub async fn get_profile(State(db): State<Db>, me: CurrentUser) -> Result<Json<Profile>, ApiError> {
    Ok(Json(accounts::profile(&db, &me).await?))
}

/// `PUT /api/me/profile`: the display name.
pub async fn update_profile(
    State(db): State<Db>,
    State(sessions): State<SessionCache>,
    me: CurrentUser,
    acting: Acting,
    Json(update): Json<ProfileUpdate>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(
        accounts::update_profile(&db, &sessions, &me, &update, &acting).await?,
    ))
}

/// `PUT /api/me/theme`: the theme preference, applied at every sign-in.
pub async fn set_theme(
    State(db): State<Db>,
    me: CurrentUser,
    acting: Acting,
    Json(update): Json<ThemeUpdate>,
) -> Result<axum::http::StatusCode, ApiError> {
    accounts::set_theme(&db, &me, update.theme.as_deref(), &acting).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /api/me/password`: needs the current password; ends every session of the
/// account and sets a new session cookie for this browser.
pub async fn change_password(
    State(db): State<Db>,
    State(sessions): State<SessionCache>,
    State(auth): State<crate::auth::Auth>,
    me: CurrentUser,
    acting: Acting,
    headers: HeaderMap,
    Json(change): Json<PasswordChange>,
) -> Result<axum::response::Response, ApiError> {
    let token = accounts::change_password(&db, &sessions, &me, &change, &acting).await?;
    let mut res = axum::http::StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut res, &session_cookie(&token, &headers, &auth));
    Ok(res)
}

//! `/api/me/tokens`: the signed-in user's personal API tokens, for Settings → API
//! tokens.

use app::account::{ApiToken, CreatedApiToken, NewApiToken};
use axum::{extract::State, http::StatusCode};
use gantry_sdk::{ApiError, CurrentUser, Json, Path};

use crate::{
    accounts::{api_tokens, Acting, SessionCache},
    db::Db,
};

/// `GET /api/me/tokens`: never the tokens themselves.
pub async fn list_tokens(
    State(db): State<Db>,
    me: CurrentUser,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(api_tokens::list(&db, &me).await?))
}

/// `POST /api/me/tokens`: the answer is the only time the token is shown.
pub async fn create_token(
    State(db): State<Db>,
    me: CurrentUser,
    acting: Acting,
    Json(new): Json<NewApiToken>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    let created = api_tokens::create(&db, &me, &new, &acting).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/me/tokens/{id}`.
pub async fn revoke_token(
    State(db): State<Db>,
    State(sessions): State<SessionCache>,
    me: CurrentUser,
    acting: Acting,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    api_tokens::revoke(&db, &sessions, &me, &id, &acting).await?;
    Ok(StatusCode::NO_CONTENT)
}

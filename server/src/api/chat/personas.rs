//! `/api/personas` (a user's own, plus the shared ones listed) and
//! `/api/admin/personas` (the shared ones, administrators only).

use app::chat_api::{Persona, PersonaInput, PersonaList};
use axum::{extract::State, http::StatusCode};
use gantry_sdk::{ApiError, CurrentUser, Json, Path, RequireAdmin};

use crate::{
    chat::personas::{self, Owner},
    db::Db,
};

/// `GET /api/personas`: the user's own and the shared ones.
pub async fn list_personas(
    State(db): State<Db>,
    user: CurrentUser,
) -> Result<Json<PersonaList>, ApiError> {
    Ok(Json(PersonaList {
        personas: personas::list_usable(&db, &user.id).await?,
    }))
}

/// `POST /api/personas`.
pub async fn create_persona(
    State(db): State<Db>,
    user: CurrentUser,
    Json(input): Json<PersonaInput>,
) -> Result<(StatusCode, Json<Persona>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(personas::create(&db, Owner::User(&user.id), &input).await?),
    ))
}

/// `PUT /api/personas/{id}`: one of the user's own.
pub async fn update_persona(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<PersonaInput>,
) -> Result<Json<Persona>, ApiError> {
    Ok(Json(
        personas::update(&db, Owner::User(&user.id), &id, &input).await?,
    ))
}

/// `DELETE /api/personas/{id}`: one of the user's own.
pub async fn delete_persona(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    personas::delete(&db, Owner::User(&user.id), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/personas`: the shared ones.
pub async fn list_shared_personas(
    State(db): State<Db>,
    _admin: RequireAdmin,
) -> Result<Json<PersonaList>, ApiError> {
    Ok(Json(PersonaList {
        personas: personas::list_shared(&db).await?,
    }))
}

/// `POST /api/admin/personas`: a persona everyone may pick.
pub async fn create_shared_persona(
    State(db): State<Db>,
    _admin: RequireAdmin,
    Json(input): Json<PersonaInput>,
) -> Result<(StatusCode, Json<Persona>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(personas::create(&db, Owner::Shared, &input).await?),
    ))
}

/// `PUT /api/admin/personas/{id}`.
pub async fn update_shared_persona(
    State(db): State<Db>,
    _admin: RequireAdmin,
    Path(id): Path<String>,
    Json(input): Json<PersonaInput>,
) -> Result<Json<Persona>, ApiError> {
    Ok(Json(
        personas::update(&db, Owner::Shared, &id, &input).await?,
    ))
}

/// `DELETE /api/admin/personas/{id}`.
pub async fn delete_shared_persona(
    State(db): State<Db>,
    _admin: RequireAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    personas::delete(&db, Owner::Shared, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The HTTP status of a conversation's page: `/c/<id>` of a conversation that is
//! not the user's (or not there) is rendered as usual, where the page shows its
//! not-found state, but answers 404.

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode},
    middleware::Next,
    response::Response,
};
use gantry_sdk::CurrentUser;

use super::{conversations, error::ChatError};
use crate::db::Db;

/// Middleware: 404 for the page of a conversation the signed-in user does not have.
pub async fn conversation_page_status(
    State(db): State<Db>,
    request: Request,
    next: Next,
) -> Response {
    let missing = match (
        request.method() == Method::GET,
        request.uri().path().strip_prefix("/c/"),
        request.extensions().get::<CurrentUser>(),
    ) {
        (true, Some(id), Some(user)) if !id.is_empty() && !id.contains('/') => matches!(
            conversations::get(&db, &user.id, id).await,
            Err(ChatError::ConversationNotFound(_))
        ),
        _ => false,
    };
    let mut res = next.run(request).await;
    if missing && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NOT_FOUND;
    }
    res
}

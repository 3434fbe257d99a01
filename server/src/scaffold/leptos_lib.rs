//! {{display}}: a compiled-in Gantry module. The host links it when `server/Cargo.toml`
//! depends on this crate; its frontend (`frontend/`) is Leptos compiled to WASM.

use serde::{Deserialize, Serialize};

/// An item, as the API sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub title: String,
}

/// A new item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewItem {
    pub title: String,
}

#[cfg(feature = "server")]
pub use server::module;

#[cfg(feature = "server")]
mod server {
    use gantry_sdk::{prelude::*, Migrations};
    use sqlx::Row;

    use super::{Item, NewItem};

    /// The module: a page with one tab, its API and its table.
    pub fn module() -> Module {
        Module::builder("{{name}}", env!("CARGO_PKG_VERSION"))
            .display_name("{{display}}")
            .description("Items with a title")
            .root(concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/dist"))
            .bundle("{{lib}}.js")
            .static_dir("static")
            .router(Router::new().route("/items", get(list).post(create)))
            .migrations(Migrations::per_dialect(
                sqlx::migrate!("./migrations/sqlite"),
                sqlx::migrate!("./migrations/postgres"),
            ))
            .nav_item(NavItem::new("{{name}}", "{{display}}", "/{{name}}").order(30))
            .tab(Tab::new("items", "Items", "Items"))
            .build()
    }

    /// `GET /api/modules/{{name}}/items`.
    async fn list(
        State(ctx): State<ModuleContext>,
        _user: CurrentUser,
    ) -> Result<Json<Vec<Item>>, ApiError> {
        let rows = sqlx::query("SELECT id, title FROM {{table}}_items ORDER BY id")
            .fetch_all(&ctx.db)
            .await
            .map_err(ApiError::internal)?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(Item {
                    id: row.try_get("id")?,
                    title: row.try_get("title")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(ApiError::internal)?;
        Ok(Json(items))
    }

    /// `POST /api/modules/{{name}}/items`.
    async fn create(
        State(ctx): State<ModuleContext>,
        _user: CurrentUser,
        Json(new): Json<NewItem>,
    ) -> Result<Json<Item>, ApiError> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(ApiError::bad_request("title is required").with_field("title"));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO {{table}}_items (title, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
        )
        .bind(title)
        .bind(now)
        .fetch_one(&ctx.db)
        .await
        .map_err(ApiError::internal)?;
        Ok(Json(Item {
            id,
            title: title.to_owned(),
        }))
    }
}

//! Which models exist: each connection's `/models`, asked at most every few seconds
//! (a cached list per connection), the models users may pick, and resolving a model
//! id (`<connection>/<model>`) to the server that runs it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::chat_api::{
    AdminModel, Connection, ConnectionStatus, ModelChoice, ModelChoices, UnavailableConnection,
};

use super::{
    connections,
    error::{ChatError, ModelServerError},
    model_client::{ModelClient, ModelServer},
};
use crate::{db::Db, secrets::Secrets};

/// How long a model list is reused.
const FRESH_FOR: Duration = Duration::from_secs(30);
/// How long a failure to list is reused (so a down server is not asked per request).
const FAILURE_FRESH_FOR: Duration = Duration::from_secs(3);

#[derive(Clone, Debug)]
struct Cached {
    at: Instant,
    base_url: String,
    models: Result<Vec<String>, ModelServerError>,
}

/// The model lists of every connection, shared by all requests.
#[derive(Clone, Debug, Default)]
pub struct ModelCatalog {
    client: ModelClient,
    cache: Arc<Mutex<HashMap<String, Cached>>>,
}

impl ModelCatalog {
    /// The client every model server is called with.
    pub fn client(&self) -> &ModelClient {
        &self.client
    }

    /// `server`'s models, from the cache when fresh.
    pub async fn models_of(&self, server: &ModelServer) -> Result<Vec<String>, ModelServerError> {
        if let Some(cached) = self.cached(server) {
            return cached;
        }
        let models = self.client.list_models(server).await;
        self.cache.lock().expect("cache lock").insert(
            server.id.clone(),
            Cached {
                at: Instant::now(),
                base_url: server.base_url.clone(),
                models: models.clone(),
            },
        );
        models
    }

    fn cached(&self, server: &ModelServer) -> Option<Result<Vec<String>, ModelServerError>> {
        let cache = self.cache.lock().expect("cache lock");
        let cached = cache.get(&server.id)?;
        let fresh_for = if cached.models.is_ok() {
            FRESH_FOR
        } else {
            FAILURE_FRESH_FOR
        };
        (cached.base_url == server.base_url && cached.at.elapsed() < fresh_for)
            .then(|| cached.models.clone())
    }

    /// Forgets `connection_id`'s list, so the next request asks the server.
    pub fn forget(&self, connection_id: &str) {
        self.cache.lock().expect("cache lock").remove(connection_id);
    }

    /// Every connection with its models (or why they could not be listed), for
    /// administrators.
    pub async fn statuses(
        &self,
        db: &Db,
        secrets: &Secrets,
    ) -> Result<Vec<ConnectionStatus>, ChatError> {
        let disabled = connections::disabled_models(db).await?;
        let default = connections::default_model(db).await?;
        let mut res = Vec::new();
        for (conn, models) in self.all_models(db, secrets).await? {
            let (reachable, error, models) = match models {
                Ok(models) => (true, None, models),
                Err(err) => (false, Some(err.to_string()), Vec::new()),
            };
            let models = models
                .into_iter()
                .map(|name| {
                    let id = model_id(&conn.name, &name);
                    AdminModel {
                        enabled: !disabled.contains(&id),
                        default: default.as_deref() == Some(id.as_str()),
                        id,
                        name,
                    }
                })
                .collect();
            res.push(ConnectionStatus {
                connection: conn,
                reachable,
                error,
                models,
            });
        }
        Ok(res)
    }

    /// The models users may pick (every listed model that is not turned off), and
    /// the connections that could not list theirs. The default is the one set, or
    /// else the first offered.
    pub async fn choices(&self, db: &Db, secrets: &Secrets) -> Result<ModelChoices, ChatError> {
        let disabled = connections::disabled_models(db).await?;
        let default = connections::default_model(db).await?;
        let mut res = Vec::new();
        let mut unavailable = Vec::new();
        for (conn, models) in self.all_models(db, secrets).await? {
            let models = match models {
                Ok(models) => models,
                Err(err) => {
                    unavailable.push(UnavailableConnection {
                        connection: conn.name.clone(),
                        error: err.to_string(),
                    });
                    continue;
                }
            };
            for name in models {
                let id = model_id(&conn.name, &name);
                if disabled.contains(&id) {
                    continue;
                }
                res.push(ModelChoice {
                    default: default.as_deref() == Some(id.as_str()),
                    id,
                    name,
                    connection: conn.name.clone(),
                });
            }
        }
        // With no default set (or the default not offered), the first model is.
        if !res.iter().any(|m| m.default) {
            if let Some(first) = res.first_mut() {
                first.default = true;
            }
        }
        Ok(ModelChoices {
            models: res,
            unavailable,
        })
    }

    /// Every connection and its model list, asked of all servers at once.
    async fn all_models(
        &self,
        db: &Db,
        secrets: &Secrets,
    ) -> Result<Vec<(Connection, Result<Vec<String>, ModelServerError>)>, ChatError> {
        let mut servers = Vec::new();
        for conn in connections::list(db).await? {
            servers.push((conn.clone(), connections::server(db, secrets, conn).await?));
        }
        let lists =
            futures::future::join_all(servers.iter().map(|(_, server)| self.models_of(server)))
                .await;
        Ok(servers
            .into_iter()
            .map(|(conn, _)| conn)
            .zip(lists)
            .collect())
    }

    /// The server and model name of `model` (`<connection>/<model>`), if users may
    /// use it. A model the server does not list (after asking it again) is unknown;
    /// when the server cannot be asked, the answer itself will say why.
    pub async fn resolve(
        &self,
        db: &Db,
        secrets: &Secrets,
        model: &str,
    ) -> Result<(ModelServer, String), ChatError> {
        let unknown = || ChatError::UnknownModel(model.to_owned());
        let (connection, name) = model.split_once('/').ok_or_else(unknown)?;
        let server = connections::server_named(db, secrets, connection)
            .await?
            .ok_or_else(unknown)?;
        if connections::disabled_models(db)
            .await?
            .iter()
            .any(|m| m == model)
        {
            return Err(unknown());
        }
        match self.models_of(&server).await {
            Ok(models) if models.iter().any(|m| m == name) => {}
            Ok(_) => {
                self.forget(&server.id);
                if let Ok(models) = self.models_of(&server).await {
                    if !models.iter().any(|m| m == name) {
                        return Err(unknown());
                    }
                }
            }
            Err(_) => {}
        }
        Ok((server, name.to_owned()))
    }
}

/// The id users see for `name` on `connection`.
pub fn model_id(connection: &str, name: &str) -> String {
    format!("{connection}/{name}")
}

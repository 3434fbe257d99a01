//! `TestApp`: the real server on an ephemeral port, stopped when dropped.

use std::{path::PathBuf, time::Duration};

use gantry_server::{
    accounts,
    auth::{Auth, DevUser},
    chat::ChatState,
    db::Db,
    modules::{self, ModuleOptions, ModuleRegistry},
    secrets::Secrets,
    serve_with, AppState, ServeLimits,
};
use tokio::sync::oneshot;

/// Whether this run's tests use PostgreSQL (`GANTRY_TEST_DATABASE_URL`) rather than
/// SQLite.
pub fn on_postgres() -> bool {
    std::env::var("GANTRY_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty())
}

/// A client that keeps cookies and shows redirects instead of following them, as a
/// browser's session would.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Where a redirect points.
pub fn location(res: &reqwest::Response) -> &str {
    res.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("a Location header")
}

/// Signed-in clients by username.
pub type People = std::collections::HashMap<String, reqwest::Client>;

/// The password [`sign_in_people`] gives everyone.
pub const PASSWORD: &str = "correct horse battery";

/// Creates an account for each `(username, role)` and signs each in on a client of
/// its own.
pub async fn sign_in_people(app: &TestApp, people: &[(&str, accounts::Role)]) -> People {
    let mut clients = People::new();
    for (name, role) in people {
        accounts::create_user(&app.db, name, name, PASSWORD, *role)
            .await
            .unwrap();
        let client = browser();
        let res = client
            .post(app.url("/api/auth/login"))
            .form(&[("username", *name), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/", "{name} signs in");
        clients.insert((*name).to_owned(), client);
    }
    clients
}

pub struct TestApp {
    pub base_url: String,
    pub db: Db,
    /// The database's URL, for a second instance on the same database.
    pub database_url: String,
    pub data_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    /// What Admin → Logs shows: fed by a subscriber the test sets up itself.
    pub logs: gantry_server::logs::LogBuffer,
    /// The instance's session cache (for account changes a test makes directly).
    pub sessions: accounts::SessionCache,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// What a `TestApp` starts with.
pub struct TestAppBuilder {
    modules: Vec<gantry_sdk::Module>,
    drop_in_dir: Option<PathBuf>,
    dev_module: Option<PathBuf>,
    dev_build: Option<(String, Option<PathBuf>)>,
    dev_user: Option<DevUser>,
    hook_timeout: Duration,
    sidecar_timeout: Option<Duration>,
    data_dir: Option<PathBuf>,
    limits: ServeLimits,
    secure_cookies: bool,
    postgres_owner: Option<String>,
    database_url: Option<String>,
    metrics: gantry_server::metrics::MetricsAccess,
    sessions: accounts::SessionCache,
}

impl TestApp {
    /// A server with no modules and anonymous requests.
    pub async fn spawn() -> Self {
        Self::builder().spawn().await
    }

    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            modules: Vec::new(),
            drop_in_dir: None,
            dev_module: None,
            dev_build: None,
            dev_user: None,
            hook_timeout: Duration::from_secs(5),
            sidecar_timeout: None,
            data_dir: None,
            postgres_owner: None,
            database_url: None,
            limits: ServeLimits::default(),
            secure_cookies: false,
            metrics: Default::default(),
            sessions: Default::default(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GET `path` and its JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.expect("JSON body"))
    }

    /// `method path` with a JSON body (or none), as a same-origin page sends it: the
    /// status and the JSON answer (the text, as a JSON string, when it is not JSON).
    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.call(&self.client, method, path, body).await
    }

    /// [`TestApp::send_json`] as the user signed in on `client`.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let body = body.map(|b| b.to_string());
        self.call_raw(client, method, path, body.as_deref()).await
    }

    /// `method path` as the user signed in on `client`, with `body` sent as it is
    /// (as JSON): the status and the answer as in [`TestApp::send_json`].
    pub async fn call_raw(
        &self,
        client: &reqwest::Client,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let mut req = client
            .request(method.parse().expect("an HTTP method"), self.url(path))
            .header("origin", &self.base_url);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    /// The actions of the audit entries starting with `prefix`, newest first, as
    /// the administrator signed in on `client` sees them.
    pub async fn audit_actions(&self, client: &reqwest::Client, prefix: &str) -> Vec<String> {
        let path = format!("/api/admin/audit?action={prefix}");
        let (status, audit) = self.call(client, "GET", &path, None).await;
        assert_eq!(status, 200, "{audit}");
        audit["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["action"].as_str().expect("an action").to_owned())
            .collect()
    }

    /// The admin status of module `name`.
    pub async fn module_status(&self, name: &str) -> serde_json::Value {
        let (status, body) = self.get_json("/api/admin/modules").await;
        assert_eq!(status, 200, "{body}");
        body.as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no module `{name}` in {body:#}"))
            .clone()
    }

    /// Asks the server to stop and waits until it has (module shutdown hooks included).
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.server.take().unwrap().await.expect("server task")
    }
}

impl TestAppBuilder {
    pub fn module(mut self, module: gantry_sdk::Module) -> Self {
        self.modules.push(module);
        self
    }

    pub fn drop_in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.drop_in_dir = Some(dir.into());
        self
    }

    /// Serves the module in `folder` in place and follows its changes (`gantry dev`).
    pub fn dev_module(mut self, folder: impl Into<PathBuf>) -> Self {
        self.dev_module = Some(folder.into());
        self
    }

    /// Runs `command` (through `sh -c`, in the module's folder) before each reading
    /// of the module under development, and follows `watch` too (`gantry dev
    /// --dev-build --dev-watch`).
    pub fn dev_build(mut self, command: &str, watch: Option<PathBuf>) -> Self {
        self.dev_build = Some((command.to_owned(), watch));
        self
    }

    /// Who may read `/metrics` (nobody by default).
    pub fn metrics(mut self, access: gantry_server::metrics::MetricsAccess) -> Self {
        self.metrics = access;
        self
    }

    pub fn dev_user(mut self, user: DevUser) -> Self {
        self.dev_user = Some(user);
        self
    }

    /// Keeps the database in `dir` (to start a server again on the same data)
    /// rather than in a fresh temp dir.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// As behind TLS: `--secure-cookies`.
    pub fn secure_cookies(mut self) -> Self {
        self.secure_cookies = true;
        self
    }

    /// Serves with these limits (time limits, connections) rather than the defaults.
    pub fn limits(mut self, limits: ServeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// On PostgreSQL: connect as `role`, not a superuser, owning the new database,
    /// as on a managed service; it may create roles when its name ends in
    /// `_createrole`.
    pub fn postgres_owner(mut self, role: &str) -> Self {
        self.postgres_owner = Some(role.to_owned());
        self
    }

    pub fn sidecar_timeout(mut self, timeout: Duration) -> Self {
        self.sidecar_timeout = Some(timeout);
        self
    }

    /// Sessions remembered in `sessions` (to choose how long they are believed).
    pub fn sessions(mut self, sessions: accounts::SessionCache) -> Self {
        self.sessions = sessions;
        self
    }

    /// An instance on the database at `url` (a restart, or a second instance).
    pub fn database(mut self, url: &str) -> Self {
        self.database_url = Some(url.to_owned());
        self
    }

    pub fn hook_timeout(mut self, timeout: Duration) -> Self {
        self.hook_timeout = timeout;
        self
    }

    /// Connects to a SQLite file in a temp dir (or, with `GANTRY_TEST_DATABASE_URL`,
    /// a new database on that PostgreSQL server), migrates, loads the modules and
    /// serves the app on 127.0.0.1:0.
    pub async fn spawn(self) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let db_dir = self
            .data_dir
            .clone()
            .unwrap_or_else(|| data_dir.path().to_owned());
        let url = if let Some(url) = self.database_url.clone() {
            url
        } else if on_postgres() {
            fresh_postgres_database(
                &std::env::var("GANTRY_TEST_DATABASE_URL").unwrap(),
                self.postgres_owner.as_deref(),
            )
            .await
        } else {
            format!("sqlite://{}/gantry.db", db_dir.display())
        };
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let secrets = Secrets::load(&db_dir).expect("the secret key");
        let mut options = ModuleOptions::new(self.drop_in_dir);
        options.dev_module = self.dev_module;
        options.dev_build = self
            .dev_build
            .map(|(command, watch)| modules::dev_loop::FrontendBuild { command, watch });
        options.secrets = secrets.clone();
        options.hook_timeout = self.hook_timeout;
        if let Some(timeout) = self.sidecar_timeout {
            options.sidecar_timeout = timeout;
        }
        let registry: ModuleRegistry = modules::load(&db, &options, self.modules).await;
        let logs = gantry_server::logs::LogBuffer::default();
        let state = AppState::new(db.clone(), &data_dir.path().join("site"))
            .with_logs(logs.clone())
            .with_metrics(gantry_server::metrics::Metrics::new(self.metrics.clone()))
            .with_modules(registry)
            .with_sessions(self.sessions.clone())
            .with_chat(ChatState::new(secrets))
            .with_auth(Auth {
                dev_user: self.dev_user.map(DevUser::user),
                trust_forwarded_for: false,
                secure_cookies: self.secure_cookies,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve_with(
            listener,
            state,
            async {
                let _ = stopped.await;
            },
            self.limits,
        ));
        TestApp {
            base_url,
            db,
            database_url: url,
            data_dir,
            client: reqwest::Client::new(),
            logs,
            sessions: self.sessions,
            stop: Some(stop),
            server: Some(server),
        }
    }
}

/// A new, empty database on the PostgreSQL server `server_url` (a URL naming any
/// database on it, such as `…/postgres`), owned by `owner` when given (a plain
/// login made for it); its URL, with that owner as the user.
async fn fresh_postgres_database(server_url: &str, owner: Option<&str>) -> String {
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(server_url)
        .await
        .expect("connect to GANTRY_TEST_DATABASE_URL");
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).unwrap();
    let name = format!(
        "gantry_test_{}",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    if let Some(owner) = owner {
        // Made once per server; later tests find it there.
        // A name ending in `_createrole` may create roles.
        let rights = if owner.ends_with("_createrole") {
            " CREATEROLE"
        } else {
            ""
        };
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE \"{owner}\" LOGIN{rights}"
        )))
        .execute(&admin)
        .await;
    }
    let owned_by = owner.map_or_else(String::new, |o| format!(" OWNER \"{o}\""));
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name}{owned_by}"
    )))
    .execute(&admin)
    .await
    .expect("create a test database");
    admin.close().await;
    let (server, _) = server_url.rsplit_once('/').expect("a database URL");
    match (owner, server.split_once("://")) {
        (Some(owner), Some((scheme, rest))) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{owner}@{host}/{name}")
        }
        _ => format!("{server}/{name}"),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

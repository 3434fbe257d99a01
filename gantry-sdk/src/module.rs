//! The backend half of a module: what the host mounts, migrates and calls.

use std::{future::Future, path::PathBuf, pin::Pin, sync::Arc};

use axum::{extract::FromRequestParts, http::request::Parts, Router};
use sqlx::migrate::Migrator;

use crate::{ApiError, Collection, CurrentUser, ModuleManifest, NavItem, Tab};

/// Any error a hook may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An `on_startup` or `on_shutdown` hook: an async function of the module's context.
pub type Hook = Arc<
    dyn Fn(ModuleContext) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>
        + Send
        + Sync,
>;

/// The SQL dialect of the database the host runs on.
///
/// ```
/// assert_ne!(gantry_sdk::Dialect::Sqlite, gantry_sdk::Dialect::Postgres);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What the host gives a module: its name, the database and the audit trail. It is the state of the
/// module's router and the argument of its hooks.
///
/// ```no_run
/// use gantry_sdk::prelude::*;
///
/// async fn count(State(ctx): State<ModuleContext>) -> Result<String, ApiError> {
///     let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notes_items")
///         .fetch_one(&ctx.db)
///         .await
///         .map_err(ApiError::internal)?;
///     Ok(n.to_string())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct ModuleContext {
    /// The module's machine name.
    pub name: Arc<str>,
    /// The host's database pool; a module touches only tables named `<name>_…`.
    pub db: sqlx::AnyPool,
    /// Which SQL dialect `db` speaks.
    pub dialect: Dialect,
    /// The host's audit trail; entries carry the module's name.
    pub audit: crate::AuditLog,
    /// The module's declared settings, as saved in the host's forms.
    pub settings: crate::ModuleSettings,
}

impl ModuleContext {
    /// The values the host keeps for this module, instance-wide or per user (the
    /// same ones the browser reads and writes at `/api/modules/<name>/storage/…`).
    pub fn storage(&self) -> crate::ModuleStorage {
        crate::ModuleStorage::new(self.db.clone(), self.name.clone())
    }

    /// The module's declared settings (`[[settings]]`, `ModuleBuilder::setting`):
    /// instance-wide and per user, secrets decrypted, with a change notification.
    pub fn settings(&self) -> &crate::ModuleSettings {
        &self.settings
    }
}

/// A module's SQL migrations: versioned, reversible (`.up.sql` / `.down.sql`), and
/// tracked apart from the host's and other modules'.
///
/// ```no_run
/// # use gantry_sdk::Migrations;
/// // One folder whose SQL runs on SQLite and PostgreSQL alike:
/// let migrations = Migrations::portable(sqlx::migrate!("../migrations/sqlite"));
/// ```
#[derive(Debug)]
pub enum Migrations {
    /// Embedded at compile time; the same SQL for every dialect.
    Portable(Migrator),
    /// Embedded at compile time, one set per dialect.
    PerDialect {
        sqlite: Migrator,
        postgres: Migrator,
    },
    /// Read at start-up from a folder (drop-in modules): `sqlite/` and `postgres/`
    /// subfolders when the dialects differ, otherwise the folder itself.
    Dir(PathBuf),
}

impl Migrations {
    /// Embedded migrations whose SQL runs on every dialect.
    ///
    /// ```no_run
    /// let m = gantry_sdk::Migrations::portable(sqlx::migrate!("../migrations/sqlite"));
    /// # let _ = m;
    /// ```
    pub fn portable(migrator: Migrator) -> Self {
        Self::Portable(migrator)
    }

    /// Embedded migrations, one set per dialect.
    ///
    /// ```no_run
    /// let m = gantry_sdk::Migrations::per_dialect(
    ///     sqlx::migrate!("../migrations/sqlite"),
    ///     sqlx::migrate!("../migrations/postgres"),
    /// );
    /// # let _ = m;
    /// ```
    pub fn per_dialect(sqlite: Migrator, postgres: Migrator) -> Self {
        Self::PerDialect { sqlite, postgres }
    }

    /// Migrations read from a folder when the host starts.
    ///
    /// ```
    /// let m = gantry_sdk::Migrations::dir("modules/forge/migrations");
    /// # let _ = m;
    /// ```
    pub fn dir(path: impl Into<PathBuf>) -> Self {
        Self::Dir(path.into())
    }
}

/// A module: its manifest plus the backend parts the host mounts and calls.
/// Build one with [`Module::builder`].
pub struct Module {
    /// The data the host validates and the browser sees.
    pub manifest: ModuleManifest,
    /// Mounted at `manifest.router_prefix`, behind the host's auth.
    pub router: Option<Router<ModuleContext>>,
    /// Applied after the host's own migrations, at every start.
    pub migrations: Option<Migrations>,
    /// Awaited once migrations are applied (with a time limit).
    pub on_startup: Option<Hook>,
    /// Awaited on graceful shutdown.
    pub on_shutdown: Option<Hook>,
    /// The folder `frontend_bundle` and `static_dir` are relative to.
    pub root: Option<PathBuf>,
    /// A compiled-in module's files built into the binary (see
    /// [`ModuleBuilder::embedded`]), served instead of `root`'s.
    pub embedded: Option<EmbeddedFiles>,
}

/// A compiled-in module's files, built into the binary: each one's path under the
/// module's root (`/`-separated) and its bytes. `gantry serve` writes them to its
/// data dir and serves them from there, so a release binary copied to another
/// machine needs no source tree.
pub type EmbeddedFiles = fn() -> Vec<(String, std::borrow::Cow<'static, [u8]>)>;

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("manifest", &self.manifest)
            .field("router", &self.router.is_some())
            .field("migrations", &self.migrations)
            .field("on_startup", &self.on_startup.is_some())
            .field("on_shutdown", &self.on_shutdown.is_some())
            .field("root", &self.root)
            .finish()
    }
}

impl Module {
    /// Starts declaring a module called `name` at `version`; everything else is
    /// optional.
    ///
    /// ```
    /// let module = gantry_sdk::Module::builder("notes", "0.1.0").build();
    /// assert_eq!(module.manifest.display_name, "notes");
    /// ```
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ModuleBuilder {
        ModuleBuilder {
            module: Module {
                manifest: ModuleManifest::new(name, version),
                router: None,
                migrations: None,
                on_startup: None,
                on_shutdown: None,
                root: None,
                embedded: None,
            },
        }
    }
}

/// Declares a [`Module`] one capability at a time.
///
/// ```
/// use gantry_sdk::{Module, NavItem};
/// let module = Module::builder("notes", "0.1.0")
///     .display_name("Notes")
///     .nav_item(NavItem::new("notes", "Notes", "/notes"))
///     .build();
/// assert_eq!(module.manifest.nav_items.len(), 1);
/// ```
#[must_use]
pub struct ModuleBuilder {
    module: Module,
}

impl ModuleBuilder {
    /// The human name.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").display_name("Notes").build();
    /// assert_eq!(m.manifest.display_name, "Notes");
    /// ```
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.module.manifest.display_name = display_name.into();
        self
    }

    /// One sentence on what the module does.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").description("Notes").build();
    /// assert_eq!(m.manifest.description, "Notes");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.module.manifest.description = description.into();
        self
    }

    /// The module's API, mounted at `/api/modules/<name>`.
    ///
    /// ```
    /// use gantry_sdk::prelude::*;
    /// let m = Module::builder("n", "0.1.0")
    ///     .router(Router::new().route("/ping", get(|| async { "pong" })))
    ///     .build();
    /// assert!(m.router.is_some());
    /// ```
    pub fn router(mut self, router: Router<ModuleContext>) -> Self {
        self.module.router = Some(router);
        self
    }

    /// A sidebar entry.
    ///
    /// ```
    /// use gantry_sdk::{Module, NavItem};
    /// let m = Module::builder("n", "0.1.0").nav_item(NavItem::new("n", "N", "/n")).build();
    /// assert_eq!(m.manifest.nav_items[0].route, "/n");
    /// ```
    pub fn nav_item(mut self, item: NavItem) -> Self {
        self.module.manifest.nav_items.push(item);
        self
    }

    /// A collection: a table of the module the host serves as JSON at
    /// `/api/modules/<name>/collections/<collection>`.
    ///
    /// ```
    /// use gantry_sdk::{Collection, Module};
    /// let m = Module::builder("notes", "0.1.0")
    ///     .collection(Collection::new("notes", "notes_items", ["title", "body"]))
    ///     .build();
    /// assert_eq!(m.manifest.collections.len(), 1);
    /// ```
    pub fn collection(mut self, collection: Collection) -> Self {
        self.module.manifest.collections.push(collection);
        self
    }

    /// A declared setting (see [`crate::Setting`]).
    ///
    /// ```
    /// use gantry_sdk::{Module, Setting, SettingType};
    /// let m = Module::builder("n", "0.1.0")
    ///     .setting(Setting::new("api_key", "API key", SettingType::Secret))
    ///     .build();
    /// assert_eq!(m.manifest.settings[0].key, "api_key");
    /// ```
    pub fn setting(mut self, setting: crate::Setting) -> Self {
        self.module.manifest.settings.push(setting);
        self
    }

    /// A tool Chat's model may call (see [`crate::Tool`]); the module's router
    /// answers `POST /tools/<name>` unless the tool searches a collection.
    ///
    /// ```
    /// use gantry_sdk::{Module, Tool};
    /// let m = Module::builder("n", "0.1.0").tool(Tool::new("status", "The status.")).build();
    /// assert_eq!(m.manifest.tools[0].name, "status");
    /// ```
    pub fn tool(mut self, tool: crate::Tool) -> Self {
        self.module.manifest.tools.push(tool);
        self
    }

    /// A tab.
    ///
    /// ```
    /// use gantry_sdk::{Module, Tab};
    /// let m = Module::builder("n", "0.1.0").tab(Tab::new("all", "All", "All")).build();
    /// assert_eq!(m.manifest.tabs[0].id, "all");
    /// ```
    pub fn tab(mut self, tab: Tab) -> Self {
        self.module.manifest.tabs.push(tab);
        self
    }

    /// The ES-module bundle, relative to [`ModuleBuilder::root`].
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").bundle("dist/index.js").build();
    /// assert_eq!(m.manifest.frontend_bundle.as_deref(), Some("dist/index.js"));
    /// ```
    pub fn bundle(mut self, path: impl Into<String>) -> Self {
        self.module.manifest.frontend_bundle = Some(path.into());
        self
    }

    /// The folder of static files, relative to [`ModuleBuilder::root`].
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").static_dir("static").build();
    /// assert_eq!(m.manifest.static_dir.as_deref(), Some("static"));
    /// ```
    pub fn static_dir(mut self, path: impl Into<String>) -> Self {
        self.module.manifest.static_dir = Some(path.into());
        self
    }

    /// The folder the bundle and static files are in; for a crate, pass
    /// `env!("CARGO_MANIFEST_DIR")`.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").root(env!("CARGO_MANIFEST_DIR")).build();
    /// assert!(m.root.is_some());
    /// ```
    pub fn root(mut self, root: impl Into<PathBuf>) -> Self {
        self.module.root = Some(root.into());
        self
    }

    /// The module's files under its root, built into the binary (with a crate such
    /// as `rust-embed`), so that a release binary serves its bundle and static files
    /// without the source tree: `gantry serve` writes them to its data dir and
    /// serves them from there instead of [`Self::root`].
    ///
    /// ```
    /// fn files() -> Vec<(String, std::borrow::Cow<'static, [u8]>)> {
    ///     vec![("bundle.js".into(), b"export {};".as_slice().into())]
    /// }
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").embedded(files).build();
    /// assert_eq!((m.embedded.unwrap())().len(), 1);
    /// ```
    pub fn embedded(mut self, files: EmbeddedFiles) -> Self {
        self.module.embedded = Some(files);
        self
    }

    /// The Gantry versions the module supports, as a semver range.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").host_version(">=0.1, <0.3").build();
    /// assert_eq!(m.manifest.host_version.as_deref(), Some(">=0.1, <0.3"));
    /// ```
    pub fn host_version(mut self, range: impl Into<String>) -> Self {
        self.module.manifest.host_version = Some(range.into());
        self
    }

    /// Another module this one needs, with the semver range of its versions that
    /// will do; the host starts it first and refuses this module without it.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").depends("overlord", ">=0.1, <0.2").build();
    /// assert_eq!(m.manifest.depends["overlord"], ">=0.1, <0.2");
    /// ```
    pub fn depends(mut self, module: impl Into<String>, range: impl Into<String>) -> Self {
        self.module
            .manifest
            .depends
            .insert(module.into(), range.into());
        self
    }

    /// The module's SQL migrations.
    ///
    /// ```
    /// use gantry_sdk::{Migrations, Module};
    /// let m = Module::builder("n", "0.1.0").migrations(Migrations::dir("migrations")).build();
    /// assert!(m.migrations.is_some());
    /// ```
    pub fn migrations(mut self, migrations: Migrations) -> Self {
        self.module.migrations = Some(migrations);
        self
    }

    /// Runs once the module's migrations are applied, before the host serves.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0")
    ///     .on_startup(|ctx| async move {
    ///         tracing::info!("{} starting", ctx.name);
    ///         Ok::<_, std::io::Error>(())
    ///     })
    ///     .build();
    /// assert!(m.on_startup.is_some());
    /// ```
    pub fn on_startup<F, Fut, E>(mut self, hook: F) -> Self
    where
        F: Fn(ModuleContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.module.on_startup = Some(into_hook(hook));
        self
    }

    /// Runs on graceful shutdown.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0")
    ///     .on_shutdown(|_ctx| async { Ok::<_, std::io::Error>(()) })
    ///     .build();
    /// assert!(m.on_shutdown.is_some());
    /// ```
    pub fn on_shutdown<F, Fut, E>(mut self, hook: F) -> Self
    where
        F: Fn(ModuleContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.module.on_shutdown = Some(into_hook(hook));
        self
    }

    /// The finished module; the host validates it when it registers it.
    ///
    /// ```
    /// let m = gantry_sdk::Module::builder("n", "0.1.0").build();
    /// assert_eq!(m.manifest.version, "0.1.0");
    /// ```
    pub fn build(self) -> Module {
        self.module
    }
}

fn into_hook<F, Fut, E>(hook: F) -> Hook
where
    F: Fn(ModuleContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError>,
{
    Arc::new(move |ctx| {
        let fut = hook(ctx);
        Box::pin(async move { fut.await.map_err(Into::into) })
    })
}

/// The signed-in user, put into request extensions by the host's auth middleware.
/// A handler that takes it answers 401 to anonymous requests.
impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(ApiError::unauthenticated)
    }
}

/// An extractor that admits administrators only: 401 when signed out, 403 for
/// other users.
///
/// ```
/// use gantry_sdk::prelude::*;
///
/// async fn purge(RequireAdmin(admin): RequireAdmin) -> String {
///     format!("purged by {}", admin.name)
/// }
/// let router: Router<ModuleContext> = Router::new().route("/purge", post(purge));
/// # let _ = router;
/// ```
#[derive(Clone, Debug)]
pub struct RequireAdmin(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for RequireAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.is_admin {
            Ok(Self(user))
        } else {
            Err(ApiError::forbidden("administrators only"))
        }
    }
}

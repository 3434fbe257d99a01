//! Loading a module's bundle in a real browser: a headless Chromium opens a page of
//! a small server this check starts on 127.0.0.1, which serves the bundle and the
//! static folder at the paths the host uses and under the host's script policy; the
//! page imports the bundle as the host does, then posts back what it registered (or
//! the error `import()` gave).

use std::{
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::{anyhow, Context, Result};
use axum::{
    body::Bytes,
    extract::{Request, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::Deserialize;
use tokio::sync::oneshot;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::modules::dispatch::resolve_static;

/// How long the page may take to import the bundle and report.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);
/// Browsers looked for on `PATH` when none is named.
const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome", "chrome"];

/// What a module's bundle is and where its files are.
pub struct BundleFiles<'a> {
    pub module: &'a str,
    /// The bundle file itself.
    pub bundle: PathBuf,
    /// The module's static folder, served at `/modules/<name>/static/`.
    pub static_dir: Option<PathBuf>,
}

/// What the page saw once `import()` of the bundle settled.
#[derive(Debug, Deserialize)]
pub struct Loaded {
    /// The error `import()` rejected with (a syntax error, a failed fetch, a throw).
    pub error: Option<String>,
    /// The names registered in `window.__GANTRY_MODULES__`.
    #[serde(default)]
    pub registered: Vec<String>,
    /// The module's own entry, if it registered.
    pub entry: Option<Entry>,
}

/// A registry entry as the host reads it.
#[derive(Debug, Deserialize)]
pub struct Entry {
    /// `abi`, as JSON (`null` when missing).
    pub abi: serde_json::Value,
    /// The keys of `components`.
    pub components: Vec<String>,
}

/// The browser to load bundles in: `explicit` when given, else the first Chromium on
/// `PATH`.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

struct Served {
    files: OwnedFiles,
    nonce: String,
    report: Mutex<Option<oneshot::Sender<Loaded>>>,
}

struct OwnedFiles {
    module: String,
    bundle: PathBuf,
    static_dir: Option<PathBuf>,
}

/// Imports the bundle in `browser` (headless) and returns what it registered.
pub async fn load(browser: &Path, files: &BundleFiles<'_>) -> Result<Loaded> {
    let (report, reported) = oneshot::channel();
    let served = Arc::new(Served {
        files: OwnedFiles {
            module: files.module.to_owned(),
            bundle: files.bundle.clone(),
            static_dir: files
                .static_dir
                .as_ref()
                .and_then(|dir| dir.canonicalize().ok()),
        },
        nonce: crate::security::nonce(),
        report: Mutex::new(Some(report)),
    });
    let router = Router::new()
        .route("/check", get(page))
        .route("/report", post(take_report))
        .route("/api/modules/{name}/bundle.js", get(bundle))
        .route("/modules/{name}/static/{*rest}", get(static_file))
        .with_state(served);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot listen on 127.0.0.1 for the browser check")?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let profile = std::env::temp_dir().join(format!(
        "gantry-check-browser-{}-{}",
        std::process::id(),
        crate::accounts::random_hex(4)
    ));
    let child = Command::new(browser)
        // Its own process group, so that its helper processes are stopped with it.
        .process_group(0)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("http://{addr}/check"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start the browser {}", browser.display()));
    let result = match child {
        Ok(child) => {
            let _running = Running(child);
            match tokio::time::timeout(LOAD_TIMEOUT, reported).await {
                Ok(Ok(loaded)) => Ok(loaded),
                Ok(Err(_)) => Err(anyhow!("the check page closed without a report")),
                Err(_) => Err(anyhow!(
                    "the browser did not finish loading the bundle within {} s",
                    LOAD_TIMEOUT.as_secs()
                )),
            }
        }
        Err(err) => Err(err),
    };
    server.abort();
    let _ = std::fs::remove_dir_all(&profile);
    result
}

/// Kills the browser and every helper process it started (its process group) when
/// the check is done with it; helpers left running would keep writing to the
/// profile folder after it is removed.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The page that imports the bundle as the host does and reports what it found.
async fn page(State(served): State<Arc<Served>>) -> Response {
    let module = serde_json::to_string(&served.files.module).unwrap_or_default();
    let nonce = &served.nonce;
    let script = format!(
        r#"
const report = (found) => fetch("/report", {{ method: "POST", headers: {{ "content-type": "application/json" }}, body: JSON.stringify(found) }});
const name = {module};
try {{
  await import(`/api/modules/${{encodeURIComponent(name)}}/bundle.js`);
  const registry = window.__GANTRY_MODULES__ ?? {{}};
  const entry = registry[name];
  await report({{
    registered: Object.keys(registry),
    entry: entry ? {{ abi: entry.abi ?? null, components: Object.keys(entry.components ?? {{}}) }} : null,
  }});
}} catch (error) {{
  await report({{ error: String(error && error.message ? `${{error.name}}: ${{error.message}}` : error) }});
}}
"#
    );
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>gantry module check</title>\
         <script type=module nonce=\"{nonce}\">{script}</script>"
    );
    // The host's script policy, so that what it would refuse fails here too.
    let policy = crate::security::content_security_policy(nonce, "");
    ([(header::CONTENT_SECURITY_POLICY, policy)], Html(html)).into_response()
}

async fn take_report(State(served): State<Arc<Served>>, body: Bytes) -> StatusCode {
    let loaded = serde_json::from_slice::<Loaded>(&body).unwrap_or_else(|err| Loaded {
        error: Some(format!("the check page sent an unreadable report: {err}")),
        registered: Vec::new(),
        entry: None,
    });
    if let Some(report) = served.report.lock().ok().and_then(|mut r| r.take()) {
        let _ = report.send(loaded);
    }
    StatusCode::NO_CONTENT
}

async fn bundle(State(served): State<Arc<Served>>, request: Request) -> Response {
    serve(&served.files.bundle, request).await
}

async fn static_file(
    State(served): State<Arc<Served>>,
    axum::extract::Path((_, rest)): axum::extract::Path<(String, String)>,
    request: Request,
) -> Response {
    match served
        .files
        .static_dir
        .as_deref()
        .and_then(|dir| resolve_static(dir, &rest))
    {
        Some(file) => serve(&file, request).await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve(file: &Path, request: Request) -> Response {
    match ServeFile::new(file).oneshot(request).await {
        Ok(res) => res.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

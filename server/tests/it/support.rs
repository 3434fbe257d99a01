//! `TestApp`: the real server on an ephemeral port, stopped when dropped.

use gantry_server::{db::Db, serve, AppState};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base_url: String,
    pub db: Db,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Connects to a new SQLite file, migrates it and serves the app on 127.0.0.1:0.
    pub async fn spawn() -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/gantry.db", data_dir.path().display());
        let db = Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let state = AppState::new(db.clone(), &data_dir.path().join("site"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, state, async {
            let _ = stopped.await;
        }));
        Self {
            base_url,
            db,
            data_dir,
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("{}{path}", self.base_url))
            .await
            .expect("request")
    }

    /// Asks the server to stop and waits until it has.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.server.take().unwrap().await.expect("server task")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

//! Installing drop-in modules from archives at runtime (and refusing hostile ones),
//! taking in copied folders with Rescan, and removing modules with or without their
//! data.

use std::{io::Write, path::Path};

use gantry_server::auth::DevUser;
use serde_json::Value;

use crate::{fixtures::notes, support::TestApp};

/// A small module `name` with a page, a bundle and a table of its own.
fn files(name: &str) -> Vec<(String, String)> {
    let table = format!("{}_items", name.replace('-', "_"));
    vec![
        (
            "gantry-module.toml".into(),
            format!(
                r#"name = "{name}"
display_name = "Lantern"
version = "0.1.0"
frontend_bundle = "index.js"
migrations = "migrations"

[[nav_items]]
id = "{name}"
label = "Lantern"
route = "/{name}"
frontend_component = "Glow"
"#
            ),
        ),
        (
            "index.js".into(),
            format!(
                "window.__GANTRY_MODULES__ ??= {{}};\nwindow.__GANTRY_MODULES__[\"{name}\"] = {{ abi: 1, components: {{ Glow: (el) => {{ el.textContent = \"glowing\"; }} }} }};\n"
            ),
        ),
        (
            "migrations/sqlite/0001_items.up.sql".into(),
            format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"),
        ),
        (
            "migrations/sqlite/0001_items.down.sql".into(),
            format!("DROP TABLE {table};\n"),
        ),
        (
            "migrations/postgres/0001_items.up.sql".into(),
            format!("CREATE TABLE {table} (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL);\n"),
        ),
        (
            "migrations/postgres/0001_items.down.sql".into(),
            format!("DROP TABLE {table};\n"),
        ),
    ]
}

/// A `.zip` of `files`, each under `prefix`.
fn zip_of(prefix: &str, files: &[(String, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, text) in files {
        zip.start_file(
            format!("{prefix}{path}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A `.tar.gz` of `files`.
fn tar_gz_of(files: &[(String, String)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, text.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

async fn admin_app(modules: &Path) -> TestApp {
    TestApp::builder()
        .module(notes())
        .drop_in_dir(modules)
        .dev_user(DevUser::Admin)
        .spawn()
        .await
}

async fn install(app: &TestApp, archive: Vec<u8>) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/admin/modules"))
        .header("origin", &app.base_url)
        .header("content-type", "application/octet-stream")
        .body(archive)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// What the modules folder holds, by name.
fn folders(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn listed(app: &TestApp, name: &str) -> bool {
    let (_, list) = app.get_json("/api/modules").await;
    list.as_array().unwrap().iter().any(|m| m["name"] == name)
}

#[tokio::test]
async fn a_zip_or_tar_gz_installs_migrates_and_starts_a_module() {
    let dir = tempfile::tempdir().unwrap();
    let app = admin_app(dir.path()).await;
    let (status, body) = install(&app, zip_of("lantern/", &files("lantern"))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "lantern");
    assert_eq!(body["state"], "running", "{body}");
    assert_eq!(body["migrations"][0]["applied"], true, "{body}");
    assert!(listed(&app, "lantern").await);
    assert_eq!(
        app.get("/api/modules/lantern/bundle.js").await.status(),
        200
    );
    assert_eq!(folders(dir.path()), ["lantern"], "no scratch folder left");

    // A tar.gz with the manifest at its top does as well.
    let (status, body) = install(&app, tar_gz_of(&files("candle"))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "running", "{body}");
    // The same module twice is refused.
    let (status, body) = install(&app, zip_of("", &files("lantern"))).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["error"]["message"],
        "module `lantern` is installed already: remove it first"
    );
    assert_eq!(
        app.audit_actions(&app.client, "module.installed").await,
        ["module.installed", "module.installed"]
    );
}

#[tokio::test]
async fn hostile_or_broken_archives_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let modules = dir.path().join("modules");
    std::fs::create_dir_all(&modules).unwrap();
    let app = admin_app(&modules).await;
    let mut good = files("lantern");

    // A path that climbs out, an absolute one, a link, a special file.
    let climbing = {
        let mut f = good.clone();
        f.push(("../escaped.txt".into(), "out".into()));
        zip_of("", &f)
    };
    let absolute = {
        let mut f = good.clone();
        f.push(("/tmp/gantry-absolute.txt".into(), "out".into()));
        zip_of("", &f)
    };
    let zip_link = {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (path, text) in &good {
            zip.start_file(path.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.add_symlink("static", "/etc", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.finish().unwrap().into_inner()
    };
    let tar_with = |kind: tar::EntryType, name: &[u8]| {
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, text) in &good {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_cksum();
            tar.append_data(&mut header, path, text.as_bytes()).unwrap();
        }
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_entry_type(kind);
        header.set_size(0);
        if kind.is_symlink() || kind.is_hard_link() {
            header.set_link_name("/etc/passwd").unwrap();
        }
        header.set_cksum();
        tar.append(&header, std::io::empty()).unwrap();
        tar.into_inner().unwrap().finish().unwrap()
    };
    for (archive, words) in [
        (
            climbing,
            "entry `../escaped.txt` leaves the module's folder",
        ),
        (
            absolute,
            "entry `/tmp/gantry-absolute.txt` leaves the module's folder",
        ),
        (zip_link, "entry `static` is a link"),
        (
            tar_with(tar::EntryType::Symlink, b"static"),
            "entry `static` is a link or a special file",
        ),
        (
            tar_with(tar::EntryType::Link, b"copy"),
            "entry `copy` is a link or a special file",
        ),
        (
            tar_with(tar::EntryType::Regular, b"../escaped.txt"),
            "entry `../escaped.txt` leaves the module's folder",
        ),
        (
            b"not an archive at all".to_vec(),
            "neither a .zip nor a .tar.gz",
        ),
        (
            zip_of("", &[("README.md".into(), "hi".into())]),
            "holds no gantry-module.toml",
        ),
    ] {
        let (status, body) = install(&app, archive).await;
        assert_eq!(status, 422, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    assert!(!dir.path().join("escaped.txt").exists());
    assert!(!modules.join("escaped.txt").exists());
    assert!(!Path::new("/tmp/gantry-absolute.txt").exists());

    // A name that is taken (here by a compiled-in module): refused, nothing left.
    let (status, body) = install(&app, zip_of("", &files("notes"))).await;
    assert_eq!(status, 409, "{body}");
    assert!(folders(&modules).is_empty(), "{:?}", folders(&modules));

    // A module the check refuses: every problem is told, nothing is installed.
    good[0].1 = good[0]
        .1
        .replace("route = \"/lantern\"", "route = \"/admin\"");
    let (status, body) = install(&app, zip_of("", &good)).await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("did not pass the check"), "{message}");
    assert!(message.contains("/admin"), "{message}");
    assert!(folders(&modules).is_empty(), "{:?}", folders(&modules));
    assert!(!listed(&app, "lantern").await);
    // The host and its modules go on.
    assert!(listed(&app, "notes").await);
}

#[tokio::test]
async fn a_removed_module_goes_with_or_without_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let app = admin_app(dir.path()).await;
    for name in ["lantern", "candle"] {
        let (status, body) = install(&app, zip_of("", &files(name))).await;
        assert_eq!(status, 201, "{body}");
    }
    let table_exists = async |table: &str| {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&app.db.pool)
            .await
            .is_ok()
    };
    assert!(table_exists("lantern_items").await);

    let (status, body) = app
        .send_json("DELETE", "/api/admin/modules/lantern", None)
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(!listed(&app, "lantern").await);
    assert_eq!(folders(dir.path()), ["candle"]);
    assert!(table_exists("lantern_items").await, "its data was kept");
    assert_eq!(
        app.get("/api/modules/lantern/bundle.js").await.status(),
        404
    );

    let (status, body) = app
        .send_json("DELETE", "/api/admin/modules/candle?rollback=true", None)
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(!table_exists("candle_items").await, "its tables went");
    assert!(folders(dir.path()).is_empty());

    // A compiled-in module is not removed; an unknown one is not found.
    let (status, body) = app
        .send_json("DELETE", "/api/admin/modules/notes", None)
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app
        .send_json("DELETE", "/api/admin/modules/nothing-here", None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        app.audit_actions(&app.client, "module.removed").await,
        ["module.removed", "module.removed"]
    );
    assert!(
        app.audit_actions(&app.client, "module.enabled")
            .await
            .is_empty(),
        "a removal is not an enabling"
    );

    // Installed again, the kept table is still there for it.
    let (status, body) = install(&app, zip_of("", &files("lantern"))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "running", "{body}");
}

#[tokio::test]
async fn the_command_line_installs_and_rescan_takes_it_in() {
    let dir = tempfile::tempdir().unwrap();
    let modules = dir.path().join("modules");
    let app = admin_app(&modules).await;
    let archive = dir.path().join("lantern.zip");
    std::fs::write(&archive, zip_of("lantern/", &files("lantern"))).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(["module", "install"])
        .arg(&archive)
        .arg("--modules-dir")
        .arg(&modules)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("installed"), "{said}");
    assert!(!listed(&app, "lantern").await, "not before Rescan");
    // A folder copied in by hand with a broken manifest is reported, and does not
    // keep the good one out.
    std::fs::create_dir_all(modules.join("aaa-broken")).unwrap();
    std::fs::write(modules.join("aaa-broken/gantry-module.toml"), "name = ").unwrap();
    let (status, found) = app
        .send_json("POST", "/api/admin/rescan-modules", None)
        .await;
    assert_eq!(status, 200, "{found}");
    let state_of = |name: &str| {
        found
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["state"].clone())
    };
    assert_eq!(state_of("lantern"), Some(Value::from("running")), "{found}");
    assert_eq!(
        state_of("aaa-broken"),
        Some(Value::from("invalid")),
        "{found}"
    );
    assert!(listed(&app, "lantern").await);
    // A second Rescan finds nothing new.
    let (_, found) = app
        .send_json("POST", "/api/admin/rescan-modules", None)
        .await;
    assert_eq!(found, serde_json::json!([]));
}

#[tokio::test]
async fn only_administrators_install_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (status, _) = install(&app, zip_of("", &files("lantern"))).await;
    assert_eq!(status, 403);
    assert!(folders(dir.path()).is_empty());
    let (status, _) = app
        .send_json("POST", "/api/admin/rescan-modules", None)
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_module_waiting_for_a_dependency_starts_when_it_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let waiting = dir.path().join("lamp-post");
    std::fs::create_dir_all(&waiting).unwrap();
    std::fs::write(
        waiting.join("gantry-module.toml"),
        "name = \"lamp-post\"\nversion = \"0.1.0\"\ndepends = { lantern = \">=0.1, <0.2\" }\n",
    )
    .unwrap();
    let app = admin_app(dir.path()).await;
    let before = app.module_status("lamp-post").await;
    assert_eq!(before["state"], "incompatible", "{before}");
    assert!(
        before["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs `lantern`"),
        "{before}"
    );

    let (status, body) = install(&app, zip_of("lantern/", &files("lantern"))).await;
    assert_eq!(status, 201, "{body}");
    // What waited only for `lantern` starts with it, unasked.
    until("lamp-post running", async || {
        app.module_status("lamp-post").await["state"] == "running"
    })
    .await;
}

/// Waits (up to 20 s: instances follow each other every 2 s) until `holds`.
async fn until(what: &str, holds: impl AsyncFn() -> bool) {
    for _ in 0..200 {
        if holds().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 20 s");
}

#[tokio::test]
async fn an_install_reaches_every_instance_on_the_database_and_so_does_a_removal() {
    let (here_dir, there_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let here = admin_app(here_dir.path()).await;
    let (status, body) = install(&here, zip_of("lantern/", &files("lantern"))).await;
    assert_eq!(status, 201, "{body}");
    // A module copied by hand into one instance's folder is that instance's alone.
    let by_hand = here_dir.path().join("candle");
    for (path, text) in files("candle") {
        std::fs::create_dir_all(by_hand.join(&path).parent().unwrap()).unwrap();
        std::fs::write(by_hand.join(&path), text).unwrap();
    }
    let (status, body) = here
        .send_json("POST", "/api/admin/rescan-modules", None)
        .await;
    assert_eq!(status, 200, "{body}");

    // An instance started later, with an empty modules folder, gets what was
    // installed (not what was copied by hand).
    let there = TestApp::builder()
        .module(notes())
        .drop_in_dir(there_dir.path())
        .dev_user(DevUser::Admin)
        .database(&here.database_url)
        .spawn()
        .await;
    until(
        "the installed module runs on the second instance",
        async || there.get("/api/modules/lantern/bundle.js").await.status() == 200,
    )
    .await;
    assert_eq!(folders(there_dir.path()), ["lantern"]);
    assert!(!listed(&there, "candle").await);

    // Installed while both run, it reaches the other one.
    let (status, body) = install(&here, tar_gz_of(&files("lamp"))).await;
    assert_eq!(status, 201, "{body}");
    until(
        "a module installed on one instance runs on the other",
        async || listed(&there, "lamp").await,
    )
    .await;
    assert_eq!(there.get("/api/modules/lamp/bundle.js").await.status(), 200);
    assert_eq!(
        there.audit_actions(&there.client, "module.installed").await,
        ["module.installed", "module.installed", "module.installed"],
        "audited once, by the instance that installed it"
    );

    // Removed on the second instance, it goes from the first; the rest stays.
    let (status, body) = there
        .send_json("DELETE", "/api/admin/modules/lantern", None)
        .await;
    assert_eq!(status, 204, "{body}");
    until(
        "a module removed on one instance goes from the other",
        async || !listed(&here, "lantern").await,
    )
    .await;
    assert_eq!(folders(here_dir.path()), ["candle", "lamp"]);
    assert_eq!(folders(there_dir.path()), ["lamp"]);
    assert_eq!(
        here.get("/api/modules/lantern/bundle.js").await.status(),
        404
    );
    assert!(listed(&here, "candle").await && listed(&here, "lamp").await);
}

//! Search by meaning: the embedding model an administrator picks, chunks embedded in
//! the background (again when the model changes), hybrid ranking, and words alone
//! when the embedding server is away.

use gantry_server::auth::DevUser;
use serde_json::json;

use super::{new_collection, search, settled, upload};
use crate::{chat::connect_default, model_server::FakeModelServer, support::TestApp};

/// The admin's view of the Knowledge Vault once every chunk has a vector.
async fn all_embedded(app: &TestApp) -> serde_json::Value {
    for _ in 0..200 {
        let (status, settings) = app.get_json("/api/admin/knowledge").await;
        assert_eq!(status, 200, "{settings}");
        if settings["embedded_chunks"] == settings["chunks"] {
            return settings;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chunks are still being embedded after 20 s");
}

#[tokio::test]
async fn a_chosen_embedding_model_finds_passages_by_meaning_and_words_remain_without_it() {
    let models = FakeModelServer::start().await;
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    connect_default(&app, &models.url).await;
    let c = &app.client;
    let collection = new_collection(&app, c, json!({"name": "Garage"})).await;
    let (_, up) = upload(
        &app,
        c,
        &collection,
        vec![
            (
                "cars.txt",
                b"The car needs new tyres before winter.".to_vec(),
            ),
            ("garden.txt", b"Roses need pruning in March.".to_vec()),
        ],
    )
    .await;
    for doc in up["documents"].as_array().unwrap() {
        settled(&app, c, doc["id"].as_str().unwrap()).await;
    }
    let (_, found) = search(&app, c, json!({"query": "automobile"})).await;
    assert_eq!(found["mode"], "full_text");
    assert_eq!(found["passages"], json!([]), "no word of it is written");

    // Only a model the connection offers.
    let (status, err) = app
        .send_json(
            "PUT",
            "/api/admin/knowledge",
            Some(json!({"embedding_model": "default/nope"})),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["field"], "embedding_model");
    let (status, settings) = app
        .send_json(
            "PUT",
            "/api/admin/knowledge",
            Some(json!({"embedding_model": "default/embed"})),
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["embedding_model"], "default/embed");
    let expected = if crate::support::on_postgres() {
        "exact"
    } else {
        "sqlite-vec"
    };
    assert_eq!(settings["vector_search"], expected);
    // The chunks already there are embedded in the background.
    let settings = all_embedded(&app).await;
    assert_eq!(settings["chunks"], 2);

    let (_, found) = search(&app, c, json!({"query": "automobile", "top_k": 1})).await;
    assert_eq!(found["mode"], "hybrid", "{found}");
    assert_eq!(found["passages"][0]["document_name"], "cars.txt", "{found}");
    // Words still count: "pruning" is found by both rankings.
    let (_, found) = search(&app, c, json!({"query": "pruning roses", "top_k": 1})).await;
    assert_eq!(found["passages"][0]["document_name"], "garden.txt");

    // A new document is embedded before it is ready.
    let (_, up) = upload(
        &app,
        c,
        &collection,
        vec![("lorry.txt", b"The truck is parked.".to_vec())],
    )
    .await;
    let doc = settled(&app, c, up["documents"][0]["id"].as_str().unwrap()).await;
    assert_eq!(doc["status"], "ready", "{doc}");
    let (_, settings) = app.get_json("/api/admin/knowledge").await;
    assert_eq!(
        (
            settings["chunks"].as_i64(),
            settings["embedded_chunks"].as_i64()
        ),
        (Some(3), Some(3))
    );
    let (_, found) = search(&app, c, json!({"query": "lorry", "top_k": 1})).await;
    assert_eq!(found["passages"][0]["document_name"], "lorry.txt");

    // The embedding server goes away: uploads fail in words, search keeps its words.
    drop(models);
    let (_, up) = upload(
        &app,
        c,
        &collection,
        vec![("late.txt", b"Pruning shears".to_vec())],
    )
    .await;
    let doc = settled(&app, c, up["documents"][0]["id"].as_str().unwrap()).await;
    assert_eq!(doc["status"], "failed");
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .starts_with("embedding server unreachable: "),
        "{doc}"
    );
    let (_, found) = search(&app, c, json!({"query": "pruning"})).await;
    assert_eq!(found["mode"], "full_text");
    assert_eq!(found["passages"][0]["document_name"], "garden.txt");

    // No model: words alone.
    let (status, settings) = app
        .send_json(
            "PUT",
            "/api/admin/knowledge",
            Some(json!({"embedding_model": null})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(settings["embedding_model"], json!(null));
    let actions = app.audit_actions(c, "knowledge.").await;
    assert_eq!(
        actions,
        ["knowledge.embedding_model", "knowledge.embedding_model"]
    );
}

#[tokio::test]
async fn only_administrators_choose_the_embedding_model() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    let (status, _) = app.get_json("/api/admin/knowledge").await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send_json(
            "PUT",
            "/api/admin/knowledge",
            Some(json!({"embedding_model": null})),
        )
        .await;
    assert_eq!(status, 403);
}

//! Answers grounded in the Knowledge Vault: a conversation's collections and
//! documents, the passages its answers are given, and their citations, stored.

use serde_json::json;

use super::{chat_app, new_conversation, send, stored};
use crate::{
    knowledge::{settled, upload},
    model_server::FakeModelServer,
};

#[tokio::test]
async fn answers_are_given_the_best_passages_and_cite_them_after_a_reload() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let c = &app.client;
    let (_, collection) = app
        .send_json(
            "POST",
            "/api/knowledge/collections",
            Some(json!({"name": "Kitchen"})),
        )
        .await;
    let collection = collection["id"].as_str().unwrap().to_owned();
    let (_, up) = upload(
        &app,
        c,
        &collection,
        vec![
            (
                "kettle.md",
                b"# Kettle\n\n## Descaling\n\nUse citric acid monthly.\n".to_vec(),
            ),
            ("toaster.txt", b"Empty the crumb tray weekly.".to_vec()),
        ],
    )
    .await;
    let kettle = up["documents"][0]["id"].as_str().unwrap().to_owned();
    for doc in up["documents"].as_array().unwrap() {
        settled(&app, c, doc["id"].as_str().unwrap()).await;
    }
    let id = new_conversation(&app, None).await;

    // Without knowledge, nothing is added to what the model is sent.
    let plain = send(&app, &id, "How do I descale?", None).await;
    assert_eq!(plain.status, 200);
    let first = &models.requests()[0];
    assert_eq!(first["messages"][0]["role"], "user", "{first}");

    let (status, conv) = app
        .send_json(
            "PATCH",
            &format!("/api/chat/conversations/{id}"),
            Some(json!({"knowledge": {"collection_ids": [collection]}})),
        )
        .await;
    assert_eq!(status, 200, "{conv}");
    assert_eq!(conv["knowledge"]["collection_ids"], json!([collection]));
    // The model echoes the question, citation and all.
    let answer = send(
        &app,
        &id,
        "What descales the kettle, citric acid? [1]",
        None,
    )
    .await;
    let done = answer.last("done");
    let sources = done["message"]["sources"].as_array().unwrap();
    assert_eq!(sources[0]["document_name"], "kettle.md", "{done}");
    assert_eq!(sources[0]["heading"], "Kettle › Descaling");
    let html = done["message"]["html"].as_str().unwrap();
    let link = format!(r#"<a href="/knowledge/documents/{kettle}#passage-0""#);
    assert!(html.contains(&link), "{html}");
    let sent = models.requests().last().unwrap().clone();
    let system = &sent["messages"][0];
    assert_eq!(system["role"], "system", "{sent}");
    let prompt = system["content"].as_str().unwrap();
    assert!(
        prompt.contains("[1] kettle.md, Kettle › Descaling:\nUse citric acid monthly."),
        "{prompt}"
    );
    assert!(
        !prompt.contains("crumb"),
        "only matching passages are sent: {prompt}"
    );

    // A reload shows the same sources, even after the collection is gone.
    let (status, _) = app
        .send_json(
            "DELETE",
            &format!("/api/knowledge/collections/{collection}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let messages = stored(&app, &id).await;
    let last = messages.last().unwrap();
    assert_eq!(last["sources"][0]["document_name"], "kettle.md");
    assert!(last["html"].as_str().unwrap().contains(&link));
    let (_, conv) = app.get_json(&format!("/api/chat/conversations/{id}")).await;
    assert_eq!(
        conv["conversation"]["knowledge"]["collection_ids"],
        json!([]),
        "{conv}"
    );
}

#[tokio::test]
async fn only_readable_knowledge_can_be_attached() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    sqlx::query(
        "INSERT INTO knowledge_collections (id, owner_id, name, created_at, updated_at) \
         VALUES ('theirs', 'someone-else', 'Private', 1, 1)",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let id = new_conversation(&app, None).await;
    for knowledge in [
        json!({"collection_ids": ["theirs"]}),
        json!({"document_ids": ["nope"]}),
    ] {
        let (status, err) = app
            .send_json(
                "PATCH",
                &format!("/api/chat/conversations/{id}"),
                Some(json!({ "knowledge": knowledge })),
            )
            .await;
        assert_eq!(status, 404, "{err}");
        assert_eq!(err["error"]["field"], "knowledge", "{err}");
    }
    let (_, conv) = app.get_json(&format!("/api/chat/conversations/{id}")).await;
    assert_eq!(
        conv["conversation"]["knowledge"],
        json!({"collection_ids": [], "document_ids": []})
    );
}

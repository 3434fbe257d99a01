//! Conversations: order, renaming, pinning, deleting, per-user isolation, search
//! through the full-text index, export, and answers rendered without raw HTML.

use app::chat_api::NewConversation;
use gantry_server::chat::{conversations, messages};
use serde_json::json;

use super::{chat_app, new_conversation, send, stored};
use crate::model_server::FakeModelServer;

#[tokio::test]
async fn conversations_are_listed_pinned_first_renamed_and_deleted() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let (status, conv) = app.send_json("POST", "/api/chat/conversations", None).await;
    assert_eq!(status, 201);
    assert_eq!(conv["title"], "New conversation");
    assert_eq!(conv["pinned"], false);
    let a = conv["id"].as_str().unwrap().to_owned();
    let b = new_conversation(&app, Some(json!({}))).await;
    send(&app, &b, "Newest conversation here", None)
        .await
        .last("done");

    let (_, list) = app.get_json("/api/chat/conversations").await;
    let ids: Vec<&str> = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b.as_str(), a.as_str()]);

    let (status, pinned) = app
        .send_json(
            "PATCH",
            &format!("/api/chat/conversations/{a}"),
            Some(json!({"pinned": true, "title": "Crane notes"})),
        )
        .await;
    assert_eq!(status, 200, "{pinned}");
    assert_eq!(pinned["pinned"], true);
    let (_, list) = app.get_json("/api/chat/conversations").await;
    assert_eq!(list["conversations"][0]["id"], a.as_str());

    // A title the user chose is not replaced by the first message.
    send(&app, &a, "This would have been the title", None)
        .await
        .last("done");
    let (_, detail) = app.get_json(&format!("/api/chat/conversations/{a}")).await;
    assert_eq!(detail["conversation"]["title"], "Crane notes");
    let (status, _) = app
        .send_json(
            "PATCH",
            &format!("/api/chat/conversations/{a}"),
            Some(json!({"title": "  "})),
        )
        .await;
    assert_eq!(status, 400);

    let (status, _) = app
        .send_json("DELETE", &format!("/api/chat/conversations/{a}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, body) = app.get_json(&format!("/api/chat/conversations/{a}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages WHERE conversation_id = $1")
            .bind(&a)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 0, "its messages went too");
}

#[tokio::test]
async fn another_users_conversation_is_not_found_everywhere() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let someone = gantry_sdk::CurrentUser {
        id: "someone-else".into(),
        name: "Someone".into(),
        is_admin: false,
    };
    let theirs = conversations::create(&app.db, &someone, &NewConversation::default())
        .await
        .unwrap();
    messages::insert(
        &app.db.pool,
        &theirs.id,
        "user",
        "their secret plan",
        messages::Status::Complete,
        None,
        None,
    )
    .await
    .unwrap();
    let id = &theirs.id;
    for (method, path, body) in [
        ("GET", format!("/api/chat/conversations/{id}"), None),
        (
            "PATCH",
            format!("/api/chat/conversations/{id}"),
            Some(json!({"title": "mine"})),
        ),
        ("DELETE", format!("/api/chat/conversations/{id}"), None),
        ("GET", format!("/api/chat/conversations/{id}/export"), None),
        (
            "POST",
            format!("/api/chat/conversations/{id}/messages"),
            Some(json!({"content": "hi"})),
        ),
        (
            "POST",
            format!("/api/chat/conversations/{id}/regenerate"),
            Some(json!({})),
        ),
    ] {
        let (status, body) = app.send_json(method, &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
    }
    let (_, list) = app.get_json("/api/chat/conversations").await;
    assert_eq!(list["conversations"], json!([]));
    // Its page too is "not found", over HTTP; one's own is there.
    assert_eq!(app.get(&format!("/c/{id}")).await.status(), 404);
    let own = new_conversation(&app, None).await;
    let page = app.get(&format!("/c/{own}")).await;
    assert_eq!(page.status(), 200);
    // Chat's sidebar entry says it is the current page there too.
    let html = page.text().await.unwrap();
    let chat_entry = &html[html.find(r#"data-nav-id="chat""#).expect("Chat's entry")..];
    let link = &chat_entry[..chat_entry.find("</a>").unwrap()];
    assert!(link.contains(r#"aria-current="page""#), "{link}");
    let (_, found) = app.get_json("/api/chat/search?q=secret").await;
    assert_eq!(found["results"], json!([]));
    assert_eq!(stored_count(&app, id).await, 1, "nothing changed");
}

async fn stored_count(app: &crate::support::TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages WHERE conversation_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn search_finds_titles_and_messages_through_the_index() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let a = new_conversation(&app, None).await;
    send(&app, &a, "How do tower cranes climb?", None)
        .await
        .last("done");
    let b = new_conversation(&app, None).await;
    send(&app, &b, "Recipe for Pfannkuchen please", None)
        .await
        .last("done");

    let (status, found) = app.get_json("/api/chat/search?q=CRANES").await;
    assert_eq!(status, 200);
    let results = found["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results.iter().all(|r| r["conversation_id"] == a.as_str()),
        "{found:#}"
    );
    assert!(results.iter().any(|r| r["role"] == "title"));
    let message_hit = results
        .iter()
        .find(|r| r["role"] == "user")
        .expect("the message");
    assert!(message_hit["message_snippet"]
        .as_str()
        .unwrap()
        .contains("cranes"));
    assert_eq!(
        message_hit["conversation_title"],
        "How do tower cranes climb?"
    );

    // Prefixes and several words; search syntax is only text.
    let (_, found) = app.get_json("/api/chat/search?q=pfann%20recipe").await;
    assert!(found["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["conversation_id"] == b.as_str()));
    assert!(!found["results"].as_array().unwrap().is_empty());
    for q in ["", "%20", "%22%20OR%20*", "NEAR(a%20b)"] {
        let (status, found) = app.get_json(&format!("/api/chat/search?q={q}")).await;
        assert_eq!(status, 200, "{q}: {found}");
    }
    let (_, empty) = app.get_json("/api/chat/search?q=").await;
    assert_eq!(empty["results"], json!([]));
    // The index follows edits and deletions.
    let (status, _) = app
        .send_json("DELETE", &format!("/api/chat/conversations/{a}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, gone) = app.get_json("/api/chat/search?q=cranes").await;
    assert_eq!(gone["results"], json!([]));
}

#[tokio::test]
async fn a_conversation_exports_as_markdown_and_json_downloads() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    send(&app, &id, "Export me", None).await.last("done");
    let res = app
        .get(&format!("/api/chat/conversations/{id}/export?format=md"))
        .await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, "attachment; filename=\"export-me.md\"");
    let md = res.text().await.unwrap();
    assert!(md.starts_with("# Export me\n"), "{md}");
    assert!(md.contains("## You\n\nExport me"), "{md}");
    assert!(
        md.contains("## Assistant (default/echo)\n\nYou said: Export me"),
        "{md}"
    );

    let res = app
        .get(&format!("/api/chat/conversations/{id}/export?format=json"))
        .await;
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .ends_with(".json\""));
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["conversation"]["id"], id.as_str());
    assert_eq!(json["messages"].as_array().unwrap().len(), 2);
    let res = app
        .get(&format!("/api/chat/conversations/{id}/export?format=pdf"))
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn answers_are_rendered_markdown_with_html_shown_as_text() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    let answer = send(&app, &id, "show me html", Some("default/html")).await;
    let html = answer.last("done")["message"]["html"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    let messages = stored(&app, &id).await;
    assert_eq!(messages[1]["html"], html.as_str());
    assert!(
        messages[0].get("html").is_none(),
        "user messages are shown as typed"
    );
}

/// Another instance on the same database may be writing an answer right now: a
/// starting one fails only the answers whose lease (renewed as text arrives) ran
/// out.
#[tokio::test]
async fn only_answers_whose_lease_ran_out_are_failed_at_start_up() {
    let app = crate::support::TestApp::builder()
        .dev_user(gantry_server::auth::DevUser::Admin)
        .spawn()
        .await;
    let id = new_conversation(&app, None).await;
    for (content, lease) in [("written elsewhere", i64::MAX / 4), ("left behind", 0)] {
        messages::insert(
            &app.db.pool,
            &id,
            "assistant",
            content,
            messages::Status::Streaming,
            None,
            Some(lease),
        )
        .await
        .unwrap();
    }
    assert_eq!(messages::fail_interrupted(&app.db).await.unwrap(), 1);
    let status_of = |content: &str, stored: &[serde_json::Value]| {
        stored
            .iter()
            .find(|m| m["content"] == content)
            .map(|m| m["status"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let now = stored(&app, &id).await;
    assert_eq!(status_of("left behind", &now), "failed");
    assert_eq!(status_of("written elsewhere", &now), "streaming");
}

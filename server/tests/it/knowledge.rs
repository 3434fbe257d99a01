//! The Knowledge Vault through the real server: uploads of each format ingested in
//! the background, failures in words, deduplication, deletion, downloads, search on
//! the database's full-text index, and each user's collections kept to themselves.

mod vectors;

use std::time::Duration;

use gantry_server::{accounts::Role, auth::DevUser};
use serde_json::{json, Value};

use crate::support::{sign_in_people, TestApp};

/// A collection of the signed-in user's on `client`; its id.
pub async fn new_collection(app: &TestApp, client: &reqwest::Client, body: Value) -> String {
    let (status, created) = app
        .call(client, "POST", "/api/knowledge/collections", Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// Uploads `files` (name, bytes) into `collection_id`: the status and the answer.
pub async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    collection_id: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("collection_id", collection_id.to_owned());
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let res = client
        .post(app.url("/api/knowledge/documents"))
        .header("origin", &app.base_url)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Document `id` once it is no longer processing.
pub async fn settled(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    for _ in 0..300 {
        let (status, doc) = app
            .call(
                client,
                "GET",
                &format!("/api/knowledge/documents/{id}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{doc}");
        if doc["status"] != "processing" {
            return doc;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("document {id} is still processing after 30 s");
}

/// Searches as the user on `client`.
pub async fn search(app: &TestApp, client: &reqwest::Client, body: Value) -> (u16, Value) {
    app.call(client, "POST", "/api/knowledge/search", Some(body))
        .await
}

/// The names of the documents of the passages found for `query`.
async fn found_in(app: &TestApp, client: &reqwest::Client, query: &str) -> Vec<String> {
    let (status, found) = search(app, client, json!({"query": query})).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["mode"], "full_text");
    found["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["document_name"].as_str().unwrap().to_owned())
        .collect()
}

/// A PDF with a page per entry of `pages` (no text on an empty one).
pub fn pdf(pages: &[&str]) -> Vec<u8> {
    use lopdf::{content::Content, content::Operation, dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for text in pages {
        let mut operations = Vec::new();
        if !text.is_empty() {
            operations = vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 12.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(*text)]),
                Operation::new("ET", vec![]),
            ];
        }
        let content = Content { operations }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(Object::from(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A Word document with a heading and a paragraph.
pub fn docx(heading: &str, paragraph: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{heading}</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">{paragraph} </w:t></w:r><w:r><w:t>&amp; more</w:t></w:r></w:p></w:body></w:document>"#
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn every_format_is_ingested_in_the_background_and_found_by_its_words() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let c = &app.client;
    let collection = new_collection(&app, c, json!({"name": "Manuals"})).await;
    let (status, uploaded) = upload(
        &app,
        c,
        &collection,
        vec![
            (
                "guide.md",
                b"# Kettle\n\n## Descaling\n\nUse citric acid monthly.\n".to_vec(),
            ),
            ("notes.txt", b"The gazebo needs varnish in spring.".to_vec()),
            ("fruit.csv", b"name,colour\nkumquat,orange\n".to_vec()),
            (
                "page.html",
                b"<html><body><h1>Lighthouse</h1><p>The lamp turns nightly.</p></body></html>"
                    .to_vec(),
            ),
            (
                "report.pdf",
                pdf(&["Quarterly figures", "Zeppelin hangar inventory"]),
            ),
            ("letter.docx", docx("Tenancy", "The rent rises in April")),
        ],
    )
    .await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["rejected"], json!([]));
    let docs = uploaded["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 6);
    let formats: Vec<_> = docs.iter().map(|d| d["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["markdown", "text", "csv", "html", "pdf", "docx"]);
    for doc in docs {
        assert_eq!(doc["status"], "processing", "{doc}");
        assert_eq!(doc["duplicate"], false);
        let done = settled(&app, c, doc["id"].as_str().unwrap()).await;
        assert_eq!(done["status"], "ready", "{done}");
        assert!(done["chunk_count"].as_i64().unwrap() >= 1, "{done}");
    }
    for (word, document) in [
        ("citric", "guide.md"),
        ("gazebo", "notes.txt"),
        ("kumquat", "fruit.csv"),
        ("lamp", "page.html"),
        ("zeppelin", "report.pdf"),
        ("rent", "letter.docx"),
    ] {
        assert_eq!(found_in(&app, c, word).await, [document], "{word}");
    }
    // Stemming: "descaled" finds "Descaling"? Only the body is indexed; "acids" finds "acid".
    assert_eq!(found_in(&app, c, "acids").await, ["guide.md"]);
    // A question's words are alternatives, ranked: the passage with both comes first.
    let (_, found) = search(
        &app,
        c,
        json!({"query": "What about the zeppelin hangar?", "top_k": 1}),
    )
    .await;
    let passage = &found["passages"][0];
    assert_eq!(passage["document_name"], "report.pdf", "{found}");
    assert_eq!(passage["page"], 2, "the PDF page it is on: {passage}");
    assert!(passage["text"]
        .as_str()
        .unwrap()
        .contains("Zeppelin hangar"));
    let (_, found) = search(&app, c, json!({"query": "citric"})).await;
    assert_eq!(
        found["passages"][0]["heading"], "Kettle › Descaling",
        "{found}"
    );
    let (_, found) = search(&app, c, json!({"query": "rent"})).await;
    assert_eq!(found["passages"][0]["heading"], "Tenancy");
    assert!(found["passages"][0]["text"]
        .as_str()
        .unwrap()
        .contains("April & more"));
    let (_, pdf_doc) = app
        .call(
            c,
            "GET",
            &format!(
                "/api/knowledge/documents/{}",
                docs[4]["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(pdf_doc["page_count"], 2);
}

#[tokio::test]
async fn files_that_cannot_be_read_are_refused_or_failed_in_words() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let c = &app.client;
    let collection = new_collection(&app, c, json!({"name": "Mixed"})).await;
    // Refused at once, by content: nothing is kept.
    let (status, err) = upload(
        &app,
        c,
        &collection,
        vec![("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00".to_vec())],
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["code"], "file_rejected");
    assert_eq!(err["error"]["field"], "file");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("`photo.png`: not a supported type"),
        "{err}"
    );
    let (_, err) = upload(
        &app,
        c,
        &collection,
        vec![("report.pdf", b"plain words".to_vec())],
    )
    .await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("named .pdf, but the content is not a PDF"),
        "{err}"
    );
    // Too large, next to one that is fine: the fine one is taken in.
    let big = vec![b'a'; 20 * 1024 * 1024 + 1];
    let (status, mixed) = upload(
        &app,
        c,
        &collection,
        vec![("huge.txt", big), ("small.txt", b"tiny".to_vec())],
    )
    .await;
    assert_eq!(status, 201, "{mixed}");
    assert_eq!(mixed["documents"][0]["filename"], "small.txt");
    assert_eq!(mixed["rejected"][0]["filename"], "huge.txt");
    assert!(
        mixed["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("file too large"),
        "{mixed}"
    );
    // Taken in, then failed with the reason.
    let (status, scanned) = upload(&app, c, &collection, vec![("scan.pdf", pdf(&["", ""]))]).await;
    assert_eq!(status, 201, "{scanned}");
    let done = settled(&app, c, scanned["documents"][0]["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed");
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .starts_with("scanned PDF without a text layer"),
        "{done}"
    );
    let (_, broken) = upload(
        &app,
        c,
        &collection,
        vec![("broken.pdf", b"%PDF-1.4\nnot really".to_vec())],
    )
    .await;
    let done = settled(&app, c, broken["documents"][0]["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "failed");
    assert!(done["error"].as_str().unwrap().contains("PDF"), "{done}");
    // Bad forms.
    let (status, err) = app
        .call(c, "POST", "/api/knowledge/documents", Some(json!({})))
        .await;
    assert_eq!(status, 400, "{err}");
    assert!(err["error"]["message"].is_string());
    let form = reqwest::multipart::Form::new().text("note", "no collection");
    let res = c
        .post(app.url("/api/knowledge/documents"))
        .header("origin", &app.base_url)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["field"], "collection_id", "{err}");
    // The host goes on.
    let (status, _) = app.get_json("/api/knowledge/collections").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_same_content_is_kept_once_and_deleting_removes_its_passages() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let c = &app.client;
    let collection = new_collection(&app, c, json!({"name": "Once"})).await;
    let text = b"Marmalade recipe: Seville oranges.".to_vec();
    let (_, first) = upload(&app, c, &collection, vec![("a.txt", text.clone())]).await;
    let id = first["documents"][0]["id"].as_str().unwrap().to_owned();
    settled(&app, c, &id).await;
    let (status, again) = upload(&app, c, &collection, vec![("b.txt", text.clone())]).await;
    assert_eq!(status, 201);
    assert_eq!(again["documents"][0]["id"], id.as_str());
    assert_eq!(again["documents"][0]["duplicate"], true);
    let (_, list) = app
        .call(
            c,
            "GET",
            &format!("/api/knowledge/documents?collection_id={collection}"),
            None,
        )
        .await;
    assert_eq!(list["documents"].as_array().unwrap().len(), 1);
    // The original comes back as it was sent.
    let res = c
        .get(app.url(&format!("/api/knowledge/documents/{id}/original")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"a.txt\""));
    assert_eq!(res.bytes().await.unwrap().as_ref(), text.as_slice());
    assert_eq!(found_in(&app, c, "marmalade").await, ["a.txt"]);
    let (status, read) = app
        .call(
            c,
            "GET",
            &format!("/api/knowledge/documents/{id}/passages"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["document"]["filename"], "a.txt");
    assert_eq!(
        read["passages"][0]["text"],
        "Marmalade recipe: Seville oranges."
    );
    assert_eq!(read["passages"][0]["position"], 0);
    let (status, _) = app
        .call(c, "DELETE", &format!("/api/knowledge/documents/{id}"), None)
        .await;
    assert_eq!(status, 204);
    assert!(found_in(&app, c, "marmalade").await.is_empty());
    let chunks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_chunks")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(chunks, 0, "a deleted document leaves no chunks");
    let (status, err) = app
        .call(c, "GET", &format!("/api/knowledge/documents/{id}"), None)
        .await;
    assert_eq!(status, 404, "{err}");
    // Deleting a collection takes its documents along.
    let (_, _) = upload(
        &app,
        c,
        &collection,
        vec![("c.txt", b"Quince jelly".to_vec())],
    )
    .await;
    let (status, _) = app
        .call(
            c,
            "DELETE",
            &format!("/api/knowledge/collections/{collection}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_documents")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

/// Deleting while the background ingestion is writing the same documents' passages
/// (on PostgreSQL the two once took row locks in opposite orders: a deadlock, and a
/// 500 for the delete).
#[tokio::test]
async fn deleting_during_ingestion_succeeds() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let c = &app.client;
    let long_text = |n: usize| -> Vec<u8> {
        (0..400)
            .map(|p| format!("Paragraph {p} of document {n}: quinces, damsons and sloes.\n\n"))
            .collect::<String>()
            .into_bytes()
    };
    for round in 0..40 {
        let collection = new_collection(&app, c, json!({"name": format!("Busy {round}")})).await;
        let files = (0..3)
            .map(|n| (["a.txt", "b.txt", "c.txt"][n], long_text(round * 3 + n)))
            .collect();
        let (status, up) = upload(&app, c, &collection, files).await;
        assert_eq!(status, 201, "{up}");
        let (status, err) = if round % 2 == 0 {
            let path = format!("/api/knowledge/collections/{collection}");
            app.call(c, "DELETE", &path, None).await
        } else {
            let id = up["documents"][0]["id"].as_str().unwrap();
            let path = format!("/api/knowledge/documents/{id}");
            app.call(c, "DELETE", &path, None).await
        };
        assert_eq!(status, 204, "round {round}: {err}");
    }
    let (status, err) = app.call(c, "GET", "/api/knowledge/collections", None).await;
    assert_eq!(status, 200, "{err}");
}

#[tokio::test]
async fn each_user_sees_their_own_collections_and_the_shared_ones() {
    let app = TestApp::spawn().await;
    let people = sign_in_people(&app, &[("ada", Role::Admin), ("bob", Role::User)]).await;
    let (ada, bob) = (&people["ada"], &people["bob"]);
    let private = new_collection(&app, ada, json!({"name": "Ada's"})).await;
    let (_, up) = upload(
        &app,
        ada,
        &private,
        vec![("secret.txt", b"Ada's secret saffron".to_vec())],
    )
    .await;
    let doc = up["documents"][0]["id"].as_str().unwrap().to_owned();
    settled(&app, ada, &doc).await;
    let shared = new_collection(&app, ada, json!({"name": "Handbook", "shared": true})).await;
    let (_, up) = upload(
        &app,
        ada,
        &shared,
        vec![("handbook.txt", b"Holidays: saffron day off".to_vec())],
    )
    .await;
    settled(&app, ada, up["documents"][0]["id"].as_str().unwrap()).await;

    // Bob: the shared one only, read-only.
    let (_, list) = app
        .call(bob, "GET", "/api/knowledge/collections", None)
        .await;
    let names: Vec<_> = list["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["shared"].as_bool().unwrap(),
                c["can_manage"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("Handbook", true, false)]);
    assert_eq!(found_in(&app, bob, "saffron").await, ["handbook.txt"]);
    for (method, path) in [
        ("GET", format!("/api/knowledge/collections/{private}")),
        ("PATCH", format!("/api/knowledge/collections/{private}")),
        ("DELETE", format!("/api/knowledge/collections/{private}")),
        (
            "GET",
            format!("/api/knowledge/documents?collection_id={private}"),
        ),
        ("GET", format!("/api/knowledge/documents/{doc}")),
        ("GET", format!("/api/knowledge/documents/{doc}/original")),
        ("GET", format!("/api/knowledge/documents/{doc}/passages")),
        ("DELETE", format!("/api/knowledge/documents/{doc}")),
    ] {
        let body = (method == "PATCH").then(|| json!({"name": "Mine now"}));
        let (status, err) = app.call(bob, method, &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {err}");
    }
    let (status, _) = search(
        &app,
        bob,
        json!({"query": "saffron", "collection_ids": [private]}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, err) = upload(&app, bob, &private, vec![("x.txt", b"x".to_vec())]).await;
    assert_eq!(status, 404, "{err}");
    let (status, err) = upload(&app, bob, &shared, vec![("x.txt", b"x".to_vec())]).await;
    assert_eq!(status, 403, "{err}");
    let (status, err) = app
        .call(
            bob,
            "POST",
            "/api/knowledge/collections",
            Some(json!({"name": "Ours", "shared": true})),
        )
        .await;
    assert_eq!(status, 403, "{err}");
    // Ada: both, and a search can be kept to one collection.
    let (_, found) = search(
        &app,
        ada,
        json!({"query": "saffron", "collection_ids": [private]}),
    )
    .await;
    let names: Vec<_> = found["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["document_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["secret.txt"]);
    let (status, err) = search(&app, ada, json!({"query": "saffron", "top_k": 0})).await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (400, Some("top_k"))
    );
}

#[tokio::test]
async fn work_cut_off_by_a_stop_is_taken_again_and_given_up_on_after_three_tries() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let c = &app.client;
    let collection = new_collection(&app, c, json!({"name": "Resumed"})).await;
    // As a worker that died mid-way leaves them: processing, leased in the past.
    for (id, attempts, text) in [("resumed", 1, "Lantern oil"), ("hopeless", 3, "Never")] {
        sqlx::query(
            "INSERT INTO knowledge_documents (id, collection_id, filename, format, size_bytes, content_hash, \
             status, stage, attempts, lease_until, uploaded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'text', 11, $1, 'processing', 'indexing', $4, 1, 'x', 1, 1)",
        )
        .bind(id)
        .bind(&collection)
        .bind(format!("{id}.txt"))
        .bind(attempts as i64)
        .execute(&app.db.pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO knowledge_originals (document_id, content) VALUES ($1, $2)")
            .bind(id)
            .bind(text.as_bytes().to_vec())
            .execute(&app.db.pool)
            .await
            .unwrap();
    }
    let done = settled(&app, c, "resumed").await;
    assert_eq!(done["status"], "ready", "{done}");
    assert_eq!(found_in(&app, c, "lantern").await, ["resumed.txt"]);
    let done = settled(&app, c, "hopeless").await;
    assert_eq!(done["status"], "failed");
    assert_eq!(
        done["error"],
        "ingestion was interrupted 3 times; upload the file again"
    );
}

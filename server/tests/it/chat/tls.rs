//! Model servers over https: the real `gantry` binary trusts a private CA given in
//! the operating system's way (`SSL_CERT_FILE`), and refuses a certificate from a
//! CA it does not know, saying so in words.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use serde_json::Value;

use crate::model_server::FakeModelServer;

/// A CA's certificate (PEM) and a server configuration for `localhost` signed by it.
fn ca_and_server() -> (String, rustls::ServerConfig) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(server_cert.der().to_vec())],
        PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes()).unwrap(),
    )
    .unwrap();
    (ca.pem(), config)
}

/// `gantry serve` on a free port, acting as an administrator, with `--llm-url url`
/// and `SSL_CERT_FILE=ca_file`; killed when dropped.
struct Gantry {
    child: Child,
    base: String,
    _data: tempfile::TempDir,
}

impl Drop for Gantry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn gantry(url: &str, ca_file: &std::path::Path) -> Gantry {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--llm-url",
            url,
        ])
        .env("GANTRY_DATA_DIR", data.path())
        .env("GANTRY_SITE_ROOT", data.path())
        .env("GANTRY_MODULES_DIR", data.path().join("modules"))
        .env("GANTRY_DEV_USER", "admin")
        .env("SSL_CERT_FILE", ca_file)
        .env_remove("DATABASE_URL")
        .env_remove("GANTRY_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the gantry binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let ready = async {
        while reqwest::get(format!("{base}/healthz")).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), ready)
        .await
        .expect("gantry answers /healthz within 30 s");
    Gantry {
        child,
        base,
        _data: data,
    }
}

#[tokio::test]
async fn an_https_model_server_with_a_private_ca_is_trusted_through_the_system_store() {
    let (ca_pem, tls) = ca_and_server();
    let models = FakeModelServer::start_tls(tls).await;
    let dir = tempfile::tempdir().unwrap();
    let trusted = dir.path().join("ca.pem");
    std::fs::write(&trusted, &ca_pem).unwrap();
    // Another CA's certificate: a store that does not know the server's.
    let (other_ca, _) = ca_and_server();
    let untrusted = dir.path().join("other.pem");
    std::fs::write(&untrusted, other_ca).unwrap();

    let server = gantry(&models.url, &trusted).await;
    let list: Value = reqwest::get(format!("{}/api/models", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"default/echo"), "{list:#}");
    // And an answer streams over https.
    let client = reqwest::Client::new();
    let conv: Value = client
        .post(format!("{}/api/chat/conversations", server.base))
        .header("origin", &server.base)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = client
        .post(format!(
            "{}/api/chat/conversations/{}/messages",
            server.base,
            conv["id"].as_str().unwrap()
        ))
        .header("origin", &server.base)
        .json(&serde_json::json!({"content": "over TLS", "model": "default/echo"}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        events.contains("event: done") && events.contains("You said: over TLS"),
        "{events}"
    );

    let refusing = gantry(&models.url, &untrusted).await;
    let list: Value = reqwest::get(format!("{}/api/models", refusing.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["models"], serde_json::json!([]), "{list:#}");
    let error = list["unavailable"][0]["error"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        error.contains("`default`") && error.contains("certificate"),
        "{error}"
    );
}

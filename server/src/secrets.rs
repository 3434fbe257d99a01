//! Write-only secrets (model server API keys, and later modules' secret settings),
//! encrypted at rest in the `secrets` table.
//!
//! Each value is sealed with XChaCha20-Poly1305 under the instance's 32-byte key,
//! with a random nonce and the secret's name as associated data (so a sealed value
//! cannot be moved to another name). The key comes from `GANTRY_SECRET_KEY` (64 hex
//! digits; the same on every instance that shares a database) or from
//! `<data dir>/secret.key`, created on first start, readable by its owner only.
//! Nothing here logs a value, and no API returns one.

use std::{path::Path, sync::Arc};

use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};

use crate::{accounts::now, db::Db};

const NONCE_LEN: usize = 24;

/// Why a secret could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key in `{0}` is not 64 hex digits")]
    InvalidKey(String),
    #[error("cannot read or create the secret key file `{path}`: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the secret `{0}` cannot be decrypted with this instance's key (was GANTRY_SECRET_KEY changed?)")]
    Undecryptable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// The instance's key, and the sealed values in the database.
#[derive(Clone)]
pub struct Secrets {
    cipher: Arc<XChaCha20Poly1305>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

impl Secrets {
    /// The key from `GANTRY_SECRET_KEY` when set, else from `<data_dir>/secret.key`
    /// (created when missing).
    pub fn load(data_dir: &Path) -> Result<Self, SecretError> {
        if let Ok(hex) = std::env::var("GANTRY_SECRET_KEY") {
            return Self::from_hex(&hex, "GANTRY_SECRET_KEY");
        }
        let path = data_dir.join("secret.key");
        let key_file = |source| SecretError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(hex) => Self::from_hex(hex.trim(), &path.display().to_string()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(key_file)?;
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).expect("the operating system's random source works");
                let hex = hex::encode(key);
                write_private(&path, &hex).map_err(key_file)?;
                Ok(Self::from_key(&key))
            }
            Err(err) => Err(key_file(err)),
        }
    }

    /// A random key that lives as long as this process (nothing sealed with it
    /// can be read after a restart).
    pub fn ephemeral() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system's random source works");
        Self::from_key(&key)
    }

    fn from_hex(hex: &str, source: &str) -> Result<Self, SecretError> {
        let bytes = hex::decode(hex.trim()).map_err(|_| SecretError::InvalidKey(source.into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SecretError::InvalidKey(source.into()))?;
        Ok(Self::from_key(&key))
    }

    fn from_key(key: &[u8; 32]) -> Self {
        Self {
            cipher: Arc::new(XChaCha20Poly1305::new(key.into())),
        }
    }

    fn seal(&self, name: &str, value: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source works");
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.as_bytes(),
                    aad: name.as_bytes(),
                },
            )
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        hex::encode(out)
    }

    fn open(&self, name: &str, sealed: &str) -> Result<String, SecretError> {
        let undecryptable = || SecretError::Undecryptable(name.to_owned());
        let bytes = hex::decode(sealed).map_err(|_| undecryptable())?;
        if bytes.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| undecryptable())?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| undecryptable())?;
        String::from_utf8(plain).map_err(|_| undecryptable())
    }

    /// Stores `value` under `name`, replacing what was there.
    pub async fn put(&self, db: &Db, name: &str, value: &str) -> Result<(), SecretError> {
        sqlx::query(
            "INSERT INTO secrets (name, sealed, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(self.seal(name, value))
        .bind(now())
        .execute(&db.pool)
        .await?;
        Ok(())
    }

    /// The value under `name`, if any.
    pub async fn get(&self, db: &Db, name: &str) -> Result<Option<String>, SecretError> {
        let sealed: Option<String> =
            sqlx::query_scalar("SELECT sealed FROM secrets WHERE name = $1")
                .bind(name)
                .fetch_optional(&db.pool)
                .await?;
        sealed.map(|s| self.open(name, &s)).transpose()
    }

    /// Removes the value under `name`.
    pub async fn delete(db: &Db, name: &str) -> Result<(), SecretError> {
        sqlx::query("DELETE FROM secrets WHERE name = $1")
            .bind(name)
            .execute(&db.pool)
            .await?;
        Ok(())
    }

    /// Whether a value is stored under `name` (without decrypting it).
    pub async fn is_set(db: &Db, name: &str) -> Result<bool, SecretError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&db.pool)
            .await?;
        Ok(n > 0)
    }
}

/// Writes `text` to a new file only its owner may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_name_and_key() {
        let secrets = Secrets::from_key(&[7; 32]);
        let sealed = secrets.seal("a", "sk-123");
        assert!(!sealed.contains("sk-123"));
        assert_eq!(secrets.open("a", &sealed).unwrap(), "sk-123");
        assert!(secrets.open("b", &sealed).is_err());
        assert!(Secrets::from_key(&[8; 32]).open("a", &sealed).is_err());
        assert_ne!(
            sealed,
            secrets.seal("a", "sk-123"),
            "a fresh nonce each time"
        );
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secrets::load(dir.path()).unwrap();
        let sealed = first.seal("x", "v");
        let again = Secrets::load(dir.path()).unwrap();
        assert_eq!(again.open("x", &sealed).unwrap(), "v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

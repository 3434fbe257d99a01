//! PostgreSQL's `LISTEN`/`NOTIFY` for the host: one listening connection per
//! instance for every channel it follows, each channel's payloads handed to whoever
//! subscribed to it. A lost connection is opened again after a second, and
//! subscribers hear that something may have been missed meanwhile (what was said
//! while nobody listened is lost); each decides what that means for it. On SQLite
//! there is nothing to listen to: subscribers' streams end at once.

use std::time::Duration;

use tokio::sync::broadcast;

use crate::db::{Db, DbKind};

/// What a subscriber hears on its channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Listening began: what was said before was not heard.
    Listening,
    /// A notification, with its payload.
    Said(String),
    /// Listening began again after its connection was lost, or this subscriber fell
    /// behind: anything may have been said meanwhile.
    MaybeMissed,
}

/// The channels one instance follows, with their subscribers.
pub struct Notifications {
    channels: Vec<(&'static str, broadcast::Sender<Heard>)>,
}

/// A subscriber's end of a channel.
pub struct Subscription(broadcast::Receiver<Heard>);

impl Subscription {
    /// The next thing heard; `None` once nobody listens any more (on SQLite, at once).
    pub async fn next(&mut self) -> Option<Heard> {
        match self.0.recv().await {
            Ok(heard) => Some(heard),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Heard::MaybeMissed),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

impl Notifications {
    /// Follows `channels` (once [`Notifications::run`] runs).
    pub fn new(channels: &[&'static str]) -> Self {
        let channels = channels
            .iter()
            .map(|&name| (name, broadcast::channel(256).0))
            .collect();
        Self { channels }
    }

    /// What is heard on `channel`, one of those given to [`Notifications::new`].
    ///
    /// # Panics
    /// When `channel` is not one of them (a mistake in the host's code).
    pub fn subscribe(&self, channel: &str) -> Subscription {
        let (_, sender) = self
            .channels
            .iter()
            .find(|(name, _)| *name == channel)
            .unwrap_or_else(|| panic!("the channel `{channel}` is not followed"));
        Subscription(sender.subscribe())
    }

    /// Listens on `db` until dropped (the task is aborted). Returns at once on
    /// SQLite, which ends every subscription.
    pub async fn run(self, db: Db) {
        if db.kind != DbKind::Postgres {
            return;
        }
        let mut listened = false;
        loop {
            if let Err(err) = self.listen(&db.url, &mut listened).await {
                tracing::warn!("cannot listen for other instances' changes: {err}");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Listens on one connection until it fails; subscribers hear [`Heard::Listening`]
    /// the first time, [`Heard::MaybeMissed`] when listening again.
    async fn listen(&self, url: &str, listened: &mut bool) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.eager_reconnect(false);
        let names: Vec<&str> = self.channels.iter().map(|(name, _)| *name).collect();
        listener.listen_all(names).await?;
        self.tell_all(if *listened {
            Heard::MaybeMissed
        } else {
            Heard::Listening
        });
        *listened = true;
        while let Some(notification) = listener.try_recv().await? {
            if let Some((_, sender)) = self
                .channels
                .iter()
                .find(|(name, _)| *name == notification.channel())
            {
                // Nobody subscribed is no error.
                let _ = sender.send(Heard::Said(notification.payload().to_owned()));
            }
        }
        Ok(())
    }

    fn tell_all(&self, heard: Heard) {
        for (_, sender) in &self.channels {
            let _ = sender.send(heard.clone());
        }
    }
}

//! Tool calls waiting for their user's OK. The question is a row of
//! `chat_tool_questions` (so the user's answer may reach any instance sharing the
//! database), and the instance streaming the turn also waits in memory (so an
//! answer that reaches it wakes the turn at once; one that reaches another instance
//! is read from the row within [`POLL_EVERY`]).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::sync::oneshot;

use super::error::ChatError;
use crate::{accounts::now, db::Db};

/// How often a waiting turn reads its question's row.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// The questions this instance's turns are waiting on, by call id.
#[derive(Clone, Debug, Default)]
pub struct Confirmations {
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<bool>>>>,
}

/// A wait for an answer; dropping it forgets the question, here and in the database.
pub struct Waiting {
    receiver: oneshot::Receiver<bool>,
    call_id: String,
    db: Db,
    confirmations: Confirmations,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.confirmations
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.call_id);
        let (db, call_id) = (self.db.clone(), std::mem::take(&mut self.call_id));
        tokio::spawn(async move {
            if let Err(err) = sqlx::query("DELETE FROM chat_tool_questions WHERE call_id = $1")
                .bind(&call_id)
                .execute(&db.pool)
                .await
            {
                tracing::warn!("cannot forget the question of tool call {call_id}: {err}");
            }
        });
    }
}

impl Waiting {
    /// The user's answer: `Some(approve)`, or `None` when none came within `limit`.
    pub async fn answer(mut self, limit: Duration) -> Result<Option<bool>, ChatError> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut poll = tokio::time::interval(POLL_EVERY);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                answer = &mut self.receiver => return Ok(answer.ok()),
                () = tokio::time::sleep_until(deadline) => return Ok(None),
                _ = poll.tick() => {
                    let answer: Option<Option<i64>> = sqlx::query_scalar(
                        "SELECT answer FROM chat_tool_questions WHERE call_id = $1",
                    )
                    .bind(&self.call_id)
                    .fetch_optional(&self.db.pool)
                    .await?;
                    if let Some(Some(answer)) = answer {
                        return Ok(Some(answer != 0));
                    }
                }
            }
        }
    }
}

impl Confirmations {
    /// Asks `user_id` about call `call_id`: from now on their answer is taken, on
    /// any instance.
    pub async fn ask(&self, db: &Db, call_id: &str, user_id: &str) -> Result<Waiting, ChatError> {
        sqlx::query(
            "INSERT INTO chat_tool_questions (call_id, user_id, asked_at) VALUES ($1, $2, $3)",
        )
        .bind(call_id)
        .bind(user_id)
        .bind(now())
        .execute(&db.pool)
        .await?;
        let (sender, receiver) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(call_id.to_owned(), sender);
        Ok(Waiting {
            receiver,
            call_id: call_id.to_owned(),
            db: db.clone(),
            confirmations: self.clone(),
        })
    }

    /// Gives `user_id`'s answer to call `call_id`; `false` when no call of theirs
    /// is waiting under that id (or it was answered already).
    pub async fn answer(
        &self,
        db: &Db,
        call_id: &str,
        user_id: &str,
        approve: bool,
    ) -> Result<bool, ChatError> {
        let taken = sqlx::query(
            "UPDATE chat_tool_questions SET answer = $1 \
             WHERE call_id = $2 AND user_id = $3 AND answer IS NULL",
        )
        .bind(i64::from(approve))
        .bind(call_id)
        .bind(user_id)
        .execute(&db.pool)
        .await?
        .rows_affected()
            == 1;
        if taken {
            // The turn may be waiting here: wake it now rather than at its next read.
            let waiting = self
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(call_id);
            if let Some(sender) = waiting {
                let _ = sender.send(approve);
            }
        }
        Ok(taken)
    }
}

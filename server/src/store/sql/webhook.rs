//! The webhook tables: `webhooks` (subscriptions), `webhook_outbox` (log
//! entries kept for them, see store/outbox.rs) and `webhook_deliveries`.

use protocol::webhook::{DeliveryState, WebhookEventType};

use crate::store::{Result, StoreError};

/// Inserting an outbox row (`$1`…`$6`: event id, kind, session, visitor, at, entry).
pub(in crate::store) const INSERT_OUTBOX: &str = "INSERT INTO webhook_outbox \
     (event_id, kind, session_id, visitor_id, at, entry) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (event_id) DO NOTHING";

pub(in crate::store) const DELIVERY_COLUMNS: &str = "id, event_id, event_type, state, attempts, \
     last_status, last_error, created_at, next_attempt_at, delivered_at";

/// A `webhook_deliveries` row as `DELIVERY_COLUMNS` selects it.
pub(in crate::store) type DeliveryRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(in crate::store) fn event_type(s: &str) -> Result<WebhookEventType> {
    WebhookEventType::parse(s)
        .ok_or_else(|| StoreError::Corrupt(format!("webhook event type {s:?}")))
}

pub(in crate::store) fn delivery_from(
    (id, event_id, kind, state, attempts, last_status, last_error, created_at, next, delivered): DeliveryRow,
) -> Result<crate::store::Delivery> {
    let state = match state.as_str() {
        "pending" => DeliveryState::Pending,
        "delivered" => DeliveryState::Delivered,
        "failed" => DeliveryState::Failed,
        other => return Err(StoreError::Corrupt(format!("delivery state {other:?}"))),
    };
    Ok(crate::store::Delivery {
        id,
        event_id,
        event_type: event_type(&kind)?,
        state,
        attempts: attempts.clamp(0, i64::from(u32::MAX)) as u32,
        last_status: last_status.map(|s| s.clamp(0, 999) as u16),
        last_error,
        created_at,
        next_attempt_at: next.filter(|_| state == DeliveryState::Pending),
        delivered_at: delivered,
    })
}

pub(in crate::store) fn events_from(json: &str) -> Result<Vec<WebhookEventType>> {
    super::rows::json_list(json)?
        .iter()
        .map(|t| event_type(t))
        .collect()
}

/// `Store`'s webhook methods as inherent `…_sql` methods.
macro_rules! webhook_sql {
    ($store:ty) => {
        impl $store {
            async fn add_webhook_sql(&self, w: &$crate::store::Webhook, secret: &str) -> $crate::store::Result<()> {
                let events: Vec<&str> = w.events.iter().map(|t| t.as_str()).collect();
                sqlx::query(
                    "INSERT INTO webhooks (id, url, events, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&w.id)
                .bind(&w.url)
                .bind($crate::store::sql::rows::to_json(&events))
                .bind(secret)
                .bind(&w.created_by)
                .bind(w.created_at)
                .execute(&self.pool)
                .await
                .map_err($crate::store::sql::rows::conflict("webhook"))?;
                Ok(())
            }

            async fn webhooks_sql(&self) -> $crate::store::Result<Vec<($crate::store::Webhook, String)>> {
                let rows: Vec<(String, String, String, String, Option<String>, i64)> = sqlx::query_as(
                    "SELECT id, url, events, secret, created_by, created_at FROM webhooks ORDER BY created_at DESC, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, url, events, secret, created_by, created_at)| {
                        let events = $crate::store::sql::webhook::events_from(&events)?;
                        Ok(($crate::store::Webhook { id, url, events, created_at, created_by }, secret))
                    })
                    .collect()
            }

            async fn remove_webhook_sql(&self, id: &str) -> $crate::store::Result<bool> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let done = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn webhook_outbox_sql(
                &self,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::outbox::OutboxEntry>> {
                let rows: Vec<(i64, String, String, Option<String>, Option<String>, i64, Option<String>)> = sqlx::query_as(
                    "SELECT id, event_id, kind, session_id, visitor_id, at, entry FROM webhook_outbox ORDER BY id LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, event_id, kind, session_id, visitor_id, at, entry)| {
                        let entry = entry
                            .map(|e| serde_json::from_str(&e))
                            .transpose()
                            .map_err(|e| $crate::store::StoreError::Corrupt(format!("outbox entry: {e}")))?;
                        Ok($crate::store::outbox::OutboxEntry { id, event_id, kind, session_id, visitor_id, at, entry })
                    })
                    .collect()
            }

            async fn fan_out_sql(
                &self,
                outbox_id: i64,
                deliveries: &[$crate::store::NewDelivery],
            ) -> $crate::store::Result<()> {
                let mut tx = self.pool.begin().await?;
                for d in deliveries {
                    sqlx::query(
                        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, state, created_at, \
                         next_attempt_at, give_up_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $7) \
                         ON CONFLICT (webhook_id, event_id) DO NOTHING",
                    )
                    .bind(&d.id)
                    .bind(&d.webhook_id)
                    .bind(&d.event_id)
                    .bind(d.event_type.as_str())
                    .bind(&d.body)
                    .bind(d.created_at)
                    .bind(d.give_up_at)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM webhook_outbox WHERE id = $1").bind(outbox_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn due_deliveries_sql(
                &self,
                now: i64,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::DueDelivery>> {
                let rows: Vec<(String, String, String, String, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT d.id, w.url, w.secret, d.event_id, d.event_type, d.body, d.attempts, d.give_up_at \
                     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                     WHERE d.state = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2",
                )
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, url, secret, event_id, kind, body, attempts, give_up_at)| {
                        Ok($crate::store::DueDelivery {
                            id,
                            url,
                            secret,
                            event_id,
                            event_type: $crate::store::sql::webhook::event_type(&kind)?,
                            body,
                            attempts: attempts.clamp(0, i64::from(u32::MAX)) as u32,
                            give_up_at,
                        })
                    })
                    .collect()
            }

            async fn record_attempt_sql(
                &self,
                id: &str,
                attempt: &$crate::store::Attempt,
            ) -> $crate::store::Result<()> {
                let (state, next, delivered) = match attempt.next {
                    $crate::store::AttemptNext::Delivered(at) => ("delivered", None, Some(at)),
                    $crate::store::AttemptNext::RetryAt(at) => ("pending", Some(at), None),
                    $crate::store::AttemptNext::GiveUp => ("failed", None, None),
                };
                sqlx::query(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, state = $2, next_attempt_at = $3, \
                     delivered_at = $4, last_status = $5, last_error = $6 WHERE id = $1",
                )
                .bind(id)
                .bind(state)
                .bind(next)
                .bind(delivered)
                .bind(attempt.status.map(i64::from))
                .bind(&attempt.error)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn deliveries_sql(
                &self,
                webhook_id: &str,
                limit: u32,
            ) -> $crate::store::Result<Vec<$crate::store::Delivery>> {
                let q = format!(
                    "SELECT {} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                    $crate::store::sql::webhook::DELIVERY_COLUMNS
                );
                let rows: Vec<$crate::store::sql::webhook::DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(q))
                    .bind(webhook_id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::store::sql::webhook::delivery_from).collect()
            }

            async fn redeliver_sql(
                &self,
                webhook_id: &str,
                delivery_id: &str,
                now: i64,
                give_up_at: i64,
            ) -> $crate::store::Result<bool> {
                let done = sqlx::query(
                    "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, give_up_at = $4 \
                     WHERE id = $2 AND webhook_id = $1",
                )
                .bind(webhook_id)
                .bind(delivery_id)
                .bind(now)
                .bind(give_up_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn purge_deliveries_sql(&self, before: i64, batch: u32) -> $crate::store::Result<u64> {
                let done = sqlx::query(
                    "DELETE FROM webhook_deliveries WHERE id IN \
                     (SELECT id FROM webhook_deliveries WHERE created_at < $1 AND state <> 'pending' LIMIT $2)",
                )
                .bind(before)
                .bind(i64::from(batch))
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(in crate::store) use webhook_sql;

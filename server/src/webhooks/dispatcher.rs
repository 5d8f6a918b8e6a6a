//! The dispatcher: on the node running the hub, every `poll`, it reads the
//! subscriptions (and tells the store what to keep for them), fans the
//! outbox out into deliveries, and sends those due, a few at a time.
//! A failed attempt (no answer within `timeout`, a non-2xx status, a
//! connection refused) is retried after 10 s, 20 s, 40 s … (doubling, at
//! most an hour apart, ±10 %), until a day after the event: then it is
//! failed, and an admin may redeliver it.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use protocol::webhook::{WebhookEvent, WebhookEventType};
use protocol::{Event, Millis};
use tokio::sync::watch;

use super::sign::{HEADER, signature};
use super::target::PublicOnly;
use crate::clock::now_ms;
use crate::cluster::{Live, Route};
use crate::config::WebhookConfig;
use crate::ids::new_id;
use crate::store::outbox::{IDENTIFIED, OutboxEntry, types_of};
use crate::store::{Attempt, AttemptNext, DueDelivery, NewDelivery, Store, Webhook};

/// Outbox rows fanned out, and deliveries sent, per round at most.
const ROUND: u32 = 200;
/// Deliveries in flight at once.
const PARALLEL: usize = 8;
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 3_600_000;
/// Longest error text kept for an attempt.
const MAX_ERROR_CHARS: usize = 300;

pub fn spawn(
    store: Arc<dyn Store>,
    live: Live,
    config: WebhookConfig,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let client = client(&config);
    tokio::spawn(async move {
        // What to keep for webhooks is known before the first event.
        if let Err(e) = refresh_interest(store.as_ref()).await {
            tracing::warn!(error = %e, "webhook subscriptions could not be read");
        }
        loop {
            tokio::select! {
                _ = stopped.changed() => return,
                _ = tokio::time::sleep(config.poll) => {}
            }
            if !matches!(live.route(), Some((_, Route::Core(_)))) {
                continue;
            }
            if let Err(e) = round(store.as_ref(), &client, &config).await {
                tracing::warn!(error = %e, "webhook round failed; trying again");
            }
        }
    })
}

fn client(config: &WebhookConfig) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .user_agent(concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !config.allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    builder.build().expect("the HTTP client builds")
}

/// One round: subscriptions, fan-out, deliveries.
pub async fn round(
    store: &dyn Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
) -> crate::store::Result<()> {
    let subscriptions = refresh_interest(store).await?;

    for row in store.webhook_outbox(ROUND).await? {
        let deliveries = fan_out(store, &subscriptions, &row, config).await?;
        store.fan_out(row.id, &deliveries).await?;
    }

    let now = now_ms();
    let due = store.due_deliveries(now, ROUND).await?;
    let attempts: Vec<(String, Attempt)> = futures_util::stream::iter(due)
        .map(|d| async move {
            let attempt = send(client, &d, config).await;
            (d.id, attempt)
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for (id, attempt) in attempts {
        store.record_attempt(&id, &attempt).await?;
    }
    Ok(())
}

/// Reads the subscriptions and tells the store which entries to keep for
/// them; returns them. Also called as soon as one is added or removed.
pub async fn refresh_interest(store: &dyn Store) -> crate::store::Result<Vec<Webhook>> {
    let subscriptions: Vec<Webhook> = store
        .webhooks()
        .await?
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    let mut wanted: Vec<WebhookEventType> = subscriptions
        .iter()
        .flat_map(|w| w.events.iter().copied())
        .collect();
    wanted.sort();
    wanted.dedup();
    store.set_webhook_interest(&wanted);
    Ok(subscriptions)
}

/// One delivery per subscription that wants one of the row's types.
async fn fan_out(
    store: &dyn Store,
    subscriptions: &[Webhook],
    row: &OutboxEntry,
    config: &WebhookConfig,
) -> crate::store::Result<Vec<NewDelivery>> {
    let mut event = WebhookEvent {
        id: row.event_id.clone(),
        kind: WebhookEventType::CustomerIdentified,
        created_at: row.at,
        conversation: None,
        entry: row.entry.clone(),
        customer: None,
    };
    let types = if row.kind == IDENTIFIED {
        let visitor = match &row.visitor_id {
            Some(id) => store.visitor(id).await?,
            None => None,
        };
        event.customer = visitor.map(crate::http::customer_of);
        vec![WebhookEventType::CustomerIdentified]
    } else {
        let session = match &row.session_id {
            Some(id) => store.session(id).await?,
            None => None,
        };
        let had_callback = session.as_ref().is_some_and(|s| s.callback.is_some());
        event.conversation = session.map(|s| s.summary());
        row.entry
            .as_ref()
            .map_or_else(Vec::new, |e: &Event| types_of(e, had_callback))
    };
    let mut deliveries = Vec::new();
    for kind in types {
        event.kind = kind;
        // An event becoming two types (an end that is also a call-back's)
        // gets an id per type.
        event.id = match kind {
            WebhookEventType::CallbackDone => format!("{}_callback", row.event_id),
            _ => row.event_id.clone(),
        };
        let body = serde_json::to_string(&event).expect("plain data serialises");
        for w in subscriptions.iter().filter(|w| w.events.contains(&kind)) {
            deliveries.push(NewDelivery {
                id: new_id("dlv_"),
                webhook_id: w.id.clone(),
                event_id: event.id.clone(),
                event_type: kind,
                body: body.clone(),
                created_at: row.at,
                give_up_at: row.at.max(now_ms() - 1) + config.give_up_after.as_millis() as i64,
            });
        }
    }
    Ok(deliveries)
}

/// One attempt, and what comes after it.
async fn send(client: &reqwest::Client, d: &DueDelivery, config: &WebhookConfig) -> Attempt {
    let sent_at = now_ms();
    let result = client
        .post(&d.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("tandem-event-id", &d.event_id)
        .header("tandem-event-type", d.event_type.as_str())
        .header(
            HEADER,
            signature(&d.secret, sent_at / 1000, d.body.as_bytes()),
        )
        .body(d.body.clone())
        .send()
        .await;
    let (status, error) = match result {
        Ok(res) if res.status().is_success() => {
            return Attempt {
                status: Some(res.status().as_u16()),
                error: None,
                next: AttemptNext::Delivered(now_ms()),
            };
        }
        Ok(res) => (
            Some(res.status().as_u16()),
            format!("the endpoint answered {}", res.status()),
        ),
        Err(e) if e.is_timeout() => (None, format!("no answer within {:?}", config.timeout)),
        Err(e) => (None, describe(&e)),
    };
    let now = now_ms();
    let next = if now >= d.give_up_at {
        AttemptNext::GiveUp
    } else {
        AttemptNext::RetryAt(
            (now + backoff_ms(config.retry_base, d.attempts + 1)).min(d.give_up_at),
        )
    };
    Attempt {
        status,
        error: Some(error.chars().take(MAX_ERROR_CHARS).collect()),
        next,
    }
}

/// The error and its causes, as one line.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How long after its `attempts`-th failure a delivery is tried again.
pub fn backoff_ms(base: Duration, attempts: u32) -> Millis {
    let doubled =
        (base.as_millis() as i64).saturating_mul(1_i64 << attempts.saturating_sub(1).min(30));
    let capped = doubled.min(MAX_BACKOFF_MS);
    // ±10 %, so endpoints that failed together are not retried together.
    let jitter = (rand::random::<f64>() - 0.5) * 0.2;
    capped + (capped as f64 * jitter) as Millis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour_with_a_little_jitter() {
        let base = Duration::from_secs(10);
        let near = |got: Millis, want: Millis| (got - want).abs() <= want / 10;
        assert!(near(backoff_ms(base, 1), 10_000));
        assert!(near(backoff_ms(base, 2), 20_000));
        assert!(near(backoff_ms(base, 5), 160_000));
        assert!(near(backoff_ms(base, 12), 3_600_000));
        assert!(near(backoff_ms(base, 1_000), 3_600_000));
    }
}

//! Webhooks: what an admin subscribes an HTTPS endpoint to, and what each
//! delivery carries (docs/api.md, "Webhooks"). The server signs every
//! delivery; these are the bodies of `/api/v1/webhooks` and the delivered
//! JSON.

use serde::{Deserialize, Serialize};

use crate::{Event, Millis, SessionSummary};

/// The kinds of event a subscription may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEventType {
    /// A visitor asked for help.
    #[serde(rename = "conversation.queued")]
    ConversationQueued,
    /// An agent took a conversation.
    #[serde(rename = "conversation.accepted")]
    ConversationAccepted,
    /// A conversation moved to another agent or skill.
    #[serde(rename = "conversation.transferred")]
    ConversationTransferred,
    /// A conversation ended.
    #[serde(rename = "conversation.ended")]
    ConversationEnded,
    /// A chat message, by the visitor or an agent.
    #[serde(rename = "message")]
    Message,
    /// An agent's private note: only to subscriptions with `include_notes`.
    #[serde(rename = "note")]
    Note,
    /// An agent saved (or replaced) a conversation's wrap-up.
    #[serde(rename = "wrapup.saved")]
    WrapupSaved,
    /// A visitor left a message or asked to be called back.
    #[serde(rename = "callback.requested")]
    CallbackRequested,
    /// A conversation with a call-back ended: it was dealt with.
    #[serde(rename = "callback.done")]
    CallbackDone,
    /// The visitor started sharing their screen.
    #[serde(rename = "share.started")]
    ShareStarted,
    /// Screen sharing stopped.
    #[serde(rename = "share.stopped")]
    ShareStopped,
    /// A voice call started ringing.
    #[serde(rename = "call.started")]
    CallStarted,
    /// A voice call ended.
    #[serde(rename = "call.ended")]
    CallEnded,
    /// A site told who a visitor is (`Tandem.identify`).
    #[serde(rename = "customer.identified")]
    CustomerIdentified,
}

impl WebhookEventType {
    /// Every type, in the order the docs list them.
    pub const ALL: [WebhookEventType; 14] = [
        WebhookEventType::ConversationQueued,
        WebhookEventType::ConversationAccepted,
        WebhookEventType::ConversationTransferred,
        WebhookEventType::ConversationEnded,
        WebhookEventType::Message,
        WebhookEventType::Note,
        WebhookEventType::WrapupSaved,
        WebhookEventType::CallbackRequested,
        WebhookEventType::CallbackDone,
        WebhookEventType::ShareStarted,
        WebhookEventType::ShareStopped,
        WebhookEventType::CallStarted,
        WebhookEventType::CallEnded,
        WebhookEventType::CustomerIdentified,
    ];

    /// The type's name on the wire (`conversation.queued`).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::ConversationQueued => "conversation.queued",
            WebhookEventType::ConversationAccepted => "conversation.accepted",
            WebhookEventType::ConversationTransferred => "conversation.transferred",
            WebhookEventType::ConversationEnded => "conversation.ended",
            WebhookEventType::Message => "message",
            WebhookEventType::Note => "note",
            WebhookEventType::WrapupSaved => "wrapup.saved",
            WebhookEventType::CallbackRequested => "callback.requested",
            WebhookEventType::CallbackDone => "callback.done",
            WebhookEventType::ShareStarted => "share.started",
            WebhookEventType::ShareStopped => "share.stopped",
            WebhookEventType::CallStarted => "call.started",
            WebhookEventType::CallEnded => "call.ended",
            WebhookEventType::CustomerIdentified => "customer.identified",
        }
    }

    /// The type named `s`, if any.
    pub fn parse(s: &str) -> Option<WebhookEventType> {
        WebhookEventType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A subscription, as listed (never its signing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// The subscription's id (`wh_…`).
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The event types delivered.
    pub events: Vec<WebhookEventType>,
    /// When it was made (ms since the epoch).
    pub created_at: Millis,
    /// The id of the agent who made it; absent when made with a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// `POST /api/v1/webhooks`: what to deliver where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewWebhook {
    /// An `https://` URL (≤ 2,048 characters) on a public address.
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub url: String,
    /// The event types to deliver, at least one (`note` delivers agents'
    /// private notes: ask for it only where they may go).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 14))]
    pub events: Vec<WebhookEventType>,
}

/// The answer to `POST /api/v1/webhooks`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookCreated {
    /// The subscription.
    pub webhook: Webhook,
    /// The key every delivery is signed with (`whsec_…`), HMAC-SHA256.
    pub secret: String,
}

/// `GET /api/v1/webhooks`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    /// The subscriptions.
    pub webhooks: Vec<Webhook>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet accepted by the endpoint; tried again at `next_attempt_at`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after 24 hours of retries (or its subscription was removed).
    Failed,
}

/// One event's delivery to one subscription, with how its attempts went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// The delivery's id (`dlv_…`), for redelivering it.
    pub id: String,
    /// The event's id, the same on every attempt (`Tandem-Event-Id`).
    pub event_id: String,
    /// The event's type.
    pub event_type: WebhookEventType,
    /// Pending, delivered or failed.
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// The endpoint's HTTP status at the last attempt; absent when it did
    /// not answer (or was not tried yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    /// Why the last attempt failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the event happened (ms since the epoch).
    pub created_at: Millis,
    /// When it is tried next, while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Millis>,
    /// When the endpoint accepted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Millis>,
}

/// `GET /api/v1/webhooks/{id}/deliveries`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryList {
    /// The deliveries.
    pub deliveries: Vec<Delivery>,
}

/// The JSON body POSTed to an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// Unique per event: the same on every retry, so receivers drop duplicates.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: WebhookEventType,
    /// When it happened (ms since the epoch).
    pub created_at: Millis,
    /// The conversation as it was when the event was sent out; absent for
    /// `customer.identified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<SessionSummary>,
    /// The log entry behind the event (its `seq` orders a conversation's
    /// events); absent for `customer.identified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<Event>,
    /// For `customer.identified`: the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<crate::api::Customer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_by_its_name() {
        for t in WebhookEventType::ALL {
            assert_eq!(WebhookEventType::parse(t.as_str()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        assert_eq!(WebhookEventType::parse("conversation"), None);
    }
}

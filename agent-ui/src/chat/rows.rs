//! The message list as rows ready to render: logged events (messages
//! grouped under one header, notes, lifecycle lines) then the agent's
//! messages still pending. Pure, tested natively.

use protocol::{EventBody, Millis, Role};

use super::state::Chat;
use super::transcript::system_text;

/// Consecutive messages by the same author within this window share one
/// header (name and time), which keeps the list dense.
const GROUP_WINDOW_MS: Millis = 5 * 60_000;

/// One line of the message list, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable identity for keyed rendering: the seq for logged events, the
    /// client id (and failure state) for pending ones.
    pub key: String,
    pub at: Millis,
    pub kind: RowKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    Message {
        seq: u64,
        author: Role,
        author_name: Option<String>,
        text: String,
        /// False when the previous row is a message by the same author a
        /// moment earlier: the view then leaves out the name and time.
        starts_group: bool,
    },
    System {
        seq: u64,
        text: String,
    },
    /// A private note: agents only, never shown to the visitor.
    Note {
        seq: u64,
        author_name: Option<String>,
        text: String,
    },
    Pending {
        client_id: String,
        text: String,
        failed: Option<String>,
    },
}

impl Chat {
    /// Everything to show in the message list, oldest first, pending last.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::with_capacity(self.events.len() + self.pending.len());
        let mut prev: Option<(Role, Millis)> = None;
        for e in self.events.values() {
            let kind = match &e.body {
                EventBody::Message { text, .. } => {
                    let starts_group = !matches!(prev, Some((author, at)) if author == e.author && e.at - at < GROUP_WINDOW_MS);
                    prev = Some((e.author, e.at));
                    RowKind::Message {
                        seq: e.seq,
                        author: e.author,
                        author_name: e.author_name.clone(),
                        text: text.clone(),
                        starts_group,
                    }
                }
                EventBody::Note { text } => {
                    prev = None;
                    RowKind::Note {
                        seq: e.seq,
                        author_name: e.author_name.clone(),
                        text: text.clone(),
                    }
                }
                body => {
                    prev = None;
                    let name = e.author_name.as_deref();
                    RowKind::System {
                        seq: e.seq,
                        text: crate::form::audit_text(body, name, &self.events)
                            .unwrap_or_else(|| system_text(body, name)),
                    }
                }
            };
            rows.push(Row {
                key: e.seq.to_string(),
                at: e.at,
                kind,
            });
        }
        for p in &self.pending {
            rows.push(Row {
                key: format!("p:{}:{}", p.client_id, p.failed.is_some()),
                at: p.at,
                kind: RowKind::Pending {
                    client_id: p.client_id.clone(),
                    text: p.text.clone(),
                    failed: p.failed.clone(),
                },
            });
        }
        rows
    }
}

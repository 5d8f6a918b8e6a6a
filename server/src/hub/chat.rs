//! The conversation itself: chat messages (numbered and stored, the
//! sender's copy its acknowledgement), typing indicators (not stored),
//! delivered/read receipts, and `session.sync`, the history after a seq.

use protocol::limits::HISTORY_PAGE;
use protocol::{EventBody, ReceiptKind, ServerEnvelope, ServerFrame, SessionState};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, Wire};
use super::principal::{Principal, author_name, takes_part};
use super::state::Hub;
use crate::store::batch::Then;

impl Hub {
    /// A chat message, numbered and queued for the store at once: the sender
    /// may send its next frame while this one is written. Everyone, sender
    /// included, gets the event once it is stored (the sender's copy is its
    /// acknowledgement); if storing fails, the sender gets an error naming
    /// the request instead.
    pub(super) async fn chat_send(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        rid: Option<u64>,
        session: String,
        body: EventBody,
    ) -> HubResult<()> {
        let unstored = conn.unstored_permit().await;
        let slot = self.inner.events.slot().await?;
        {
            let st = &mut *self.state();
            if let Some(live) = st.sessions.get_mut(&session) {
                if !takes_part(who, &live.record) {
                    return Err(HubError::forbidden("this session is not yours"));
                }
                if live.record.state == SessionState::Ended {
                    return Err(HubError::session_ended());
                }
                let name = author_name(who, &live.record);
                let (conn, id) = (conn.clone(), session.clone());
                let then: Then = Box::new(move |result| {
                    drop(unstored);
                    if let Err(e) = result {
                        conn.send(&HubError::from(e).frame(rid, Some(id)));
                    }
                });
                self.post(live, slot, who.role(), name, body, then);
                return Ok(());
            }
        }
        // Not live: the stored session says whether it is unknown, not
        // this sender's, or over.
        self.access(who, &session).await?;
        Err(HubError::session_ended())
    }

    /// Typing started or stopped: told to the other side only (the sender's
    /// own tabs do not need it), and dropped rather than queued under pressure.
    pub(super) async fn typing(
        &self,
        who: &Principal,
        session: &str,
        active: bool,
    ) -> HubResult<()> {
        let record = self.access(who, session).await?;
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Typing {
            session: session.to_string(),
            author: who.role(),
            active,
        }));
        let st = self.state();
        let others: Vec<_> = match who {
            Principal::Visitor { .. } => record
                .agent
                .as_ref()
                .and_then(|a| st.agents.get(&a.id))
                .map(|a| a.conns.clone())
                .unwrap_or_default(),
            Principal::Agent(_) => st
                .visitors
                .get(&record.visitor_id)
                .cloned()
                .unwrap_or_default(),
        };
        for c in others {
            c.send_ephemeral(&frame);
        }
        Ok(())
    }

    /// Everything up to `seq` was delivered to, or read by, `who`.
    pub(super) async fn receipt(
        &self,
        who: &Principal,
        session: &str,
        kind: ReceiptKind,
        seq: u64,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let record = {
            let st = &mut *self.state();
            let Some(live) = st.sessions.get_mut(session) else {
                // Receipts on an ended session change nothing worth storing.
                return Ok(());
            };
            let seq = seq.min(live.record.last_seq);
            if !live.record.receipts.raise(who.role(), kind, seq) {
                return Ok(());
            }
            live.record.clone()
        };
        self.inner.store.update_session(&record).await?;
        let st = self.state();
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Receipts {
            session: session.to_string(),
            receipts: record.receipts,
        }));
        Self::send_to_session(&st, &record, &frame);
        Ok(())
    }

    /// The events after `after_seq`, one page of them, as `who` may read
    /// them (private notes redacted for visitors), with the receipts.
    pub(super) async fn session_sync(
        &self,
        who: &Principal,
        session: String,
        after_seq: u64,
    ) -> HubResult<ServerFrame> {
        let record = self.access(who, &session).await?;
        let events = self
            .inner
            .store
            .events_after(&session, after_seq, HISTORY_PAGE as u32)
            .await?;
        let more = events.len() == HISTORY_PAGE;
        let events = events
            .iter()
            .map(|e| e.for_reader(who.role()).into_owned())
            .collect();
        Ok(ServerFrame::History {
            session,
            events,
            receipts: record.receipts,
            more,
        })
    }
}

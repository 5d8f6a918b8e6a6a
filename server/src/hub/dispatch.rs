//! Which family handles each client frame, once the sender is
//! authenticated: one arm per frame type, unpacking its fields for the
//! family file that does the work (session.rs, chat.rs, queue.rs,
//! cobrowse.rs, form.rs, transfer.rs, call.rs, callback.rs, wrapup.rs,
//! identity.rs).

use protocol::{ClientFrame, ErrorCode, EventBody, ServerEnvelope, ServerFrame};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, Wire};
use super::principal::{Principal, agent_of, visitor_of};
use super::session::HelpRequest;
use super::state::Hub;
use super::transfer::TransferTarget;
use crate::auth::identity::Proof;

/// The answer to a frame that has no direct reply: what it does reaches
/// clients through the session's participants.
fn no_reply(done: HubResult<()>) -> HubResult<Option<ServerFrame>> {
    done.map(|()| None)
}

impl Hub {
    /// Applies one decoded frame of a socket and queues its answer: the
    /// direct reply, or the refusal naming its request and session. False
    /// when the refusal was dropped for want of room (see
    /// `ConnHandle::send_refusal`).
    pub async fn answer(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        env: protocol::ClientEnvelope,
    ) -> bool {
        let session = env.frame.session().map(str::to_string);
        match self.handle(who, conn, env.rid, env.frame).await {
            Ok(Some(reply)) => {
                conn.send(&Wire::new(&ServerEnvelope::reply(env.rid, reply)));
                true
            }
            Ok(None) => true,
            Err(e) => conn.send_refusal(&e.frame(env.rid, session)),
        }
    }

    /// Applies one frame. Returns the direct reply to the sender, if the frame has one;
    /// everything else reaches clients through the session's participants.
    /// `rid` is the request's id, for answers that come after this returns.
    pub async fn handle(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        rid: Option<u64>,
        frame: ClientFrame,
    ) -> HubResult<Option<ServerFrame>> {
        // Going online and taking a request are what the `agent` role is
        // for: a supervisor or admin account without it watches only.
        let takes_chats = matches!(
            frame,
            ClientFrame::PresenceSet { .. } | ClientFrame::QueueAccept { .. }
        );
        if takes_chats
            && let Principal::Agent(agent) = who
            && !agent.has_role(protocol::api::AgentRole::Agent)
        {
            return Err(HubError::forbidden("taking chats needs the agent role"));
        }
        match frame {
            ClientFrame::Hello { .. } => Err(HubError::new(
                ErrorCode::InvalidFrame,
                "hello was already received",
            )),
            // session.rs
            ClientFrame::HelpRequest {
                topic,
                message,
                client_id,
                page,
            } => {
                let request = HelpRequest {
                    topic,
                    message,
                    client_id,
                    page,
                };
                no_reply(self.request_help(who, request).await)
            }
            ClientFrame::HelpCancel { session } => no_reply(self.help_cancel(who, &session).await),
            ClientFrame::QueueAccept { session } => {
                no_reply(self.accept(agent_of(who)?, &session).await)
            }
            ClientFrame::SessionEnd { session } => no_reply(self.session_end(who, &session).await),
            ClientFrame::PageView { page } => no_reply(self.page_view(who, &page).await),
            ClientFrame::PageVisibility { visible } => no_reply(self.page_visibility(who, visible)),
            // queue.rs
            ClientFrame::PresenceSet { presence } => {
                let agent = agent_of(who)?;
                self.set_presence(agent, presence);
                self.keep_presence(agent, presence).await;
                Ok(None)
            }
            ClientFrame::OfferDecline { session } => {
                self.decline(agent_of(who)?, &session);
                Ok(None)
            }
            // chat.rs
            ClientFrame::ChatSend {
                session,
                client_id,
                text,
            } => {
                let body = EventBody::Message { text, client_id };
                no_reply(self.chat_send(who, conn, rid, session, body).await)
            }
            ClientFrame::Typing { session, active } => {
                no_reply(self.typing(who, &session, active).await)
            }
            ClientFrame::Receipt { session, kind, seq } => {
                no_reply(self.receipt(who, &session, kind, seq).await)
            }
            ClientFrame::SessionSync { session, after_seq } => {
                self.session_sync(who, session, after_seq).await.map(Some)
            }
            // identity.rs
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                let (visitor, site) = visitor_of(who)?;
                let proof = Proof {
                    token: token.as_deref(),
                    hash: hash.as_deref(),
                };
                no_reply(self.identify(visitor, site, identity, proof).await)
            }
            // cobrowse.rs
            ClientFrame::CobrowseRequest { session } => {
                no_reply(self.cobrowse_request(who, &session).await)
            }
            ClientFrame::CobrowseStart { session } => {
                no_reply(self.cobrowse_start(who, &session).await)
            }
            ClientFrame::CobrowseDeny { session } => {
                no_reply(self.cobrowse_deny(who, &session).await)
            }
            ClientFrame::CobrowseStop { session } => self.cobrowse_stop(who, &session).await,
            ClientFrame::CobrowseSubscribe { session, fresh } => {
                no_reply(self.cobrowse_subscribe(who, conn, &session, fresh).await)
            }
            ClientFrame::Pointer(pointer) => no_reply(self.pointer(who, pointer).await),
            ClientFrame::Highlight(highlight) => no_reply(self.highlight(who, highlight).await),
            ClientFrame::HighlightClear { session } => {
                no_reply(self.highlight_clear(who, &session).await)
            }
            // form.rs
            ClientFrame::FormFieldsRequest { session } => {
                no_reply(self.form_fields_request(who, &session).await)
            }
            ClientFrame::FormFields {
                session,
                url,
                fields,
            } => no_reply(self.form_fields(who, &session, url, fields).await),
            ClientFrame::FormPush {
                session,
                url,
                fields,
            } => no_reply(self.form_push(who, &session, url, fields).await),
            ClientFrame::FormAnswer(answer) => no_reply(self.form_answer(who, answer).await),
            ClientFrame::PagePush {
                session,
                url,
                label,
            } => no_reply(self.page_push(who, &session, url, label).await),
            ClientFrame::PageAnswer {
                session,
                push,
                accepted,
            } => no_reply(self.page_answer(who, &session, push, accepted).await),
            // transfer.rs
            ClientFrame::NoteAdd { session, text } => {
                no_reply(self.add_note(who, &session, text).await)
            }
            ClientFrame::SessionTransfer {
                session,
                agent,
                skill,
                note,
            } => {
                let target = TransferTarget::of(agent, skill)?;
                no_reply(self.transfer(who, &session, target, note).await)
            }
            // call.rs
            ClientFrame::CallStart { session } => no_reply(self.call_start(who, &session).await),
            ClientFrame::CallAccept { session, call } => {
                no_reply(self.call_accept(who, &session, &call).await)
            }
            ClientFrame::CallDecline { session, call } => {
                no_reply(self.call_decline(who, &session, &call).await)
            }
            ClientFrame::CallEnd {
                session,
                call,
                reason,
            } => no_reply(self.call_end(who, &session, &call, reason).await),
            ClientFrame::CallSignal {
                session,
                call,
                signal,
            } => no_reply(self.call_signal(who, &session, &call, signal).await),
            ClientFrame::CallMute {
                session,
                call,
                muted,
            } => no_reply(self.call_mute(who, &session, &call, muted).await),
            ClientFrame::CallCredentials { session, call } => self
                .call_credentials(who, conn, &session, &call)
                .await
                .map(Some),
            // callback.rs
            ClientFrame::CallbackRequest { session, callback } => {
                no_reply(self.callback_request(who, &session, callback).await)
            }
            // wrapup.rs
            ClientFrame::SessionWrapup {
                session,
                disposition,
                note,
            } => no_reply(self.wrapup(who, &session, disposition, note).await),
        }
    }
}

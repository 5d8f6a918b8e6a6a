//! Co-browsing in the hub: the consent state machine (request, start, deny,
//! stop), the relay of the widget's binary page frames to the agent's tabs,
//! catch-up from the session's log, and the agent's pointer and highlights.
//!
//! Page frames are never parsed beyond their header: the server relays them
//! without reading their bodies (docs/protocol.md).

use axum::body::Bytes;
use protocol::cobrowse::{Highlight, MAX_COBROWSE_FRAME_BYTES, Pointer, ShareState, decode_header};
use protocol::{ErrorCode, EventBody, Role, ServerEnvelope, ServerFrame, ShareAction};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, Wire};
use super::principal::{Principal, require_role};
use super::state::{Hub, State};

impl Hub {
    /// A binary page frame from a visitor's widget.
    pub fn cobrowse_frame(&self, who: &Principal, frame: Bytes) -> HubResult<()> {
        let Principal::Visitor { id, .. } = who else {
            return Err(HubError::forbidden(
                "only the visitor's page sends page frames",
            ));
        };
        if frame.len() > MAX_COBROWSE_FRAME_BYTES {
            return Err(HubError::new(
                ErrorCode::FrameTooLarge,
                format!(
                    "page frame is {} bytes; the limit is {MAX_COBROWSE_FRAME_BYTES}",
                    frame.len()
                ),
            ));
        }
        let header = decode_header(&frame)
            .map_err(|e| HubError::new(ErrorCode::InvalidFrame, e.to_string()))?;
        let st = &mut *self.state();
        let live = st
            .sessions
            .get_mut(&header.session)
            .ok_or_else(HubError::unknown_session)?;
        if &live.record.visitor_id != id {
            return Err(HubError::forbidden("this session is not yours"));
        }
        if live.share != ShareState::Active {
            return Err(HubError::not_sharing());
        }
        let verdict = live.log.push(&header, frame.clone());
        if verdict.request_keyframe {
            Self::request_keyframe(st, &header.session);
        }
        if verdict.relay {
            let wire = Wire::Binary(frame);
            for c in Self::agent_conns(st, &header.session) {
                c.send_lossy(&wire);
            }
        }
        Ok(())
    }

    pub(super) async fn cobrowse_request(&self, who: &Principal, session: &str) -> HubResult<()> {
        self.share_transition(who, session, Role::Agent, |share| match share {
            ShareState::Off => Ok(Some((ShareState::Requested, ShareAction::Requested))),
            // Asking again while asked or sharing changes nothing.
            _ => Ok(None),
        })
        .await
    }

    pub(super) async fn cobrowse_start(&self, who: &Principal, session: &str) -> HubResult<()> {
        self.share_transition(who, session, Role::Visitor, |share| match share {
            ShareState::Active => Ok(None),
            _ => Ok(Some((ShareState::Active, ShareAction::Started))),
        })
        .await
    }

    pub(super) async fn cobrowse_deny(&self, who: &Principal, session: &str) -> HubResult<()> {
        self.share_transition(who, session, Role::Visitor, |share| match share {
            ShareState::Requested => Ok(Some((ShareState::Off, ShareAction::Denied))),
            _ => Err(HubError::new(
                ErrorCode::InvalidFrame,
                "there is no request to share to answer",
            )),
        })
        .await
    }

    /// Either side stops sharing, in any state of the session: the visitor
    /// must always be able to take their screen back. When nothing is shared
    /// (never was, already stopped, ended by a transfer, or the session is
    /// over) the answer is the state, `off`, so a client that thought it was
    /// sharing agrees; never an error.
    pub(super) async fn cobrowse_stop(
        &self,
        who: &Principal,
        session: &str,
    ) -> HubResult<Option<ServerFrame>> {
        self.access(who, session).await?;
        let stopped = {
            let st = &mut *self.state();
            match st.sessions.get_mut(session) {
                Some(live) if live.share != ShareState::Off => {
                    live.share = ShareState::Off;
                    live.log.clear();
                    true
                }
                _ => false,
            }
        };
        if !stopped {
            return Ok(Some(ServerFrame::Cobrowse {
                session: session.to_string(),
                state: ShareState::Off,
            }));
        }
        let by = who.role();
        // Logged first, so whoever hears of the change finds it in the history.
        self.append(
            session,
            by,
            None,
            EventBody::Share {
                action: ShareAction::Stopped,
                by,
            },
        )
        .await?;
        Self::announce_share(&self.state(), session);
        Ok(None)
    }

    /// Applies a consent step taken by `by`, logs it in the audit trail and
    /// tells both sides. `step` maps the current state to the new one and the
    /// action to record, `None` for a no-op.
    async fn share_transition(
        &self,
        who: &Principal,
        session: &str,
        by: Role,
        step: impl FnOnce(ShareState) -> HubResult<Option<(ShareState, ShareAction)>>,
    ) -> HubResult<()> {
        require_role(who, by)?;
        self.access(who, session).await?;
        let action = {
            let st = &mut *self.state();
            let live =
                st.active_session(session, "screen sharing needs an agent in the session")?;
            let Some((next, action)) = step(live.share)? else {
                return Ok(());
            };
            live.share = next;
            if next != ShareState::Active {
                live.log.clear();
            }
            action
        };
        // Logged first, so whoever hears of the change finds it in the history.
        self.append(session, by, None, EventBody::Share { action, by })
            .await?;
        Self::announce_share(&self.state(), session);
        Ok(())
    }

    /// Agent: replay the current page from the log to this connection, or
    /// (`fresh`: the replay failed in that tab) have the widget send a new
    /// keyframe. Either way at most one keyframe request is outstanding, and
    /// the widget spaces keyframes a second apart.
    pub(super) async fn cobrowse_subscribe(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        session: &str,
        fresh: bool,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let st = &mut *self.state();
        let live = st.shared_session(session)?;
        match live.log.replay() {
            // Replay only what fits beside the frames already queued; otherwise a
            // fresh keyframe (relayed to every agent tab) is the cheaper catch-up.
            Some(frames) if !fresh && frames.len() <= conn.spare_capacity() => {
                for frame in frames {
                    conn.send_lossy(&Wire::Binary(frame));
                }
            }
            _ => {
                if live.log.ask_for_keyframe() {
                    Self::request_keyframe(st, session);
                }
            }
        }
        Ok(())
    }

    /// Agent: move or hide the pointer shown on the visitor's page.
    pub(super) async fn pointer(&self, who: &Principal, pointer: Pointer) -> HubResult<()> {
        let session = pointer.session.clone();
        let st = self.sharing(who, &session).await?;
        let wire = Wire::new(&ServerEnvelope::new(ServerFrame::Pointer(pointer)));
        for c in Self::visitor_conns(&st, &session) {
            c.send_ephemeral(&wire);
        }
        Ok(())
    }

    /// Agent: outline an element on the visitor's page (recorded in the audit trail).
    pub(super) async fn highlight(&self, who: &Principal, highlight: Highlight) -> HubResult<()> {
        let (node, label) = (highlight.node, highlight.label.clone());
        let session = highlight.session.clone();
        {
            let st = self.sharing(who, &session).await?;
            let wire = Wire::new(&ServerEnvelope::new(ServerFrame::Highlight(highlight)));
            for c in Self::visitor_conns(&st, &session) {
                c.send(&wire);
            }
        }
        self.append(
            &session,
            Role::Agent,
            None,
            EventBody::Highlight { node, label },
        )
        .await?;
        Ok(())
    }

    pub(super) async fn highlight_clear(&self, who: &Principal, session: &str) -> HubResult<()> {
        let st = self.sharing(who, session).await?;
        let wire = Wire::new(&ServerEnvelope::new(ServerFrame::HighlightClear {
            session: session.to_string(),
        }));
        for c in Self::visitor_conns(&st, session) {
            c.send(&wire);
        }
        Ok(())
    }

    /// The state lock, once checked that `who` is the session's agent and the
    /// visitor is sharing.
    pub(super) async fn sharing(
        &self,
        who: &Principal,
        session: &str,
    ) -> HubResult<std::sync::MutexGuard<'_, State>> {
        self.sharing_by(who, session, Role::Agent).await
    }

    /// The state lock, once checked that `who` takes part in the session as
    /// `by` and the visitor is sharing.
    pub(super) async fn sharing_by(
        &self,
        who: &Principal,
        session: &str,
        by: Role,
    ) -> HubResult<std::sync::MutexGuard<'_, State>> {
        require_role(who, by)?;
        self.access(who, session).await?;
        let mut st = self.state();
        st.shared_session(session)?;
        Ok(st)
    }

    pub(super) fn announce_share(st: &State, session: &str) {
        let Some(live) = st.sessions.get(session) else {
            return;
        };
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Cobrowse {
            session: session.to_string(),
            state: live.share,
        }));
        Self::send_to_session(st, &live.record, &frame);
    }

    fn request_keyframe(st: &State, session: &str) {
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::CobrowseKeyframeRequest {
            session: session.to_string(),
        }));
        for c in Self::visitor_conns(st, session) {
            c.send(&frame);
        }
    }
}

//! Voice calls in the hub: the consent state machine (start → ringing →
//! accepted or declined, cancelled, unanswered → ended), the relay of WebRTC
//! signaling and mute state between the two sides of an active call, the
//! transcript events, and the ICE servers handed to each side.
//!
//! The server never looks inside an SDP or candidate: it checks sizes (the
//! protocol crate's `validate`), who sends, and that the call is the
//! session's active one, then passes the signal on unchanged.
//!
//! The call's settings (ring time, ICE servers) are `CallSettings`, kept
//! with the hub's state (state.rs).

use std::sync::Arc;
use std::time::Duration;

use protocol::{
    CallAction, CallEndReason, CallInfo, CallPhase, ErrorCode, EventBody, Role, ServerEnvelope,
    ServerFrame, Signal,
};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, Wire};
use super::principal::Principal;
use super::restart::CutCall;
use super::state::{Hub, State};
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::VoicePolicy;
use crate::turn::CallRegistry;

fn no_call(what: &str) -> HubError {
    HubError::new(
        ErrorCode::NoCall,
        format!("{what}: this session has no such call in progress"),
    )
}

impl Hub {
    /// Either side (the visitor only where the site allows it) starts a call.
    pub(super) async fn call_start(&self, who: &Principal, session: &str) -> HubResult<()> {
        let record = self.access(who, session).await?;
        let by = who.role();
        let policy = self
            .inner
            .store
            .site(&record.site)
            .await?
            .map(|s| s.voice)
            .unwrap_or_default();
        if !policy.allows(by) {
            tracing::info!(
                session,
                role = by.as_str(),
                policy = policy.as_str(),
                "call refused by the site's voice setting"
            );
            return Err(HubError::new(
                ErrorCode::VoiceDisabled,
                match policy {
                    VoicePolicy::Off => "voice calls are turned off for this site",
                    _ => "on this site, calls are started by the agent",
                },
            ));
        }
        let call = {
            let st = &mut *self.state();
            let live = st.active_session(session, "a call needs an agent in the session")?;
            if live.call.is_some() {
                return Err(HubError::new(
                    ErrorCode::CallInProgress,
                    "this session already has a call",
                ));
            }
            let call = CallInfo {
                id: new_id("c_"),
                phase: CallPhase::Ringing,
                started_by: by,
                created_at: now_ms(),
                answered_at: None,
                ended_at: None,
                end_reason: None,
            };
            live.call = Some(call.clone());
            Self::announce_call(st, session, &call);
            call
        };
        self.ring_out(session, &call.id);
        let body = EventBody::Call {
            call: call.id,
            action: CallAction::Started,
            by,
            duration_ms: None,
            reason: None,
        };
        self.append(session, by, None, body).await?;
        Ok(())
    }

    /// The called side takes the call; both sides get their ICE servers.
    pub(super) async fn call_accept(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let by = who.role();
        {
            let st = &mut *self.state();
            let live = st
                .sessions
                .get_mut(session)
                .ok_or_else(|| no_call("call.accept"))?;
            let info = live
                .call
                .as_mut()
                .filter(|c| c.id == call && c.phase == CallPhase::Ringing)
                .ok_or_else(|| no_call("call.accept"))?;
            if info.started_by == by {
                return Err(HubError::forbidden("the other side answers a call"));
            }
            info.phase = CallPhase::Active;
            info.answered_at = Some(now_ms());
            let info = info.clone();
            Self::announce_call(st, session, &info);
            // Before the credentials go out: a cluster's other nodes learn
            // the call is active before its sides can ask their TURN.
            self.calls_changed();
            for role in [Role::Visitor, Role::Agent] {
                for c in Self::side_conns(st, session, role) {
                    let frame = self.credentials_frame(session, call, role, c.turn());
                    c.send(&Wire::new(&ServerEnvelope::new(frame)));
                }
            }
        }
        let body = EventBody::Call {
            call: call.to_string(),
            action: CallAction::Answered,
            by,
            duration_ms: None,
            reason: None,
        };
        self.append(session, by, None, body).await?;
        Ok(())
    }

    /// The called side refuses a ringing call.
    pub(super) async fn call_decline(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let by = who.role();
        self.end_call(session, by, |c| {
            if c.id != call || c.phase != CallPhase::Ringing {
                Err(no_call("call.decline"))
            } else if c.started_by == by {
                Err(HubError::forbidden(
                    "the caller cancels with call.end; decline is the other side's",
                ))
            } else {
                Ok(CallEndReason::Declined)
            }
        })
        .await
    }

    /// Either side hangs up (or cancels, or refuses, while it rings). Only
    /// `failed` is taken from the client; the server decides the rest.
    pub(super) async fn call_end(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
        reason: Option<CallEndReason>,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let by = who.role();
        self.end_call(session, by, |c| {
            if c.id != call {
                return Err(no_call("call.end"));
            }
            Ok(match (reason, c.phase) {
                (Some(CallEndReason::Failed), _) => CallEndReason::Failed,
                (_, CallPhase::Ringing) if c.started_by == by => CallEndReason::Cancelled,
                (_, CallPhase::Ringing) => CallEndReason::Declined,
                _ => CallEndReason::HungUp,
            })
        })
        .await
    }

    /// Ends the session's call, if any, because the session ends.
    pub(super) async fn end_call_with_session(&self, session: &str) {
        let _ = self
            .end_call(session, Role::System, |_| Ok(CallEndReason::SessionEnded))
            .await;
    }

    /// Ends a call the server's stop cut off (restart.rs), with an entry
    /// both sides see.
    pub(super) async fn end_cut_call(&self, cut: CutCall) {
        let body = EventBody::Call {
            call: cut.call,
            action: CallAction::Ended,
            by: Role::System,
            // How long it was connected before the stop is not known.
            duration_ms: None,
            reason: Some(CallEndReason::Interrupted),
        };
        if let Err(e) = self.append(&cut.session, Role::System, None, body).await {
            tracing::warn!(session = %cut.session, error = %e.message, "could not record a call cut off by the restart");
        }
    }

    /// Passes a signal to the other side of the session's active call.
    pub(super) async fn call_signal(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
        signal: Signal,
    ) -> HubResult<()> {
        let frame = ServerFrame::CallSignal {
            session: session.to_string(),
            call: call.to_string(),
            from: who.role(),
            signal,
        };
        self.relay_to_peer(who, session, call, "call.signal", frame)
            .await
    }

    /// Tells the other side of the active call that this side (un)muted.
    pub(super) async fn call_mute(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
        muted: bool,
    ) -> HubResult<()> {
        let frame = ServerFrame::CallMute {
            session: session.to_string(),
            call: call.to_string(),
            from: who.role(),
            muted,
        };
        self.relay_to_peer(who, session, call, "call.mute", frame)
            .await
    }

    /// Fresh ICE servers for the asking side of the active call.
    pub(super) async fn call_credentials(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        session: &str,
        call: &str,
    ) -> HubResult<ServerFrame> {
        // Only the check is needed; the state lock is released at once.
        drop(
            self.active_call(who, session, call, "call.credentials")
                .await?,
        );
        Ok(self.credentials_frame(session, call, who.role(), conn.turn()))
    }

    /// Checks that `who` is in the session and `call` is its active call;
    /// refusals are logged, as they may be a client out of step or a probe.
    async fn active_call(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
        what: &str,
    ) -> HubResult<std::sync::MutexGuard<'_, State>> {
        let refused = |e: HubError| {
            tracing::info!(
                session,
                call,
                role = who.role().as_str(),
                code = e.code.as_str(),
                "{what} refused"
            );
            e
        };
        self.access(who, session).await.map_err(refused)?;
        let st = self.state();
        let active = st
            .sessions
            .get(session)
            .and_then(|l| l.call.as_ref())
            .is_some_and(|c| c.id == call && c.phase == CallPhase::Active);
        if !active {
            return Err(refused(no_call(what)));
        }
        Ok(st)
    }

    async fn relay_to_peer(
        &self,
        who: &Principal,
        session: &str,
        call: &str,
        what: &str,
        frame: ServerFrame,
    ) -> HubResult<()> {
        let st = self.active_call(who, session, call, what).await?;
        let peer = match who.role() {
            Role::Visitor => Role::Agent,
            _ => Role::Visitor,
        };
        // Every tab of the other side gets it; only the tab that started or
        // answered the call has a peer connection to act on it.
        let wire = Wire::new(&ServerEnvelope::new(frame));
        for c in Self::side_conns(&st, session, peer) {
            c.send(&wire);
        }
        Ok(())
    }

    /// Ends the call `decide` accepts (it returns the reason), tells both
    /// sides and writes the transcript event.
    async fn end_call(
        &self,
        session: &str,
        by: Role,
        decide: impl FnOnce(&CallInfo) -> HubResult<CallEndReason>,
    ) -> HubResult<()> {
        let call = {
            let st = &mut *self.state();
            let live = st
                .sessions
                .get_mut(session)
                .ok_or_else(|| no_call("call.end"))?;
            let current = live.call.as_ref().ok_or_else(|| no_call("call.end"))?;
            let reason = decide(current)?;
            Self::take_call(st, session, reason).expect("checked above")
        };
        self.record_call_end(session, by, call).await
    }

    /// Ends the session's call, if it has one, for `reason` and tells both
    /// sides; the caller holds the state lock and then calls `record_call_end`.
    pub(super) fn take_call(
        st: &mut State,
        session: &str,
        reason: CallEndReason,
    ) -> Option<CallInfo> {
        let mut call = st.sessions.get_mut(session)?.call.take()?;
        call.phase = CallPhase::Ended;
        call.ended_at = Some(now_ms());
        call.end_reason = Some(reason);
        Self::announce_call(st, session, &call);
        Some(call)
    }

    /// Frees an ended call's relays and writes its end in the transcript.
    pub(super) async fn record_call_end(
        &self,
        session: &str,
        by: Role,
        call: CallInfo,
    ) -> HubResult<()> {
        let duration_ms = match (call.answered_at, call.ended_at) {
            (Some(from), Some(to)) => (to - from).max(0) as u64,
            _ => 0,
        };
        tracing::info!(session, call = %call.id, reason = ?call.end_reason, duration_ms, "call ended");
        self.calls_changed();
        // Its relays go at once, not when their permissions lapse.
        if call.answered_at.is_some()
            && let Some(turn) = self.inner.turn.get().and_then(std::sync::Weak::upgrade)
        {
            let session = session.to_string();
            tokio::spawn(async move { turn.release_session(&session).await });
        }
        let body = EventBody::Call {
            call: call.id,
            action: CallAction::Ended,
            by,
            duration_ms: Some(duration_ms),
            reason: call.end_reason,
        };
        self.append(session, by, None, body).await?;
        Ok(())
    }

    /// Ends the call as unanswered if it still rings after the ring time.
    fn ring_out(&self, session: &str, call: &str) {
        let hub = Arc::downgrade(&self.inner);
        let ring = Duration::from_millis(self.inner.calls.ring_ms.max(0) as u64);
        let (session, call) = (session.to_string(), call.to_string());
        tokio::spawn(async move {
            tokio::time::sleep(ring).await;
            let Some(inner) = hub.upgrade() else { return };
            let hub = Hub { inner };
            let _ = hub
                .end_call(&session, Role::System, |c| {
                    if c.id == call && c.phase == CallPhase::Ringing {
                        Ok(CallEndReason::NoAnswer)
                    } else {
                        Err(no_call("ring timeout"))
                    }
                })
                .await;
        });
    }

    /// `turn`: the TURN server of the socket's node, when not this one's.
    fn credentials_frame(
        &self,
        session: &str,
        call: &str,
        role: Role,
        turn: Option<&[String]>,
    ) -> ServerFrame {
        let (ice_servers, expires_at) =
            self.inner.calls.ice.for_side(session, role, now_ms(), turn);
        ServerFrame::CallCredentials {
            session: session.to_string(),
            call: call.to_string(),
            ice_servers,
            expires_at,
        }
    }

    fn announce_call(st: &State, session: &str, call: &CallInfo) {
        let Some(live) = st.sessions.get(session) else {
            return;
        };
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Call {
            session: session.to_string(),
            call: call.clone(),
        }));
        Self::send_to_session(st, &live.record, &frame);
    }
}

impl Hub {
    /// The sessions whose call is active: the ones TURN relays for.
    pub fn active_calls(&self) -> Vec<String> {
        self.state()
            .sessions
            .iter()
            .filter(|(_, l)| {
                l.call
                    .as_ref()
                    .is_some_and(|c| c.phase == CallPhase::Active)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Sees each change to the set of active calls (counted, see
    /// `calls_version`).
    pub fn calls_watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.calls_changed.subscribe()
    }

    /// How many times the set of active calls changed.
    pub fn calls_version(&self) -> u64 {
        *self.inner.calls_changed.borrow()
    }

    fn calls_changed(&self) {
        self.inner.calls_changed.send_modify(|n| *n += 1);
    }
}

impl CallRegistry for Hub {
    fn call_active(&self, session: &str) -> bool {
        self.state()
            .sessions
            .get(session)
            .and_then(|l| l.call.as_ref())
            .is_some_and(|c| c.phase == CallPhase::Active)
    }
}

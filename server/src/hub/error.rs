//! Errors a frame handler returns; each becomes one `error` frame to the sender.

use protocol::{ErrorCode, ServerEnvelope, ServerFrame};

use super::outbound::Wire;

use crate::store::StoreError;

#[derive(Debug)]
pub struct HubError {
    pub code: ErrorCode,
    pub message: String,
}

impl HubError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        HubError {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn session_ended() -> Self {
        Self::new(ErrorCode::SessionEnded, "this conversation has ended")
    }

    pub fn unknown_session() -> Self {
        Self::new(ErrorCode::UnknownSession, "no such session")
    }

    pub fn not_sharing() -> Self {
        Self::new(ErrorCode::NotSharing, "screen sharing is not active")
    }

    /// The `error` frame answering request `rid` (about `session`, if any).
    pub fn frame(self, rid: Option<u64>, session: Option<String>) -> Wire {
        let frame = ServerFrame::Error {
            code: self.code,
            message: self.message,
            session,
        };
        Wire::new(&ServerEnvelope::reply(rid, frame))
    }
}

impl From<std::sync::Arc<StoreError>> for HubError {
    fn from(e: std::sync::Arc<StoreError>) -> Self {
        tracing::error!(error = %e, "store failure while saving an event");
        HubError::new(
            ErrorCode::Internal,
            "the server could not save this; try again",
        )
    }
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        // The client gets a generic message; the details go to the log only.
        tracing::error!(error = %e, "store failure while handling a frame");
        HubError::new(
            ErrorCode::Internal,
            "the server could not save this; try again",
        )
    }
}

pub type HubResult<T> = Result<T, HubError>;

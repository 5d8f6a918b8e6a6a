//! Asking for help and waiting in line: the request the server has not
//! answered yet ([`PendingRequest`]) and the place in line ([`Place`]).

use protocol::Unavailable;

/// A `help.request` the server has not answered with a session yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    pub topic: Option<String>,
    pub message: String,
    /// Sent on the current connection; cleared when the connection drops so
    /// the next `welcome` decides whether to send it again.
    pub sent: bool,
}

/// Where a waiting request stands, as `queue.position` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub position: u32,
    pub eta_secs: Option<u32>,
    /// Why nobody can answer soon: time to offer a message or a call back.
    pub unavailable: Option<Unavailable>,
}

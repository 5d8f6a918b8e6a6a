//! Co-browsing on the agent's side: the visitor's consent (`cobrowse`
//! frames), the page stream kept in one mirror per shared session (in the
//! background, so switching chats is instant) and the agent's pointer and
//! highlights. The page renderer itself is `crate::mirror`.
//!
//! - `state`: every session's mirror and what the views show of it
//! - `inbound`: sharing started or stopped, binary page frames, reconnects
//! - `receive`: one page frame into a mirror
//! - `replay`: asking the server for the page again when a mirror is out of step
//! - `mount`: the stage mounted, unmounted, resized
//! - `tools`: the agent's requests, pointer and highlights

mod inbound;
mod mount;
mod receive;
mod replay;
mod state;
mod tools;

pub use inbound::{on_binary, on_share, reconnected};
pub use mount::{attach, detach, relayout};
pub use state::{MirrorInfo, MirrorStatus, Mirrors};
pub use tools::{
    agent_click, agent_leave, agent_move, clear_highlights, highlight, request_screen, stop_screen,
};

//! Which family's file handles each frame the server sends the console: one
//! arm per frame type, the handling itself in the family's file (`session`,
//! `queue`, `chat`, `cobrowse`, `call`, `form`, `error`). Binary page frames
//! bypass this (see `connection`).

use protocol::{ServerEnvelope, ServerFrame};

use crate::socket::Link;
use crate::state::Console;
use crate::{call, chat, cobrowse, error, form, queue, session};

/// Hands one frame from the server to its family's handler.
pub fn on_frame(console: Console, link: &Link, envelope: ServerEnvelope) {
    match envelope.frame {
        ServerFrame::Welcome {
            server_time,
            presence,
            sessions,
            dispositions,
            ..
        } => {
            // The server took us: the next drop is retried quickly again.
            link.healthy();
            session::on_welcome(console, server_time, presence, sessions, dispositions);
        }
        ServerFrame::Session { session } => session::on_session(console, session),
        ServerFrame::Presence { presence } => session::on_presence(console, presence),
        ServerFrame::Queue {
            server_time,
            items,
            total,
        } => queue::on_queue(console, server_time, items, total),
        ServerFrame::Offer {
            expires_at, item, ..
        } => queue::on_offer(console, expires_at, item),
        ServerFrame::OfferWithdrawn { session } => queue::on_offer_withdrawn(console, &session),
        ServerFrame::Event { session, event } => chat::on_event(console, &session, event),
        ServerFrame::History {
            session,
            events,
            receipts,
            more,
        } => chat::on_history(console, &session, events, receipts, more),
        ServerFrame::Typing {
            session,
            author,
            active,
        } => chat::on_typing(console, &session, author, active),
        ServerFrame::Receipts { session, receipts } => {
            chat::on_receipts(console, &session, receipts)
        }
        ServerFrame::Cobrowse { session, state } => cobrowse::on_share(console, &session, state),
        ServerFrame::Call { session, call } => call::on_call(console, &session, call),
        ServerFrame::CallCredentials {
            session,
            call,
            ice_servers,
            expires_at,
        } => call::on_credentials(console, &session, &call, ice_servers, expires_at),
        ServerFrame::CallSignal {
            session,
            call,
            signal,
            ..
        } => call::on_signal(console, &session, &call, signal),
        ServerFrame::CallMute { session, muted, .. } => call::on_mute(console, &session, muted),
        ServerFrame::FormFields {
            session,
            url,
            fields,
        } => form::fields_listed(console, &session, url, fields),
        ServerFrame::Error {
            code,
            message,
            session,
        } => error::on_error(console, envelope.rid, code, message, session),
        // Frames meant for the visitor's widget.
        ServerFrame::QueuePosition { .. }
        | ServerFrame::CobrowseKeyframeRequest { .. }
        | ServerFrame::Pointer(_)
        | ServerFrame::Highlight(_)
        | ServerFrame::HighlightClear { .. }
        | ServerFrame::FormFieldsRequest { .. }
        | ServerFrame::FormPush { .. }
        | ServerFrame::PagePush { .. } => {}
    }
}

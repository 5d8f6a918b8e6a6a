//! Limits on every input. The server enforces them; clients use them to stop
//! a user before the server has to.

/// Largest text frame the server processes. Larger ones get `frame_too_large`.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Transport limit: a frame beyond this closes the connection with 1009.
/// Binary co-browse keyframes of large pages need this much; text frames
/// are held to `MAX_FRAME_BYTES` by the decoder.
pub const MAX_TRANSPORT_BYTES: usize = crate::cobrowse::MAX_COBROWSE_FRAME_BYTES;
/// Largest frame a client may send before its `hello` succeeded (the server
/// default; operators may change it). A `hello` with the longest page URL
/// and title and a token fits with room to spare; an unauthenticated
/// client gets no more.
pub const MAX_HELLO_BYTES: usize = 4 * 1024;
/// Longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest topic, page title, name or similar short field, in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest URL accepted in page info, in characters.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest identity token (`identify.token`, a signed JWT), in bytes: room
/// for a name and an email of `MAX_SHORT_CHARS` each, base64url-encoded.
pub const MAX_IDENTITY_TOKEN_BYTES: usize = 4096;
/// Most identity attributes a visitor may carry.
pub const MAX_ATTRIBUTES: usize = 50;
/// Longest client-chosen id (`client_id`, `rid` is a number).
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Most events returned by one `history` reply; clients page with `after_seq`.
pub const HISTORY_PAGE: usize = 500;
/// Text frames a connection may send per second, sustained (burst allowed: 2×).
pub const FRAMES_PER_SECOND: u32 = 30;
/// Binary co-browse frames a connection may send per second (one per
/// animation frame, plus keyframes), sustained (burst allowed: 2×).
pub const PAGE_FRAMES_PER_SECOND: u32 = 120;
/// Longest server-issued id a client echoes back (call ids and the like).
pub const MAX_ID_CHARS: usize = 64;
/// Largest SDP in a `call.signal` description; real audio offers are a few KiB.
pub const MAX_SDP_BYTES: usize = 16 * 1024;
/// Longest ICE candidate line, in characters.
pub const MAX_CANDIDATE_CHARS: usize = 1024;
/// Most fields a `form.fields` listing may carry (the widget lists the first ones).
pub const MAX_FORM_FIELDS: usize = 150;
/// Most options listed per select or radio group, and values per list value.
pub const MAX_FIELD_OPTIONS: usize = 100;
/// Most fields one `form.push` may propose.
pub const MAX_PUSH_FIELDS: usize = 30;
/// Longest value proposed for, or listed from, a field, in characters.
pub const MAX_FIELD_VALUE_CHARS: usize = 1000;
/// Form and page pushes a session may have waiting for the visitor's answer.
pub const MAX_PENDING_PUSHES: usize = 8;
/// Longest note an agent adds to a session's wrap-up, in characters.
pub const MAX_WRAPUP_NOTE_CHARS: usize = 1000;

/// Refuses `value` when it has more than `max` characters, naming the field.
pub(crate) fn short_len(name: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("{name} is longer than {max} characters"))
    } else {
        Ok(())
    }
}

/// Refuses a chat message, note or first message longer than the limit.
pub(crate) fn message_text(text: &str) -> Result<(), String> {
    short_len("text", text, MAX_MESSAGE_CHARS)
}

/// A message that must say something: within the limit and not blank.
pub(crate) fn non_empty_message(text: &str) -> Result<(), String> {
    message_text(text)?;
    if text.trim().is_empty() {
        return Err("text must not be empty".into());
    }
    Ok(())
}

//! Co-browsing: the binary frames that carry a visitor's page to the agent's
//! mirror, and the page model inside them.
//!
//! The server relays these frames **without parsing their bodies**
//! (docs/protocol.md). It reads only the small header:
//!
//! ```text
//! byte 0      format version (1)
//! byte 1      kind: 1 = keyframe, 2 = delta, 3 = pointer
//! byte 2      length L of the session id (1..=64)
//! 3..3+L      session id, ASCII
//! next 4      epoch, u32 little-endian: which keyframe the frame belongs to
//! next 4      seq, u32 little-endian: 0 for the keyframe, 1, 2, … for its deltas
//! rest        body: UTF-8 JSON of a [`Keyframe`] or a [`Delta`]
//! ```
//!
//! A keyframe starts a new epoch (the widget increments it). Deltas must follow
//! their keyframe without gaps; the server and the mirror both check that and
//! resynchronise from a keyframe instead of showing a wrong page.
//!
//! Pointer frames carry only the visitor's pointer moves and clicks (a
//! [`Delta`] of `mouse` and `click` ops) with the epoch and seq of the last
//! delta sent, when nothing else changed (else the pointer rides in the delta). They are passing moments, not page state: relayed to agents
//! whose mirror shows that epoch, never logged and never replayed, so a
//! moving mouse neither fills the server's log nor forces keyframes.

use serde::{Deserialize, Serialize};

mod depth;
mod marks;
mod node_de;
mod writer;
pub use depth::{MAX_KEYFRAME_DEPTH, json_depth};
pub use marks::{Highlight, Pointer};
pub use writer::KeyframeWriter;

/// Version byte of the binary co-browse frame format.
pub const FRAME_FORMAT: u8 = 1;
/// Largest co-browse frame the server accepts (a big page's keyframe fits).
pub const MAX_COBROWSE_FRAME_BYTES: usize = 8 * 1024 * 1024;
/// Where the console's mirror iframes load their empty document from: the
/// server serves it with the mirror's own Content Security Policy.
pub const MIRROR_PATH: &str = "/agent/mirror";
/// Deltas kept after a keyframe before the server asks the widget for a new
/// one. Small enough that a catch-up replay fits in a connection's queue.
pub const MAX_LOG_DELTAS: usize = 200;
/// Bytes of deltas kept after a keyframe before the server asks for a new one.
pub const MAX_LOG_DELTA_BYTES: usize = 4 * 1024 * 1024;

/// What a binary co-browse frame carries: header byte 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A full snapshot of the page ([`Keyframe`]), starting a new epoch.
    Keyframe = 1,
    /// Changes since the previous frame of the epoch ([`Delta`]).
    Delta = 2,
    /// Only the visitor's pointer moves and clicks; relayed, never logged or replayed.
    Pointer = 3,
}

/// The parsed header of a binary co-browse frame; `body` is an offset into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameHeader {
    /// Keyframe, delta or pointer.
    pub kind: FrameKind,
    /// The session whose page it is (1 to 64 ASCII letters, digits, `_`, `-`).
    pub session: String,
    /// Which keyframe the frame belongs to; the widget increments it with each keyframe.
    pub epoch: u32,
    /// 0 for the keyframe, then 1, 2, … for its deltas; a pointer frame repeats the last delta's.
    pub seq: u32,
    /// Where the body starts in the frame.
    pub body_at: usize,
}

/// Why a binary co-browse frame's header was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// The frame ends before its header does.
    TooShort,
    /// Byte 0 names a format other than [`FRAME_FORMAT`].
    Version(u8),
    /// Byte 1 names no known [`FrameKind`].
    Kind(u8),
    /// The session id is empty, over 64 bytes, or not letters, digits, `_` and `-`.
    SessionId,
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::TooShort => write!(f, "co-browse frame is shorter than its header"),
            HeaderError::Version(v) => write!(f, "co-browse frame format {v} is not supported"),
            HeaderError::Kind(k) => write!(f, "co-browse frame kind {k} is unknown"),
            HeaderError::SessionId => write!(f, "co-browse frame has an invalid session id"),
        }
    }
}

/// Builds a frame: header then body.
pub fn encode_frame(kind: FrameKind, session: &str, epoch: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut out = frame_header(kind, session, epoch, seq, body.len());
    out.extend_from_slice(body);
    out
}

/// A frame's header alone, in a buffer with room for `body_len` more bytes:
/// a body written straight after it needs no copy (a big page's keyframe is
/// megabytes).
pub fn frame_header(
    kind: FrameKind,
    session: &str,
    epoch: u32,
    seq: u32,
    body_len: usize,
) -> Vec<u8> {
    assert!(
        !session.is_empty() && session.len() <= 64 && session.is_ascii(),
        "session ids are short ASCII"
    );
    let mut out = Vec::with_capacity(11 + session.len() + body_len);
    out.push(FRAME_FORMAT);
    out.push(kind as u8);
    out.push(session.len() as u8);
    out.extend_from_slice(session.as_bytes());
    out.extend_from_slice(&epoch.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out
}

/// Reads a frame's header without looking at the body.
pub fn decode_header(frame: &[u8]) -> Result<FrameHeader, HeaderError> {
    if frame.len() < 3 {
        return Err(HeaderError::TooShort);
    }
    if frame[0] != FRAME_FORMAT {
        return Err(HeaderError::Version(frame[0]));
    }
    let kind = match frame[1] {
        1 => FrameKind::Keyframe,
        2 => FrameKind::Delta,
        3 => FrameKind::Pointer,
        k => return Err(HeaderError::Kind(k)),
    };
    let len = frame[2] as usize;
    if len == 0 || len > 64 {
        return Err(HeaderError::SessionId);
    }
    let body_at = 3 + len + 8;
    if frame.len() < body_at {
        return Err(HeaderError::TooShort);
    }
    let id = &frame[3..3 + len];
    if !id
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
    {
        return Err(HeaderError::SessionId);
    }
    let word =
        |at: usize| u32::from_le_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]]);
    Ok(FrameHeader {
        kind,
        session: String::from_utf8(id.to_vec()).map_err(|_| HeaderError::SessionId)?,
        epoch: word(3 + len),
        seq: word(3 + len + 4),
        body_at,
    })
}

/// Whether the visitor's screen is shared in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    /// Not shared.
    #[default]
    Off,
    /// The agent asked; the visitor has not answered.
    Requested,
    /// The visitor allowed it and the page is streaming.
    Active,
}

// ---------------------------------------------------------------------------
// The page model carried in bodies. Short field names: keyframes of large
// pages are megabytes, and every byte crosses the visitor's uplink.
// ---------------------------------------------------------------------------

/// A full snapshot of the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyframe {
    /// The page's address.
    pub url: String,
    /// The document's title; empty when it has none.
    #[serde(default)]
    pub title: String,
    /// Visitor's viewport size in CSS pixels.
    pub vw: u32,
    /// Height of the visitor's viewport, in CSS pixels.
    pub vh: u32,
    /// Document scroll position.
    #[serde(default)]
    pub sx: f64,
    /// Vertical scroll position of the document, in CSS pixels.
    #[serde(default)]
    pub sy: f64,
    /// `<!DOCTYPE …>` name, when the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctype: Option<String>,
    /// The `<html>` element.
    pub root: Node,
    /// Stylesheets adopted by the document (`document.adoptedStyleSheets`), as CSS text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopted: Vec<String>,
}

/// Where a node hangs under its parent element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A child node (`c`).
    Child,
    /// A top-level child of the parent's open shadow root (`s`).
    Shadow,
    /// The root element of a same-origin iframe's document (`d`).
    Doc,
}

/// One node. `i` is the widget's id for it, stable for the node's lifetime
/// (elements are addressed by id, never by pixels: the agent's screen is
/// not the visitor's). Read by hand (node_de.rs): serde's derive for a flattened, tagged enum buffers
/// every subtree once per level above it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// The widget's id for the node, which deltas, highlights and form fields quote.
    pub i: u32,
    /// Element or text, tagged `k`, with its fields flat beside `i`.
    #[serde(flatten)]
    pub kind: NodeKind,
}

/// Written by serde's derive; read with its node (node_de.rs).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "k")]
pub enum NodeKind {
    /// An element. `a` are attributes in order (masked and URL-absolutised by
    /// the widget); `c` children; `s` the open shadow root's children with its
    /// adopted sheets in `sa`; `css` the live rules of a `<style>` or a
    /// readable `<link rel=stylesheet>`; `d` a same-origin iframe's document root.
    #[serde(rename = "e")]
    Element {
        /// The tag name.
        t: String,
        /// Attributes as (name, value) pairs, in order; absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        a: Vec<(String, String)>,
        /// Child nodes, in order; absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        c: Vec<Node>,
        /// Namespace: absent for HTML, "svg" or "math".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ns: Option<String>,
        /// Top-level children of its open shadow root (empty for an empty
        /// root); absent when it has none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        s: Option<Vec<Node>>,
        /// Stylesheets adopted by its shadow root, as CSS text; absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sa: Vec<String>,
        /// The live CSS rules of a `<style>` or readable stylesheet `<link>`;
        /// absent for other elements.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        css: Option<String>,
        /// The root element of a same-origin iframe's document; absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        d: Option<Box<Node>>,
    },
    /// A text node.
    #[serde(rename = "t")]
    Text {
        /// The node's text.
        x: String,
    },
}

/// Changes since the previous frame, batched per animation frame, applied in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Delta {
    /// The changes, to apply in order.
    pub ops: Vec<Op>,
}

/// One change to the mirrored page, tagged `o`; nodes are named by their `i`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "o")]
pub enum Op {
    /// Insert `n` (with its subtree) under `p`, before `b` (or last); with
    /// `s`, into `p`'s shadow root instead of its children.
    #[serde(rename = "add")]
    Add {
        /// The parent element's id.
        p: u32,
        /// The id of the sibling to insert before; absent to append last.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        b: Option<u32>,
        /// The new node with its whole subtree.
        n: Node,
        /// True to insert into `p`'s shadow root; absent (false) for its children.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        s: bool,
    },
    /// Remove a node and its subtree.
    #[serde(rename = "rm")]
    Remove {
        /// The id of the node to remove.
        i: u32,
    },
    /// New text of a text node.
    #[serde(rename = "txt")]
    Text {
        /// The text node's id.
        i: u32,
        /// Its whole new text.
        x: String,
    },
    /// Attribute set (`v` present) or removed.
    #[serde(rename = "attr")]
    Attr {
        /// The element's id.
        i: u32,
        /// The attribute's name.
        n: String,
        /// The new value; absent when the attribute was removed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        v: Option<String>,
    },
    /// Current value of an input, textarea or select (masked where required).
    #[serde(rename = "val")]
    Value {
        /// The field's id.
        i: u32,
        /// Its current value, masked by the widget where required.
        v: String,
    },
    /// Checked state of a checkbox or radio, or selected state of an option.
    #[serde(rename = "chk")]
    Checked {
        /// The checkbox's, radio's or option's id.
        i: u32,
        /// True when checked or selected.
        c: bool,
    },
    /// New rules of a stylesheet owner (`<style>`/`<link>`), e.g. after `insertRule`.
    #[serde(rename = "css")]
    Css {
        /// The `<style>` or `<link>` element's id.
        i: u32,
        /// All its rules now, as CSS text.
        css: String,
    },
    /// Adopted sheets of the document (`i` = 0) or of a shadow host.
    #[serde(rename = "adopt")]
    Adopted {
        /// 0 for the document, else the shadow host's id.
        i: u32,
        /// All its adopted sheets now, in order, as CSS text.
        sheets: Vec<String>,
    },
    /// Scroll position of the document (`i` = 0) or of a scrollable element.
    #[serde(rename = "scroll")]
    Scroll {
        /// 0 for the document, else the element's id.
        i: u32,
        /// Horizontal scroll offset, in CSS pixels.
        x: f64,
        /// Vertical scroll offset, in CSS pixels.
        y: f64,
    },
    /// The visitor's viewport was resized.
    #[serde(rename = "vp")]
    Viewport {
        /// The new width, in CSS pixels.
        w: u32,
        /// The new height, in CSS pixels.
        h: u32,
    },
    /// The visitor's pointer, in viewport pixels.
    #[serde(rename = "mouse")]
    Mouse {
        /// Pixels from the viewport's left edge.
        x: f64,
        /// Pixels from the viewport's top edge.
        y: f64,
    },
    /// The visitor clicked here (viewport pixels).
    #[serde(rename = "click")]
    Click {
        /// Pixels from the viewport's left edge.
        x: f64,
        /// Pixels from the viewport's top edge.
        y: f64,
    },
    /// Text selection as (start node, offset, end node, offset); empty when cleared.
    #[serde(rename = "sel")]
    Selection {
        /// The selected ranges, with DOM range offsets (UTF-16 units in a text
        /// node, a child index in an element).
        r: Vec<(u32, u32, u32, u32)>,
    },
    /// A `<canvas>` as an image (data URL), sent at a low rate.
    #[serde(rename = "canvas")]
    Canvas {
        /// The canvas element's id.
        i: u32,
        /// Its pixels as a `data:image/…` URL.
        d: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_leaves_body_untouched() {
        let body = br#"{"ops":[]}"#;
        let frame = encode_frame(FrameKind::Delta, "s_abc123", 7, 42, body);
        let h = decode_header(&frame).unwrap();
        assert_eq!(
            (h.kind, h.session.as_str(), h.epoch, h.seq),
            (FrameKind::Delta, "s_abc123", 7, 42)
        );
        assert_eq!(&frame[h.body_at..], body);
    }

    #[test]
    fn bad_headers_are_rejected() {
        assert_eq!(decode_header(&[1]), Err(HeaderError::TooShort));
        assert_eq!(
            decode_header(&[9, 1, 1, b'a']),
            Err(HeaderError::Version(9))
        );
        assert_eq!(decode_header(&[1, 7, 1, b'a']), Err(HeaderError::Kind(7)));
        assert_eq!(decode_header(&[1, 1, 0]), Err(HeaderError::SessionId));
        assert_eq!(
            decode_header(&[1, 1, 3, b'a', b'b']),
            Err(HeaderError::TooShort)
        );
        let mut bad = encode_frame(FrameKind::Keyframe, "s_1", 1, 0, b"{}");
        bad[3] = b'<';
        assert_eq!(decode_header(&bad), Err(HeaderError::SessionId));
    }

    #[test]
    fn page_model_is_compact_json() {
        let node = Node {
            i: 5,
            kind: NodeKind::Element {
                t: "p".into(),
                a: vec![("class".into(), "lead".into())],
                c: vec![Node {
                    i: 6,
                    kind: NodeKind::Text { x: "Hi".into() },
                }],
                ns: None,
                s: None,
                sa: vec![],
                css: None,
                d: None,
            },
        };
        let json = serde_json::to_string(&node).unwrap();
        assert_eq!(
            json,
            r#"{"i":5,"k":"e","t":"p","a":[["class","lead"]],"c":[{"i":6,"k":"t","x":"Hi"}]}"#
        );
        let delta = Delta {
            ops: vec![
                Op::Attr {
                    i: 5,
                    n: "class".into(),
                    v: None,
                },
                Op::Remove { i: 6 },
            ],
        };
        let json = serde_json::to_string(&delta).unwrap();
        assert_eq!(
            json,
            r#"{"ops":[{"o":"attr","i":5,"n":"class"},{"o":"rm","i":6}]}"#
        );
        assert_eq!(serde_json::from_str::<Delta>(&json).unwrap(), delta);

        // Into a shadow root only when said: plain adds stay as they were.
        let add = |s| Op::Add {
            p: 5,
            b: None,
            n: Node {
                i: 7,
                kind: NodeKind::Text { x: "x".into() },
            },
            s,
        };
        let plain = serde_json::to_string(&add(false)).unwrap();
        assert_eq!(plain, r#"{"o":"add","p":5,"n":{"i":7,"k":"t","x":"x"}}"#);
        let shadow = serde_json::to_string(&add(true)).unwrap();
        assert!(shadow.ends_with(r#","s":true}"#), "{shadow}");
        assert_eq!(serde_json::from_str::<Op>(&shadow).unwrap(), add(true));
    }
}

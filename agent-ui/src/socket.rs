//! The WebSocket to `/ws/agent`: opening it, decoding frames, and opening it
//! again with backoff when it drops. What the frames mean is the business
//! of `dispatch.rs` and the family files; this module only moves them.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use protocol::{ClientEnvelope, ClientFrame, ServerEnvelope};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

/// Reconnect delays: 0.5 s, doubling, capped at 10 s. Reset once the server
/// has welcomed us, so a flapping network does not keep us at the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Backoff {
    const FIRST_MS: u32 = 500;
    const MAX_MS: u32 = 10_000;

    pub fn new() -> Self {
        Backoff {
            next_ms: Self::FIRST_MS,
        }
    }

    /// The delay before the next attempt; each call doubles the following one.
    pub fn next_delay(&mut self) -> u32 {
        let delay = self.next_ms;
        self.next_ms = (delay * 2).min(Self::MAX_MS);
        delay
    }

    pub fn reset(&mut self) {
        self.next_ms = Self::FIRST_MS;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// What the link reports to its owner.
pub enum LinkEvent {
    /// The socket opened; the owner sends `hello`.
    Open,
    /// Boxed: server frames are many times larger than the other events.
    Frame(Box<ServerEnvelope>),
    /// A binary frame: a co-browse page frame (see `protocol::cobrowse`).
    Binary(Vec<u8>),
    /// The socket closed with `code`; another attempt follows in `retry_ms`
    /// unless the owner calls [`Link::stop`].
    Closed { code: u16, retry_ms: u32 },
}

type Listener = Rc<dyn Fn(Link, LinkEvent)>;

/// A self-reconnecting socket. Cloning gives another handle to the same one.
#[derive(Clone)]
pub struct Link(Rc<RefCell<Inner>>);

struct Inner {
    url: String,
    listener: Listener,
    ws: Option<WebSocket>,
    /// The browser calls these; they must outlive the socket they are set on.
    handlers: Option<Handlers>,
    /// Number of the current connection; events from older sockets are ignored
    /// and pending messages remember which connection carried them.
    conn: u64,
    next_rid: u64,
    backoff: Backoff,
    retry: Option<TimeoutHandle>,
    stopped: bool,
}

struct Handlers {
    _open: Closure<dyn FnMut(Event)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

impl Link {
    /// Opens a socket to `url` and keeps it open until [`Link::stop`].
    pub fn start(url: String, listener: impl Fn(Link, LinkEvent) + 'static) -> Link {
        let link = Link(Rc::new(RefCell::new(Inner {
            url,
            listener: Rc::new(listener),
            ws: None,
            handlers: None,
            conn: 0,
            next_rid: 1,
            backoff: Backoff::new(),
            retry: None,
            stopped: false,
        })));
        link.open();
        link
    }

    /// Sends a frame with a fresh request id, returned so an `error` can be
    /// matched to it. `None` when the socket is not open: the caller decides
    /// whether the frame is worth keeping for later.
    pub fn send(&self, frame: ClientFrame) -> Option<u64> {
        let mut inner = self.0.borrow_mut();
        let ws = inner
            .ws
            .as_ref()
            .filter(|ws| ws.ready_state() == WebSocket::OPEN)?
            .clone();
        let rid = inner.next_rid;
        inner.next_rid += 1;
        drop(inner);
        let envelope = ClientEnvelope {
            rid: Some(rid),
            ..ClientEnvelope::new(frame)
        };
        ws.send_with_str(&envelope.to_json()).ok().map(|()| rid)
    }

    /// The current connection's number (changes on every reconnect).
    pub fn connection(&self) -> u64 {
        self.0.borrow().conn
    }

    /// The server accepted us: the next drop retries quickly again.
    pub fn healthy(&self) {
        self.0.borrow_mut().backoff.reset();
    }

    /// Closes the socket for good (logout, revoked credentials).
    pub fn stop(&self) {
        let mut inner = self.0.borrow_mut();
        inner.stopped = true;
        if let Some(retry) = inner.retry.take() {
            retry.clear();
        }
        if let Some(ws) = inner.ws.take() {
            detach(&ws);
            let _ = ws.close_with_code(1000);
        }
        inner.handlers = None;
    }

    fn open(&self) {
        let mut inner = self.0.borrow_mut();
        if inner.stopped {
            return;
        }
        inner.retry = None;
        if let Some(old) = inner.ws.take() {
            detach(&old);
            let _ = old.close();
        }
        inner.conn += 1;
        let conn = inner.conn;
        let ws = match WebSocket::new(&inner.url) {
            Ok(ws) => ws,
            Err(_) => {
                // Only a malformed URL gets here; retrying keeps the banner honest.
                drop(inner);
                self.closed(conn, 1006);
                return;
            }
        };
        let weak = Rc::downgrade(&self.0);
        let on_open = {
            let weak = weak.clone();
            Closure::<dyn FnMut(Event)>::new(move |_| {
                if let Some(link) = current(&weak, conn) {
                    link.emit(LinkEvent::Open);
                }
            })
        };
        let on_message = {
            let weak = weak.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                let Some(link) = current(&weak, conn) else {
                    return;
                };
                let data = ev.data();
                if data.is_instance_of::<js_sys::ArrayBuffer>() {
                    let bytes = js_sys::Uint8Array::new(&data).to_vec();
                    link.emit(LinkEvent::Binary(bytes));
                    return;
                }
                let Some(text) = data.as_string() else {
                    return;
                };
                match serde_json::from_str::<ServerEnvelope>(&text) {
                    Ok(envelope) => link.emit(LinkEvent::Frame(Box::new(envelope))),
                    // A newer server may send frames this build does not know;
                    // skipping them keeps the console working.
                    Err(err) => {
                        web_sys::console::warn_1(&format!("tandem: skipped frame: {err}").into())
                    }
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            if let Some(link) = current(&weak, conn) {
                link.closed(conn, ev.code());
            }
        });
        // Page frames arrive as bytes; an ArrayBuffer is read synchronously.
        ws.set_binary_type(BinaryType::Arraybuffer);
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        inner.ws = Some(ws);
        inner.handlers = Some(Handlers {
            _open: on_open,
            _message: on_message,
            _close: on_close,
        });
    }

    fn closed(&self, conn: u64, code: u16) {
        let mut inner = self.0.borrow_mut();
        if inner.stopped || inner.conn != conn {
            return;
        }
        inner.ws = None;
        let retry_ms = inner.backoff.next_delay();
        let again = self.clone();
        inner.retry =
            set_timeout_with_handle(move || again.open(), Duration::from_millis(retry_ms.into()))
                .ok();
        drop(inner);
        self.emit(LinkEvent::Closed { code, retry_ms });
    }

    /// Calls the listener without holding the borrow, so it may send or stop.
    fn emit(&self, event: LinkEvent) {
        let listener = self.0.borrow().listener.clone();
        listener(self.clone(), event);
    }
}

/// The link, if `conn` is still its current connection.
fn current(weak: &Weak<RefCell<Inner>>, conn: u64) -> Option<Link> {
    let inner = weak.upgrade()?;
    let is_current = {
        let i = inner.borrow();
        i.conn == conn && !i.stopped
    };
    is_current.then_some(Link(inner))
}

/// Unhooks our handlers from a socket we are done with, so its late events
/// cannot reach closures that are about to be dropped.
fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}

#[cfg(test)]
mod tests {
    use super::Backoff;

    #[test]
    fn backoff_doubles_to_ten_seconds_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..7).map(|_| b.next_delay()).collect();
        assert_eq!(
            delays,
            vec![500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]
        );
        b.reset();
        assert_eq!(b.next_delay(), 500);
    }
}

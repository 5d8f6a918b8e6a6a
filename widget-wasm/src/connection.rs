//! The WebSocket to the server and when to open the next one.
//!
//! The connection knows nothing about chat: it opens sockets, forwards
//! what they report as [`Input::Socket`], sends frames and keeps the retry
//! schedule. The app says hello, resumes sessions and flushes what waited.

use protocol::{ClientEnvelope, CloseCode};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use crate::dispatcher::Dispatcher;
use crate::input::{Input, SocketEvent};

/// First retry delay; doubled after every failed attempt.
pub const BACKOFF_START_MS: f64 = 500.0;
/// Longest wait between two attempts.
pub const BACKOFF_MAX_MS: f64 = 10_000.0;

/// 0.5 s, 1 s, 2 s … 10 s, back to 0.5 s after a successful `welcome`.
#[derive(Debug)]
pub struct Backoff {
    next_ms: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next_ms: BACKOFF_START_MS,
        }
    }
}

impl Backoff {
    /// The delay before the next attempt; grows the one after.
    pub fn next_delay(&mut self) -> f64 {
        let now = self.next_ms;
        self.next_ms = (self.next_ms * 2.0).min(BACKOFF_MAX_MS);
        now
    }

    pub fn reset(&mut self) {
        self.next_ms = BACKOFF_START_MS;
    }

    /// Straight to the longest delay (the server said we misbehaved).
    pub fn max_out(&mut self) {
        self.next_ms = BACKOFF_MAX_MS;
    }
}

/// One browser WebSocket and its handlers. Dropping it detaches the
/// handlers before closing, so a replaced socket cannot report anything.
struct Socket {
    ws: WebSocket,
    _handlers: [Closure<dyn FnMut(Event)>; 3],
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close_with_code(CloseCode::Normal.code());
        }
    }
}

pub struct Connection {
    url: String,
    socket: Option<Socket>,
    generation: u32,
    backoff: Backoff,
    /// The server answered our `hello`: other frames may be sent.
    pub welcomed: bool,
    /// When to try again after a failure; `None` while connected or parked.
    pub reconnect_at: Option<f64>,
    /// Failed attempts since the last `welcome`, to tell a blip from an outage.
    pub failures: u32,
}

impl Connection {
    pub fn new(url: String) -> Connection {
        Connection {
            url,
            socket: None,
            generation: 0,
            backoff: Backoff::default(),
            welcomed: false,
            reconnect_at: None,
            failures: 0,
        }
    }

    /// Opens a new socket, replacing any previous one.
    pub fn connect(&mut self, dispatcher: &Dispatcher, now: f64) {
        self.socket = None;
        self.welcomed = false;
        self.reconnect_at = None;
        self.generation = self.generation.wrapping_add(1);
        match open_socket(&self.url, self.generation, dispatcher) {
            Some(socket) => self.socket = Some(socket),
            // A blocked or malformed URL throws synchronously: retry like any failure.
            None => self.failed(now),
        }
    }

    pub fn is_current(&self, generation: u32) -> bool {
        self.socket.is_some() && generation == self.generation
    }

    /// The socket closed. Schedules the next attempt unless `code` says not to.
    pub fn on_closed(&mut self, code: u16, now: f64) {
        self.socket = None;
        self.welcomed = false;
        if code == CloseCode::Replaced.code() {
            // Closed on purpose for this visitor: retrying would fight it.
            // The next thing the visitor does wakes us (see `wake`).
            self.reconnect_at = None;
            return;
        }
        if code == CloseCode::Abuse.code() {
            self.backoff.max_out();
        }
        self.failed(now);
    }

    /// The server accepted our `hello`.
    pub fn on_welcome(&mut self) {
        self.welcomed = true;
        self.failures = 0;
        self.backoff.reset();
    }

    /// Connects now if we are down (waiting for a retry or parked), e.g.
    /// when the network returns or the visitor does something.
    pub fn wake(&mut self, dispatcher: &Dispatcher, now: f64) {
        if self.socket.is_none() {
            self.connect(dispatcher, now);
        }
    }

    /// Closes for good (shutdown) without scheduling a retry.
    pub fn close(&mut self) {
        self.socket = None;
        self.welcomed = false;
        self.reconnect_at = None;
    }

    /// Sends a frame if the socket is open; returns whether it went out.
    pub fn send(&self, envelope: &ClientEnvelope) -> bool {
        match &self.socket {
            Some(s) if s.ws.ready_state() == WebSocket::OPEN => {
                // Not `envelope.to_json()`: its `expect` formats serde_json's error
                // with `Debug`, kilobytes of wasm for a failure that cannot happen.
                let json = crate::browser::must(
                    serde_json::to_string(envelope),
                    "client frames always serialise",
                );
                s.ws.send_with_str(&json).is_ok()
            }
            _ => false,
        }
    }

    /// Sends a binary co-browse frame if the socket is open and welcomed.
    pub fn send_binary(&self, frame: &[u8]) -> bool {
        match &self.socket {
            Some(s) if self.welcomed && s.ws.ready_state() == WebSocket::OPEN => {
                s.ws.send_with_u8_array(frame).is_ok()
            }
            _ => false,
        }
    }

    /// Bytes queued on the socket and not yet sent.
    pub fn buffered(&self) -> u32 {
        self.socket.as_ref().map_or(0, |s| s.ws.buffered_amount())
    }

    fn failed(&mut self, now: f64) {
        self.failures += 1;
        self.reconnect_at = Some(now + self.backoff.next_delay());
    }
}

fn open_socket(url: &str, generation: u32, dispatcher: &Dispatcher) -> Option<Socket> {
    let ws = WebSocket::new(url).ok()?;
    let report = move |dispatcher: &Dispatcher, event: SocketEvent| {
        dispatcher.send(Input::Socket { generation, event });
    };
    let d = dispatcher.clone();
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| report(&d, SocketEvent::Open));
    let d = dispatcher.clone();
    let on_message = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        // The server only sends text frames; anything else is not ours to read.
        if let Some(text) = e
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        {
            report(&d, SocketEvent::Text(text));
        }
    });
    let d = dispatcher.clone();
    let on_close = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        let code = e.dyn_ref::<CloseEvent>().map(|c| c.code()).unwrap_or(1006);
        report(&d, SocketEvent::Closed { code });
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // `error` is always followed by `close`, which is where we react.
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Some(Socket {
        ws,
        _handlers: [on_open, on_message, on_close],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_seconds_and_resets() {
        let mut b = Backoff::default();
        let delays: Vec<f64> = (0..7).map(|_| b.next_delay()).collect();
        assert_eq!(
            delays,
            [500.0, 1000.0, 2000.0, 4000.0, 8000.0, 10_000.0, 10_000.0]
        );
        b.reset();
        assert_eq!(b.next_delay(), 500.0);
        b.max_out();
        assert_eq!(b.next_delay(), 10_000.0);
    }

    #[test]
    fn the_servers_timeout_closes_are_retried_like_a_network_loss() {
        for code in [
            CloseCode::Idle,
            CloseCode::HelloTimeout,
            CloseCode::Lagging,
            CloseCode::Restart,
        ] {
            let mut c = Connection::new("ws://x/ws/visitor?site=s".into());
            c.on_closed(code.code(), 1_000.0);
            assert_eq!(c.reconnect_at, Some(1_500.0), "{code:?}");
        }
        let mut c = Connection::new("ws://x/ws/visitor?site=s".into());
        c.on_closed(CloseCode::Replaced.code(), 1_000.0);
        assert_eq!(c.reconnect_at, None);
    }
}

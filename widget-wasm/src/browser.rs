//! Small, failure-tolerant reads of the browser around us: time, the page,
//! visibility and web storage.
//!
//! Storage in particular can throw (private modes, sandboxed iframes,
//! cookies blocked): the widget then simply forgets between pages instead
//! of breaking.

use protocol::PageInfo;
use web_sys::{Document, Storage, VisibilityState, Window};

/// `Result::expect` without formatting the error. The wasm build aborts on
/// a panic and has no panic hook, so no message would be shown anyway, and
/// formatting a `JsValue` or a serde_json error with `Debug` links several
/// KB of formatting code into what every visitor downloads. Native tests
/// still get `what`.
pub fn must<T, E>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(_) => failed(what),
    }
}

/// The one panic of `must`, outside its generic part.
#[cold]
#[inline(never)]
fn failed(what: &str) -> ! {
    panic!("{what}")
}

pub fn window() -> Window {
    web_sys::window().expect("the widget runs in a window")
}

pub fn document() -> Document {
    window().document().expect("the window has a document")
}

/// Wall-clock milliseconds, the unit of every deadline in the widget.
pub fn now() -> f64 {
    js_sys::Date::now()
}

pub fn page_info() -> PageInfo {
    let doc = document();
    let url = window().location().href().unwrap_or_default();
    PageInfo {
        url: truncate(url, protocol::limits::MAX_URL_CHARS),
        title: truncate(doc.title(), protocol::limits::MAX_SHORT_CHARS),
    }
}

pub fn document_visible() -> bool {
    document().visibility_state() == VisibilityState::Visible
}

pub fn browser_language() -> Option<String> {
    window().navigator().language()
}

/// A fresh id for one of the visitor's messages, unique enough across tabs
/// and page loads to match the server's echo.
pub fn client_id(counter: u64) -> String {
    let random = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("w{random:08x}{:x}{counter:x}", now() as u64)
}

/// localStorage (survives visits) or sessionStorage (survives navigation).
#[derive(Clone, Copy)]
pub enum Store {
    Local,
    Session,
}

impl Store {
    fn storage(self) -> Option<Storage> {
        let w = window();
        match self {
            Store::Local => w.local_storage().ok().flatten(),
            Store::Session => w.session_storage().ok().flatten(),
        }
    }

    pub fn get(self, key: &str) -> Option<String> {
        self.storage()?.get_item(key).ok().flatten()
    }

    pub fn set(self, key: &str, value: &str) {
        if let Some(s) = self.storage() {
            let _ = s.set_item(key, value);
        }
    }

    pub fn remove(self, key: &str) {
        if let Some(s) = self.storage() {
            let _ = s.remove_item(key);
        }
    }
}

/// The server rejects over-long page info; a long URL is still worth sending.
fn truncate(mut s: String, max_chars: usize) -> String {
    if let Some((i, _)) = s.char_indices().nth(max_chars) {
        s.truncate(i);
    }
    s
}

/// `x` with `digits` decimals, formatted by the browser (`toFixed`). Rust's
/// own float formatting weighs about 8 KB gzipped in the widget; the
/// browser already has one.
pub fn fixed(x: f64, digits: u8) -> String {
    js_sys::Number::from(x)
        .to_fixed(digits)
        .map(String::from)
        .unwrap_or_default()
}

/// A number as JavaScript writes it (`String(x)`), for the same reason.
pub fn number_text(x: f64) -> String {
    js_sys::Number::from(x)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

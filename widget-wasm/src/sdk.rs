//! What JavaScript sees: the `Widget` class tandem.js builds `window.Tandem`
//! on, and the callback through which the widget reports SDK events.
//!
//! tandem.js owns the listeners and the call queue; this side only turns
//! JS values into typed commands and typed events into JS values.

use std::rc::Rc;

use protocol::{ClientFrame, VisitorIdentity};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::app::Shared;
use crate::browser::browser_language;
use crate::input::{Command, Input};
use crate::options::{Options, RawOptions};

/// Calls the SDK's `emit(name, data)`. tandem.js defers delivery to
/// listeners to a microtask, so a listener that calls back into the SDK
/// never runs while the widget is in the middle of handling something.
pub struct Emitter(js_sys::Function);

impl Emitter {
    pub fn emit(&self, name: &str, data: Value) {
        let data = js_sys::JSON::parse(&data.to_string()).unwrap_or(JsValue::NULL);
        let _ = self
            .0
            .call2(&JsValue::NULL, &JsValue::from_str(name), &data);
    }
}

/// One widget instance. tandem.js creates it from `Tandem.init` and calls
/// `free()` after `shutdown()`.
#[wasm_bindgen]
pub struct Widget {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Widget {
    /// `options` is what the site passed to `Tandem.init` (with `server`
    /// filled in); `emit(name, data)` receives the SDK events.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, emit: js_sys::Function) -> Result<Widget, JsError> {
        let raw: RawOptions = from_js(&options, "Tandem.init")?;
        for selector in &raw.mask {
            check_selector(selector, "Tandem.init: `mask`")?;
        }
        let options = Options::resolve(raw, browser_language()).map_err(|e| JsError::new(&e))?;
        let shared = Shared::start(options, Emitter(emit));
        Ok(Widget { shared })
    }

    pub fn open(&self) {
        self.command(Command::Open);
    }

    pub fn close(&self) {
        self.command(Command::Close);
    }

    /// `{id, name, email, attributes}`; every field optional.
    pub fn identify(&self, identity: JsValue) -> Result<(), JsError> {
        let raw: RawIdentity = from_js(&identity, "Tandem.identify")?;
        let identity = raw.into_identity();
        // Check against the protocol's limits here so the site's developer
        // gets the reason at the call, not as a later error event.
        ClientFrame::Identify {
            identity: identity.clone(),
        }
        .validate()
        .map_err(|e| JsError::new(&format!("Tandem.identify: {e}")))?;
        self.command(Command::Identify(identity));
        Ok(())
    }

    /// `{topic?, message}`: opens the panel and asks for help.
    #[wasm_bindgen(js_name = requestHelp)]
    pub fn request_help(&self, request: JsValue) -> Result<(), JsError> {
        #[derive(Deserialize)]
        struct Request {
            #[serde(default)]
            topic: Option<String>,
            #[serde(default)]
            message: String,
        }
        let r: Request = from_js(&request, "Tandem.requestHelp")?;
        if r.message.trim().is_empty() {
            return Err(JsError::new("Tandem.requestHelp: `message` is required"));
        }
        self.command(Command::RequestHelp {
            topic: r.topic.filter(|t| !t.is_empty()),
            message: r.message,
        });
        Ok(())
    }

    /// Sends a chat message as the visitor (asks for help first if there is
    /// no open conversation).
    pub fn send(&self, text: String) {
        self.command(Command::Send(text));
    }

    /// Masks every element matching `selector` (and its subtree) when the
    /// visitor shares their screen, from now on.
    pub fn mask(&self, selector: String) -> Result<(), JsError> {
        check_selector(&selector, "Tandem.mask")?;
        self.command(Command::Mask(selector));
        Ok(())
    }

    /// Closes the socket, removes the UI and forgets the visitor.
    pub fn shutdown(&self) {
        self.command(Command::Shutdown);
    }
}

impl Widget {
    fn command(&self, command: Command) {
        self.shared.dispatch(Input::Sdk(command));
    }
}

/// A selector the browser accepts, or the reason it does not.
fn check_selector(selector: &str, what: &str) -> Result<(), JsError> {
    if selector.trim().is_empty() {
        return Err(JsError::new(&format!("{what}: empty selector")));
    }
    crate::browser::document()
        .query_selector(selector)
        .map(|_| ())
        .map_err(|_| JsError::new(&format!("{what}: invalid CSS selector {selector:?}")))
}

/// Reads a plain JS object through JSON: the SDK's arguments are small and
/// this avoids another serialisation dependency.
fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let json = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new(&format!("{what}: expected an object")))?;
    serde_json::from_str(&json).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// `Tandem.identify`'s argument. Sites often use numeric user ids, so `id`
/// accepts numbers too.
#[derive(Deserialize)]
struct RawIdentity {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    attributes: Map<String, Value>,
}

impl RawIdentity {
    fn into_identity(self) -> VisitorIdentity {
        let id = match self.id {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        VisitorIdentity {
            id,
            name: self.name,
            email: self.email,
            attributes: self.attributes,
            // Only the server can vouch for an identity; a page never can.
            verified: false,
        }
    }
}

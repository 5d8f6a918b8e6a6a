//! What JavaScript sees: the `Widget` class tandem.js builds `window.Tandem`
//! on (the callback through which the widget reports SDK events is in
//! `emitter.rs`).
//!
//! tandem.js owns the listeners and the call queue; this side only turns
//! JS values into typed commands and typed events into JS values.

use std::rc::Rc;

use protocol::VisitorIdentity;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::browser::browser_language;
use crate::decode::{Source, text};
use crate::dispatcher::Shared;
use crate::emitter::Emitter;
use crate::input::{Command, Identity, Input};
use crate::options::{Options, RawOptions};

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
        let raw = RawOptions::read(&options).map_err(|e| JsError::new(&e))?;
        for selector in &raw.mask {
            check_selector(selector, "Tandem.init: `mask`")?;
        }
        let options = Options::resolve(raw, browser_language()).map_err(|e| JsError::new(&e))?;
        let shared = crate::app::start(options, Emitter::new(emit));
        Ok(Widget { shared })
    }

    pub fn open(&self) {
        self.command(Command::Open);
    }

    pub fn close(&self) {
        self.command(Command::Close);
    }

    /// `{id, name, email, attributes, token}`; every field optional.
    /// `token` is the identity token the site's backend signed (see
    /// docs/sdk.md); `hash`, the older signature of `id`, still passes
    /// through for sites that accept it.
    pub fn identify(&self, identity: JsValue) -> Result<(), JsError> {
        let hash = text(&identity, "hash");
        // (The server checks the token and answers `identity_not_verified`
        // with the reason; checking its shape here too would cost bytes.)
        let token = text(&identity, "token");
        let identity =
            read_identity(&identity).map_err(|e| JsError::new(&format!("Tandem.identify: {e}")))?;
        // Check against the protocol's limits here so the site's developer
        // gets the reason at the call, not as a later error event.
        identity
            .validate()
            .map_err(|e| JsError::new(&format!("Tandem.identify: {e}")))?;
        if hash.as_ref().is_some_and(|h| h.len() > 128) {
            return Err(JsError::new(
                "Tandem.identify: hash is longer than 128 characters",
            ));
        }
        self.command(Command::Identify(Identity {
            who: identity,
            token,
            hash,
        }));
        Ok(())
    }

    /// `{topic?, message}`: opens the panel and asks for help.
    #[wasm_bindgen(js_name = requestHelp)]
    pub fn request_help(&self, request: JsValue) -> Result<(), JsError> {
        let message = text(&request, "message").unwrap_or_default();
        if message.trim().is_empty() {
            return Err(JsError::new("Tandem.requestHelp: `message` is required"));
        }
        self.command(Command::RequestHelp {
            topic: text(&request, "topic").filter(|t| !t.is_empty()),
            message,
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
        .map_err(|_| {
            // Quoted as a JSON string: `{:?}` would link Rust's Debug escaping.
            let quoted = serde_json::Value::from(selector);
            JsError::new(&format!("{what}: invalid CSS selector {quoted}"))
        })
}

/// `Tandem.identify`'s argument: `{id, name, email, attributes}`. Sites
/// often use numeric user ids, so `id` accepts numbers too. Read field by
/// field (see `decode/mod.rs` for why not through serde).
fn read_identity<S: Source>(v: &S) -> Result<VisitorIdentity, String> {
    let id = v.get("id").and_then(|id| {
        id.string().or_else(|| {
            id.number().map(|n| {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    (n as i64).to_string()
                } else {
                    crate::browser::number_text(n)
                }
            })
        })
    });
    let mut attributes = Map::new();
    if let Some(attrs) = v.get("attributes") {
        for key in attrs.keys() {
            let value = match attrs.get(&key) {
                None => Value::Null,
                Some(x) => {
                    if let Some(s) = x.string() {
                        Value::String(s)
                    } else if let Some(b) = x.boolean() {
                        Value::Bool(b)
                    } else if let Some(n) = x.number() {
                        if n.fract() == 0.0 && n.abs() < 9.0e15 {
                            Value::from(n as i64)
                        } else {
                            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
                        }
                    } else {
                        // Quoted as a JSON string, like selectors below.
                        let quoted = Value::from(key);
                        return Err(format!(
                            "attribute {quoted} must be a string, number or boolean"
                        ));
                    }
                }
            };
            attributes.insert(key, value);
        }
    }
    Ok(VisitorIdentity {
        id,
        name: text(v, "name"),
        email: text(v, "email"),
        attributes,
        // Only the server can vouch for an identity; a page never can.
        verified: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_identities_like_the_sdk_documents() {
        let v: Value = serde_json::from_str(
            r#"{"id":4711,"name":"Ann","attributes":{"plan":"gold","orders":12,"vip":true,"ratio":0.5,"gone":null}}"#,
        )
        .unwrap();
        let i = read_identity(&v).unwrap();
        assert_eq!(i.id.as_deref(), Some("4711"));
        assert_eq!(i.name.as_deref(), Some("Ann"));
        assert_eq!(i.email, None);
        assert_eq!(
            serde_json::to_string(&i.attributes).unwrap(),
            r#"{"gone":null,"orders":12,"plan":"gold","ratio":0.5,"vip":true}"#
        );
        let nested: Value = serde_json::from_str(r#"{"attributes":{"x":{"y":1}}}"#).unwrap();
        assert!(read_identity(&nested).is_err());
    }
}

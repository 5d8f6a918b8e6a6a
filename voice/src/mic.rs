//! The microphone: asked for only once the person said yes to a call.

use js_sys::Object;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::js::{self, MediaStream, get, set};

/// Why there is no microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicError {
    /// The person or the browser's settings refused it.
    Denied,
    /// No microphone, or it is in use elsewhere.
    Unavailable,
    /// This page cannot ask at all (not HTTPS, or no WebRTC).
    Unsupported,
}

impl MicError {
    pub fn as_str(self) -> &'static str {
        match self {
            MicError::Denied => "denied",
            MicError::Unavailable => "unavailable",
            MicError::Unsupported => "unsupported",
        }
    }
}

/// Asks for the microphone (the browser may show its permission prompt).
pub async fn microphone() -> Result<MediaStream, MicError> {
    let constraints = Object::new();
    set(&constraints, "audio", true);
    let promise = js::get_user_media(&constraints).map_err(|_| MicError::Unsupported)?;
    match JsFuture::from(promise).await {
        Ok(stream) => Ok(stream.into()),
        Err(e) => Err(classify(&e)),
    }
}

fn classify(e: &JsValue) -> MicError {
    match get(e, "name").as_string().as_deref() {
        Some("NotAllowedError" | "SecurityError") => MicError::Denied,
        Some("TypeError") => MicError::Unsupported,
        _ => MicError::Unavailable,
    }
}

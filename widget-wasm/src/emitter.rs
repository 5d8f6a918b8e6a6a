//! The SDK's events: the callback through which the widget reports them to
//! tandem.js, which hands them to the site's listeners.

use wasm_bindgen::JsValue;

/// Calls the SDK's `emit(name, data)`. tandem.js defers delivery to
/// listeners to a microtask, so a listener that calls back into the SDK
/// never runs while the widget is in the middle of handling something.
pub struct Emitter(js_sys::Function);

impl Emitter {
    pub fn new(emit: js_sys::Function) -> Emitter {
        Emitter(emit)
    }

    pub fn emit(&self, name: &str, data: &[(&str, JsValue)]) {
        let _ = self
            .0
            .call2(&JsValue::NULL, &JsValue::from_str(name), &object(data));
    }
}

/// A plain object for an SDK event, built in JavaScript directly (`json!`
/// would link serde_json's error formatting into the widget).
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o.into()
}

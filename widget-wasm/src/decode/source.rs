//! The reader under every decoder: a parsed JSON value ([`Source`]) and the
//! small typed reads (`text`, `uint`, `list`…) that skip what does not fit.
//!
//! `Tandem.init`'s options and `Tandem.identify`'s argument are read the
//! same way as server frames (see `decode/mod.rs` for why not serde).

use wasm_bindgen::{JsCast, JsValue};

/// A parsed JSON value the reader can walk: a JS value in the browser,
/// a `serde_json::Value` in native tests.
pub trait Source: Sized {
    /// The field `key` of an object; `None` when missing or null.
    fn get(&self, key: &str) -> Option<Self>;
    fn string(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    /// The items of an array (none for anything else).
    fn items(&self) -> Vec<Self>;
    /// The keys of an object (none for anything else).
    fn keys(&self) -> Vec<String>;
    fn is_array(&self) -> bool;
}

impl Source for JsValue {
    fn get(&self, key: &str) -> Option<JsValue> {
        if !self.is_object() {
            return None;
        }
        js_sys::Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Vec<JsValue> {
        if js_sys::Array::is_array(self) {
            self.unchecked_ref::<js_sys::Array>().iter().collect()
        } else {
            Vec::new()
        }
    }

    fn keys(&self) -> Vec<String> {
        if !self.is_object() || js_sys::Array::is_array(self) {
            return Vec::new();
        }
        js_sys::Object::keys(self.unchecked_ref::<js_sys::Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }

    fn is_array(&self) -> bool {
        js_sys::Array::is_array(self)
    }
}

/// The same reading over `serde_json::Value`, for native tests.
#[cfg(test)]
impl Source for serde_json::Value {
    fn get(&self, key: &str) -> Option<serde_json::Value> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(String::from)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<serde_json::Value> {
        self.as_array().cloned().unwrap_or_default()
    }
    fn keys(&self) -> Vec<String> {
        self.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn is_array(&self) -> bool {
        serde_json::Value::is_array(self)
    }
}

pub fn text<S: Source>(v: &S, key: &str) -> Option<String> {
    v.get(key)?.string()
}

pub fn number<S: Source>(v: &S, key: &str) -> Option<f64> {
    v.get(key)?.number().filter(|n| n.is_finite())
}

/// A non-negative integer (JSON numbers are doubles: exact up to 2^53).
pub fn uint<S: Source>(v: &S, key: &str) -> Option<u64> {
    number(v, key)
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64)
}

pub fn int<S: Source>(v: &S, key: &str) -> Option<i64> {
    number(v, key)
        .filter(|n| n.fract() == 0.0)
        .map(|n| n as i64)
}

pub fn flag<S: Source>(v: &S, key: &str) -> Option<bool> {
    v.get(key)?.boolean()
}

/// The readable items of the array `key`; unreadable ones are skipped.
pub fn list<S: Source, T>(v: &S, key: &str, read: fn(&S) -> Option<T>) -> Vec<T> {
    v.get(key)
        .map(|a| a.items().iter().filter_map(read).collect())
        .unwrap_or_default()
}

pub fn names<S: Source>(v: &S, key: &str) -> Vec<String> {
    list(v, key, |s| s.string())
}

/// Reads a snake_case enum value by its serde spelling, listed by `name`.
pub fn pick<T: Copy>(s: &str, all: &[T], name: fn(T) -> &'static str) -> Option<T> {
    all.iter().copied().find(|t| name(*t) == s)
}

//! The widget's timer (and the capture's, built the same way).
//!
//! Every delayed thing (the next reconnect, "stopped typing", hiding the
//! agent's stale typing indicator, clearing an error note) is a deadline in
//! the app's state. After each batch of inputs the app asks for the
//! earliest one and this timer is pointed at it, in the spirit of sans-I/O
//! engines that return their next timeout. Long-lived closures are reused,
//! so cancelling and re-arming never leaks a callback.
//!
//! A deadline already due runs in a new task posted through a
//! `MessageChannel`, not `setTimeout(0)`: browsers clamp nested timeouts to
//! 4 ms after five levels, and a keyframe built in 8 ms slices, each
//! scheduling the next, would spend a third of its time waiting.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageChannel, MessagePort};

use crate::app::Dispatcher;
use crate::browser::{now, window};
use crate::input::Input;

pub struct Timer {
    dispatcher: Dispatcher,
    input: fn() -> Input,
    callback: Closure<dyn FnMut()>,
    handle: Option<i32>,
    at: Option<f64>,
    /// The channel for due deadlines, made on first use.
    soon: Option<Soon>,
}

/// A task posted through a `MessageChannel`, which cannot be taken back:
/// `pending` says whether it should still hand over its input.
struct Soon {
    port: MessagePort,
    pending: Rc<Cell<bool>>,
    channel: MessageChannel,
    _on_message: Closure<dyn FnMut()>,
}

impl Timer {
    /// A timer that hands `input()` to the dispatcher when it fires.
    pub fn new(dispatcher: Dispatcher, input: fn() -> Input) -> Timer {
        let d = dispatcher.clone();
        let callback = Closure::<dyn FnMut()>::new(move || d.send(input()));
        Timer {
            dispatcher,
            input,
            callback,
            handle: None,
            at: None,
            soon: None,
        }
    }

    /// Points the timer at `at` (wall-clock ms), or stops it.
    pub fn schedule(&mut self, at: Option<f64>) {
        if at == self.at {
            return;
        }
        self.cancel();
        let Some(at) = at else { return };
        let delay = (at - now()).clamp(0.0, i32::MAX as f64) as i32;
        if delay == 0 && self.post() {
            self.at = Some(at);
            return;
        }
        self.handle = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.callback.as_ref().unchecked_ref(),
                delay,
            )
            .ok();
        self.at = Some(at);
    }

    /// The timer fired: it is no longer armed.
    pub fn fired(&mut self) {
        self.handle = None;
        self.at = None;
        if let Some(soon) = &self.soon {
            soon.pending.set(false);
        }
    }

    /// Runs the input in a new task as soon as possible; false if no
    /// channel could be made (then a timeout does it).
    fn post(&mut self) -> bool {
        if self.soon.is_none() {
            let Ok(channel) = MessageChannel::new() else {
                return false;
            };
            let pending = Rc::new(Cell::new(false));
            let (p, d, input) = (pending.clone(), self.dispatcher.clone(), self.input);
            let on_message = Closure::<dyn FnMut()>::new(move || {
                if p.replace(false) {
                    d.send(input());
                }
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            self.soon = Some(Soon {
                port: channel.port2(),
                pending,
                channel,
                _on_message: on_message,
            });
        }
        let Some(soon) = &self.soon else { return false };
        if !soon.pending.replace(true) {
            return soon.port.post_message(&JsValue::UNDEFINED).is_ok();
        }
        true
    }

    fn cancel(&mut self) {
        if let Some(h) = self.handle.take() {
            window().clear_timeout_with_handle(h);
        }
        if let Some(soon) = &self.soon {
            soon.pending.set(false);
        }
        self.at = None;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
        if let Some(soon) = &self.soon {
            soon.port.close();
            soon.channel.port1().set_onmessage(None);
        }
    }
}

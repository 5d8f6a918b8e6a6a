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
use web_sys::MessageChannel;

use crate::browser::{now, window};
use crate::dispatcher::Dispatcher;
use crate::input::Input;

pub struct Timer {
    callback: Closure<dyn FnMut()>,
    handle: Option<i32>,
    at: Option<f64>,
    /// Runs due deadlines; `None` if no channel could be made (then a
    /// timeout does).
    soon: Option<Soon>,
}

/// A task posted through a `MessageChannel`, which cannot be taken back:
/// `pending` says whether it should still hand over its input.
struct Soon {
    channel: MessageChannel,
    pending: Rc<Cell<bool>>,
    _on_message: Closure<dyn FnMut()>,
}

impl Soon {
    fn new(dispatcher: Dispatcher, input: fn() -> Input) -> Option<Soon> {
        let channel = MessageChannel::new().ok()?;
        let pending = Rc::new(Cell::new(false));
        let p = pending.clone();
        let on_message = Closure::<dyn FnMut()>::new(move || {
            if p.replace(false) {
                dispatcher.send(input());
            }
        });
        channel
            .port1()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Soon {
            channel,
            pending,
            _on_message: on_message,
        })
    }

    /// Hands over the input in a new task, unless one is already on its
    /// way; false if the message could not be posted.
    fn post(&self) -> bool {
        if self.pending.replace(true) {
            return true;
        }
        let posted = self
            .channel
            .port2()
            .post_message(&JsValue::UNDEFINED)
            .is_ok();
        self.pending.set(posted);
        posted
    }
}

impl Timer {
    /// A timer that hands `input()` to the dispatcher when it fires.
    pub fn new(dispatcher: Dispatcher, input: fn() -> Input) -> Timer {
        let soon = Soon::new(dispatcher.clone(), input);
        let callback = Closure::<dyn FnMut()>::new(move || dispatcher.send(input()));
        Timer {
            callback,
            handle: None,
            at: None,
            soon,
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
        if delay == 0 && self.soon.as_ref().is_some_and(Soon::post) {
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
            // A message still on its way must not call the freed closure.
            soon.channel.port1().set_onmessage(None);
        }
    }
}

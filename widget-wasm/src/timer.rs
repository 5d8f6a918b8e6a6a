//! The widget's timer (and the capture's, built the same way).
//!
//! Every delayed thing (the next reconnect, "stopped typing", hiding the
//! agent's stale typing indicator, clearing an error note) is a deadline in
//! the app's state. After each batch of inputs the app asks for the
//! earliest one and this timer is pointed at it, in the spirit of sans-I/O
//! engines that return their next timeout. One long-lived closure is reused,
//! so cancelling and re-arming never leaks a callback.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::app::Dispatcher;
use crate::browser::{now, window};
use crate::input::Input;

pub struct Timer {
    callback: Closure<dyn FnMut()>,
    handle: Option<i32>,
    at: Option<f64>,
}

impl Timer {
    /// A timer that hands `input()` to the dispatcher when it fires.
    pub fn new(dispatcher: Dispatcher, input: fn() -> Input) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(move || dispatcher.send(input()));
        Timer {
            callback,
            handle: None,
            at: None,
        }
    }

    /// Points the timer at `at` (wall-clock ms), or stops it.
    pub fn schedule(&mut self, at: Option<f64>) {
        if at == self.at {
            return;
        }
        self.cancel();
        if let Some(at) = at {
            let delay = (at - now()).clamp(0.0, i32::MAX as f64) as i32;
            self.handle = window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    self.callback.as_ref().unchecked_ref(),
                    delay,
                )
                .ok();
            self.at = Some(at);
        }
    }

    /// The timer fired: it is no longer armed.
    pub fn fired(&mut self) {
        self.handle = None;
        self.at = None;
    }

    fn cancel(&mut self) {
        if let Some(h) = self.handle.take() {
            window().clear_timeout_with_handle(h);
        }
        self.at = None;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

//! The handle every callback holds to hand an [`Input`] to the widget.
//!
//! DOM listeners, socket handlers, timers and the capture all live below the
//! app and must not know it: they hold a [`Dispatcher`], a weak pointer to
//! whatever applies inputs ([`Sink`], implemented by `app::Shared`). Once
//! the widget is gone, sending does nothing.

use std::rc::Weak;

use crate::input::Input;

/// What applies inputs: the widget's owner (`app::Shared`).
pub trait Sink {
    fn dispatch(&self, input: Input);
}

/// A weak handle for callbacks: once the widget is gone they do nothing.
#[derive(Clone)]
pub struct Dispatcher(Weak<dyn Sink>);

impl Dispatcher {
    pub fn new(sink: Weak<dyn Sink>) -> Dispatcher {
        Dispatcher(sink)
    }

    pub fn send(&self, input: Input) {
        if let Some(sink) = self.0.upgrade() {
            sink.dispatch(input);
        }
    }
}

//! The queue every input goes through, and the handle callbacks hold to it.
//!
//! DOM listeners, socket handlers, timers and the capture all live below the
//! app and must not know it: they hold a [`Dispatcher`], a weak pointer to
//! the [`Shared`] queue, which owns the app as a [`Handler`] and applies
//! inputs to it one at a time. Once the widget is gone, sending does nothing.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use crate::input::Input;

/// What applies inputs: the app.
pub trait Handler {
    /// Applies one input; [`Flow::Stop`] drops the handler.
    fn handle(&mut self, input: Input) -> Flow;
    /// Everything that follows from the state, after a batch of inputs
    /// that were not all quiet (see [`Input::is_quiet`]).
    fn settle(&mut self);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// The one owner of the widget's state, shared by every callback through
/// [`Dispatcher`]. `handler` is `None` before the app is installed and once
/// it was shut down.
pub struct Shared {
    handler: RefCell<Option<Box<dyn Handler>>>,
    pending: RefCell<VecDeque<Input>>,
}

impl Shared {
    pub fn new() -> Rc<Shared> {
        Rc::new(Shared {
            handler: RefCell::new(None),
            pending: RefCell::new(VecDeque::new()),
        })
    }

    /// A handle for callbacks.
    pub fn dispatcher(self: &Rc<Shared>) -> Dispatcher {
        Dispatcher(Rc::downgrade(self))
    }

    /// Hands the app over; inputs are applied to it from now on.
    pub fn install(&self, handler: Box<dyn Handler>) {
        *self.handler.borrow_mut() = Some(handler);
    }

    /// Applies `input`, and anything queued meanwhile, then settles.
    ///
    /// An input raised while another is being handled (a DOM event fired
    /// synchronously by something the app did) is queued and handled right
    /// after by the outer call, instead of borrowing the state twice.
    pub fn dispatch(&self, input: Input) {
        self.pending.borrow_mut().push_back(input);
        let Ok(mut slot) = self.handler.try_borrow_mut() else {
            return;
        };
        let mut loud = false;
        loop {
            let next = self.pending.borrow_mut().pop_front();
            let Some(input) = next else { break };
            let Some(app) = slot.as_mut() else { break };
            loud |= !input.is_quiet();
            if app.handle(input) == Flow::Stop {
                // Dropping the app removes its UI, socket, listeners and timer.
                *slot = None;
            }
        }
        match slot.as_mut() {
            Some(app) if loud => app.settle(),
            Some(_) => {}
            None => self.pending.borrow_mut().clear(),
        }
    }
}

/// A weak handle for callbacks: once the widget is gone they do nothing.
#[derive(Clone)]
pub struct Dispatcher(Weak<Shared>);

impl Dispatcher {
    pub fn send(&self, input: Input) {
        if let Some(shared) = self.0.upgrade() {
            shared.dispatch(input);
        }
    }
}

//! The one owner of the widget's state, and the queue that applies inputs
//! to it one at a time.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use super::core::{App, Flow};
use crate::dispatcher::{Dispatcher, Sink};
use crate::emitter::Emitter;
use crate::input::Input;
use crate::options::Options;

/// The one owner of the widget's state, shared by every callback through
/// [`Dispatcher`]. `app` is `None` once the widget was shut down.
pub struct Shared {
    app: RefCell<Option<App>>,
    pending: RefCell<VecDeque<Input>>,
}

impl Shared {
    /// Builds the widget and connects.
    pub fn start(options: Options, emitter: Emitter) -> Rc<Shared> {
        let shared = Rc::new(Shared {
            app: RefCell::new(None),
            pending: RefCell::new(VecDeque::new()),
        });
        let weak: Weak<Shared> = Rc::downgrade(&shared);
        let sink: Weak<dyn Sink> = weak;
        let dispatcher = Dispatcher::new(sink);
        *shared.app.borrow_mut() = Some(App::new(options, emitter, dispatcher));
        shared.dispatch(Input::Start);
        shared
    }

    /// Applies `input`, and anything queued meanwhile, then settles.
    ///
    /// An input raised while another is being handled (a DOM event fired
    /// synchronously by something the app did) is queued and handled right
    /// after by the outer call, instead of borrowing the state twice.
    pub fn dispatch(&self, input: Input) {
        self.pending.borrow_mut().push_back(input);
        let Ok(mut slot) = self.app.try_borrow_mut() else {
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

impl Sink for Shared {
    fn dispatch(&self, input: Input) {
        Shared::dispatch(self, input);
    }
}

//! Co-browse capture: the visitor's page as keyframes and deltas
//! (`protocol::cobrowse`), sent as binary frames while the visitor shares.
//!
//! - a keyframe is a full snapshot, built in time slices (`snapshot.rs`);
//! - deltas follow, at most one per animation frame, computed (`diff.rs`)
//!   from what changed (`dirty.rs`), as a `MutationObserver` (`observer.rs`)
//!   and a few listeners (`events.rs`) reported it;
//! - masking happens while serialising, before anything is encoded
//!   (`mask.rs`, `forms.rs`); URLs and stylesheets are made usable on
//!   another origin (`styles.rs`); node ids and our copy of the mirror's
//!   structure live in `tree.rs`, and what the walker and the diff share
//!   in `page.rs`.
//!
//! The widget's own UI (its shadow host) is never captured. Capture never
//! blocks the page: slices of a few milliseconds, a size cap
//! on what one delta may serialise, and a keyframe instead when a change is
//! too big or the socket is backed up.

pub mod diff;
pub mod dirty;
pub mod events;
pub mod forms;
pub mod mask;
pub mod observer;
pub mod page;
pub mod snapshot;
pub mod styles;
pub mod tree;

use js_sys::WeakSet;
use protocol::cobrowse::{Delta, FrameKind, Keyframe, Op, encode_frame, frame_header};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Node};

use self::diff::{canvas_image, diff, viewport};
use self::dirty::Dirty;
use self::events::{field_listeners, page_listeners};
use self::observer::{Observer, note_records};
use self::page::Page;
use self::snapshot::{Step, Walk};
use self::tree::{DOC, Lookup, NodeIds, Tree};
use crate::browser::{Store, document, now, window};
use crate::connection::Connection;
use crate::dispatcher::Dispatcher;
use crate::input::{CaptureEvent, Input};
use crate::listener::Listener;
use crate::timer::Timer;

/// Longest a keyframe slice may run (a task of 50 ms is where a page starts
/// to feel stuck; the rest is
/// headroom for slow devices and for the page's own work).
const SLICE_MS: f64 = 8.0;
/// Minimum gap between deltas carrying page changes (one per frame at 60 Hz)
/// and between deltas carrying only the pointer, scroll or selection.
const FRAME_GAP_MS: f64 = 16.0;
const POINTER_GAP_MS: f64 = 50.0;
/// Keyframes asked for in a burst are spaced out.
const KEYFRAME_GAP_MS: f64 = 1000.0;
/// How often canvases are re-read, and how many per round.
const CANVAS_EVERY_MS: f64 = 1000.0;
const CANVASES_PER_ROUND: usize = 3;
/// Deltas wait while the socket has this much unsent (they coalesce).
const BACKLOG_BYTES: u32 = 2 * 1024 * 1024;

/// Where a keyframe in progress is.
enum Build {
    Walking(Walk),
    /// Walked: ended and sent in the next task.
    Walked(Walk),
}

/// The page's details that go with a keyframe (the root is written by the walk).
fn page_details() -> Keyframe {
    let doc = document();
    let w = window();
    let (vw, vh) = viewport();
    let base = doc.base_uri().ok().flatten().unwrap_or_default();
    Keyframe {
        url: w.location().href().unwrap_or_default(),
        title: doc.title(),
        vw,
        vh,
        sx: w.scroll_x().unwrap_or(0.0),
        sy: w.scroll_y().unwrap_or(0.0),
        doctype: doc.doctype().map(|d| d.name()),
        root: protocol::cobrowse::Node {
            i: DOC,
            kind: protocol::cobrowse::NodeKind::Text { x: String::new() },
        },
        adopted: styles::adopted_texts(&doc.adopted_style_sheets(), &base),
    }
}

/// A `requestAnimationFrame` callback that can be re-armed and is
/// cancelled when dropped.
struct AnimationFrame {
    callback: Closure<dyn FnMut(f64)>,
    handle: Option<i32>,
}

impl AnimationFrame {
    fn request(&mut self) {
        if self.handle.is_none() {
            self.handle = window()
                .request_animation_frame(self.callback.as_ref().unchecked_ref())
                .ok();
        }
    }
}

impl Drop for AnimationFrame {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = window().cancel_animation_frame(h);
        }
    }
}

pub struct Capture {
    dispatcher: Dispatcher,
    session: String,
    epoch_key: String,
    epoch: u32,
    seq: u32,
    page: Page,
    observer: Observer,
    /// A keyframe being built.
    build: Option<Build>,
    /// A keyframe is wanted (sent as soon as allowed).
    keyframe_due: bool,
    /// A frame could not be sent: nothing more until the next keyframe.
    stalled: bool,
    dirty: Dirty,
    /// Ops about the keyframe's nodes (field states, scroll offsets) for
    /// the first delta after it.
    head: Vec<Op>,
    frame: AnimationFrame,
    /// Size of the last keyframe, to size the next one's buffer.
    last_keyframe_bytes: usize,
    /// Continues keyframe slices, spaces keyframes out, refreshes canvases.
    timer: Timer,
    last_keyframe: f64,
    last_delta: f64,
    next_canvas: f64,
    canvas_cursor: usize,
    /// Hash of the image last sent per canvas, to skip unchanged ones.
    canvas_sent: Vec<(u32, u64)>,
    _listeners: Vec<Listener>,
    /// Listeners on same-origin iframe documents, rebuilt per keyframe.
    frame_listeners: Vec<Listener>,
    _hooks: [Closure<dyn FnMut(JsValue)>; 2],
}

impl Capture {
    /// Starts capturing for `session`: observers and listeners now, the
    /// first keyframe in slices from the next task. `host` is the widget's
    /// own element, never captured. `epoch_key`: sessionStorage key of the
    /// epoch counter, which grows across page loads.
    pub fn start(
        dispatcher: Dispatcher,
        session: String,
        epoch_key: String,
        selectors: Option<String>,
        was_password: WeakSet,
        host: &Element,
    ) -> Capture {
        let page = Page {
            ids: NodeIds::default(),
            tree: Tree::default(),
            selectors,
            was_password,
            found_roots: Vec::new(),
            canvases: Vec::new(),
        };
        page.ids.ignore(host);
        let observer = Observer::new(dispatcher.clone());
        observer.observe(&document());
        let d = dispatcher.clone();
        let frame = AnimationFrame {
            callback: Closure::<dyn FnMut(f64)>::new(move |_| {
                d.send(Input::Capture(CaptureEvent::Frame))
            }),
            handle: None,
        };
        let send = |d: &Dispatcher, e: CaptureEvent| d.send(Input::Capture(e));
        let d = dispatcher.clone();
        let on_value = Closure::<dyn FnMut(JsValue)>::new(move |el: JsValue| {
            send(&d, CaptureEvent::Field(el))
        });
        let d = dispatcher.clone();
        let on_sheet =
            Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| send(&d, CaptureEvent::Sheet(s)));
        forms::install_hooks(
            on_value.as_ref().unchecked_ref(),
            on_sheet.as_ref().unchecked_ref(),
        );
        let epoch = Store::Session
            .get(&epoch_key)
            .and_then(|e| e.parse().ok())
            .unwrap_or(0);
        let mut capture = Capture {
            _listeners: page_listeners(&dispatcher),
            timer: Timer::new(dispatcher.clone(), || Input::Capture(CaptureEvent::Timer)),
            dispatcher,
            session,
            epoch_key,
            epoch,
            seq: 0,
            page,
            observer,
            build: None,
            last_keyframe_bytes: 0,
            keyframe_due: true,
            stalled: false,
            dirty: Dirty::default(),
            head: Vec::new(),
            frame,
            last_keyframe: f64::NEG_INFINITY,
            last_delta: 0.0,
            next_canvas: 0.0,
            canvas_cursor: 0,
            canvas_sent: Vec::new(),
            frame_listeners: Vec::new(),
            _hooks: [on_value, on_sheet],
        };
        capture.arm(now());
        capture
    }

    /// The server asked for a keyframe (an agent joined, or its log is full).
    pub fn request_keyframe(&mut self) {
        self.keyframe_due = true;
        self.arm(now());
    }

    /// A new socket was welcomed: whatever was in flight is lost, start over.
    pub fn resume(&mut self) {
        self.build = None;
        self.stalled = false;
        self.last_keyframe = f64::NEG_INFINITY;
        self.request_keyframe();
    }

    /// The site added a mask selector: resend everything under the new rules.
    pub fn set_selectors(&mut self, selectors: Option<String>) {
        self.page.selectors = selectors;
        self.build = None;
        self.last_keyframe = f64::NEG_INFINITY;
        self.request_keyframe();
    }

    /// A mirrored element by id, for the agent's pointer and highlights.
    pub fn element(&self, id: u32) -> Option<Element> {
        let e = self.page.tree.get(id)?;
        // By node type: `instanceof Element` fails for nodes of same-origin iframes.
        (e.node.node_type() == Node::ELEMENT_NODE).then(|| e.node.clone().unchecked_into())
    }

    /// The id of a mirrored node (`None` for nodes the mirror does not have).
    pub fn id_of(&self, node: &Node) -> Option<u32> {
        self.page
            .ids
            .get(node)
            .filter(|id| self.page.tree.contains(*id))
    }

    /// Why a form push must not touch field `id`: its own attributes
    /// (password, payment, hidden) or masking by the site or an ancestor,
    /// by the same rules as the capture's masking.
    pub fn protection(&self, id: u32) -> Option<protocol::FieldProblem> {
        let entry = self.page.tree.get(id)?;
        let el: &Element = entry.node.unchecked_ref();
        let tag = el.local_name();
        let input_type = el.get_attribute("type");
        let was = tag == "input" && self.page.was_password.has(el);
        let autocomplete = el.get_attribute("autocomplete");
        forms::secret_kind(&tag, input_type.as_deref(), autocomplete.as_deref(), was).or_else(
            || {
                diff::masked_now(&self.page, el, entry.parent)
                    .then_some(protocol::FieldProblem::Masked)
            },
        )
    }

    pub fn handle(&mut self, event: CaptureEvent, link: &Connection) {
        let t = now();
        match event {
            CaptureEvent::Records(records) => note_records(&self.page, &mut self.dirty, &records),
            CaptureEvent::Field(target) => {
                if let Some(id) = self.known(&target) {
                    self.dirty.fields.push(id);
                }
            }
            CaptureEvent::Sheet(x) => self.on_sheet(&x),
            CaptureEvent::Scroll(target) => {
                let target: Node = target.unchecked_into();
                if target.node_type() == Node::DOCUMENT_NODE {
                    if JsValue::from(&target) == JsValue::from(document()) {
                        self.dirty.scroll.push(DOC);
                    } else if let Some(id) = target
                        .unchecked_ref::<web_sys::Document>()
                        .document_element()
                        .and_then(|root| self.known(&root))
                    {
                        // A same-origin iframe's document scrolled: its root element.
                        self.dirty.scroll.push(id);
                    }
                } else if let Some(id) = self.known(&target) {
                    self.dirty.scroll.push(id);
                }
            }
            CaptureEvent::Mouse(x, y) => self.dirty.mouse = Some((x, y)),
            CaptureEvent::Click(x, y) => self.dirty.clicks.push((x, y)),
            CaptureEvent::Selection => self.dirty.selection = true,
            CaptureEvent::Resize => self.dirty.viewport = true,
            CaptureEvent::Load(target) => {
                if let Some(id) = self.known(&target)
                    && let Some(e) = self.page.tree.get(id)
                {
                    if e.has(tree::STYLE) {
                        self.dirty.css.push(id);
                    } else if target.unchecked_ref::<Element>().local_name() == "iframe" {
                        self.dirty.replace.push(id);
                    }
                }
            }
            CaptureEvent::Frame => {
                self.frame.handle = None;
                self.send_delta(link, t);
            }
            CaptureEvent::Timer => {
                self.timer.fired();
                if self.build.is_some() || self.keyframe_due {
                    self.keyframe_slice(link);
                }
                if self.build.is_none() && self.next_canvas <= t {
                    self.refresh_canvases(t);
                }
            }
        }
        if self.dirty.keyframe {
            self.keyframe_due = true;
        }
        self.arm(t);
    }

    fn known(&self, x: &JsValue) -> Option<u32> {
        match self.page.ids.lookup(x) {
            Lookup::Known(id) if self.page.tree.contains(id) => Some(id),
            _ => None,
        }
    }

    /// A stylesheet changed (insertRule…), or a root's adopted sheets were set.
    fn on_sheet(&mut self, x: &JsValue) {
        if let Some(sheet) = x.dyn_ref::<web_sys::StyleSheet>() {
            match sheet.owner_node() {
                Some(owner) => {
                    if let Some(id) = self.known(&owner) {
                        self.dirty.css.push(id);
                    }
                }
                // A constructed sheet: adopted by the document or a shadow root.
                None => self.dirty.adopted = true,
            }
        } else {
            self.dirty.adopted = true;
        }
    }

    /// Decides what runs next: a keyframe slice, a delta at the next
    /// animation frame, or a timer.
    fn arm(&mut self, t: f64) {
        let mut timer = None;
        if self.build.is_some() {
            // The next step, as soon as the page had a turn.
            timer = Some(t);
        } else if self.keyframe_due {
            let at = self.last_keyframe + KEYFRAME_GAP_MS;
            timer = Some(at.max(t));
        } else if (self.dirty.any() || !self.head.is_empty()) && !self.stalled {
            self.frame.request();
        }
        if !self.page.canvases.is_empty() && self.build.is_none() {
            timer = Some(timer.map_or(self.next_canvas, |x: f64| x.min(self.next_canvas)));
        }
        self.timer.schedule(timer);
    }

    /// One step of building a keyframe, each in its own task so that none
    /// blocks the page for long: walk slices (writing the frame as they go),
    /// then the end of the frame and sending.
    fn keyframe_slice(&mut self, link: &Connection) {
        let t = now();
        match self.build.take() {
            None => {
                if !self.keyframe_due || t < self.last_keyframe + KEYFRAME_GAP_MS {
                    return;
                }
                let Some(root) = document().document_element() else {
                    return;
                };
                if !valid_session(&self.session) {
                    return;
                }
                // A new epoch: the mirror rebuilds from scratch, and so do we.
                self.keyframe_due = false;
                self.page.tree.clear();
                self.page.canvases.clear();
                self.page.found_roots.clear();
                self.dirty = Dirty::default();
                self.head.clear();
                // Records about the old tree mean nothing now.
                let _ = self.observer.take();
                // The body goes straight after the header: no copy of a
                // megabyte frame. Room for the last keyframe's size and a bit.
                let header = frame_header(
                    FrameKind::Keyframe,
                    &self.session,
                    self.epoch.wrapping_add(1),
                    0,
                    self.last_keyframe_bytes + self.last_keyframe_bytes / 8 + 4096,
                );
                self.build = Some(Build::Walking(Walk::keyframe(root.into(), header)));
                self.keyframe_slice(link);
            }
            Some(Build::Walking(mut walk)) => {
                let step = walk.run(&mut self.page, Some(t + SLICE_MS), usize::MAX);
                self.build = Some(match step {
                    Step::Paused => Build::Walking(walk),
                    Step::Done | Step::TooBig => Build::Walked(walk),
                });
            }
            Some(Build::Walked(mut walk)) => {
                self.head = std::mem::take(&mut walk.post);
                self.watch_found_roots(true);
                let Some(frame) = walk.finish_keyframe(&page_details()) else {
                    return;
                };
                self.epoch = self.epoch.wrapping_add(1);
                Store::Session.set(&self.epoch_key, &self.epoch.to_string());
                self.seq = 0;
                self.last_keyframe = t;
                self.last_keyframe_bytes = frame.len();
                self.next_canvas = t + 100.0;
                self.canvas_sent.clear();
                self.stalled = !self.send_frame(link, &frame);
            }
        }
    }

    fn send_delta(&mut self, link: &Connection, t: f64) {
        if self.build.is_some() || self.stalled || self.keyframe_due {
            return;
        }
        let gap = if self.dirty.structural() || !self.head.is_empty() {
            FRAME_GAP_MS
        } else {
            POINTER_GAP_MS
        };
        if t - self.last_delta < gap - 1.0 || link.buffered() > BACKLOG_BYTES {
            // Too soon, or the socket is backed up: the changes wait and coalesce.
            self.frame.request();
            return;
        }
        note_records(&self.page, &mut self.dirty, &self.observer.take());
        let mut ops = std::mem::take(&mut self.head);
        if !diff(&mut self.page, &mut self.dirty, &mut ops) {
            self.dirty = Dirty::default();
            self.keyframe_due = true;
            return;
        }
        self.watch_found_roots(false);
        if ops.is_empty() {
            return;
        }
        self.last_delta = t;
        // Only the pointer moved: a pointer frame, which the server relays
        // but does not log (it is not page state). With page changes, the
        // pointer rides in their delta: one frame per animation frame.
        let pointer_only = ops
            .iter()
            .all(|op| matches!(op, Op::Mouse { .. } | Op::Click { .. }));
        let kind = if pointer_only {
            FrameKind::Pointer
        } else {
            self.seq += 1;
            FrameKind::Delta
        };
        let body =
            crate::browser::must(serde_json::to_vec(&Delta { ops }), "page models serialise");
        if !self.send(link, kind, &body) {
            self.stalled = true;
        }
    }

    fn send(&self, link: &Connection, kind: FrameKind, body: &[u8]) -> bool {
        valid_session(&self.session)
            && self.send_frame(
                link,
                &encode_frame(kind, &self.session, self.epoch, self.seq, body),
            )
    }

    fn send_frame(&self, link: &Connection, frame: &[u8]) -> bool {
        frame.len() <= protocol::cobrowse::MAX_COBROWSE_FRAME_BYTES && link.send_binary(frame)
    }

    /// Observes shadow roots and iframe documents the last walk met, and
    /// listens to fields and scrolling inside those iframes.
    fn watch_found_roots(&mut self, new_keyframe: bool) {
        if new_keyframe {
            self.frame_listeners.clear();
        }
        for root in std::mem::take(&mut self.page.found_roots) {
            self.observer.observe(&root);
            if root.node_type() == Node::DOCUMENT_NODE {
                self.frame_listeners
                    .extend(field_listeners(&self.dispatcher, root.unchecked_ref()));
            }
        }
    }

    /// Re-reads a few canvases and sends those that changed.
    fn refresh_canvases(&mut self, t: f64) {
        self.next_canvas = t + CANVAS_EVERY_MS;
        let ids: Vec<u32> = self.page.canvases.clone();
        if ids.is_empty() {
            return;
        }
        for k in 0..CANVASES_PER_ROUND.min(ids.len()) {
            let id = ids[(self.canvas_cursor + k) % ids.len()];
            let Some(el) = self.element(id) else { continue };
            let Some(d) = canvas_image(&el) else { continue };
            let h = hash(&d);
            match self.canvas_sent.iter_mut().find(|(c, _)| *c == id) {
                Some((_, old)) if *old == h => continue,
                Some((_, old)) => *old = h,
                None => self.canvas_sent.push((id, h)),
            }
            self.dirty.canvases.push(Op::Canvas { i: id, d });
        }
        self.canvas_cursor = (self.canvas_cursor + CANVASES_PER_ROUND) % ids.len();
        self.page.canvases.retain(|id| self.page.tree.contains(*id));
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        forms::remove_hooks();
    }
}

/// Whether `session` can head a frame (the server gives short ASCII ids).
fn valid_session(session: &str) -> bool {
    !session.is_empty() && session.len() <= 64 && session.is_ascii()
}

/// FNV-1a, to notice an unchanged canvas without keeping its image.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

//! The `MutationObserver` and what its records say: which mirrored nodes
//! changed ([`Dirty`]). Records are only used to learn *which* nodes
//! changed; the ops are computed from the live DOM when the delta is built
//! (`diff.rs`).

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MutationObserver, MutationObserverInit, MutationRecord, Node, ShadowRoot};

use super::dirty::Dirty;
use super::page::Page;
use super::tree::{Lookup, OPAQUE, STYLE};
use crate::browser::document;
use crate::dispatcher::Dispatcher;
use crate::input::{CaptureEvent, Input};

/// The `MutationObserver` and its callback.
pub struct Observer {
    mo: MutationObserver,
    _callback: Closure<dyn FnMut(Array)>,
}

impl Observer {
    pub fn new(dispatcher: Dispatcher) -> Observer {
        let callback = Closure::<dyn FnMut(Array)>::new(move |records: Array| {
            dispatcher.send(Input::Capture(CaptureEvent::Records(records)));
        });
        let mo = crate::browser::must(
            MutationObserver::new(callback.as_ref().unchecked_ref()),
            "MutationObserver exists in every browser the widget supports",
        );
        Observer {
            mo,
            _callback: callback,
        }
    }

    /// Watches a document, shadow root or iframe document (again is harmless).
    pub fn observe(&self, root: &Node) {
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        init.set_attributes(true);
        init.set_attribute_old_value(true);
        init.set_character_data(true);
        let _ = self.mo.observe_with_options(root, &init);
    }

    /// Records not delivered to the callback yet.
    pub fn take(&self) -> Array {
        self.mo.take_records()
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.mo.disconnect();
    }
}

/// Notes which mirrored nodes the records touch.
pub fn note_records(page: &Page, dirty: &mut Dirty, records: &Array) {
    let known = |n: &Node| match page.ids.lookup(n) {
        Lookup::Known(id) if page.tree.contains(id) => Some(id),
        _ => None,
    };
    for r in records.iter() {
        let r: MutationRecord = r.unchecked_into();
        let Some(target) = r.target() else { continue };
        match r.type_().as_str() {
            "attributes" => {
                let Some(name) = r.attribute_name() else {
                    continue;
                };
                if name == "type"
                    && r.old_value()
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("password"))
                {
                    // A "show password" toggle: the field stays masked.
                    page.was_password.add(&target);
                }
                if let Some(id) = known(&target) {
                    dirty.attrs.push((id, name));
                }
            }
            "characterData" => {
                if let Some(id) = known(&target) {
                    dirty.text.push(id);
                } else if let Some(pid) = target.parent_node().as_ref().and_then(known)
                    && page.tree.get(pid).is_some_and(|e| e.has(STYLE))
                {
                    dirty.css.push(pid);
                }
            }
            "childList" => {
                if let Some(id) = known(&target) {
                    let e = page.tree.get(id).expect("known nodes are in the tree");
                    if e.has(STYLE) {
                        dirty.css.push(id);
                    } else if !e.has(OPAQUE) {
                        dirty.children.push(id);
                    }
                } else if target.node_type() == Node::DOCUMENT_FRAGMENT_NODE {
                    // A shadow root's top level, addressed through its host.
                    if let Some(id) = known(&target.unchecked_ref::<ShadowRoot>().host()) {
                        dirty.shadows.push(id);
                    }
                } else if target.node_type() == Node::DOCUMENT_NODE {
                    // The document element itself was replaced.
                    match frame_element_of(&target).as_ref().and_then(known) {
                        Some(iframe) => {
                            dirty.replace.push(iframe);
                        }
                        None => dirty.keyframe = true,
                    }
                }
            }
            _ => {}
        }
    }
}

/// The `<iframe>` holding `doc`, when `doc` is a same-origin frame's document.
fn frame_element_of(doc: &Node) -> Option<Node> {
    let doc: &web_sys::Document = doc.unchecked_ref();
    if doc == &document() {
        return None;
    }
    doc.default_view()?.frame_element().ok()?.map(Into::into)
}

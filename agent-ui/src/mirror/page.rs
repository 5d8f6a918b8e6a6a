//! One mirrored page: the mirror iframe's document and the map from the
//! widget's node ids to the nodes built for them. `build.rs` turns the page
//! model into DOM nodes, `apply.rs` applies deltas; this file holds the state
//! they share and the keyframe rebuild.
//!
//! Mirror objects live in the iframe's JavaScript realm: types are told apart
//! by `nodeType`/`localName` and cast unchecked (`instanceof` against the
//! console's constructors would say no).

use std::collections::HashMap;

use js_sys::WeakMap;
use protocol::cobrowse::Keyframe;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlIFrameElement, Node};

use super::sheets::Sheets;

/// Why a frame could not be applied. Either way the mirror is resynchronised.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyError {
    /// An op named a node the mirror does not have.
    UnknownNode(u32),
    /// An op did not fit the node it named (text on an element, …), or the
    /// document refused a change.
    Mismatch(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::UnknownNode(i) => write!(f, "unknown node {i}"),
            ApplyError::Mismatch(m) => f.write_str(m),
        }
    }
}

pub type Applied<T = ()> = Result<T, ApplyError>;

/// What a frame changed beyond the DOM, for the stage and the overlay.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Effects {
    pub viewport: Option<(u32, u32)>,
    pub mouse: Option<(f64, f64)>,
    pub clicks: Vec<(f64, f64)>,
    /// Something besides the pointer changed: boxes drawn over the mirror
    /// (highlights, selection) must be placed again.
    pub dom_changed: bool,
}

pub struct Page {
    /// The mirror iframe's document (kept across keyframes: `document.open`
    /// resets it in place).
    pub(super) doc: Document,
    pub(super) nodes: HashMap<u32, Node>,
    /// Node → its id, for the agent's pointer (element under the cursor).
    pub(super) ids: WeakMap,
    pub(super) sheets: Sheets,
    /// Same-origin frames whose documents are built once the frame element
    /// is in the page (an iframe has no document before that).
    pub(super) frames_due: Vec<(HtmlIFrameElement, protocol::cobrowse::Node)>,
    pub url: String,
    pub title: String,
    pub vw: u32,
    pub vh: u32,
    /// Scroll position of the document, as the visitor has it.
    pub(super) scroll: (f64, f64),
    /// Scroll positions of elements, as the visitor has them.
    pub(super) element_scroll: HashMap<u32, (f64, f64)>,
    /// The visitor's text selection: (start node, offset, end node, offset).
    pub selection: Vec<(u32, u32, u32, u32)>,
}

impl Page {
    pub fn new(doc: Document) -> Self {
        Page {
            doc,
            nodes: HashMap::new(),
            ids: WeakMap::new(),
            sheets: Sheets::default(),
            frames_due: Vec::new(),
            url: String::new(),
            title: String::new(),
            vw: 0,
            vh: 0,
            scroll: (0.0, 0.0),
            element_scroll: HashMap::new(),
            selection: Vec::new(),
        }
    }

    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// The node built for id `i`.
    pub fn node(&self, i: u32) -> Applied<&Node> {
        self.nodes.get(&i).ok_or(ApplyError::UnknownNode(i))
    }

    pub fn element(&self, i: u32) -> Applied<Element> {
        let node = self.node(i)?;
        if node.node_type() == Node::ELEMENT_NODE {
            Ok(node.clone().unchecked_into())
        } else {
            Err(ApplyError::Mismatch(format!("node {i} is not an element")))
        }
    }

    /// The id of `node`, if the mirror built it.
    pub fn id_of(&self, node: &Node) -> Option<u32> {
        self.ids.get(node).as_f64().map(|f| f as u32)
    }

    pub(super) fn register(&mut self, i: u32, node: &Node) {
        if let Some(old) = self.nodes.insert(i, node.clone())
            && !old.is_same_node(Some(node))
        {
            // The widget reused an id still in the page: the old node is gone.
            self.ids.delete(&old);
        }
        self.ids.set(node, &JsValue::from(i));
    }

    /// Throws the page away and builds the keyframe in the same document.
    pub fn rebuild(&mut self, keyframe: Keyframe) -> Applied<Effects> {
        self.nodes.clear();
        self.ids = WeakMap::new();
        self.sheets = Sheets::default();
        self.frames_due.clear();
        self.element_scroll.clear();
        self.selection.clear();
        reset_document(&self.doc, keyframe.doctype.as_deref())?;
        let doc = self.doc.clone();
        let root = self.build(&doc, keyframe.root)?;
        match doc.document_element() {
            Some(old) => doc.replace_child(&root, &old),
            None => doc.append_child(&root),
        }
        .map_err(|e| dom_error("the page's root", e))?;
        let adopted_root: Node = doc.clone().unchecked_into();
        self.sheets
            .set_adopted(&doc, &adopted_root, &keyframe.adopted);
        self.sheets.touch(&root);
        self.settle()?;
        self.url = keyframe.url;
        self.title = keyframe.title;
        self.vw = keyframe.vw;
        self.vh = keyframe.vh;
        self.scroll = (keyframe.sx, keyframe.sy);
        Ok(Effects {
            viewport: Some((keyframe.vw, keyframe.vh)),
            ..Effects::default()
        })
    }

    /// After nodes were inserted: builds due frame documents, then
    /// recomputes the stylesheets of the roots that changed.
    pub(super) fn settle(&mut self) -> Applied {
        // Building a frame's document may reveal frames inside it.
        while let Some((frame, root)) = self.frames_due.pop() {
            self.build_frame(&frame, root)?;
        }
        self.sheets.flush();
        Ok(())
    }

    fn build_frame(
        &mut self,
        frame: &HtmlIFrameElement,
        root: protocol::cobrowse::Node,
    ) -> Applied {
        // A frame not (or no longer) in the page has no document to fill.
        let Some(doc) = frame.content_document() else {
            return Ok(());
        };
        reset_document(&doc, Some("html"))?;
        let built = self.build(&doc, root)?;
        match doc.document_element() {
            Some(old) => doc.replace_child(&built, &old),
            None => doc.append_child(&built),
        }
        .map_err(|e| dom_error("a frame's root", e))?;
        self.sheets.touch(&built);
        Ok(())
    }

    /// Forgets the ids of `node` and everything under it (shadow trees and
    /// frame documents included) before it leaves the page.
    pub(super) fn forget(&mut self, node: &Node) {
        let mut stack = vec![node.clone()];
        while let Some(n) = stack.pop() {
            if let Some(i) = self.id_of(&n) {
                if self
                    .nodes
                    .get(&i)
                    .is_some_and(|known| known.is_same_node(Some(&n)))
                {
                    self.nodes.remove(&i);
                    self.element_scroll.remove(&i);
                }
                self.ids.delete(&n);
            }
            let children = n.child_nodes();
            for k in 0..children.length() {
                if let Some(c) = children.get(k) {
                    stack.push(c);
                }
            }
            if n.node_type() == Node::ELEMENT_NODE {
                let el: &Element = n.unchecked_ref();
                if let Some(shadow) = el.shadow_root() {
                    stack.push(shadow.unchecked_into());
                }
                if el.local_name() == "iframe"
                    && let Some(root) = el
                        .unchecked_ref::<HtmlIFrameElement>()
                        .content_document()
                        .and_then(|d| d.document_element())
                {
                    stack.push(root.unchecked_into());
                }
            }
        }
    }

    /// Puts scroll positions back where the visitor has them; content that
    /// grew since (late layout, new nodes) may have clamped them.
    pub fn restore_scroll(&self) {
        if let Some(win) = self.doc.default_view() {
            let (x, y) = self.scroll;
            let (cx, cy) = (win.scroll_x().unwrap_or(0.0), win.scroll_y().unwrap_or(0.0));
            if (cx - x).abs() >= 1.0 || (cy - y).abs() >= 1.0 {
                win.scroll_to_with_x_and_y(x, y);
            }
        }
        for (i, (x, y)) in &self.element_scroll {
            if let Ok(el) = self.element(*i) {
                if (f64::from(el.scroll_left()) - x).abs() >= 1.0 {
                    el.set_scroll_left(*x as i32);
                }
                if (f64::from(el.scroll_top()) - y).abs() >= 1.0 {
                    el.set_scroll_top(*y as i32);
                }
            }
        }
    }

    /// The page's current title (it may change through text ops).
    pub fn current_title(&self) -> String {
        let t = self.doc.title();
        if t.is_empty() { self.title.clone() } else { t }
    }
}

/// Empties `doc` and sets its mode: standards with an HTML doctype, quirks
/// without one, as the visitor's page is (it changes how pages lay out).
fn reset_document(doc: &Document, doctype: Option<&str>) -> Applied {
    let head = match doctype {
        Some(name)
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            format!("<!DOCTYPE {name}>")
        }
        _ => String::new(),
    };
    // `document.open` replaces the content in place; the Document object,
    // and so our handle to it, stays the same.
    let html: &web_sys::HtmlDocument = doc.unchecked_ref();
    html.open().map_err(|e| dom_error("document.open", e))?;
    let _ = html.write(&js_sys::Array::of1(&head.into()));
    html.close().map_err(|e| dom_error("document.close", e))?;
    Ok(())
}

pub(super) fn dom_error(what: &str, e: JsValue) -> ApplyError {
    let detail = js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    ApplyError::Mismatch(format!("{what}: {detail}"))
}

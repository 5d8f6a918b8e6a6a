//! Serialising the page into the model of `protocol::cobrowse`, masked.
//!
//! A [`Walk`] visits a subtree depth-first from an explicit stack, so it can
//! stop when its time slice is used up and resume in a later task
//! (a keyframe of a 10,000-node page never blocks the page for
//! more than a few milliseconds at a time). Nodes are collected flat and
//! assembled into the nested model at the end.
//!
//! The page may change between slices. A node moved away since it was
//! queued is skipped (it is serialised where it is now, or sent by the next
//! delta), and the `MutationObserver`, already running, reports every
//! parent that changed after its visit; the first delta repairs them.
//! A keyframe's nodes are written as JSON as they are met
//! ([`KeyframeWriter`]), so no whole-page model is built, encoded or freed
//! in one go. The same walker, run without slicing and with a size cap,
//! builds the subtrees a delta adds as a model.

use protocol::cobrowse::{Keyframe, KeyframeWriter, Node as PageNode, NodeKind, Op};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlIFrameElement, Node};

use super::forms::{field_is_secret, field_ops};
use super::mask::{BLOCK_ATTR, MASK_ATTR, bullets, mask_text, masks_attribute};
use super::page::Page;
use super::styles::{adopted_texts, attribute_value, is_stylesheet_link, owner_css};
use super::tree::{BLOCKED, HOST, Lookup, MASKED, OPAQUE, STYLE, Slot, TEXT};
use crate::browser::now;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATH_NS: &str = "http://www.w3.org/1998/Math/MathML";
const NO_PARENT: usize = usize::MAX;
/// Nodes between two looks at the clock.
const CLOCK_EVERY: usize = 64;

struct Task {
    node: Node,
    /// Index of the parent in `arena`, or `NO_PARENT` for the walk's root.
    parent: usize,
    parent_id: u32,
    slot: Slot,
    masked: bool,
    /// The DOM parent the node had when queued; checked after a pause.
    expected: Option<Node>,
    slice: u32,
}

struct Built {
    parent: usize,
    slot: Slot,
    node: PageNode,
}

/// Where serialised nodes go.
enum Out {
    /// Kept as a model, assembled by `finish` (a delta's added subtree).
    Model(Vec<Built>),
    /// Written as a keyframe's JSON at once.
    Json(KeyframeWriter),
}

/// How far a walk got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    /// The slice's time is up: call `run` again later.
    Paused,
    /// More nodes than the caller allowed.
    TooBig,
}

pub struct Walk {
    stack: Vec<Task>,
    out: Out,
    slice: u32,
    /// Field values, checked states and scroll offsets of the nodes
    /// serialised, to send right after them.
    pub post: Vec<Op>,
    pub count: usize,
}

impl Walk {
    /// A walk of `root`, to be placed under `parent_id` in `slot`, kept
    /// as a model.
    pub fn new(root: Node, parent_id: u32, slot: Slot, masked: bool) -> Walk {
        Walk::with(Out::Model(Vec::new()), root, parent_id, slot, masked)
    }

    /// A walk of the document's root element written as a keyframe's JSON
    /// after `header` (the frame header).
    pub fn keyframe(root: Node, header: Vec<u8>) -> Walk {
        let out = Out::Json(KeyframeWriter::new(header));
        Walk::with(out, root, super::tree::DOC, Slot::Child, false)
    }

    fn with(out: Out, root: Node, parent_id: u32, slot: Slot, masked: bool) -> Walk {
        Walk {
            stack: vec![Task {
                node: root,
                parent: NO_PARENT,
                parent_id,
                slot,
                masked,
                expected: None,
                slice: 0,
            }],
            out,
            slice: 0,
            post: Vec::new(),
            count: 0,
        }
    }

    /// Serialises nodes until done, `deadline` (ms, wall clock) passes, or
    /// `cap` nodes were serialised in all.
    pub fn run(&mut self, page: &mut Page, deadline: Option<f64>, cap: usize) -> Step {
        self.slice += 1;
        let mut since_clock = 0;
        while let Some(task) = self.stack.pop() {
            self.visit(page, task);
            if self.count > cap {
                return Step::TooBig;
            }
            since_clock += 1;
            if since_clock >= CLOCK_EVERY {
                since_clock = 0;
                if deadline.is_some_and(|d| now() >= d) {
                    return if self.stack.is_empty() {
                        Step::Done
                    } else {
                        Step::Paused
                    };
                }
            }
        }
        Step::Done
    }

    /// The serialised root with its subtree, or `None` if the root itself
    /// was skipped (ignored, gone, or already mirrored).
    pub fn finish(self) -> Option<PageNode> {
        let Out::Model(mut arena) = self.out else {
            return None;
        };
        while arena.len() > 1 {
            let Built { parent, slot, node } = arena.pop()?;
            let Some(p) = arena.get_mut(parent) else {
                continue;
            };
            if let NodeKind::Element { c, s, d, .. } = &mut p.node.kind {
                match slot {
                    Slot::Child => c.push(node),
                    Slot::Shadow => s.get_or_insert_with(Vec::new).push(node),
                    Slot::Doc => *d = Some(Box::new(node)),
                }
            }
        }
        let mut root = arena.pop()?.node;
        // Children were attached last first.
        fix_order(&mut root);
        Some(root)
    }

    /// The keyframe's bytes, ended with the page's details from `page`
    /// (whose root is ignored); `None` if the root itself was skipped or
    /// this walk builds a model.
    pub fn finish_keyframe(self, page: &Keyframe) -> Option<Vec<u8>> {
        match self.out {
            Out::Json(writer) => writer.finish(page),
            Out::Model(_) => None,
        }
    }

    fn visit(&mut self, page: &mut Page, task: Task) {
        // After a pause the node may have moved; its new parent's record
        // (or a later visit) takes care of it.
        if task.slice < self.slice
            && let Some(expected) = &task.expected
            && task.node.parent_node().as_ref() != Some(expected)
        {
            return;
        }
        let id = match page.ids.lookup(&task.node) {
            Lookup::Ignored => return,
            Lookup::Known(id) if page.tree.contains(id) => return,
            Lookup::Known(id) => id,
            Lookup::New => {
                let t = task.node.node_type();
                if t != Node::ELEMENT_NODE && t != Node::TEXT_NODE && t != Node::CDATA_SECTION_NODE
                {
                    return;
                }
                page.ids.id(&task.node)
            }
        };
        match task.node.node_type() {
            Node::ELEMENT_NODE => self.element(page, task, id),
            Node::TEXT_NODE | Node::CDATA_SECTION_NODE => {
                let data = task.node.node_value().unwrap_or_default();
                let x = if task.masked { mask_text(&data) } else { data };
                let flags = TEXT | if task.masked { MASKED } else { 0 };
                page.tree
                    .insert(id, task.node, task.parent_id, task.slot, flags);
                self.push(
                    task.parent,
                    task.slot,
                    PageNode {
                        i: id,
                        kind: NodeKind::Text { x },
                    },
                );
            }
            _ => {}
        }
    }

    fn push(&mut self, parent: usize, slot: Slot, node: PageNode) -> usize {
        self.count += 1;
        match &mut self.out {
            Out::Model(arena) => {
                arena.push(Built { parent, slot, node });
                arena.len() - 1
            }
            Out::Json(writer) => writer.push((parent != NO_PARENT).then_some(parent), slot, &node),
        }
    }

    fn element(&mut self, page: &mut Page, task: Task, id: u32) {
        let el: &Element = task.node.unchecked_ref();
        let ns = match el.namespace_uri().as_deref() {
            Some(SVG_NS) => Some("svg".to_string()),
            Some(MATH_NS) => Some("math".to_string()),
            _ => None,
        };
        let tag = el.local_name();

        let names = el.get_attribute_names();
        let mut attrs: Vec<(String, String)> = Vec::with_capacity(names.length() as usize);
        let (mut mask_attr, mut block, mut input_type, mut autocomplete) =
            (false, false, None, None);
        for name in names.iter().filter_map(|n| n.as_string()) {
            let value = el.get_attribute(&name).unwrap_or_default();
            match name.as_str() {
                MASK_ATTR => mask_attr = true,
                BLOCK_ATTR => block = true,
                "type" => input_type = Some(value.to_ascii_lowercase()),
                "autocomplete" => autocomplete = Some(value.clone()),
                _ => {}
            }
            attrs.push((name, value));
        }

        if block {
            let node = placeholder(el, id);
            page.tree.insert(
                id,
                task.node.clone(),
                task.parent_id,
                task.slot,
                BLOCKED | OPAQUE,
            );
            self.push(task.parent, task.slot, node);
            return;
        }

        let masked = task.masked || mask_attr || page.matches_mask(el);
        let is_input = tag == "input" && ns.is_none();
        if is_input && input_type.as_deref() == Some("password") {
            page.was_password.add(el);
        }
        let was_password = is_input && page.was_password.has(el);
        let secret = ns.is_none()
            && field_is_secret(
                &tag,
                input_type.as_deref(),
                autocomplete.as_deref(),
                was_password,
            );
        let value_masked = masked || secret;
        for (name, value) in &mut attrs {
            if value_masked && masks_attribute(name) {
                *value = bullets(value);
            } else {
                let v = std::mem::take(value);
                *value = attribute_value(el, name, v);
            }
        }

        let mut flags = if value_masked { MASKED } else { 0 };
        let mut css = None;
        let mut opaque = false;
        let mut doc_root = None;
        if ns.is_none() {
            match tag.as_str() {
                // Scripts never run in the mirror, and inline ones can hold
                // page data: only the element goes.
                "script" | "noscript" => opaque = true,
                "style" => {
                    opaque = true;
                    flags |= STYLE;
                    css = owner_css(el);
                }
                "link" if is_stylesheet_link(el) => {
                    flags |= STYLE;
                    css = owner_css(el);
                }
                "iframe" | "frame" => {
                    if let Some(doc) = el.unchecked_ref::<HtmlIFrameElement>().content_document()
                        && let Some(root) = doc.document_element()
                    {
                        page.found_roots.push(doc.clone().into());
                        doc_root = Some((root, doc));
                    }
                }
                "canvas" if !masked => page.canvases.push(id),
                "input" | "textarea" | "select" | "option" => {
                    field_ops(el, &tag, id, value_masked, true, &mut self.post);
                }
                _ => {}
            }
        }
        if !matches!(tag.as_str(), "html" | "body") {
            let (x, y) = (el.scroll_left() as f64, el.scroll_top() as f64);
            if x != 0.0 || y != 0.0 {
                self.post.push(Op::Scroll { i: id, x, y });
            }
        }

        let shadow = el.shadow_root();
        let mut sa = Vec::new();
        if let Some(root) = &shadow {
            flags |= HOST;
            page.found_roots.push(root.clone().into());
            sa = adopted_texts(
                &root.adopted_style_sheets(),
                &el.base_uri().ok().flatten().unwrap_or_default(),
            );
        }
        if opaque {
            flags |= OPAQUE;
        }
        page.tree
            .insert(id, task.node.clone(), task.parent_id, task.slot, flags);
        let at = self.push(
            task.parent,
            task.slot,
            PageNode {
                i: id,
                kind: NodeKind::Element {
                    t: tag,
                    a: attrs,
                    c: Vec::new(),
                    ns,
                    s: shadow.as_ref().map(|_| Vec::new()),
                    sa,
                    css,
                    d: None,
                },
            },
        );

        // Children go on the stack last first, so they are visited in order.
        let child_masked = value_masked;
        if let Some((root, doc)) = doc_root {
            self.queue(root.into(), at, id, Slot::Doc, masked, Some(doc.into()));
        }
        if !opaque {
            if let Some(root) = shadow {
                let root: Node = root.into();
                self.queue_children(&root, at, id, Slot::Shadow, child_masked);
            }
            self.queue_children(&task.node, at, id, Slot::Child, child_masked);
        }
    }

    fn queue_children(&mut self, parent: &Node, at: usize, id: u32, slot: Slot, masked: bool) {
        let mut kids = Vec::new();
        let mut next = parent.first_child();
        while let Some(n) = next {
            next = n.next_sibling();
            kids.push(n);
        }
        for n in kids.into_iter().rev() {
            self.queue(n, at, id, slot, masked, Some(parent.clone()));
        }
    }

    fn queue(
        &mut self,
        node: Node,
        parent: usize,
        parent_id: u32,
        slot: Slot,
        masked: bool,
        expected: Option<Node>,
    ) {
        self.stack.push(Task {
            node,
            parent,
            parent_id,
            slot,
            masked,
            expected,
            slice: self.slice,
        });
    }
}

fn fix_order(node: &mut PageNode) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let NodeKind::Element { c, s, d, .. } = &mut n.kind {
            c.reverse();
            if let Some(s) = s {
                s.reverse();
            }
            stack.extend(c.iter_mut());
            if let Some(s) = s {
                stack.extend(s.iter_mut());
            }
            if let Some(d) = d {
                stack.push(d);
            }
        }
    }
}

/// A blocked element: an empty box of the same size, hatched so the agent
/// sees that something is hidden there.
fn placeholder(el: &Element, id: u32) -> PageNode {
    let r = el.get_bounding_client_rect();
    let inline = crate::browser::window()
        .get_computed_style(el)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("display").ok())
        .is_some_and(|d| d.starts_with("inline"));
    let style = format!(
        "display:{};width:{}px;height:{}px;box-sizing:border-box;border-radius:4px;\
         background:repeating-linear-gradient(45deg,#e6e8ee 0 8px,#f3f4f7 8px 16px)",
        if inline { "inline-block" } else { "block" },
        crate::browser::fixed(r.width(), 0),
        crate::browser::fixed(r.height(), 0)
    );
    PageNode {
        i: id,
        kind: NodeKind::Element {
            t: "div".into(),
            a: vec![(BLOCK_ATTR.into(), String::new()), ("style".into(), style)],
            c: Vec::new(),
            ns: None,
            s: None,
            sa: Vec::new(),
            css: None,
            d: None,
        },
    }
}

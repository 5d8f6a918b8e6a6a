//! Geometry in the mirror: which element is under the agent's cursor, and
//! where elements and text ranges sit, in the visitor's viewport pixels
//! (the mirror document's own coordinates, through nested frames).

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node};

use super::page::Page;
use super::scale;

/// A box in the visitor's viewport pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The element under a point: its id, where in its box the point is
/// (fractions), and the box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub node: u32,
    pub fx: f32,
    pub fy: f32,
    pub rect: Rect,
}

/// The deepest mirrored element at (`x`, `y`) of the visitor's viewport,
/// looking into open shadow roots and mirrored frames.
pub fn hit(page: &Page, x: f64, y: f64) -> Option<Hit> {
    let mut doc: Document = page.doc().clone();
    let (mut ox, mut oy) = (0.0, 0.0);
    let mut depth = 0;
    let el = loop {
        let mut el = doc.element_from_point((x - ox) as f32, (y - oy) as f32)?;
        // Into open shadow roots (elementFromPoint stops at their host).
        while let Some(shadow) = el.shadow_root() {
            match shadow.element_from_point((x - ox) as f32, (y - oy) as f32) {
                Some(inner) if !inner.is_same_node(Some(&el)) => el = inner,
                _ => break,
            }
        }
        depth += 1;
        if el.local_name() == "iframe"
            && depth < 8
            && let Some(inner) = el.unchecked_ref::<HtmlIFrameElement>().content_document()
            && inner
                .document_element()
                .is_some_and(|root| page.id_of(&root).is_some())
        {
            let r = el.get_bounding_client_rect();
            ox += r.left() + f64::from(el.client_left());
            oy += r.top() + f64::from(el.client_top());
            doc = inner;
            continue;
        }
        break el;
    };
    // The nearest element the mirror built (ours have no id), crossing out of
    // shadow roots through their hosts.
    let mut node: Node = el.unchecked_into();
    let id = loop {
        if let Some(id) = page.id_of(&node) {
            break id;
        }
        node = match node.parent_node() {
            Some(p) if p.node_type() == Node::DOCUMENT_FRAGMENT_NODE => {
                let host = js_sys::Reflect::get(&p, &"host".into()).ok()?;
                if !host.is_object() {
                    return None;
                }
                host.unchecked_into()
            }
            Some(p) if p.node_type() == Node::ELEMENT_NODE => p,
            _ => return None,
        };
    };
    let el: &Element = node.unchecked_ref();
    let r = el.get_bounding_client_rect();
    let (fx, fy) = scale::fraction_in(x - ox, y - oy, r.left(), r.top(), r.width(), r.height());
    Some(Hit {
        node: id,
        fx,
        fy,
        rect: Rect {
            x: r.left() + ox,
            y: r.top() + oy,
            w: r.width(),
            h: r.height(),
        },
    })
}

/// Where element `id` is, if it is laid out.
pub fn element_rect(page: &Page, id: u32) -> Option<Rect> {
    let el = page.element(id).ok()?;
    if !el.is_connected() {
        return None;
    }
    let r = el.get_bounding_client_rect();
    if r.width() == 0.0 && r.height() == 0.0 {
        return None;
    }
    let (ox, oy) = frame_offset(page, &el);
    Some(Rect {
        x: r.left() + ox,
        y: r.top() + oy,
        w: r.width(),
        h: r.height(),
    })
}

/// The boxes of the visitor's selected text.
pub fn selection_rects(page: &Page) -> Vec<Rect> {
    let mut out = Vec::new();
    for &(start, start_offset, end, end_offset) in &page.selection {
        let (Ok(a), Ok(b)) = (page.node(start), page.node(end)) else {
            continue;
        };
        let Some(doc) = a.owner_document() else {
            continue;
        };
        let Ok(range) = doc.create_range() else {
            continue;
        };
        if range.set_start(a, start_offset).is_err() || range.set_end(b, end_offset).is_err() {
            continue;
        }
        let (ox, oy) = frame_offset(page, a);
        let Some(rects) = range.get_client_rects() else {
            continue;
        };
        for k in 0..rects.length().min(400) {
            if let Some(r) = rects.get(k)
                && r.width() > 0.0
                && r.height() > 0.0
            {
                out.push(Rect {
                    x: r.left() + ox,
                    y: r.top() + oy,
                    w: r.width(),
                    h: r.height(),
                });
            }
        }
    }
    out
}

/// How far `node`'s document is from the mirror document's viewport
/// origin (nested frames add their position and border).
fn frame_offset(page: &Page, node: &Node) -> (f64, f64) {
    let (mut ox, mut oy) = (0.0, 0.0);
    let mut doc = node.owner_document();
    for _ in 0..8 {
        let Some(d) = doc else { break };
        if d.is_same_node(Some(page.doc())) {
            break;
        }
        let Some(frame) = d
            .default_view()
            .and_then(|w| w.frame_element().ok().flatten())
        else {
            break;
        };
        let r = frame.get_bounding_client_rect();
        ox += r.left() + f64::from(frame.client_left());
        oy += r.top() + f64::from(frame.client_top());
        doc = frame.owner_document();
    }
    (ox, oy)
}

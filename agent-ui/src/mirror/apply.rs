//! Applying a delta's operations, in order. An operation that names a node
//! the mirror does not have stops the delta with an error: the caller then
//! discards the page and asks for a replay rather than show it half right.

use js_sys::Reflect;
use protocol::cobrowse::{Delta, Op};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node};

use super::page::{Applied, ApplyError, Effects, Page, dom_error};
use super::sheets::Sheets;

impl Page {
    pub fn apply(&mut self, delta: Delta) -> Applied<Effects> {
        let mut effects = Effects::default();
        let mut result = Ok(());
        for op in delta.ops {
            if let Err(e) = self.apply_op(op, &mut effects) {
                result = Err(e);
                break;
            }
        }
        // Whatever was inserted before a failure is settled so the document
        // stays consistent while the replay is on its way.
        let settled = self.settle();
        result.and(settled).map(|()| effects)
    }

    fn apply_op(&mut self, op: Op, fx: &mut Effects) -> Applied {
        if !matches!(op, Op::Mouse { .. } | Op::Click { .. }) {
            fx.dom_changed = true;
        }
        match op {
            Op::Add { p, b, n, s } => self.add(p, b, n, s),
            Op::Remove { i } => {
                let node = self.node(i)?.clone();
                if touches_sheets(&node) {
                    self.sheets.touch(&node);
                }
                self.forget(&node);
                if let Some(parent) = node.parent_node() {
                    parent
                        .remove_child(&node)
                        .map_err(|e| dom_error("remove", e))?;
                }
                Ok(())
            }
            Op::Text { i, x } => {
                let node = self.node(i)?;
                match node.node_type() {
                    Node::TEXT_NODE | Node::CDATA_SECTION_NODE | Node::COMMENT_NODE => {
                        node.set_node_value(Some(&x));
                        Ok(())
                    }
                    _ => Err(ApplyError::Mismatch(format!("node {i} is not text"))),
                }
            }
            Op::Attr { i, n, v } => {
                let el = self.element(i)?;
                self.set_attribute(&el, &n, v.as_deref());
                Ok(())
            }
            Op::Value { i, v } => {
                let el = self.element(i)?;
                if matches!(el.local_name().as_str(), "input" | "textarea" | "select") {
                    // File inputs refuse values; nothing to show for them anyway.
                    let _ = Reflect::set(&el, &"value".into(), &v.into());
                }
                Ok(())
            }
            Op::Checked { i, c } => {
                let el = self.element(i)?;
                let prop = if el.local_name() == "option" {
                    "selected"
                } else {
                    "checked"
                };
                let _ = Reflect::set(&el, &prop.into(), &c.into());
                Ok(())
            }
            Op::Css { i, css } => {
                let el = self.element(i)?;
                if Sheets::is_owner(&el.local_name()) {
                    let doc = el.owner_document().unwrap_or_else(|| self.doc.clone());
                    self.sheets.set_owner_css(&doc, &el, &css);
                    self.sheets.touch(&el);
                }
                Ok(())
            }
            Op::Adopted { i, sheets } => {
                let (doc, root): (Document, Node) = if i == 0 {
                    (self.doc.clone(), self.doc.clone().unchecked_into())
                } else {
                    let host = self.element(i)?;
                    let root = host.shadow_root().ok_or_else(|| {
                        ApplyError::Mismatch(format!("node {i} has no shadow root"))
                    })?;
                    (
                        host.owner_document().unwrap_or_else(|| self.doc.clone()),
                        root.unchecked_into(),
                    )
                };
                self.sheets.set_adopted(&doc, &root, &sheets);
                Ok(())
            }
            Op::Scroll { i, x, y } => {
                if i == 0 {
                    self.scroll = (x, y);
                    if let Some(win) = self.doc.default_view() {
                        win.scroll_to_with_x_and_y(x, y);
                    }
                } else {
                    let el = self.element(i)?;
                    el.set_scroll_left(x as i32);
                    el.set_scroll_top(y as i32);
                    self.element_scroll.insert(i, (x, y));
                }
                Ok(())
            }
            Op::Viewport { w, h } => {
                self.vw = w;
                self.vh = h;
                fx.viewport = Some((w, h));
                Ok(())
            }
            Op::Mouse { x, y } => {
                fx.mouse = Some((x, y));
                Ok(())
            }
            Op::Click { x, y } => {
                fx.clicks.push((x, y));
                Ok(())
            }
            Op::Selection { r } => {
                self.selection = r;
                Ok(())
            }
            Op::Canvas { i, d } => {
                let el = self.element(i)?;
                if el.local_name() == "canvas" && d.starts_with("data:image/") {
                    draw_canvas(&el, &d);
                }
                Ok(())
            }
        }
    }

    fn add(
        &mut self,
        p: u32,
        b: Option<u32>,
        n: protocol::cobrowse::Node,
        shadow: bool,
    ) -> Applied {
        let parent = if p == 0 {
            self.doc.clone().unchecked_into::<Node>()
        } else {
            self.node(p)?.clone()
        };
        let parent = if shadow {
            let root = (parent.node_type() == Node::ELEMENT_NODE)
                .then(|| parent.unchecked_ref::<Element>().shadow_root())
                .flatten();
            root.ok_or_else(|| ApplyError::Mismatch(format!("node {p} has no shadow root")))?
                .unchecked_into()
        } else {
            parent
        };
        let before = match b {
            Some(b) => Some(self.node(b)?.clone()),
            None => None,
        };
        // A node the page already has is being moved: it leaves first.
        if let Some(old) = self.nodes.get(&n.i).cloned() {
            self.forget(&old);
            if let Some(from) = old.parent_node() {
                let _ = from.remove_child(&old);
            }
        }
        let doc = if parent.node_type() == Node::DOCUMENT_NODE {
            parent.clone().unchecked_into::<Document>()
        } else {
            parent.owner_document().unwrap_or_else(|| self.doc.clone())
        };
        let built = self.build(&doc, n)?;
        match before {
            // `b` may sit in `p`'s shadow root rather than under `p` itself.
            Some(before) => {
                let target = before.parent_node().unwrap_or(parent);
                target.insert_before(&built, Some(&before))
            }
            None => parent.append_child(&built),
        }
        .map_err(|e| dom_error("insert", e))?;
        if touches_sheets(&built) {
            self.sheets.touch(&built);
        }
        Ok(())
    }
}

/// Whether adding or removing `node` changes which stylesheets apply.
fn touches_sheets(node: &Node) -> bool {
    if node.node_type() != Node::ELEMENT_NODE {
        return false;
    }
    let el: &Element = node.unchecked_ref();
    Sheets::is_owner(&el.local_name()) || el.query_selector("style, link").ok().flatten().is_some()
}

/// Shows a canvas frame the widget sent as an image (drawn once decoded).
fn draw_canvas(canvas: &Element, data_url: &str) {
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let canvas = canvas.clone();
    let loaded = img.clone();
    let on_load = wasm_bindgen::closure::Closure::once_into_js(move || {
        let ctx = Reflect::get(&canvas, &"getContext".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call1(&canvas, &"2d".into()).ok())
            .filter(JsValue::is_object);
        let Some(ctx) = ctx else { return };
        let ctx: web_sys::CanvasRenderingContext2d = ctx.unchecked_into();
        let (w, h) = (
            Reflect::get(&canvas, &"width".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
            Reflect::get(&canvas, &"height".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
        );
        ctx.clear_rect(0.0, 0.0, w, h);
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&loaded, 0.0, 0.0, w, h);
    });
    img.set_onload(Some(on_load.unchecked_ref()));
    img.set_src(data_url);
}

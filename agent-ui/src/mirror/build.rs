//! Building DOM nodes from the page model, through `sanitize`'s rules:
//! scripts become inert, frames sandboxed and empty, plugins placeholders,
//! handlers and script URLs never set.

use protocol::cobrowse::{Node as PageNode, NodeKind};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node, ShadowRootInit, ShadowRootMode};

use super::page::{Applied, Page, dom_error};
use super::sanitize::{self, AttrPlan, ElementPlan};
use super::sheets::{self, Sheets};

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";
const SVG_NS: &str = "http://www.w3.org/2000/svg";
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";

impl Page {
    /// Builds `node` and its subtree in `doc` (detached; the caller inserts
    /// it, then calls `settle`).
    pub(super) fn build(&mut self, doc: &Document, node: PageNode) -> Applied<Node> {
        let id = node.i;
        let built: Node = match node.kind {
            NodeKind::Text { x } => doc.create_text_node(&x).unchecked_into(),
            NodeKind::Element {
                t,
                a,
                c,
                ns,
                s,
                sa,
                css,
                d,
            } => {
                let plan = sanitize::element(&t);
                let el = create_element(doc, &t, ns.as_deref(), plan)?;
                for (name, value) in &a {
                    self.set_attribute(&el, name, Some(value));
                }
                if plan == ElementPlan::Placeholder {
                    size_placeholder(&el, &a);
                }
                for child in c {
                    let child = self.build(doc, child)?;
                    el.append_child(&child)
                        .map_err(|e| dom_error("a child", e))?;
                }
                if let Some(children) = s {
                    self.build_shadow(doc, &el, children, &sa)?;
                }
                if let Some(css) = css
                    && Sheets::is_owner(&el.local_name())
                {
                    self.sheets.set_owner_css(doc, &el, &css);
                }
                if let Some(d) = d
                    && plan == ElementPlan::Frame
                {
                    self.frames_due
                        .push((el.clone().unchecked_into::<HtmlIFrameElement>(), *d));
                }
                el.unchecked_into()
            }
        };
        self.register(id, &built);
        Ok(built)
    }

    fn build_shadow(
        &mut self,
        doc: &Document,
        host: &Element,
        children: Vec<PageNode>,
        adopted: &[String],
    ) -> Applied {
        match host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
            Ok(root) => {
                for child in children {
                    let child = self.build(doc, child)?;
                    root.append_child(&child)
                        .map_err(|e| dom_error("a shadow child", e))?;
                }
                let root: Node = root.unchecked_into();
                self.sheets.set_adopted(doc, &root, adopted);
            }
            // Only some elements may host a shadow root; the widget only sends
            // real ones, so this is a malformed frame: keep the content visible.
            Err(_) => {
                for child in children {
                    let child = self.build(doc, child)?;
                    host.append_child(&child)
                        .map_err(|e| dom_error("a shadow child", e))?;
                }
            }
        }
        Ok(())
    }

    /// Sets (`Some`) or removes (`None`) an attribute through the sanitiser.
    /// A value refused for safety removes the attribute: an earlier safe
    /// value must not stay in place of the new one.
    pub(super) fn set_attribute(&mut self, el: &Element, name: &str, value: Option<&str>) {
        let tag = el.local_name();
        if sanitize::mirror_owned(&tag, name) {
            return;
        }
        let Some(value) = value else {
            if name.eq_ignore_ascii_case("style") {
                let _ = el.remove_attribute("style");
            } else {
                let _ = el.remove_attribute(name);
            }
            return;
        };
        match sanitize::attribute(&tag, name, value) {
            AttrPlan::Drop => {
                let _ = el.remove_attribute(name);
            }
            AttrPlan::Style => sheets::set_inline_style(el, value),
            AttrPlan::Keep => {
                let foreign = el.namespace_uri().is_some_and(|ns| ns != HTML_NS);
                let result = match sanitize::attribute_namespace(name) {
                    Some(ns) if foreign => el.set_attribute_ns(Some(ns), name, value),
                    _ => el.set_attribute(name, value),
                };
                if result.is_ok() && name.eq_ignore_ascii_case("media") && Sheets::is_owner(&tag) {
                    self.sheets.set_owner_media(el, value);
                }
            }
        }
    }
}

/// Creates the element `plan` calls for.
fn create_element(
    doc: &Document,
    tag: &str,
    ns: Option<&str>,
    plan: ElementPlan,
) -> Applied<Element> {
    let replacement = |replaced_by: &str| -> Applied<Element> {
        let el = doc
            .create_element(replaced_by)
            .map_err(|e| dom_error("a placeholder", e))?;
        let _ = el.set_attribute(sanitize::WAS_ATTR, &tag.to_ascii_lowercase());
        Ok(el)
    };
    match plan {
        ElementPlan::Inert => replacement(sanitize::INERT_TAG),
        ElementPlan::Placeholder => replacement(sanitize::EMBED_TAG),
        _ if !sanitize::valid_tag(tag) => replacement(sanitize::INERT_TAG),
        ElementPlan::Frame => {
            let el = doc
                .create_element(&tag.to_ascii_lowercase())
                .map_err(|e| dom_error("a frame", e))?;
            // Before it is inserted: the sandbox applies from its first document on.
            let _ = el.set_attribute("sandbox", sanitize::FRAME_SANDBOX);
            Ok(el)
        }
        ElementPlan::Keep => {
            let made = match ns {
                Some("svg") => doc.create_element_ns(Some(SVG_NS), tag),
                Some("math") => doc.create_element_ns(Some(MATHML_NS), tag),
                _ => doc.create_element(tag),
            };
            match made {
                Ok(el) => Ok(el),
                Err(_) => replacement(sanitize::INERT_TAG),
            }
        }
    }
}

/// A plugin placeholder takes the plugin's `width`/`height` attributes as
/// its size (its class and style attributes already came along).
fn size_placeholder(el: &Element, attributes: &[(String, String)]) {
    let style = js_sys::Reflect::get(el, &"style".into())
        .ok()
        .filter(|s| s.is_object());
    let Some(style) = style else { return };
    let style: web_sys::CssStyleDeclaration = style.unchecked_into();
    for (name, value) in attributes {
        let prop = match name.to_ascii_lowercase().as_str() {
            "width" => "width",
            "height" => "height",
            _ => continue,
        };
        let v = value.trim();
        let css = if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() {
            format!("{v}px")
        } else if v.ends_with('%') && v[..v.len() - 1].chars().all(|c| c.is_ascii_digit()) {
            v.to_string()
        } else {
            continue;
        };
        let _ = style.set_property(prop, &css);
    }
}

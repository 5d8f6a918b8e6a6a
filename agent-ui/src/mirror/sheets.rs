//! The mirror's styles. The mirror document inherits the console's CSP
//! (`style-src 'self'`), which blocks `<style>` elements and style
//! attributes given as markup; constructed stylesheets and the CSSOM are not
//! subject to it. So every `<style>`/`<link>` of the visitor's page becomes a
//! constructed sheet (from the CSS text the widget read), adopted by its
//! document or shadow root in tree order, after a small sheet of our own and
//! before the page's own adopted sheets; style attributes are set through
//! `element.style`. The `<style>` elements stay in the DOM (the page's
//! structure is unchanged) and are disabled should a policy ever let them
//! apply, so no rule counts twice.
//!
//! A sheet is created with the constructor of the document that adopts it
//! (sheets cannot move between documents) and scrubbed of script URLs and
//! expressions in the browser's own parse of it.
//!
//! Mirror objects belong to the iframe's JavaScript realm, where `instanceof`
//! against the console's constructors is false: this module (like the rest
//! of `mirror`) tells types apart by `nodeType` and casts unchecked.

use js_sys::{Array, Object, Reflect, WeakMap};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleDeclaration, Document, Element, Node};

use super::sanitize;

/// Our own rules in every mirrored document and shadow root: what the mirror
/// replaced stays invisible, and `<noscript>` (shown in a script-less
/// document) stays hidden as it is for the visitor.
const BASE_CSS: &str = "tandem-inert, noscript { display: none !important; }
tandem-embed { display: inline-block; vertical-align: top; min-width: 24px; min-height: 24px;
  background: repeating-linear-gradient(135deg, #eceef1 0 8px, #f6f7f9 8px 16px);
  outline: 1px dashed #b8bfc9; outline-offset: -1px; }";

pub struct Sheets {
    /// `<style>`/`<link>` element → its constructed sheet.
    owners: WeakMap,
    /// Document or shadow root → sheets the page adopted there (`adopt` ops).
    adopted: WeakMap,
    /// Document → our base sheet for it.
    base: WeakMap,
    /// Documents and shadow roots whose `adoptedStyleSheets` must be rebuilt.
    dirty: Vec<Node>,
}

impl Default for Sheets {
    fn default() -> Self {
        Sheets {
            owners: WeakMap::new(),
            adopted: WeakMap::new(),
            base: WeakMap::new(),
            dirty: Vec::new(),
        }
    }
}

impl Sheets {
    /// Sets the CSS of a `<style>`/`<link>` element (created or replaced).
    /// Call [`Sheets::touch`] once the element is in its tree.
    pub fn set_owner_css(&mut self, doc: &Document, owner: &Element, css: &str) {
        let known = self.owners.get(owner);
        if known.is_object() {
            replace(known.unchecked_ref(), css);
        } else {
            let media = owner.get_attribute("media").unwrap_or_default();
            if let Some(sheet) = construct(doc, css, &media) {
                self.owners.set(owner, &sheet);
            }
        }
    }

    /// An owner's `media` attribute changed.
    pub fn set_owner_media(&self, owner: &Element, media: &str) {
        let sheet = self.owners.get(owner);
        if sheet.is_undefined() {
            return;
        }
        if let Ok(list) = Reflect::get(&sheet, &"media".into()) {
            let _ = Reflect::set(&list, &"mediaText".into(), &media.into());
        }
    }

    pub fn is_owner(tag: &str) -> bool {
        tag.eq_ignore_ascii_case("style") || tag.eq_ignore_ascii_case("link")
    }

    /// Sheets the page adopted on `root` (its document, or a shadow root).
    pub fn set_adopted(&mut self, doc: &Document, root: &Node, css: &[String]) {
        let list = Array::new();
        for text in css {
            if let Some(sheet) = construct(doc, text, "") {
                list.push(&sheet);
            }
        }
        self.adopted.set(root.unchecked_ref(), &list);
        self.touch(root);
    }

    /// `node`'s document or shadow root needs its sheets recomputed.
    pub fn touch(&mut self, node: &Node) {
        let root = node.get_root_node();
        if !self.dirty.iter().any(|r| r.is_same_node(Some(&root))) {
            self.dirty.push(root);
        }
    }

    /// Recomputes `adoptedStyleSheets` of every touched root: base sheet,
    /// then each owner's sheet in tree order, then the page's adopted ones.
    pub fn flush(&mut self) {
        for root in std::mem::take(&mut self.dirty) {
            // Only documents and shadow roots adopt sheets (a detached subtree does not).
            let doc: Document = match root.node_type() {
                Node::DOCUMENT_NODE => root.clone().unchecked_into(),
                Node::DOCUMENT_FRAGMENT_NODE => match root.owner_document() {
                    Some(d) => d,
                    None => continue,
                },
                _ => continue,
            };
            let list = Array::new();
            if let Some(base) = self.base_for(&doc) {
                list.push(&base);
            }
            if let Ok(owners) = query_all(&root, "style, link") {
                for i in 0..owners.length() {
                    let Some(owner) = owners.get(i) else { continue };
                    let sheet = self.owners.get(owner.unchecked_ref());
                    if sheet.is_object() {
                        list.push(&sheet);
                        disable_own_sheet(&owner);
                    }
                }
            }
            let adopted = self.adopted.get(root.unchecked_ref());
            if Array::is_array(&adopted) {
                for s in adopted.unchecked_into::<Array>().iter() {
                    list.push(&s);
                }
            }
            let _ = Reflect::set(&root, &"adoptedStyleSheets".into(), &list);
        }
    }

    fn base_for(&self, doc: &Document) -> Option<JsValue> {
        let known = self.base.get(doc);
        if !known.is_undefined() {
            return Some(known);
        }
        let sheet = construct(doc, BASE_CSS, "")?;
        self.base.set(doc, &sheet);
        Some(sheet.into())
    }
}

/// Sets a style attribute through the CSSOM, scrubbed.
pub fn set_inline_style(el: &Element, css: &str) {
    let Ok(style) = Reflect::get(el, &"style".into()) else {
        return;
    };
    if !style.is_object() {
        return;
    }
    let style: CssStyleDeclaration = style.unchecked_into();
    style.set_css_text(css);
    if sanitize::css_needs_scrub(css) {
        scrub_declarations(&style);
    }
}

/// A sheet built with `doc`'s own `CSSStyleSheet` constructor.
fn construct(doc: &Document, css: &str, media: &str) -> Option<Object> {
    let window = doc.default_view()?;
    let ctor = Reflect::get(&window, &"CSSStyleSheet".into()).ok()?;
    let ctor = ctor.dyn_into::<js_sys::Function>().ok()?;
    let init = Object::new();
    if !media.is_empty() {
        let _ = Reflect::set(&init, &"media".into(), &media.into());
    }
    let sheet: Object = Reflect::construct(&ctor, &Array::of1(&init))
        .ok()?
        .unchecked_into();
    replace(&sheet, css);
    Some(sheet)
}

fn replace(sheet: &Object, css: &str) {
    // `@import` is not allowed in constructed sheets (the browser skips it);
    // other invalid rules are dropped by the parser, never thrown.
    if let Ok(f) =
        Reflect::get(sheet, &"replaceSync".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call1(sheet, &css.into());
    }
    if sanitize::css_needs_scrub(css) {
        scrub_rules(sheet);
    }
}

/// Removes dangerous declarations from every rule, nested rules included.
fn scrub_rules(container: &JsValue) {
    let Ok(rules) = Reflect::get(container, &"cssRules".into()) else {
        return;
    };
    let len = Reflect::get(&rules, &"length".into())
        .ok()
        .and_then(|l| l.as_f64())
        .unwrap_or(0.0) as u32;
    for i in 0..len {
        let Ok(rule) = Reflect::get_u32(&rules, i) else {
            continue;
        };
        if let Ok(style) = Reflect::get(&rule, &"style".into())
            && style.is_object()
        {
            scrub_declarations(style.unchecked_ref());
        }
        if Reflect::has(&rule, &"cssRules".into()).unwrap_or(false) {
            scrub_rules(&rule);
        }
    }
}

fn scrub_declarations(style: &CssStyleDeclaration) {
    let mut bad = Vec::new();
    for i in 0..style.length() {
        let name = style.item(i);
        let value = style.get_property_value(&name).unwrap_or_default();
        if sanitize::dangerous_css_value(&value) {
            bad.push(name);
        }
    }
    for name in bad {
        let _ = style.remove_property(&name);
    }
}

/// A `<style>` whose own sheet exists (a policy allowed it) is disabled: its
/// rules already come from the constructed sheet, in the right place.
fn disable_own_sheet(owner: &JsValue) {
    if let Ok(sheet) = Reflect::get(owner, &"sheet".into())
        && sheet.is_object()
    {
        let _ = Reflect::set(&sheet, &"disabled".into(), &true.into());
    }
}

fn query_all(root: &Node, selector: &str) -> Result<web_sys::NodeList, JsValue> {
    match root.node_type() {
        Node::DOCUMENT_NODE => root
            .unchecked_ref::<Document>()
            .query_selector_all(selector),
        Node::DOCUMENT_FRAGMENT_NODE => root
            .unchecked_ref::<web_sys::DocumentFragment>()
            .query_selector_all(selector),
        _ => Err(JsValue::NULL),
    }
}

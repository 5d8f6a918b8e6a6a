//! What the agent shows on the visitor's page while it is shared: their
//! pointer (a small labelled cursor) and highlights (an outline with an
//! optional label).
//!
//! Both are addressed by node id plus, for the pointer, fractions of the
//! element's box, never pixels: the agent's screen is not the visitor's.
//! They live in the widget's shadow root, so the capture never sees them,
//! and follow their element when the page scrolls or changes layout
//! (`reposition`, called at most once per animation frame).
//!
//! Both are drawn for the eye only; a screen reader hears them as text
//! through a polite live region: "Ana is pointing at: Postal code" once per
//! element pointed at, "Ana highlighted: …" per highlight. The element is
//! named as assistive technology would name it (its label, else its text).

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

use crate::browser::{fixed, window};
use crate::i18n::{Strings, fill};
use crate::view::dom::{attr, child, set_text};

/// Longest description of an element read out, in characters.
const MAX_SPOKEN: usize = 80;

/// Highlights kept at once; older ones go first. As many as a form push
/// may propose, so every proposed field is outlined.
const MAX_HIGHLIGHTS: usize = protocol::limits::MAX_PUSH_FIELDS;

struct Highlight {
    node: u32,
    el: Element,
}

pub struct Overlay {
    doc: Document,
    layer: Element,
    pointer: Element,
    pointer_label: Element,
    /// (node, x, y): where the agent points, as fractions of the node's box.
    pointing: Option<(u32, f32, f32)>,
    highlights: Vec<Highlight>,
    strings: &'static Strings,
    agent: String,
    /// The live region saying what the agent points at or highlights.
    said: Element,
    /// The element last said to be pointed at, so moving within it is quiet.
    said_pointing: Option<u32>,
}

impl Overlay {
    /// Builds the layer inside `parent` (in the widget's shadow root).
    pub fn new(doc: &Document, parent: &Element, strings: &'static Strings) -> Overlay {
        let layer = child(doc, parent, "div", "ov");
        attr(&layer, "aria-hidden", "true");
        let pointer = child(doc, &layer, "div", "ov-pointer");
        attr(&pointer, "data-testid", "tandem-agent-pointer");
        attr(&pointer, "hidden", "");
        let svg = crate::view::icons::icon(doc, crate::view::icons::POINTER, 22);
        let _ = pointer.append_child(&svg);
        let pointer_label = child(doc, &pointer, "span", "ov-name");
        let said = child(doc, parent, "div", "sr");
        attr(&said, "role", "status");
        attr(&said, "aria-live", "polite");
        attr(&said, "data-testid", "tandem-overlay-said");
        Overlay {
            doc: doc.clone(),
            layer,
            pointer,
            pointer_label,
            pointing: None,
            highlights: Vec::new(),
            strings,
            agent: strings.agent.to_string(),
            said,
            said_pointing: None,
        }
    }

    pub fn set_agent_name(&mut self, name: &str) {
        set_text(&self.pointer_label, name);
        self.agent = name.to_string();
    }

    fn say(&self, template: &str, what: &str) {
        set_text(&self.said, &fill(&fill(template, &self.agent), what));
    }

    pub fn is_active(&self) -> bool {
        self.pointing.is_some() || !self.highlights.is_empty()
    }

    /// Moves the agent's pointer, or hides it (`None`).
    pub fn point(&mut self, at: Option<(u32, f32, f32)>, find: &dyn Fn(u32) -> Option<Element>) {
        self.pointing = at.map(|(n, x, y)| (n, x.clamp(0.0, 1.0), y.clamp(0.0, 1.0)));
        self.place_pointer(find);
        let node = at.map(|(n, ..)| n);
        if node != self.said_pointing {
            self.said_pointing = node;
            if let Some(what) = node.and_then(find).as_ref().and_then(spoken_name) {
                self.say(self.strings.pointing_at, &what);
            }
        }
    }

    /// Outlines `node` (with `label`) and scrolls it into view if needed.
    pub fn highlight(&mut self, node: u32, label: Option<&str>, el: &Element) {
        self.highlights.retain(|h| {
            let same = h.node == node;
            if same {
                h.el.remove();
            }
            !same
        });
        if self.highlights.len() >= MAX_HIGHLIGHTS {
            let old = self.highlights.remove(0);
            old.el.remove();
        }
        let b = child(&self.doc, &self.layer, "div", "ov-hl");
        attr(&b, "data-testid", "tandem-highlight");
        attr(&b, "data-node", &node.to_string());
        if let Some(label) = label.map(str::trim).filter(|l| !l.is_empty()) {
            let tag = child(&self.doc, &b, "span", "ov-label");
            set_text(&tag, label);
        }
        if let Some((x, y, w, h)) = rect_in_viewport(el) {
            let (vw, vh) = viewport();
            if y + h < 0.0 || y > vh || x + w < 0.0 || x > vw {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Center);
                options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
                options.set_behavior(web_sys::ScrollBehavior::Smooth);
                el.scroll_into_view_with_scroll_into_view_options(&options);
            }
        }
        place_box(&b, Some(el));
        self.highlights.push(Highlight { node, el: b });
        let label = label.map(str::trim).filter(|l| !l.is_empty());
        if let Some(what) = label.map(str::to_string).or_else(|| spoken_name(el)) {
            self.say(self.strings.highlighted, &what);
        }
    }

    pub fn clear_highlights(&mut self) {
        for h in self.highlights.drain(..) {
            h.el.remove();
        }
    }

    /// Removes everything (sharing stopped).
    pub fn clear(&mut self) {
        self.clear_highlights();
        self.pointing = None;
        self.said_pointing = None;
        let _ = self.pointer.set_attribute("hidden", "");
    }

    /// Follows the elements after scrolling, resizing or layout changes.
    pub fn reposition(&mut self, find: &dyn Fn(u32) -> Option<Element>) {
        if self.pointing.is_some() {
            self.place_pointer(find);
        }
        for h in &self.highlights {
            place_box(&h.el, find(h.node).as_ref());
        }
    }

    fn place_pointer(&self, find: &dyn Fn(u32) -> Option<Element>) {
        let spot = self.pointing.and_then(|(node, fx, fy)| {
            let (x, y, w, h) = rect_in_viewport(&find(node)?)?;
            Some((x + w * fx as f64, y + h * fy as f64))
        });
        match spot {
            Some((x, y)) => {
                let _ = self.pointer.remove_attribute("hidden");
                set_style(
                    &self.pointer,
                    "transform",
                    &format!("translate({}px,{}px)", fixed(x, 1), fixed(y, 1)),
                );
            }
            None => {
                let _ = self.pointer.set_attribute("hidden", "");
            }
        }
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        self.layer.remove();
    }
}

fn place_box(b: &Element, el: Option<&Element>) {
    match el.and_then(rect_in_viewport) {
        Some((x, y, w, h)) if w > 0.0 || h > 0.0 => {
            let _ = b.remove_attribute("hidden");
            // Near the top the label goes under the outline, not off-screen.
            let _ = b.class_list().toggle_with_force("ov-hl--below", y < 34.0);
            // A little air around the element so the outline does not hide it.
            set_style(
                b,
                "transform",
                &format!("translate({}px,{}px)", fixed(x - 4.0, 1), fixed(y - 4.0, 1)),
            );
            set_style(b, "width", &format!("{}px", fixed(w + 8.0, 1)));
            set_style(b, "height", &format!("{}px", fixed(h + 8.0, 1)));
        }
        _ => {
            let _ = b.set_attribute("hidden", "");
        }
    }
}

fn set_style(e: &Element, name: &str, value: &str) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.style().set_property(name, value);
    }
}

fn viewport() -> (f64, f64) {
    let w = window();
    let n = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    (n(w.inner_width()), n(w.inner_height()))
}

/// The element's box in the top window's viewport, through same-origin
/// iframes; `None` when it is not in a document any more.
fn rect_in_viewport(el: &Element) -> Option<(f64, f64, f64, f64)> {
    if !el.is_connected() {
        return None;
    }
    let r = el.get_bounding_client_rect();
    let (mut x, mut y) = (r.x(), r.y());
    let mut view = el.owner_document()?.default_view();
    let top = window();
    while let Some(w) = view {
        if w == top {
            break;
        }
        let frame = w.frame_element().ok().flatten()?;
        let fr = frame.get_bounding_client_rect();
        x += fr.x() + frame.client_left() as f64;
        y += fr.y() + frame.client_top() as f64;
        view = frame.owner_document()?.default_view();
    }
    Some((x, y, r.width(), r.height()))
}

/// What a screen reader would call `el`, shortened: its `aria-label`, its
/// `<label>`, its placeholder, alt or title, else its text. `None` when it
/// has no name at all (a bare container is not worth saying).
fn spoken_name(el: &Element) -> Option<String> {
    let attr_of = |name: &str| el.get_attribute(name);
    let label = || {
        let id = el.id();
        let by_for = (!id.is_empty())
            .then(|| {
                let labels = el.owner_document()?.get_elements_by_tag_name("label");
                (0..labels.length())
                    .filter_map(|i| labels.item(i))
                    .find(|l| l.get_attribute("for").as_deref() == Some(id.as_str()))
            })
            .flatten();
        by_for
            .or_else(|| el.closest("label").ok().flatten())
            .and_then(|l| l.text_content())
    };
    let name = attr_of("aria-label")
        .or_else(label)
        .or_else(|| attr_of("placeholder"))
        .or_else(|| attr_of("alt"))
        .or_else(|| attr_of("title"))
        .or_else(|| el.text_content())?;
    let words: Vec<&str> = name.split_whitespace().collect();
    let name = words.join(" ");
    if name.is_empty() {
        return None;
    }
    Some(match name.char_indices().nth(MAX_SPOKEN) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name,
    })
}

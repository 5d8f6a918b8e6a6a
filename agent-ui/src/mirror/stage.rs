//! The console-side elements of one mirror: the sandboxed iframe, laid out
//! at the visitor's viewport size and scaled to fit the pane, and the overlay
//! above it (the visitor's cursor and clicks, their selection, the agent's
//! highlights and the element under the agent's cursor). The overlay also
//! takes the agent's mouse, so nothing in the mirror can be clicked, followed
//! or focused.

use std::time::Duration;

use leptos::prelude::set_timeout;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlElement, HtmlIFrameElement};

use super::overlay::{self, Rect};
use super::page::Page;
use super::sanitize;
use super::scale;

/// Room left around the scaled mirror inside its area, in CSS pixels.
const GUTTER: f64 = 16.0;
/// How long a click ripple stays (matches the CSS animation).
const RIPPLE_MS: u64 = 700;

pub struct Stage {
    /// The box the mirror is fitted into (its size drives the scale).
    area: HtmlElement,
    /// The scaled box: the visitor's viewport times the scale.
    viewport: HtmlElement,
    pub frame: HtmlIFrameElement,
    /// Highlights, selection and the hover box, redrawn as a whole.
    marks: HtmlElement,
    /// Click ripples, each removing itself.
    ripples: HtmlElement,
    cursor: HtmlElement,
    pub scale: f64,
    size: (u32, u32),
}

/// What the overlay shows besides the page.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Marks {
    /// The visitor's pointer, in their viewport pixels.
    pub mouse: Option<(f64, f64)>,
    /// Elements the agent highlighted, with their labels.
    pub highlights: Vec<(u32, Option<String>)>,
    /// The element under the agent's cursor (what a click would highlight).
    pub hover: Option<u32>,
}

impl Stage {
    /// Creates the mirror iframe inside `viewport`, under the overlay. The
    /// sandbox is set before the frame is inserted so its very first
    /// document is sandboxed: no scripts, forms, popups or navigation of
    /// the console; `inert` keeps its content out of focus and tab order.
    /// The frame loads the server's mirror document, whose own policy lets
    /// the visitor's images, fonts and stylesheets load and runs nothing:
    /// build into it only after its `load` event.
    pub fn new(
        doc: &Document,
        session: &str,
        area: HtmlElement,
        viewport: HtmlElement,
        marks: HtmlElement,
        ripples: HtmlElement,
        cursor: HtmlElement,
    ) -> Option<Stage> {
        let frame: HtmlIFrameElement = doc.create_element("iframe").ok()?.unchecked_into();
        frame
            .set_attribute("sandbox", sanitize::FRAME_SANDBOX)
            .ok()?;
        frame
            .set_attribute("src", protocol::cobrowse::MIRROR_PATH)
            .ok()?;
        let _ = frame.set_attribute("inert", "");
        let _ = frame.set_attribute("tabindex", "-1");
        let _ = frame.set_attribute("title", "Mirror of the visitor's screen");
        let _ = frame.set_attribute("class", "mirror-frame");
        let _ = frame.set_attribute("data-testid", "mirror-frame");
        let _ = frame.set_attribute("data-session", session);
        viewport
            .insert_before(&frame, viewport.first_child().as_ref())
            .ok()?;
        Some(Stage {
            area,
            viewport,
            frame,
            marks,
            ripples,
            cursor,
            scale: 1.0,
            size: (0, 0),
        })
    }

    /// Records which frame the mirror shows and how long applying it took,
    /// as attributes of the scaled box (`data-epoch`, `data-seq`,
    /// `data-apply-ms`, and `data-keyframe-ms` for the last keyframe): for
    /// tests and measurements.
    pub fn note_frame(&self, epoch: u32, seq: u32, ms: f64) {
        let _ = self
            .viewport
            .set_attribute("data-epoch", &epoch.to_string());
        let _ = self.viewport.set_attribute("data-seq", &seq.to_string());
        let ms = format!("{ms:.1}");
        let _ = self.viewport.set_attribute("data-apply-ms", &ms);
        if seq == 0 {
            let _ = self.viewport.set_attribute("data-keyframe-ms", &ms);
        }
    }

    /// The mirror's document (empty until built).
    pub fn document(&self) -> Option<Document> {
        self.frame.content_document()
    }

    /// Sizes the frame to the visitor's viewport and scales it to fit the
    /// area. Returns whether the scale or size changed.
    pub fn layout(&mut self, vw: u32, vh: u32) -> bool {
        let (aw, ah) = (
            f64::from(self.area.client_width()) - 2.0 * GUTTER,
            f64::from(self.area.client_height()) - 2.0 * GUTTER,
        );
        // A hidden area (another chat is shown) keeps the last scale.
        let scale = if aw > 0.0 && ah > 0.0 {
            scale::fit(aw, ah, vw, vh)
        } else {
            self.scale
        };
        if (scale - self.scale).abs() < 1e-4 && self.size == (vw, vh) {
            return false;
        }
        self.scale = scale;
        self.size = (vw, vh);
        let (w, h) = (f64::from(vw), f64::from(vh));
        set_style(&self.viewport, "width", &px(w * scale));
        set_style(&self.viewport, "height", &px(h * scale));
        let frame: &HtmlElement = self.frame.unchecked_ref();
        set_style(frame, "width", &px(w));
        set_style(frame, "height", &px(h));
        set_style(frame, "transform", &format!("scale({scale})"));
        true
    }

    /// Redraws selection, highlights and hover box from the page as laid out now.
    pub fn draw(&self, page: &Page, marks: &Marks) {
        self.marks.set_inner_html("");
        let Some(doc) = self.marks.owner_document() else {
            return;
        };
        for r in overlay::selection_rects(page) {
            self.mark(&doc, "mirror-sel", r, None);
        }
        for (node, label) in &marks.highlights {
            if let Some(r) = overlay::element_rect(page, *node) {
                self.mark(&doc, "mirror-hl", r, label.as_deref().or(Some("")));
            }
        }
        if let Some(node) = marks.hover
            && !marks.highlights.iter().any(|(n, _)| *n == node)
            && let Some(r) = overlay::element_rect(page, node)
        {
            self.mark(&doc, "mirror-hover", r, Some("Click to highlight"));
        }
        self.move_cursor(marks.mouse);
    }

    /// Moves the visitor's cursor (hidden when unknown).
    pub fn move_cursor(&self, at: Option<(f64, f64)>) {
        match at {
            Some((x, y)) => {
                set_style(
                    &self.cursor,
                    "transform",
                    &format!("translate({}px, {}px)", x * self.scale, y * self.scale),
                );
                let _ = self.cursor.class_list().remove_1("off");
            }
            None => {
                let _ = self.cursor.class_list().add_1("off");
            }
        }
    }

    /// A ripple where the visitor clicked.
    pub fn ripple(&self, x: f64, y: f64) {
        let Some(doc) = self.ripples.owner_document() else {
            return;
        };
        let Ok(el) = doc.create_element("div") else {
            return;
        };
        let el: HtmlElement = el.unchecked_into();
        el.set_class_name("mirror-ripple");
        set_style(
            &el,
            "transform",
            &format!("translate({}px, {}px)", x * self.scale, y * self.scale),
        );
        let _ = self.ripples.append_child(&el);
        set_timeout(move || el.remove(), Duration::from_millis(RIPPLE_MS));
    }

    /// A box over `r` (visitor pixels), with a label chip for highlights.
    fn mark(&self, doc: &Document, class: &str, r: Rect, label: Option<&str>) {
        let Ok(el) = doc.create_element("div") else {
            return;
        };
        let el: HtmlElement = el.unchecked_into();
        el.set_class_name(class);
        let s = self.scale;
        set_style(
            &el,
            "transform",
            &format!("translate({}px, {}px)", r.x * s, r.y * s),
        );
        set_style(&el, "width", &px(r.w * s));
        set_style(&el, "height", &px(r.h * s));
        if let Some(label) = label.filter(|l| !l.is_empty())
            && let Ok(chip) = doc.create_element("span")
        {
            chip.set_class_name(if class == "mirror-hover" {
                "mirror-hover-tag"
            } else {
                "mirror-hl-label"
            });
            chip.set_text_content(Some(label));
            let _ = el.append_child(&chip);
        }
        let _ = self.marks.append_child(&el);
    }
}

fn px(v: f64) -> String {
    format!("{v:.2}px")
}

/// Sets one CSS property through the CSSOM (the console's CSP refuses style
/// attributes).
fn set_style(el: &HtmlElement, prop: &str, value: &str) {
    let _ = el.style().set_property(prop, value);
}

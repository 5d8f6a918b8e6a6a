//! Inline SVG icons, built with `createElementNS` rather than `innerHTML`
//! so pages enforcing Trusted Types accept them. Strokes follow `currentColor`.

use web_sys::{Document, Element};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A speech bubble with three dots.
pub const CHAT: &[&str] = &[
    "M21 11.5a8.4 8.4 0 0 1-9 8.3 9 9 0 0 1-3.8-.8L3 20.5l1.5-4.4A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3.2a8.4 8.4 0 0 1 9 8.3z",
    "M8.5 11.5h.01M12 11.5h.01M15.5 11.5h.01",
];
pub const CHEVRON_DOWN: &[&str] = &["M6 9l6 6 6-6"];
pub const CLOSE: &[&str] = &["M18 6 6 18M6 6l12 12"];
/// An arrow cursor (the agent's pointer; filled by the stylesheet).
pub const POINTER: &[&str] = &["M5 3l5.5 17 2.6-7.4L20.5 10z"];
/// A monitor.
pub const SCREEN: &[&str] = &[
    "M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
    "M8 20h8M12 16v4",
];
/// A telephone handset.
pub const PHONE: &[&str] = &[
    "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",
];
/// A microphone (`MIC_OFF`: struck through).
pub const MIC: &[&str] = &[
    "M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3z",
    "M19 10v2a7 7 0 0 1-14 0v-2M12 19v3",
];
pub const MIC_OFF: &[&str] = &[
    "M2 2l20 20M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.6",
    "M17 16.9A7 7 0 0 1 5 12v-2m14 0v2c0 .8-.1 1.5-.4 2.2M12 19v3",
];
/// A check mark.
pub const CHECK: &[&str] = &["M20 6 9 17l-5-5"];
/// A pencil (the agent's proposals).
pub const EDIT: &[&str] = &["M12 20h9", "M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"];
/// A paper plane.
pub const SEND: &[&str] = &["M22 2 11 13", "M22 2 15 22l-4-9-9-4 20-7z"];

/// An `<svg>` of `size` px drawing `paths` (24×24 view box).
pub fn icon(doc: &Document, paths: &[&str], size: u32) -> Element {
    let svg = crate::browser::must(
        doc.create_element_ns(Some(SVG_NS), "svg"),
        "svg is a valid element",
    );
    let size = size.to_string();
    for (name, value) in [
        ("viewBox", "0 0 24 24"),
        ("width", size.as_str()),
        ("height", size.as_str()),
        ("fill", "none"),
        ("stroke", "currentColor"),
        ("stroke-width", "2"),
        ("stroke-linecap", "round"),
        ("stroke-linejoin", "round"),
        ("aria-hidden", "true"),
        ("focusable", "false"),
    ] {
        let _ = svg.set_attribute(name, value);
    }
    for d in paths {
        let path = crate::browser::must(
            doc.create_element_ns(Some(SVG_NS), "path"),
            "path is a valid element",
        );
        let _ = path.set_attribute("d", d);
        let _ = svg.append_child(&path);
    }
    svg
}

/// Replaces the children of `slot` with an icon.
pub fn set_icon(doc: &Document, slot: &Element, paths: &[&str], size: u32) {
    slot.set_text_content(None);
    let _ = slot.append_child(&icon(doc, paths, size));
}

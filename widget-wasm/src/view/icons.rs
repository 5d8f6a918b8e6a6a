//! Inline SVG icons (static markup, stroke follows `currentColor`).

const OPEN: &str = r#"<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">"#;

fn svg(body: &str) -> String {
    format!("{OPEN}{body}</svg>")
}

/// A speech bubble with three dots.
pub fn chat() -> String {
    svg(
        r#"<path d="M21 11.5a8.4 8.4 0 0 1-9 8.3 9 9 0 0 1-3.8-.8L3 20.5l1.5-4.4A8 8 0 0 1 3 11.5 8.4 8.4 0 0 1 12 3.2a8.4 8.4 0 0 1 9 8.3z"/><path d="M8.5 11.5h.01M12 11.5h.01M15.5 11.5h.01" stroke-width="2.6"/>"#,
    )
}

pub fn chevron_down() -> String {
    svg(r#"<path d="M6 9l6 6 6-6"/>"#)
}

pub fn close() -> String {
    svg(r#"<path d="M18 6 6 18M6 6l12 12"/>"#)
}

/// A paper plane.
pub fn send() -> String {
    svg(r#"<path d="M22 2 11 13"/><path d="M22 2 15 22l-4-9-9-4 20-7z"/>"#)
}

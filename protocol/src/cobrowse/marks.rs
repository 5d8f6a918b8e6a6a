//! What the agent shows on the visitor's page through the mirror: a pointer
//! and outlined elements. The same frame goes from the console to the
//! server and on to the widget, so one type serves both directions.

use serde::{Deserialize, Serialize};

/// The agent's pointer over node `node` at (`x`, `y`), fractions of that
/// element's box; `node` absent hides it. Relayed, never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pointer {
    /// The shared session.
    pub session: String,
    /// The capture's id of the element under the pointer; absent hides the pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<u32>,
    /// Horizontal position as a fraction of the element's width, from its left edge.
    #[serde(default)]
    pub x: f32,
    /// Vertical position as a fraction of the element's height, from its top edge.
    #[serde(default)]
    pub y: f32,
}

impl Pointer {
    /// Offsets must be numbers the widget can place (JSON has no NaN, but
    /// a decoder given `1e999` yields infinity).
    pub fn validate(&self) -> Result<(), String> {
        if self.x.is_finite() && self.y.is_finite() {
            Ok(())
        } else {
            Err("pointer offsets must be finite numbers".into())
        }
    }
}

/// Outline node `node` on the visitor's page (the widget scrolls it into
/// view), with an optional label. Recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// The shared session.
    pub session: String,
    /// The capture's id of the element to outline.
    pub node: u32,
    /// Text shown with the outline (≤ 200 characters); absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

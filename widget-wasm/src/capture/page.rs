//! What the snapshot's walker and the diff share about the captured page
//! ([`Page`]): node ids, our copy of the mirror's structure, and the
//! masking rules.

use js_sys::WeakSet;
use web_sys::{Element, Node};

use super::tree::{NodeIds, Tree};

/// What the walker and the diff share: ids, the mirror's structure and
/// the masking rules.
pub struct Page {
    pub ids: NodeIds,
    pub tree: Tree,
    /// The site's mask selectors as one selector list.
    pub selectors: Option<String>,
    /// Inputs that were password fields at some point.
    pub was_password: WeakSet,
    /// Shadow roots and iframe documents met while walking: to observe.
    pub found_roots: Vec<Node>,
    pub canvases: Vec<u32>,
}

impl Page {
    pub fn matches_mask(&self, el: &Element) -> bool {
        self.selectors
            .as_deref()
            .is_some_and(|s| el.matches(s).unwrap_or(false))
    }
}

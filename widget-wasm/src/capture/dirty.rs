//! What changed on the page since the last delta ([`Dirty`]), by node id,
//! as the observer and the capture's listeners report it; the diff empties
//! it into ops (`diff.rs`).

use protocol::cobrowse::Op;

/// Dirty entries kept before giving up on a delta (a page rewriting itself
/// while the tab is hidden): a keyframe replaces them.
const MAX_DIRTY: usize = 20_000;

/// What changed since the last delta, by node id. Lists may repeat ids;
/// they are sorted and deduplicated when the delta is built (cheaper, in
/// code size and time, than sets updated on every record).
#[derive(Default)]
pub struct Dirty {
    pub children: Vec<u32>,
    pub text: Vec<u32>,
    pub attrs: Vec<(u32, String)>,
    pub css: Vec<u32>,
    /// Hosts whose shadow root's top level changed.
    pub shadows: Vec<u32>,
    /// Re-serialise these nodes whole (an iframe loaded another document,
    /// masking changed).
    pub replace: Vec<u32>,
    pub fields: Vec<u32>,
    /// `DOC` for the document.
    pub scroll: Vec<u32>,
    pub adopted: bool,
    pub selection: bool,
    pub viewport: bool,
    pub mouse: Option<(f64, f64)>,
    pub clicks: Vec<(f64, f64)>,
    pub canvases: Vec<Op>,
    /// Something no delta can express happened: send a keyframe.
    pub keyframe: bool,
}

impl Dirty {
    /// Changes to the page itself (not the pointer): worth a delta at once.
    pub fn structural(&self) -> bool {
        !(self.children.is_empty()
            && self.shadows.is_empty()
            && self.text.is_empty()
            && self.attrs.is_empty()
            && self.css.is_empty()
            && self.replace.is_empty()
            && self.fields.is_empty()
            && self.canvases.is_empty())
            || self.adopted
            || self.keyframe
    }

    pub fn any(&self) -> bool {
        self.structural()
            || !self.scroll.is_empty()
            || self.selection
            || self.viewport
            || self.mouse.is_some()
            || !self.clicks.is_empty()
    }

    pub fn overflowing(&self) -> bool {
        self.children.len() + self.text.len() + self.attrs.len() + self.fields.len() > MAX_DIRTY
    }
}

/// Takes a dirty list, sorted and without repeats.
pub(super) fn take(v: &mut Vec<u32>) -> Vec<u32> {
    let mut x: Vec<u64> = v.drain(..).map(u64::from).collect();
    sort_dedup(&mut x);
    x.into_iter().map(|id| id as u32).collect()
}

/// Takes the attribute changes, grouped by node in id order (each name
/// once per node, in the order first seen).
pub(super) fn take_attrs(v: &mut Vec<(u32, String)>) -> Vec<(u32, String)> {
    let mut attrs = std::mem::take(v);
    // Node id above, position below: sorting these orders by node and keeps
    // each node's records in order.
    let mut keys: Vec<u64> = attrs
        .iter()
        .enumerate()
        .map(|(at, (id, _))| (u64::from(*id) << 32) | at as u64)
        .collect();
    sort_dedup(&mut keys);
    let mut out: Vec<(u32, String)> = Vec::with_capacity(attrs.len());
    let mut node_start = 0;
    for key in keys {
        let (id, at) = ((key >> 32) as u32, key as u32 as usize);
        if out.last().is_none_or(|(last, _)| *last != id) {
            node_start = out.len();
        }
        let name = std::mem::take(&mut attrs[at].1);
        if !out[node_start..].iter().any(|(_, n)| *n == name) {
            out.push((id, name));
        }
    }
    out
}

/// The one sort of the capture code: every instance of a generic sort is
/// kilobytes of wasm, so all the lists sort as `u64`.
fn sort_dedup(v: &mut Vec<u64>) {
    v.sort_unstable();
    v.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirty_lists_come_sorted_without_repeats() {
        let mut v = vec![7, 3, u32::MAX, 3, 0, 7];
        assert_eq!(take(&mut v), [0, 3, 7, u32::MAX]);
        assert!(v.is_empty());
    }

    #[test]
    fn attribute_changes_group_by_node_each_name_once() {
        let mut v: Vec<(u32, String)> = [
            (9, "class"),
            (2, "style"),
            (9, "id"),
            (2, "style"),
            (9, "class"),
        ]
        .into_iter()
        .map(|(id, n)| (id, n.to_string()))
        .collect();
        let got = take_attrs(&mut v);
        let got: Vec<(u32, &str)> = got.iter().map(|(id, n)| (*id, n.as_str())).collect();
        assert_eq!(got, [(2, "style"), (9, "class"), (9, "id")]);
        assert!(v.is_empty());
    }
}

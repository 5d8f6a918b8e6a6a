//! Node ids and what the agent's mirror holds.
//!
//! [`NodeIds`] gives every captured node a number for its lifetime on the
//! page (a `WeakMap`, so a removed node and its id are collected together);
//! pointers and highlights address elements by these ids, never by pixels.
//!
//! [`Tree`] is our copy of the mirror's structure: for each id the mirror
//! has, the node, its parent and its children in order. Deltas are computed
//! by comparing it with the live DOM for the parents a `MutationObserver`
//! reported, so they are right whatever happened in between (several
//! mutations coalesced, a snapshot taken in slices while the page changed).

use std::collections::HashMap;

use js_sys::{Object, WeakMap};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Node;

/// Id of the document itself (document scroll, document adopted sheets).
pub const DOC: u32 = 0;
/// Marks nodes never captured: the widget's own host element.
const IGNORED: f64 = -1.0;

pub struct NodeIds {
    map: WeakMap,
    next: u32,
}

impl Default for NodeIds {
    fn default() -> Self {
        NodeIds {
            map: WeakMap::new(),
            next: 1,
        }
    }
}

impl NodeIds {
    /// The node's id, if it has one (`None` for ignored nodes too).
    pub fn get(&self, node: &JsValue) -> Option<u32> {
        let v = self.map.get(node.unchecked_ref::<Object>()).as_f64()?;
        (v >= 0.0).then_some(v as u32)
    }

    /// The node's id, given one if it had none.
    pub fn id(&mut self, node: &Node) -> u32 {
        if let Some(id) = self.get(node) {
            return id;
        }
        let id = self.next;
        self.next += 1;
        self.map
            .set(node.unchecked_ref(), &JsValue::from_f64(id as f64));
        id
    }

    /// Never capture `node` (nor anything inside it).
    pub fn ignore(&self, node: &Node) {
        self.map
            .set(node.unchecked_ref(), &JsValue::from_f64(IGNORED));
    }

    pub fn is_ignored(&self, node: &JsValue) -> bool {
        self.map.get(node.unchecked_ref::<Object>()).as_f64() == Some(IGNORED)
    }

    /// One `WeakMap` read telling ignored, known and new nodes apart.
    pub fn lookup(&self, node: &JsValue) -> Lookup {
        match self.map.get(node.unchecked_ref::<Object>()).as_f64() {
            Some(v) if v == IGNORED => Lookup::Ignored,
            Some(v) => Lookup::Known(v as u32),
            None => Lookup::New,
        }
    }
}

pub enum Lookup {
    Ignored,
    Known(u32),
    New,
}

pub use protocol::cobrowse::Slot;

/// Entry flags.
pub const TEXT: u8 = 1;
/// Children are not mirrored (script, style, blocked…); the diff skips it.
pub const OPAQUE: u8 = 2;
/// A `<style>` or `<link rel=stylesheet>`: changes inside send `css`.
pub const STYLE: u8 = 4;
/// Replaced by a placeholder.
pub const BLOCKED: u8 = 8;
/// Inside a masked element (or a masked field itself): text and values are bullets.
pub const MASKED: u8 = 16;
/// A shadow host: its adopted sheets are re-sent when sheets change.
pub const HOST: u8 = 32;

pub struct Entry {
    pub node: Node,
    pub parent: u32,
    pub slot: Slot,
    pub flags: u8,
    pub children: Vec<u32>,
    pub shadow: Vec<u32>,
    /// A same-origin iframe's document root element.
    pub doc: Option<u32>,
}

impl Entry {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

#[derive(Default)]
pub struct Tree {
    nodes: HashMap<u32, Entry>,
}

impl Tree {
    pub fn clear(&mut self) {
        self.nodes.clear();
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn contains(&self, id: u32) -> bool {
        self.nodes.contains_key(&id)
    }

    pub fn get(&self, id: u32) -> Option<&Entry> {
        self.nodes.get(&id)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut Entry> {
        self.nodes.get_mut(&id)
    }

    /// Adds a node under `parent` (appended to that slot's list).
    pub fn insert(&mut self, id: u32, node: Node, parent: u32, slot: Slot, flags: u8) {
        if let Some(p) = self.nodes.get_mut(&parent) {
            match slot {
                Slot::Child => p.children.push(id),
                Slot::Shadow => p.shadow.push(id),
                Slot::Doc => p.doc = Some(id),
            }
        }
        self.nodes.insert(
            id,
            Entry {
                node,
                parent,
                slot,
                flags,
                children: Vec::new(),
                shadow: Vec::new(),
                doc: None,
            },
        );
    }

    /// Forgets a node and everything under it (children, shadow root,
    /// iframe document). The parent's child list is left to the caller,
    /// which recomputes it from the DOM.
    pub fn remove_subtree(&mut self, id: u32) {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            if let Some(e) = self.nodes.remove(&id) {
                stack.extend(e.children);
                stack.extend(e.shadow);
                stack.extend(e.doc);
            }
        }
    }

    /// Ids of shadow hosts, for re-sending adopted sheets.
    pub fn hosts(&self) -> Vec<u32> {
        self.nodes
            .iter()
            .filter(|(_, e)| e.has(HOST))
            .map(|(k, _)| *k)
            .collect()
    }
}

/// How to bring a parent's children in the mirror from `old` (ids the
/// mirror has, in order) to `new` (the live children: `Some(id)` for nodes
/// the mirror has under this parent, `None` for nodes it lacks).
///
/// Returns the old ids to remove (gone, or out of order) and, for each new
/// child, whether the mirror keeps it where it is. The rest must be added.
/// Kept nodes are a longest increasing run of old positions, so a reorder
/// moves as few nodes as possible.
pub fn plan_children(old: &[u32], new: &[Option<u32>]) -> (Vec<u32>, Vec<bool>) {
    let position: HashMap<u32, usize> = old.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    // Old positions of the new children the mirror already has, in new order.
    let seq: Vec<(usize, usize)> = new
        .iter()
        .enumerate()
        .filter_map(|(j, id)| id.and_then(|id| position.get(&id)).map(|p| (j, *p)))
        .collect();
    let mut keep = vec![false; new.len()];
    for k in longest_increasing(&seq.iter().map(|(_, p)| *p).collect::<Vec<_>>()) {
        keep[seq[k].0] = true;
    }
    let kept: std::collections::HashSet<u32> = new
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .filter_map(|(id, _)| *id)
        .collect();
    let remove = old
        .iter()
        .copied()
        .filter(|id| !kept.contains(id))
        .collect();
    (remove, keep)
}

/// Indices of a longest strictly increasing subsequence of `v`.
fn longest_increasing(v: &[usize]) -> Vec<usize> {
    // tails[l] = index in v of the smallest tail of an increasing run of length l+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; v.len()];
    for (i, x) in v.iter().enumerate() {
        let l = tails.partition_point(|&t| v[t] < *x);
        if l > 0 {
            prev[i] = tails[l - 1];
        }
        if l == tails.len() {
            tails.push(i);
        } else {
            tails[l] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        out.push(at);
        at = prev[at];
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(old: &[u32], new: &[Option<u32>]) -> (Vec<u32>, Vec<bool>) {
        plan_children(old, new)
    }

    #[test]
    fn nothing_changed() {
        assert_eq!(
            plan(&[1, 2, 3], &[Some(1), Some(2), Some(3)]),
            (vec![], vec![true, true, true])
        );
    }

    #[test]
    fn insert_and_remove() {
        // 2 removed, a new node between 1 and 3, one at the end.
        assert_eq!(
            plan(&[1, 2, 3], &[Some(1), None, Some(3), None]),
            (vec![2], vec![true, false, true, false])
        );
        assert_eq!(plan(&[], &[None]), (vec![], vec![false]));
        assert_eq!(plan(&[4, 5], &[]), (vec![4, 5], vec![]));
    }

    #[test]
    fn reorder_moves_few() {
        // Last to first: only 3 moves.
        assert_eq!(
            plan(&[1, 2, 3], &[Some(3), Some(1), Some(2)]),
            (vec![3], vec![false, true, true])
        );
        // Reversed: two of three move.
        let (remove, keep) = plan(&[1, 2, 3], &[Some(3), Some(2), Some(1)]);
        assert_eq!(remove.len(), 2);
        assert_eq!(keep.iter().filter(|k| **k).count(), 1);
    }

    #[test]
    fn lis() {
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing(&[5, 1, 2, 9, 3]), vec![1, 2, 4]);
    }
}

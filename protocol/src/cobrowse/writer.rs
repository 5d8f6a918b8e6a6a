//! A keyframe's JSON, written while the page is walked.
//!
//! Building the whole page model and then serialising it walks every node
//! twice more after the DOM walk and allocates it all twice; on a
//! 50,000-node page the serialisation alone was a 40 ms task, and freeing
//! the model took more. [`KeyframeWriter`] instead takes each node as the
//! widget's depth-first walk meets it (an element, then its children, then
//! its shadow root's children, then its iframe's document) and writes it at
//! once, so the work is spread over the walk's time slices.
//!
//! The bytes parse as the [`Keyframe`] the same nodes would form: the same
//! fields and values as `serde_json` writes, with the root first and the
//! page's details (URL, viewport…) after it.

use serde::Serialize;

use super::{Keyframe, Node, NodeKind, Slot};

/// Writes a keyframe's JSON node by node, in the order the widget's walk
/// meets them, instead of building the page model first.
pub struct KeyframeWriter {
    out: Vec<u8>,
    /// The elements whose subtree is being written, outermost first.
    open: Vec<Open>,
    next: usize,
}

struct Open {
    handle: usize,
    /// The member being written into: the `c` or `s` array, or `d`.
    slot: Option<Slot>,
    /// Nodes written into it so far.
    count: usize,
    /// The element has an open shadow root with no child written yet: its
    /// `s` is still due (an empty shadow root is a shadow root all the same).
    shadow: bool,
}

impl KeyframeWriter {
    /// A writer appending to `out`, which may already hold the frame's header.
    pub fn new(mut out: Vec<u8>) -> Self {
        out.extend_from_slice(br#"{"root":"#);
        KeyframeWriter {
            out,
            open: Vec::new(),
            next: 0,
        }
    }

    /// Writes `node` in `slot` of `parent` (a handle this writer returned;
    /// `None` for the root, which comes first and once) and returns its
    /// handle. Only the node's own fields are written: its children arrive
    /// by later calls, in document order, children before shadow children
    /// before an iframe's document. `s: Some(_)` marks a shadow host.
    ///
    /// # Panics
    /// If `parent` is not an element whose subtree is still being written
    /// (the nodes did not come in depth-first order).
    pub fn push(&mut self, parent: Option<usize>, slot: Slot, node: &Node) -> usize {
        match parent {
            None => assert!(self.next == 0, "the root comes first, once"),
            Some(p) => {
                while self.open.last().is_some_and(|o| o.handle != p) {
                    self.close();
                }
                let open = self
                    .open
                    .last_mut()
                    .expect("a node's parent is an element still being written");
                if open.slot != Some(slot) {
                    debug_assert!(open.slot.is_none_or(|s| rank(s) < rank(slot)));
                    end_member(&mut self.out, open.slot);
                    self.out.extend_from_slice(match slot {
                        Slot::Child => br#","c":["#,
                        Slot::Shadow => br#","s":["#,
                        Slot::Doc => br#","d":"#,
                    });
                    open.shadow &= slot != Slot::Shadow;
                    open.slot = Some(slot);
                    open.count = 0;
                }
                if open.count > 0 {
                    self.out.push(b',');
                }
                open.count += 1;
            }
        }
        let handle = self.next;
        self.next += 1;
        let out = &mut self.out;
        out.extend_from_slice(br#"{"i":"#);
        out.extend_from_slice(node.i.to_string().as_bytes());
        match &node.kind {
            NodeKind::Text { x } => {
                out.extend_from_slice(br#","k":"t""#);
                member(out, "x", x);
                out.push(b'}');
            }
            NodeKind::Element {
                t,
                a,
                ns,
                s,
                sa,
                css,
                ..
            } => {
                out.extend_from_slice(br#","k":"e""#);
                member(out, "t", t);
                if !a.is_empty() {
                    member(out, "a", a);
                }
                if let Some(ns) = ns {
                    member(out, "ns", ns);
                }
                if !sa.is_empty() {
                    member(out, "sa", sa);
                }
                if let Some(css) = css {
                    member(out, "css", css);
                }
                self.open.push(Open {
                    handle,
                    slot: None,
                    count: 0,
                    shadow: s.is_some(),
                });
            }
        }
        handle
    }

    /// Ends the keyframe with the page's details from `page` (whose `root`
    /// is ignored). `None` if no root was written.
    pub fn finish(mut self, page: &Keyframe) -> Option<Vec<u8>> {
        if self.next == 0 {
            return None;
        }
        while !self.open.is_empty() {
            self.close();
        }
        let out = &mut self.out;
        member(out, "url", &page.url);
        member(out, "title", &page.title);
        member(out, "vw", &page.vw);
        member(out, "vh", &page.vh);
        member(out, "sx", &page.sx);
        member(out, "sy", &page.sy);
        if let Some(doctype) = &page.doctype {
            member(out, "doctype", doctype);
        }
        if !page.adopted.is_empty() {
            member(out, "adopted", &page.adopted);
        }
        out.push(b'}');
        Some(self.out)
    }

    fn close(&mut self) {
        let Some(open) = self.open.pop() else { return };
        end_member(&mut self.out, open.slot);
        if open.shadow {
            self.out.extend_from_slice(br#","s":[]"#);
        }
        self.out.push(b'}');
    }
}

fn rank(slot: Slot) -> u8 {
    match slot {
        Slot::Child => 0,
        Slot::Shadow => 1,
        Slot::Doc => 2,
    }
}

fn end_member(out: &mut Vec<u8>, slot: Option<Slot>) {
    if matches!(slot, Some(Slot::Child | Slot::Shadow)) {
        out.push(b']');
    }
}

/// `,"name":value`, the value as serde_json writes it.
fn member<T: Serialize + ?Sized>(out: &mut Vec<u8>, name: &str, value: &T) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    // Writing strings, numbers and arrays of them into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(i: u32, t: &str, c: Vec<Node>) -> Node {
        Node {
            i,
            kind: NodeKind::Element {
                t: t.into(),
                a: Vec::new(),
                c,
                ns: None,
                s: None,
                sa: Vec::new(),
                css: None,
                d: None,
            },
        }
    }

    fn text(i: u32, x: &str) -> Node {
        Node {
            i,
            kind: NodeKind::Text { x: x.into() },
        }
    }

    /// Feeds `node` and its subtree to the writer in the widget's walk order.
    fn feed(w: &mut KeyframeWriter, parent: Option<usize>, slot: Slot, node: &Node) {
        let at = w.push(parent, slot, node);
        if let NodeKind::Element { c, s, d, .. } = &node.kind {
            for child in c {
                feed(w, Some(at), Slot::Child, child);
            }
            for child in s.iter().flatten() {
                feed(w, Some(at), Slot::Shadow, child);
            }
            if let Some(doc) = d {
                feed(w, Some(at), Slot::Doc, doc);
            }
        }
    }

    fn page() -> Keyframe {
        let mut host = el(10, "x-card", vec![text(11, "light")]);
        if let NodeKind::Element { s, sa, .. } = &mut host.kind {
            *s = Some(vec![el(12, "slot", vec![]), text(13, "shadow \"text\"")]);
            *sa = vec![":host{display:block}".into()];
        }
        let mut empty_host = el(14, "x-empty", vec![]);
        if let NodeKind::Element { s, .. } = &mut empty_host.kind {
            *s = Some(Vec::new());
        }
        let mut frame = el(20, "iframe", vec![]);
        if let NodeKind::Element { d, a, .. } = &mut frame.kind {
            *d = Some(Box::new(el(
                21,
                "html",
                vec![el(22, "body", vec![text(23, "inner")])],
            )));
            *a = vec![("src".into(), "/frame.html".into())];
        }
        let mut svg = el(30, "svg", vec![el(31, "circle", vec![])]);
        if let NodeKind::Element { ns, .. } = &mut svg.kind {
            *ns = Some("svg".into());
        }
        let mut style = el(40, "style", vec![]);
        if let NodeKind::Element { css, .. } = &mut style.kind {
            *css = Some("p{color:red}\n/* </style> */".into());
        }
        let mut p = el(
            50,
            "p",
            vec![text(51, "caf\u{e9} \u{1f600} <b>&amp;</b>\t\u{1}")],
        );
        if let NodeKind::Element { a, .. } = &mut p.kind {
            *a = vec![
                ("class".into(), "lead".into()),
                ("data-x".into(), "\\\"'".into()),
            ];
        }
        let body = el(
            3,
            "body",
            vec![host, empty_host, frame, svg, p, el(60, "hr", vec![])],
        );
        Keyframe {
            url: "https://shop.example/a?b=1".into(),
            title: "Shop — \"home\"".into(),
            vw: 1280,
            vh: 720,
            sx: 0.0,
            sy: 120.5,
            doctype: Some("html".into()),
            root: el(1, "html", vec![el(2, "head", vec![style]), body]),
            adopted: vec!["body{margin:0}".into()],
        }
    }

    #[test]
    fn streamed_keyframe_parses_as_the_model() {
        let page = page();
        let mut w = KeyframeWriter::new(b"HEAD".to_vec());
        feed(&mut w, None, Slot::Child, &page.root);
        let bytes = w.finish(&page).unwrap();
        assert_eq!(&bytes[..4], b"HEAD");
        let parsed: Keyframe = serde_json::from_slice(&bytes[4..]).unwrap();
        assert_eq!(parsed, page);
        // The same members and values as serde_json's own output.
        let ours: serde_json::Value = serde_json::from_slice(&bytes[4..]).unwrap();
        assert_eq!(ours, serde_json::to_value(&page).unwrap());
    }

    #[test]
    fn optional_page_details_are_left_out_like_serde_does() {
        let mut page = page();
        page.doctype = None;
        page.adopted.clear();
        page.root = text(1, "only");
        let mut w = KeyframeWriter::new(Vec::new());
        feed(&mut w, None, Slot::Child, &page.root);
        let bytes = w.finish(&page).unwrap();
        let json = String::from_utf8(bytes).unwrap();
        assert!(
            !json.contains("doctype") && !json.contains("adopted"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Keyframe>(&json).unwrap(), page);
    }

    #[test]
    fn nothing_written_gives_no_keyframe() {
        assert!(KeyframeWriter::new(Vec::new()).finish(&page()).is_none());
    }
}

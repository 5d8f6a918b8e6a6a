//! From what changed ([`Dirty`]) to the ops of a delta.
//!
//! The ops are computed from the live DOM when the delta is built, against
//! [`Tree`](super::tree::Tree), our copy of what the mirror holds. So a
//! node changed ten times in a frame costs one op, and a snapshot taken in
//! slices while the page changed is repaired exactly by the next delta.
//!
//! Order inside a delta: structural ops (replacements and removals, then
//! additions), then texts, attributes, stylesheets, field states, scroll
//! positions, selection and pointer. Every op names a node the mirror has
//! at that point, or the mirror would (rightly) ask for a keyframe.

use protocol::cobrowse::Op;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, Node};

use super::dirty::{Dirty, take, take_attrs};
use super::forms::{field_is_secret, field_ops, radio_group};
use super::mask::{BLOCK_ATTR, MASK_ATTR, bullets, mask_text, masks_attribute};
use super::page::Page;
use super::snapshot::{Step, Walk};
use super::styles::{adopted_texts, attribute_value, owner_css};
use super::tree::{BLOCKED, DOC, Lookup, MASKED, OPAQUE, STYLE, Slot, TEXT, plan_children};
use crate::browser::{document, window};

/// Nodes a delta may serialise before a keyframe is the better answer.
pub const MAX_ADDED_NODES: usize = 4000;

/// Whether `el` is masked now, from its own attributes, the site's
/// selectors and its parent in the mirror.
pub(super) fn masked_now(page: &Page, el: &Element, parent: u32) -> bool {
    if page.tree.get(parent).is_some_and(|p| p.has(MASKED)) {
        return true;
    }
    if el.has_attribute(MASK_ATTR) || page.matches_mask(el) {
        return true;
    }
    let tag = el.local_name();
    let input_type = el.get_attribute("type").map(|t| t.to_ascii_lowercase());
    let was = tag == "input" && page.was_password.has(el);
    field_is_secret(
        &tag,
        input_type.as_deref(),
        el.get_attribute("autocomplete").as_deref(),
        was,
    )
}

/// Builds the ops for everything in `dirty` (which is emptied). Returns
/// false when a keyframe is needed instead; the ops are then meaningless.
pub fn diff(page: &mut Page, dirty: &mut Dirty, out: &mut Vec<Op>) -> bool {
    if dirty.keyframe || dirty.overflowing() {
        return false;
    }
    // Attribute changes that change masking or blocking: resend the element.
    let attrs = take_attrs(&mut dirty.attrs);
    let mut last = None;
    for (id, _) in &attrs {
        if last.replace(*id) == Some(*id) {
            continue;
        }
        let Some(e) = page.tree.get(*id) else {
            continue;
        };
        if e.has(TEXT) {
            continue;
        }
        let el: &Element = e.node.unchecked_ref();
        let blocked = el.has_attribute(BLOCK_ATTR);
        if blocked != e.has(BLOCKED)
            || (!blocked && masked_now(page, el, e.parent) != e.has(MASKED))
        {
            dirty.replace.push(*id);
        }
    }

    // Replacements: remove now, the parent's diff adds them back.
    for id in take(&mut dirty.replace) {
        let mut at = id;
        // Climb to an ancestor a delta can re-add: one in a child list or
        // a shadow root's top level (an iframe's document is not).
        while let Some(e) = page.tree.get(at)
            && e.slot == Slot::Doc
        {
            at = e.parent;
        }
        let Some(e) = page.tree.get(at) else { continue };
        if e.parent == DOC || !page.tree.contains(e.parent) {
            return false;
        }
        let (parent, slot) = (e.parent, e.slot);
        if page.tree.contains(at) {
            out.push(Op::Remove { i: at });
            page.tree.remove_subtree(at);
        }
        match slot {
            Slot::Shadow => dirty.shadows.push(parent),
            _ => dirty.children.push(parent),
        }
    }

    // Removals and moves, for every parent whose children (or shadow
    // root's top level) changed.
    let mut pending = Vec::new();
    let lists = take(&mut dirty.children)
        .into_iter()
        .map(|p| (p, Slot::Child))
        .chain(
            take(&mut dirty.shadows)
                .into_iter()
                .map(|p| (p, Slot::Shadow)),
        );
    for (parent, slot) in lists {
        let Some(e) = page.tree.get(parent) else {
            continue;
        };
        if e.has(OPAQUE) || e.has(TEXT) {
            continue;
        }
        let (old, container): (&[u32], Node) = match slot {
            Slot::Shadow => {
                let el: &Element = e.node.unchecked_ref();
                let Some(root) = el.shadow_root() else {
                    continue;
                };
                (&e.shadow, root.into())
            }
            _ => (&e.children, e.node.clone()),
        };
        let old: Vec<u32> = old
            .iter()
            .copied()
            .filter(|c| page.tree.contains(*c))
            .collect();
        let live = live_children(page, &container);
        let new: Vec<Option<u32>> = live
            .iter()
            .map(|n| match page.ids.lookup(n) {
                Lookup::Known(id)
                    if page
                        .tree
                        .get(id)
                        .is_some_and(|c| c.parent == parent && c.slot == slot) =>
                {
                    Some(id)
                }
                _ => None,
            })
            .collect();
        let (remove, keep) = plan_children(&old, &new);
        for r in remove {
            out.push(Op::Remove { i: r });
            page.tree.remove_subtree(r);
        }
        pending.push((parent, slot, live, new, keep));
    }

    // Additions, last child first so each can name its next sibling.
    let mut budget = MAX_ADDED_NODES;
    for (parent, slot, live, new, keep) in pending {
        let Some(e) = page.tree.get(parent) else {
            continue;
        };
        let masked = e.has(MASKED);
        let mut next: Option<u32> = None;
        let mut ids = Vec::with_capacity(live.len());
        for j in (0..live.len()).rev() {
            let id = if keep[j] {
                new[j].expect("kept children have ids")
            } else {
                if let Lookup::Known(id) = page.ids.lookup(&live[j])
                    && page.tree.contains(id)
                {
                    // Still mirrored somewhere else: our model is off.
                    return false;
                }
                let mut walk = Walk::new(live[j].clone(), parent, slot, masked);
                if walk.run(page, None, budget) == Step::TooBig {
                    return false;
                }
                budget -= walk.count.min(budget);
                let post = std::mem::take(&mut walk.post);
                let Some(n) = walk.finish() else { continue };
                let id = n.i;
                out.push(Op::Add {
                    p: parent,
                    b: next,
                    n,
                    s: slot == Slot::Shadow,
                });
                out.extend(post);
                id
            };
            next = Some(id);
            ids.push(id);
        }
        ids.reverse();
        if let Some(e) = page.tree.get_mut(parent) {
            match slot {
                Slot::Shadow => e.shadow = ids,
                _ => e.children = ids,
            }
        }
    }

    for id in take(&mut dirty.text) {
        let Some(e) = page.tree.get(id) else { continue };
        if !e.has(TEXT) {
            continue;
        }
        let data = e.node.node_value().unwrap_or_default();
        let x = if e.has(MASKED) {
            mask_text(&data)
        } else {
            data
        };
        out.push(Op::Text { i: id, x });
    }

    for (id, name) in attrs {
        let Some(e) = page.tree.get(id) else { continue };
        if e.has(TEXT) || e.has(BLOCKED) {
            continue;
        }
        let el: &Element = e.node.unchecked_ref();
        if e.has(STYLE) && matches!(name.as_str(), "href" | "rel" | "media" | "disabled") {
            dirty.css.push(id);
        }
        let v = el.get_attribute(&name).map(|v| {
            if e.has(MASKED) && masks_attribute(&name) {
                bullets(&v)
            } else {
                attribute_value(el, &name, v)
            }
        });
        out.push(Op::Attr { i: id, n: name, v });
    }

    for id in take(&mut dirty.css) {
        if let Some(e) = page.tree.get(id)
            && let Some(css) = owner_css(e.node.unchecked_ref())
        {
            out.push(Op::Css { i: id, css });
        }
    }

    if std::mem::take(&mut dirty.adopted) {
        let doc = document();
        let base = doc.base_uri().ok().flatten().unwrap_or_default();
        out.push(Op::Adopted {
            i: DOC,
            sheets: adopted_texts(&doc.adopted_style_sheets(), &base),
        });
        for host in page.tree.hosts() {
            if let Some(root) = page
                .tree
                .get(host)
                .map(|e| e.node.unchecked_ref::<Element>())
                .and_then(|e| e.shadow_root())
            {
                out.push(Op::Adopted {
                    i: host,
                    sheets: adopted_texts(&root.adopted_style_sheets(), &base),
                });
            }
        }
    }

    let mut fields = std::mem::take(&mut dirty.fields);
    // Checking a radio silently unchecks the rest of its group.
    let radios: Vec<Element> = fields
        .iter()
        .filter_map(|id| page.tree.get(*id))
        .filter(|e| !e.has(TEXT) && e.node.unchecked_ref::<Element>().local_name() == "input")
        .map(|e| e.node.unchecked_ref::<HtmlInputElement>())
        .flat_map(radio_group)
        .collect();
    for r in radios {
        if let Some(id) = page.ids.get(&r) {
            fields.push(id);
        }
    }
    for id in take(&mut fields) {
        let Some(e) = page.tree.get(id) else { continue };
        if e.has(TEXT) {
            continue;
        }
        let el: &Element = e.node.unchecked_ref();
        let tag = el.local_name();
        field_ops(el, &tag, id, e.has(MASKED), false, out);
        if tag == "select" && !e.has(MASKED) {
            // Options' selected states, for multiple selects.
            for option in e.children.clone() {
                if let Some(o) = page.tree.get(option)
                    && !o.has(TEXT)
                {
                    field_ops(o.node.unchecked_ref(), "option", option, false, false, out);
                }
            }
        }
    }

    out.append(&mut dirty.canvases);

    for id in take(&mut dirty.scroll) {
        if id == DOC {
            let w = window();
            out.push(Op::Scroll {
                i: DOC,
                x: w.scroll_x().unwrap_or(0.0),
                y: w.scroll_y().unwrap_or(0.0),
            });
        } else if let Some(e) = page.tree.get(id) {
            let el: &Element = e.node.unchecked_ref();
            out.push(Op::Scroll {
                i: id,
                x: el.scroll_left() as f64,
                y: el.scroll_top() as f64,
            });
        }
    }

    if std::mem::take(&mut dirty.selection) {
        out.push(Op::Selection { r: selection(page) });
    }
    if std::mem::take(&mut dirty.viewport) {
        let (w, h) = viewport();
        out.push(Op::Viewport { w, h });
    }
    if let Some((x, y)) = dirty.mouse.take() {
        out.push(Op::Mouse { x, y });
    }
    for (x, y) in dirty.clicks.drain(..) {
        out.push(Op::Click { x, y });
    }
    true
}

/// The children of `parent` the mirror can hold: elements and texts, not
/// the widget's own UI.
pub fn live_children(page: &Page, parent: &Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut next = parent.first_child();
    while let Some(n) = next {
        next = n.next_sibling();
        let t = n.node_type();
        if (t == Node::ELEMENT_NODE || t == Node::TEXT_NODE || t == Node::CDATA_SECTION_NODE)
            && !page.ids.is_ignored(&n)
        {
            out.push(n);
        }
    }
    out
}

/// The visitor's selection as (node, offset, node, offset) in mirrored nodes.
fn selection(page: &Page) -> Vec<(u32, u32, u32, u32)> {
    let Some(sel) = window().get_selection().ok().flatten() else {
        return Vec::new();
    };
    let known = |n: &Node| match page.ids.lookup(n) {
        Lookup::Known(id) if page.tree.contains(id) => Some(id),
        _ => None,
    };
    (0..sel.range_count())
        .filter_map(|i| sel.get_range_at(i).ok())
        .filter(|r| !r.collapsed())
        .filter_map(|r| {
            let a = known(&r.start_container().ok()?)?;
            let b = known(&r.end_container().ok()?)?;
            Some((a, r.start_offset().ok()?, b, r.end_offset().ok()?))
        })
        .collect()
}

pub fn viewport() -> (u32, u32) {
    let w = window();
    let px =
        |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
    (px(w.inner_width()), px(w.inner_height()))
}

/// A canvas as a data URL (WebP where supported), or `None` when it is
/// empty, huge, or tainted by cross-origin images.
pub fn canvas_image(el: &Element) -> Option<String> {
    let c = el.unchecked_ref::<HtmlCanvasElement>();
    let pixels = c.width() as u64 * c.height() as u64;
    if pixels == 0 || pixels > 4_000_000 {
        return None;
    }
    c.to_data_url_with_type_and_encoder_options("image/webp", &wasm_bindgen::JsValue::from_f64(0.7))
        .ok()
}

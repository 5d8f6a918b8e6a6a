//! Live audio level meters, one for each side of a call, through Web Audio
//! analysers. Ten times a second each meter writes its level (0 to 1) into
//! the CSS variable `--level` of its element; the page's CSS draws it. No
//! re-render of the app is involved.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

use crate::js::{self, AudioContext, AudioNode, MediaStream};

const TICK_MS: i32 = 100;
/// Samples read per tick (about 20 ms at 48 kHz).
const WINDOW: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Local,
    Remote,
}

#[derive(Default)]
struct Slot {
    source: Option<AudioNode>,
    analyser: Option<AudioNode>,
    element: Option<Element>,
}

pub struct Meters {
    ctx: AudioContext,
    slots: Rc<RefCell<[Slot; 2]>>,
    _tick: Closure<dyn FnMut()>,
    handle: i32,
}

impl Meters {
    /// `None` where Web Audio is unavailable: the call works without meters.
    pub fn new() -> Option<Meters> {
        let ctx = AudioContext::new().ok()?;
        // Started from a click, it runs; otherwise resume once allowed.
        let _ = ctx.resume();
        let slots: Rc<RefCell<[Slot; 2]>> = Rc::default();
        let s = Rc::clone(&slots);
        let mut buf = vec![0.0f32; WINDOW];
        let tick = Closure::<dyn FnMut()>::new(move || {
            for slot in s.borrow().iter() {
                if let (Some(a), Some(el)) = (&slot.analyser, &slot.element) {
                    a.get_float_time_domain_data(&mut buf);
                    show(el, level(&buf));
                }
            }
        });
        let handle = js::set_interval(tick.as_ref().unchecked_ref(), TICK_MS);
        Some(Meters {
            ctx,
            slots,
            _tick: tick,
            handle,
        })
    }

    /// Measures `stream` on `side` (none: the meter falls to zero).
    pub fn set_stream(&self, side: Side, stream: Option<&MediaStream>) {
        let mut slots = self.slots.borrow_mut();
        let slot = &mut slots[side as usize];
        if let Some(old) = slot.source.take() {
            old.disconnect();
        }
        slot.analyser = None;
        if let Some(stream) = stream
            && let Ok(source) = self.ctx.create_media_stream_source(stream)
        {
            let analyser = self.ctx.create_analyser();
            source.connect(&analyser);
            slot.source = Some(source);
            slot.analyser = Some(analyser);
        } else if let Some(el) = &slot.element {
            show(el, 0.0);
        }
    }

    /// Where the level of `side` is shown.
    pub fn set_element(&self, side: Side, element: Option<Element>) {
        self.slots.borrow_mut()[side as usize].element = element;
    }
}

impl Drop for Meters {
    fn drop(&mut self) {
        js::clear_interval(self.handle);
        let _ = self.ctx.close_context();
    }
}

fn show(el: &Element, level: f32) {
    // Hundredths by integer formatting: float formatting (and `log10`
    // below) would add kilobytes to the widget.
    let pct = (level * 100.0) as u32;
    let text = if pct >= 100 {
        "1".to_string()
    } else {
        format!("0.{pct:02}")
    };
    let _ = el
        .unchecked_ref::<HtmlElement>()
        .style()
        .set_property("--level", &text);
}

/// Loudness from samples in [-1, 1]: the RMS, square-rooted again so quiet
/// speech still moves the bar (roughly a 40 dB range), capped at 1.
pub fn level(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let mean = samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32;
    (mean.sqrt().sqrt() * 1.2).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::level;

    #[test]
    fn silence_is_empty_and_a_loud_tone_fills_the_bar() {
        assert_eq!(level(&[]), 0.0);
        assert_eq!(level(&[0.0; 64]), 0.0);
        let tone: Vec<f32> = (0..480).map(|i| (i as f32 * 0.13).sin() * 0.9).collect();
        assert!(level(&tone) > 0.9, "{}", level(&tone));
        let quiet: Vec<f32> = tone.iter().map(|s| s * 0.01).collect();
        assert!(
            level(&quiet) > 0.0 && level(&quiet) < 0.5,
            "{}",
            level(&quiet)
        );
    }
}

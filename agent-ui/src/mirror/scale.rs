//! Fitting the visitor's viewport into the agent's pane. The mirror is laid
//! out at the visitor's size (so text wraps where it wraps for them) and
//! scaled down with a CSS transform, keeping the aspect ratio. Pure, tested
//! natively.

/// Never enlarge: a small phone viewport stays crisp at 1:1.
pub const MAX_SCALE: f64 = 1.0;
/// Below this the mirror is unreadable anyway; keeps maths finite.
pub const MIN_SCALE: f64 = 0.05;

/// The scale at which a `vw`×`vh` viewport fits in `avail_w`×`avail_h`.
pub fn fit(avail_w: f64, avail_h: f64, vw: u32, vh: u32) -> f64 {
    // NaN sizes fail `is_finite`; zero or negative ones fail the comparison.
    let usable = |v: f64| v.is_finite() && v > 0.0;
    if vw == 0 || vh == 0 || !usable(avail_w) || !usable(avail_h) {
        return MIN_SCALE;
    }
    (avail_w / f64::from(vw))
        .min(avail_h / f64::from(vh))
        .clamp(MIN_SCALE, MAX_SCALE)
}

/// A point on the scaled mirror (pixels from its top-left corner) in the
/// visitor's viewport pixels.
pub fn to_page(x: f64, y: f64, scale: f64) -> (f64, f64) {
    (x / scale, y / scale)
}

/// Where a point falls in a box, as fractions clamped to 0..=1 (the
/// pointer is "this far into that element", never raw pixels).
pub fn fraction_in(x: f64, y: f64, left: f64, top: f64, width: f64, height: f64) -> (f32, f32) {
    let f = |v: f64, start: f64, len: f64| {
        if len > 0.0 {
            ((v - start) / len).clamp(0.0, 1.0) as f32
        } else {
            0.5
        }
    };
    (f(x, left, width), f(y, top, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_narrower_side_and_never_enlarges() {
        assert_eq!(fit(640.0, 800.0, 1280, 800), 0.5);
        assert_eq!(fit(1280.0, 400.0, 1280, 800), 0.5);
        assert_eq!(fit(2000.0, 2000.0, 390, 844), 1.0);
        assert_eq!(fit(0.0, 500.0, 1280, 800), MIN_SCALE);
        assert_eq!(fit(500.0, 500.0, 0, 800), MIN_SCALE);
    }

    #[test]
    fn pointer_positions_are_fractions_of_the_box() {
        assert_eq!(to_page(100.0, 50.0, 0.5), (200.0, 100.0));
        assert_eq!(
            fraction_in(150.0, 20.0, 100.0, 10.0, 100.0, 40.0),
            (0.5, 0.25)
        );
        assert_eq!(
            fraction_in(90.0, 90.0, 100.0, 10.0, 100.0, 40.0),
            (0.0, 1.0)
        );
        assert_eq!(fraction_in(5.0, 5.0, 0.0, 0.0, 0.0, 0.0), (0.5, 0.5));
    }
}

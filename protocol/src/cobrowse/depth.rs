//! How deep a page body nests, read before it is parsed: keyframes nest as
//! deep as the visitor's DOM, so the console parses them without serde_json's
//! recursion limit and refuses, by this count, a page deep enough to exhaust
//! the stack. Here, beside the page model, so the console and the fuzz target
//! (fuzz/fuzz_targets/page_body.rs) apply the same check.

/// Keyframes nest about two JSON levels per DOM level; deeper than this is
/// refused rather than risk the stack.
pub const MAX_KEYFRAME_DEPTH: usize = 1_500;

/// Deepest nesting of objects and arrays in a JSON text, strings skipped.
/// Checked before a keyframe is parsed so a pathological page cannot
/// exhaust the stack.
pub fn json_depth(json: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_skips_strings() {
        assert_eq!(json_depth(br#"{"a":[1,{"b":"[[[{{{"}]}"#), 3);
        assert_eq!(json_depth(br#""\"[""#), 0);
    }
}

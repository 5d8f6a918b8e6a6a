//! Stylesheets and URLs as the mirror needs them.
//!
//! The mirror lives on another origin, so every URL a captured page uses is
//! made absolute: attributes (`src`, `href`, `srcset`, `poster`, …), `url()`
//! in `style` attributes and in stylesheet rules. Stylesheets travel as the
//! text of their live CSSOM rules (which includes rules added with
//! `insertRule`) when the browser lets us read them; a cross-origin sheet
//! without CORS keeps only its absolute `href`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlLinkElement, HtmlStyleElement, StyleSheet};

#[wasm_bindgen(module = "/src/capture/hooks.js")]
extern "C" {
    fn sheet_text(sheet: &JsValue) -> Option<String>;
}

/// Attributes holding one URL.
pub fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "src" | "href" | "xlink:href" | "poster" | "action" | "formaction" | "data" | "background"
    )
}

/// Whether `url` needs resolving: not empty, not a fragment, not already
/// carrying a scheme (`https:`, `data:`, `javascript:`… are left as they are).
pub fn is_relative(url: &str) -> bool {
    let u = url.trim_start();
    if u.is_empty() || u.starts_with('#') {
        return false;
    }
    let mut chars = u.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() => {}
        _ => return true,
    }
    for (_, c) in chars {
        if c == ':' {
            return false;
        }
        if !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
            return true;
        }
    }
    true
}

/// `url` resolved against `base`; unchanged when it is not relative or
/// the browser cannot parse it.
pub fn absolute(url: &str, base: &str) -> String {
    if !is_relative(url) {
        return url.to_string();
    }
    web_sys::Url::new_with_base(url.trim(), base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_string())
}

/// Rewrites every `url(…)` in CSS text through `resolve`. Quoted and bare
/// forms are handled; the output always uses double quotes.
pub fn rewrite_css_urls(css: &str, mut resolve: impl FnMut(&str) -> String) -> String {
    let bytes = css.as_bytes();
    let mut out = String::with_capacity(css.len());
    let mut last = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if !bytes[i..i + 4].eq_ignore_ascii_case(b"url(") {
            i += 1;
            continue;
        }
        let mut j = i + 4;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let (start, end, after) = match bytes.get(j) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let mut k = j + 1;
                while k < bytes.len() && bytes[k] != q {
                    k += if bytes[k] == b'\\' { 2 } else { 1 };
                }
                let mut close = k + 1;
                while close < bytes.len() && bytes[close] != b')' {
                    close += 1;
                }
                (j + 1, k.min(bytes.len()), close + 1)
            }
            _ => {
                let mut k = j;
                while k < bytes.len() && bytes[k] != b')' {
                    k += 1;
                }
                let mut end = k;
                while end > j && bytes[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                (j, end, k + 1)
            }
        };
        let Some(url) = css.get(start..end) else {
            break;
        };
        if !is_relative(url) {
            i = after.min(bytes.len());
            continue;
        }
        out.push_str(&css[last..i]);
        out.push_str("url(\"");
        for c in resolve(&url.replace("\\", "")).chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\a "),
                c => out.push(c),
            }
        }
        out.push_str("\")");
        last = after.min(bytes.len());
        i = last;
    }
    out.push_str(&css[last..]);
    out
}

/// Rewrites a `srcset` list (`a.png 1x, b.png 2x`) through `resolve`.
pub fn rewrite_srcset(srcset: &str, mut resolve: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(srcset.len() + 32);
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let mut url = &rest[..end];
        rest = &rest[end..];
        let mut descriptor = "";
        if url.ends_with(',') {
            url = url.trim_end_matches(',');
        } else {
            let d_end = rest.find(',').unwrap_or(rest.len());
            descriptor = rest[..d_end].trim();
            rest = &rest[d_end..];
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&resolve(url));
        if !descriptor.is_empty() {
            out.push(' ');
            out.push_str(descriptor);
        }
    }
    out
}

/// An attribute value as the mirror needs it (URLs absolute). `base` is
/// fetched only when a relative URL needs it.
pub fn attribute_value(el: &Element, name: &str, value: String) -> String {
    if is_url_attribute(name) {
        if is_relative(&value) {
            return absolute(&value, &base_of(el));
        }
        return value;
    }
    match name {
        "srcset" | "imagesrcset" => {
            let base = base_of(el);
            rewrite_srcset(&value, |u| absolute(u, &base))
        }
        "style" if value.contains("url(") || value.contains("URL(") => {
            let base = base_of(el);
            rewrite_css_urls(&value, |u| absolute(u, &base))
        }
        _ => value,
    }
}

fn base_of(el: &Element) -> String {
    el.base_uri().ok().flatten().unwrap_or_default()
}

/// The CSS text of a `<style>` or `<link rel=stylesheet>` element, with
/// absolute URLs; `None` when unreadable (cross-origin) or not loaded yet.
pub fn owner_css(el: &Element) -> Option<String> {
    // By tag name, not `instanceof`: elements of same-origin iframes belong
    // to another window's classes.
    let (sheet, fallback): (Option<StyleSheet>, Option<String>) = match el.local_name().as_str() {
        "style" => {
            let style = el.unchecked_ref::<HtmlStyleElement>();
            (style.sheet(), style.text_content())
        }
        "link" => (el.unchecked_ref::<HtmlLinkElement>().sheet(), None),
        _ => (None, None),
    };
    let text = match &sheet {
        Some(s) => sheet_text(s).or(fallback)?,
        None => fallback?,
    };
    let base = sheet
        .and_then(|s| s.href().ok().flatten())
        .unwrap_or_else(|| base_of(el));
    Some(rewrite_css_urls(&text, |u| absolute(u, &base)))
}

/// Whether a `<link>` is a stylesheet.
pub fn is_stylesheet_link(el: &Element) -> bool {
    el.get_attribute("rel").is_some_and(|r| {
        r.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("stylesheet"))
    })
}

/// CSS texts of adopted (constructed) sheets, from `adoptedStyleSheets`.
pub fn adopted_texts(sheets: &js_sys::Array, base: &str) -> Vec<String> {
    sheets
        .iter()
        .filter_map(|s| sheet_text(&s))
        .map(|t| rewrite_css_urls(&t, |u| absolute(u, base)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(u: &str) -> String {
        format!("https://shop.test/{u}")
    }

    #[test]
    fn relative_urls() {
        assert!(is_relative("img/a.png"));
        assert!(is_relative("/a.png"));
        assert!(is_relative("//cdn.test/a.png"));
        assert!(is_relative("../a.png"));
        assert!(!is_relative("https://x.test/a.png"));
        assert!(!is_relative("data:image/png;base64,AAA"));
        assert!(!is_relative("javascript:alert(1)"));
        assert!(!is_relative("#icon"));
        assert!(!is_relative(""));
    }

    #[test]
    fn css_urls() {
        assert_eq!(
            rewrite_css_urls("a{background:url(img/a.png) no-repeat}", fake),
            "a{background:url(\"https://shop.test/img/a.png\") no-repeat}"
        );
        assert_eq!(
            rewrite_css_urls("b{x:URL( 'q.png' )}c{y:url(\"data:x\")}", fake),
            "b{x:url(\"https://shop.test/q.png\")}c{y:url(\"data:x\")}"
        );
        assert_eq!(
            rewrite_css_urls("@import url(\"base.css\");", fake),
            "@import url(\"https://shop.test/base.css\");"
        );
        // Unterminated input is left alone rather than mangled.
        assert_eq!(rewrite_css_urls("a{b:url(", fake), "a{b:url(");
        assert_eq!(rewrite_css_urls("no urls here", fake), "no urls here");
    }

    #[test]
    fn srcsets() {
        assert_eq!(
            rewrite_srcset("a.png 1x, b.png 2x", fake),
            "https://shop.test/a.png 1x, https://shop.test/b.png 2x"
        );
        assert_eq!(
            rewrite_srcset("  a.png, b.png 640w ,", fake),
            "https://shop.test/a.png, https://shop.test/b.png 640w"
        );
    }
}

//! What the mirror refuses to build (docs/security.md: the mirror runs none of the page's code): the visitor's
//! page is data, never code. These rules decide, per element and attribute,
//! what reaches the mirror document; pure functions, tested natively.
//!
//! The mirror is also sandboxed (`allow-same-origin` only) and inherits the
//! console's CSP, so none of this is the only line of defence; it is the one
//! that keeps the mirror's DOM free of live code in the first place.

/// How an element of the visitor's page is mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementPlan {
    /// Built as is (attributes still go through [`attribute`]).
    Keep,
    /// Replaced by an inert, hidden `<tandem-inert>` that remembers the tag:
    /// `<script>`, `<base>`, SVG `<handler>`.
    Inert,
    /// Replaced by a same-size `<tandem-embed>` box: plugins (`<object>`,
    /// `<embed>`, `<applet>`).
    Placeholder,
    /// A frame: built as a sandboxed, empty `<iframe>`; a same-origin frame's
    /// document is built into it, other frames stay blank.
    Frame,
}

/// The tag names the mirror uses for what it replaces.
pub const INERT_TAG: &str = "tandem-inert";
pub const EMBED_TAG: &str = "tandem-embed";
/// Attribute on replacements naming the original tag.
pub const WAS_ATTR: &str = "data-tandem-was";
/// The only sandbox a mirrored frame gets (as the mirror itself).
pub const FRAME_SANDBOX: &str = "allow-same-origin";

pub fn element(tag: &str) -> ElementPlan {
    match tag.to_ascii_lowercase().as_str() {
        "script" | "base" | "handler" => ElementPlan::Inert,
        "object" | "embed" | "applet" => ElementPlan::Placeholder,
        "iframe" | "frame" | "portal" | "fencedframe" => ElementPlan::Frame,
        _ => ElementPlan::Keep,
    }
}

/// Attributes the mirror sets itself and the page may neither change nor
/// remove: a frame's sandbox.
pub fn mirror_owned(tag: &str, name: &str) -> bool {
    name.eq_ignore_ascii_case("sandbox") && element(tag) == ElementPlan::Frame
}

/// Whether `createElement` accepts the name. Names the HTML parser allows but
/// the DOM does not (rare) are mirrored as `<tandem-inert>`.
pub fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || !c.is_ascii())
}

/// What becomes of one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrPlan {
    /// Set as sent.
    Keep,
    /// Left out (event handlers, dangerous URLs, navigation and refresh tricks).
    Drop,
    /// `style`: set through the CSSOM (the console's CSP blocks style
    /// attributes set as markup), after [`css_needs_scrub`].
    Style,
}

/// Attributes whose value is a URL a browser may load or navigate to.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "codebase",
    "lowsrc",
    "dynsrc",
    "manifest",
    "icon",
    "ping",
    "archive",
    "classid",
];

/// SVG animation elements can set another attribute (e.g. `href`) at run time.
const SVG_ANIMATIONS: &[&str] = &["set", "animate", "animatetransform", "animatemotion"];

/// `tag` and `name` as sent (any case); `value` the attribute's value.
pub fn attribute(tag: &str, name: &str, value: &str) -> AttrPlan {
    let tag = tag.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    if !valid_attribute_name(&name) || name.starts_with("on") {
        return AttrPlan::Drop;
    }
    match name.as_str() {
        // Inline documents, refresh/cookie pragmas, focus stealing.
        "srcdoc" | "http-equiv" | "autofocus" => return AttrPlan::Drop,
        "style" => return AttrPlan::Style,
        _ => {}
    }
    match tag.as_str() {
        // Frames never load anything from the visitor's site: a same-origin
        // frame's document arrives in the keyframe; the sandbox is ours.
        "iframe" | "frame" | "portal" | "fencedframe"
            if matches!(name.as_str(), "src" | "sandbox") =>
        {
            return AttrPlan::Drop;
        }
        // Stylesheets arrive as CSS text; other links (preload, prefetch,
        // icons) would make the agent's browser fetch from the visitor's site.
        "link" if name == "href" => return AttrPlan::Drop,
        t if SVG_ANIMATIONS.contains(&t) => {
            if name == "attributename"
                && matches!(
                    value.trim().to_ascii_lowercase().as_str(),
                    "href" | "xlink:href"
                )
            {
                return AttrPlan::Drop;
            }
            if matches!(name.as_str(), "to" | "from" | "values" | "by")
                && dangerous_url(value, false)
            {
                return AttrPlan::Drop;
            }
        }
        _ => {}
    }
    if URL_ATTRIBUTES.contains(&name.as_str()) {
        let image = matches!(
            tag.as_str(),
            "img" | "image" | "input" | "source" | "picture"
        ) && name == "src"
            || tag == "image" && name.ends_with("href");
        if dangerous_url(value, image) {
            return AttrPlan::Drop;
        }
    }
    AttrPlan::Keep
}

/// Whether `setAttribute` would accept the name (an XML name, roughly).
fn valid_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':' || !c.is_ascii())
        && chars.all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':') || !c.is_ascii()
        })
}

/// The namespace of a prefixed attribute on an SVG or MathML element
/// (`xlink:href` must be set in the XLink namespace to work).
pub fn attribute_namespace(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("xlink:") {
        Some("http://www.w3.org/1999/xlink")
    } else if lower.starts_with("xml:") {
        Some("http://www.w3.org/XML/1998/namespace")
    } else if lower == "xmlns" || lower.starts_with("xmlns:") {
        Some("http://www.w3.org/2000/xmlns/")
    } else {
        None
    }
}

/// A URL that would run code or show a document of its own when loaded or
/// followed: `javascript:`, `vbscript:`, and `data:` documents. `image` is
/// true where the URL can only ever be an image (SVG images run no script).
pub fn dangerous_url(value: &str, image: bool) -> bool {
    // Browsers strip leading C0 controls and spaces and remove tabs and
    // newlines anywhere before reading the scheme; do the same.
    let url: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if url.starts_with("javascript:")
        || url.starts_with("vbscript:")
        || url.starts_with("livescript:")
    {
        return true;
    }
    let Some(data) = url.strip_prefix("data:") else {
        return false;
    };
    let mime = data.trim_start();
    if image && mime.starts_with("image/") {
        return false;
    }
    let safe = [
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "font/",
        "application/font",
        "application/x-font",
        "audio/",
        "video/",
    ];
    !safe.iter().any(|s| mime.starts_with(s))
}

/// Whether CSS text may hold something to remove (script URLs, IE
/// expressions, behaviours, bindings). A cheap check on the text with CSS
/// escapes and comments undone; only when it says yes is the sheet walked
/// rule by rule in the browser's own parse (see `sheets::scrub`).
pub fn css_needs_scrub(css: &str) -> bool {
    let plain = css_plain(css);
    DANGEROUS_CSS.iter().any(|d| plain.contains(d))
}

/// One declaration value (as the browser serialised it) is dangerous.
pub fn dangerous_css_value(value: &str) -> bool {
    let plain = css_plain(value);
    DANGEROUS_CSS.iter().any(|d| plain.contains(d))
}

const DANGEROUS_CSS: &[&str] = &[
    "javascript:",
    "vbscript:",
    "expression(",
    "-moz-binding",
    "behavior:",
    "behaviour:",
];

/// Lower case, without comments, whitespace, quotes or escapes.
fn css_plain(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '\\' => {
                // A hex escape (1-6 digits and one optional space) or an escaped char.
                let mut hex = String::new();
                while hex.len() < 6 {
                    match chars.peek() {
                        Some(h) if h.is_ascii_hexdigit() => {
                            hex.push(*h);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                if hex.is_empty() {
                    if let Some(e) = chars.next() {
                        out.push(e.to_ascii_lowercase());
                    }
                } else {
                    if chars.peek().is_some_and(|c| c.is_whitespace()) {
                        chars.next();
                    }
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch.to_ascii_lowercase());
                    }
                }
            }
            c if c.is_whitespace() || c == '"' || c == '\'' => {}
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_bearing_elements_are_replaced() {
        assert_eq!(element("SCRIPT"), ElementPlan::Inert);
        assert_eq!(element("base"), ElementPlan::Inert);
        assert_eq!(element("embed"), ElementPlan::Placeholder);
        assert_eq!(element("object"), ElementPlan::Placeholder);
        assert_eq!(element("iframe"), ElementPlan::Frame);
        assert_eq!(element("div"), ElementPlan::Keep);
        assert!(valid_tag("my-widget") && valid_tag("h1") && !valid_tag("1x") && !valid_tag("a b"));
        assert!(mirror_owned("iframe", "SANDBOX") && !mirror_owned("div", "sandbox"));
    }

    #[test]
    fn handlers_and_script_urls_are_dropped() {
        assert_eq!(attribute("img", "onerror", "x()"), AttrPlan::Drop);
        assert_eq!(attribute("svg", "ONLOAD", "x()"), AttrPlan::Drop);
        assert_eq!(
            attribute("a", "href", "javascript:alert(1)"),
            AttrPlan::Drop
        );
        assert_eq!(
            attribute("a", "href", " \tjava\nscript:alert(1)"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("a", "href", "JaVaScRiPt:x"), AttrPlan::Drop);
        assert_eq!(attribute("form", "action", "vbscript:x"), AttrPlan::Drop);
        assert_eq!(
            attribute("button", "formaction", "javascript:x"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("a", "xlink:href", "javascript:x"), AttrPlan::Drop);
        assert_eq!(
            attribute("a", "href", "data:text/html,<script>x</script>"),
            AttrPlan::Drop
        );
        assert_eq!(
            attribute("iframe", "src", "https://example.com/"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("iframe", "srcdoc", "<b>x</b>"), AttrPlan::Drop);
        assert_eq!(
            attribute("iframe", "sandbox", "allow-scripts"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("meta", "http-equiv", "refresh"), AttrPlan::Drop);
        assert_eq!(attribute("input", "autofocus", ""), AttrPlan::Drop);
        assert_eq!(
            attribute("link", "href", "https://shop.example/a.css"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("set", "attributeName", "href"), AttrPlan::Drop);
        assert_eq!(
            attribute("animate", "values", "javascript:x;#"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("div", "@click", "x"), AttrPlan::Drop);
    }

    #[test]
    fn ordinary_attributes_and_urls_are_kept() {
        assert_eq!(
            attribute("a", "href", "https://shop.example/cart"),
            AttrPlan::Keep
        );
        assert_eq!(attribute("a", "href", "#top"), AttrPlan::Keep);
        assert_eq!(
            attribute("img", "src", "data:image/png;base64,AAAA"),
            AttrPlan::Keep
        );
        assert_eq!(
            attribute("img", "src", "data:image/svg+xml,<svg/>"),
            AttrPlan::Keep
        );
        assert_eq!(
            attribute("a", "href", "data:image/svg+xml,<svg/>"),
            AttrPlan::Drop
        );
        assert_eq!(attribute("div", "class", "javascript:"), AttrPlan::Keep);
        assert_eq!(attribute("div", "data-x", "1"), AttrPlan::Keep);
        assert_eq!(attribute("svg", "viewBox", "0 0 1 1"), AttrPlan::Keep);
        assert_eq!(attribute("p", "style", "color:red"), AttrPlan::Style);
        assert_eq!(attribute("use", ":class", "x"), AttrPlan::Keep);
    }

    #[test]
    fn prefixed_attributes_get_their_namespace() {
        assert_eq!(
            attribute_namespace("xlink:href"),
            Some("http://www.w3.org/1999/xlink")
        );
        assert_eq!(
            attribute_namespace("xml:lang"),
            Some("http://www.w3.org/XML/1998/namespace")
        );
        assert_eq!(
            attribute_namespace("xmlns:xlink"),
            Some("http://www.w3.org/2000/xmlns/")
        );
        assert_eq!(attribute_namespace("href"), None);
    }

    #[test]
    fn css_scrub_sees_through_escapes_and_comments() {
        assert!(!css_needs_scrub(
            "a{color:red;background:url(/x.png)} .i::before{content:\"\\f101\"}"
        ));
        assert!(css_needs_scrub("a{background:url(javascript:alert(1))}"));
        assert!(css_needs_scrub(
            "a{background:url('\\6a avascript:alert(1)')}"
        ));
        assert!(css_needs_scrub("a{width:expr/**/ession(alert(1))}"));
        assert!(css_needs_scrub("a{-moz-binding:url(x.xml#y)}"));
        assert!(dangerous_css_value("url(\"javascript:alert(1)\")"));
        assert!(!dangerous_css_value("url(\"https://x/y.png\")"));
    }
}

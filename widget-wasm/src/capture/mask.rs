//! What must never leave the visitor's device (docs/security.md: masking happens on the device), and
//! how it is replaced before a frame is built.
//!
//! Masked: password inputs (also after a "show password" toggle turned them
//! into text inputs), payment fields (`autocomplete="cc-*"`), hidden and
//! file inputs, one-time codes, and every element marked `data-tandem-mask`
//! or matched by the site's mask selectors, with all its descendants.
//! Blocked (`data-tandem-block`): the element becomes an empty placeholder
//! of the same size.
//!
//! Masked values and texts become bullets, one per UTF-16 unit, so the
//! mirror's boxes keep their size and selection offsets stay valid.

/// The masking character.
pub const BULLET: char = '•';

/// Attribute that masks an element and its subtree.
pub const MASK_ATTR: &str = "data-tandem-mask";
/// Attribute that replaces an element by a same-size placeholder.
pub const BLOCK_ATTR: &str = "data-tandem-block";

/// Bullets as long as `s` (in UTF-16 units, as the DOM counts).
pub fn bullets(s: &str) -> String {
    std::iter::repeat_n(BULLET, s.encode_utf16().count()).collect()
}

/// A masked text node: whitespace-only text (indentation between elements)
/// is kept, anything else becomes bullets.
pub fn mask_text(s: &str) -> String {
    if s.chars().all(char::is_whitespace) {
        s.to_string()
    } else {
        bullets(s)
    }
}

/// Whether an `<input>` of this `type` holds a value that must not be sent,
/// whatever its surroundings.
pub fn secret_input_type(input_type: &str) -> bool {
    matches!(
        input_type.trim().to_ascii_lowercase().as_str(),
        "password" | "hidden" | "file"
    )
}

/// Whether an `autocomplete` attribute names a payment or secret field:
/// any `cc-*` token (`cc-number`, `cc-csc`, `section-a billing cc-exp`…),
/// passwords and one-time codes.
pub fn secret_autocomplete(value: &str) -> bool {
    autocomplete_secret(value).is_some()
}

/// What kind of secret an `autocomplete` attribute names, if any.
pub fn autocomplete_secret(value: &str) -> Option<Secret> {
    value.split_ascii_whitespace().find_map(|token| {
        let t = token.to_ascii_lowercase();
        if t.starts_with("cc-") {
            Some(Secret::Payment)
        } else if t == "current-password" || t == "new-password" {
            Some(Secret::Password)
        } else if t == "one-time-code" {
            Some(Secret::OneTimeCode)
        } else {
            None
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    Payment,
    Password,
    OneTimeCode,
}

/// Attributes whose values are masked inside a masked element (they can
/// repeat what the element shows). `value` is masked on secret inputs too.
pub fn masks_attribute(name: &str) -> bool {
    matches!(
        name,
        "value"
            | "title"
            | "alt"
            | "label"
            | "aria-label"
            | "aria-valuetext"
            | "aria-description"
            | "aria-placeholder"
    )
}

/// The site's mask selectors (`Tandem.init({mask})`, `Tandem.mask()`), kept
/// as one selector list so that checking an element is a single `matches`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaskSelectors {
    list: Vec<String>,
}

impl MaskSelectors {
    pub fn add(&mut self, selector: &str) -> bool {
        let s = selector.trim();
        if s.is_empty() || self.list.iter().any(|x| x == s) {
            return false;
        }
        self.list.push(s.to_string());
        true
    }

    /// `a, b, c`, or `None` when the site gave none.
    pub fn joined(&self) -> Option<String> {
        (!self.list.is_empty()).then(|| self.list.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_keep_the_dom_length() {
        assert_eq!(bullets("hunter2"), "•••••••");
        assert_eq!(bullets(""), "");
        // An emoji is two UTF-16 units: two bullets, so DOM offsets still fit.
        assert_eq!(bullets("a😀"), "•••");
        assert_eq!(mask_text("\n    "), "\n    ");
        assert_eq!(mask_text(" 4111 1111 "), "•••••••••••");
    }

    #[test]
    fn secret_fields() {
        assert!(secret_input_type("password"));
        assert!(secret_input_type(" PASSWORD "));
        assert!(secret_input_type("hidden"));
        assert!(!secret_input_type("text"));
        assert!(!secret_input_type("email"));
        assert!(secret_autocomplete("cc-number"));
        assert!(secret_autocomplete("section-pay billing CC-CSC"));
        assert!(secret_autocomplete("current-password"));
        assert!(!secret_autocomplete("email"));
        assert!(!secret_autocomplete("off"));
        assert!(masks_attribute("value"));
        assert!(!masks_attribute("class"));
    }

    #[test]
    fn selectors_join_once() {
        let mut m = MaskSelectors::default();
        assert_eq!(m.joined(), None);
        assert!(m.add(".secret"));
        assert!(!m.add(" .secret "));
        assert!(m.add("#ssn"));
        assert!(!m.add("  "));
        assert_eq!(m.joined().as_deref(), Some(".secret, #ssn"));
    }
}

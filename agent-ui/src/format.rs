//! Turning wire values into the short strings the console shows. Pure, so
//! the edge cases (no name, odd URLs, long text) are tested natively.

use protocol::{Millis, PageInfo};

/// "Ann Lee", or "Visitor 3f9a2c" when the site did not identify them.
pub fn visitor_label(name: Option<&str>, visitor_id: &str) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => format!("Visitor {}", short_id(visitor_id)),
    }
}

/// Six characters of an id, after any `v_`-style prefix: enough to tell two
/// anonymous visitors apart at a glance.
/// A disposition tag as people read it: "follow_up" → "Follow up".
pub fn disposition_label(tag: &str) -> String {
    let words = tag.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn short_id(id: &str) -> String {
    let tail = id.rsplit_once('_').map_or(id, |(_, tail)| tail);
    let tail = if tail.is_empty() { id } else { tail };
    tail.chars().take(6).collect()
}

/// Up to two letters for the avatar circle.
pub fn initials(label: &str) -> String {
    let mut words = label.split_whitespace();
    let first = words.next().and_then(|w| w.chars().next());
    let last = words.last().and_then(|w| w.chars().next());
    match (first, last) {
        // "Visitor 3f9a2c" would give "V3"; a single letter reads better.
        _ if label.starts_with("Visitor ") => "V".into(),
        (Some(a), Some(b)) => format!("{a}{b}").to_uppercase(),
        (Some(a), None) => a.to_uppercase().collect(),
        _ => "?".into(),
    }
}

/// "shop.example.com/cart" from a full URL: scheme, query and fragment
/// removed, as agents recognise pages by host and path.
pub fn host_and_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let place = &rest[..end];
    place
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(place)
        .to_string()
}

/// The page's title, or its host and path when it has none.
pub fn page_title(page: &PageInfo) -> String {
    let title = page.title.trim();
    if title.is_empty() {
        host_and_path(&page.url)
    } else {
        title.to_string()
    }
}

/// Whether a visitor-supplied URL is safe to render as a link.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// At most `max` characters, with an ellipsis when cut. Whitespace runs
/// (including newlines) collapse so a preview stays on one line.
pub fn truncate(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Elapsed time as m:ss, or h:mm:ss past an hour. Negative values (clock
/// skew not yet corrected) show as 0:00.
pub fn elapsed(ms: Millis) -> String {
    let secs = ms.max(0) / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Where the visitor is, in words: "On the page", "Tab in the background",
/// "Left at 14:32" (`wall_time` writes the time).
pub fn visitor_presence(
    seen: &protocol::VisitorSeen,
    wall_time: impl Fn(Millis) -> String,
) -> String {
    match seen.presence {
        protocol::VisitorPresence::Here => "On the page".to_string(),
        protocol::VisitorPresence::Background => "Tab in the background".to_string(),
        protocol::VisitorPresence::Gone => format!("Left at {}", wall_time(seen.since)),
    }
}

/// The presence's name, for `data-presence` and styles.
pub fn visitor_presence_name(seen: &protocol::VisitorSeen) -> &'static str {
    match seen.presence {
        protocol::VisitorPresence::Here => "here",
        protocol::VisitorPresence::Background => "background",
        protocol::VisitorPresence::Gone => "gone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitors_presence_reads_as_words() {
        use protocol::{VisitorPresence, VisitorSeen};
        let seen = |presence| VisitorSeen {
            presence,
            since: 1_700_000_000_000,
        };
        let at = |ms: Millis| format!("@{}", ms / 1000);
        let here = seen(VisitorPresence::Here);
        assert_eq!(visitor_presence(&here, at), "On the page");
        assert_eq!(visitor_presence_name(&here), "here");
        let away = seen(VisitorPresence::Background);
        assert_eq!(visitor_presence(&away, at), "Tab in the background");
        let gone = seen(VisitorPresence::Gone);
        assert_eq!(visitor_presence(&gone, at), "Left at @1700000000");
        assert_eq!(visitor_presence_name(&gone), "gone");
    }

    #[test]
    fn disposition_tags_read_as_words() {
        assert_eq!(disposition_label("follow_up"), "Follow up");
        assert_eq!(disposition_label("sale"), "Sale");
        assert_eq!(disposition_label(""), "");
    }

    #[test]
    fn labels_fall_back_to_a_short_id() {
        assert_eq!(visitor_label(Some("Ann Lee"), "v_1"), "Ann Lee");
        assert_eq!(visitor_label(Some("  "), "v_3f9a2c77"), "Visitor 3f9a2c");
        assert_eq!(visitor_label(None, "abcdefgh"), "Visitor abcdef");
        assert_eq!(short_id("v_"), "v_");
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ann Marie Lee"), "AL");
        assert_eq!(initials("ann"), "A");
        assert_eq!(initials("Visitor 3f9a2c"), "V");
        assert_eq!(initials(""), "?");
    }

    #[test]
    fn host_and_path_drops_scheme_query_and_fragment() {
        assert_eq!(
            host_and_path("https://shop.example.com/cart?x=1#top"),
            "shop.example.com/cart"
        );
        assert_eq!(host_and_path("http://127.0.0.1:8081/"), "127.0.0.1:8081");
        assert_eq!(host_and_path("/relative/"), "/relative");
        assert_eq!(host_and_path(""), "");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://a.example/"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,x"));
    }

    #[test]
    fn truncate_flattens_and_cuts() {
        assert_eq!(truncate("a\n\nb", 10), "a b");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("héllo", 5), "héllo");
    }

    #[test]
    fn elapsed_formats() {
        assert_eq!(elapsed(-5), "00:00");
        assert_eq!(elapsed(65_000), "01:05");
        assert_eq!(elapsed(3_725_000), "1:02:05");
    }
}

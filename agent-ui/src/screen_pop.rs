//! The site's screen pop: the customer's page in its CRM, which the server
//! fills in (protocol `QueueItem.screen_pop`, `CustomerReply.screen_pop`).
//! Opened in a new tab when the agent accepts, and linked from the
//! customer panel.

/// Only web pages are opened: a `javascript:` URL would run in the console.
pub fn is_web(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Opens `url` in a new tab, with no way back to the console (`noopener`).
pub fn open(url: &str) {
    if !is_web(url) {
        return;
    }
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener,noreferrer");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_pages_open() {
        assert!(is_web("https://crm.example.com/c/1"));
        assert!(!is_web("javascript:alert(1)"));
        assert!(!is_web("data:text/html,x"));
    }
}

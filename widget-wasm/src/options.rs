//! What the site passes to `Tandem.init`, checked once at start-up.

use crate::decode::{Source, text};
use crate::i18n::{Locale, Strings};

/// `Tandem.init({...})` as received from JavaScript.
#[derive(Debug, Clone)]
pub struct RawOptions {
    pub site: String,
    /// Filled by tandem.js from its own URL when the site leaves it out.
    pub server: String,
    pub locale: Option<String>,
    pub topics: Option<Vec<Topic>>,
    /// Panel title shown before an agent joins.
    pub title: Option<String>,
    /// Accent colour (any CSS colour) for the launcher, header and buttons.
    pub color: Option<String>,
    /// CSS selectors of elements to mask when the visitor shares their screen.
    pub mask: Vec<String>,
    /// Show a "Call" button so the visitor can start a voice call (the
    /// site's voice setting on the server must allow it too).
    pub call_button: bool,
}

impl RawOptions {
    /// Reads the object given to `Tandem.init`. Fields of the wrong type
    /// count as absent, except `topics` and `mask`, whose mistakes are
    /// reported (a silently ignored mask would be a privacy surprise).
    pub fn read<S: Source>(v: &S) -> Result<RawOptions, String> {
        let topics = match v.get("topics") {
            None => None,
            Some(list) if list.is_array() => Some(
                list.items()
                    .iter()
                    .filter_map(|t| {
                        Some(Topic {
                            id: text(t, "id")?,
                            label: text(t, "label")?,
                        })
                    })
                    .collect(),
            ),
            Some(_) => return Err("Tandem.init: `topics` must be an array of {id, label}".into()),
        };
        let mask = match v.get("mask") {
            None => Vec::new(),
            Some(list) => {
                let items = list.items();
                let selectors: Vec<String> = items.iter().filter_map(|s| s.string()).collect();
                if !list.is_array() || selectors.len() != items.len() {
                    return Err("Tandem.init: `mask` must be an array of CSS selectors".into());
                }
                selectors
            }
        };
        Ok(RawOptions {
            site: text(v, "site").unwrap_or_default(),
            server: text(v, "server").unwrap_or_default(),
            locale: text(v, "locale"),
            topics,
            title: text(v, "title"),
            color: text(v, "color"),
            mask,
            call_button: v
                .get("callButton")
                .and_then(|b| b.boolean())
                .unwrap_or(false),
        })
    }
}

/// One entry of the topic menu; `id` is what the server and agents see.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub id: String,
    pub label: String,
}

/// Options after validation and defaults.
#[derive(Debug, Clone)]
pub struct Options {
    pub site: String,
    /// `ws(s)://host[:port]/ws/visitor?site=…`
    pub socket_url: String,
    pub locale: Locale,
    pub topics: Vec<Topic>,
    pub title: Option<String>,
    pub color: Option<String>,
    pub mask: Vec<String>,
    pub call_button: bool,
}

impl Options {
    /// Checks `raw`; `browser_language` is `navigator.language`, used when
    /// the site does not choose a locale.
    pub fn resolve(raw: RawOptions, browser_language: Option<String>) -> Result<Options, String> {
        let site = raw.site.trim().to_string();
        if site.is_empty() {
            return Err("Tandem.init: `site` is required".into());
        }
        let locale = Locale::from_tag(
            raw.locale
                .as_deref()
                .or(browser_language.as_deref())
                .unwrap_or("en"),
        );
        let topics = match raw.topics {
            Some(list) => list
                .into_iter()
                .filter(|t| !t.id.trim().is_empty())
                .collect(),
            None => default_topics(locale.strings()),
        };
        Ok(Options {
            socket_url: socket_url(&raw.server, &site)?,
            site,
            locale,
            topics,
            title: raw.title.filter(|t| !t.trim().is_empty()),
            color: raw.color.filter(|c| !c.trim().is_empty()),
            mask: raw.mask,
            call_button: raw.call_button,
        })
    }

    /// localStorage key of the visitor's token, per site so two Tandem sites
    /// on one origin do not share a visitor.
    pub fn token_key(&self) -> String {
        format!("tandem.{}.token", self.site)
    }

    /// sessionStorage key remembering whether the panel was open.
    pub fn open_key(&self) -> String {
        format!("tandem.{}.open", self.site)
    }

    /// sessionStorage key holding the session this tab shares its screen
    /// in, so sharing continues on the next page without a new request.
    pub fn share_key(&self) -> String {
        format!("tandem.{}.share", self.site)
    }

    /// sessionStorage key of the co-browse epoch counter (grows across pages).
    pub fn epoch_key(&self) -> String {
        format!("tandem.{}.epoch", self.site)
    }
}

fn default_topics(s: &Strings) -> Vec<Topic> {
    s.default_topics()
        .iter()
        .map(|(id, label)| Topic {
            id: id.to_string(),
            label: label.to_string(),
        })
        .collect()
}

/// `http://host` → `ws://host/ws/visitor?site=<site>` (https → wss).
fn socket_url(server: &str, site: &str) -> Result<String, String> {
    let server = server.trim().trim_end_matches('/');
    let rest = if let Some(rest) = server.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = server.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if server.starts_with("wss://") || server.starts_with("ws://") {
        server.to_string()
    } else {
        return Err(format!(
            "Tandem.init: `server` must be an http(s) URL, got {}",
            serde_json::Value::from(server)
        ));
    };
    Ok(format!("{rest}/ws/visitor?site={}", encode_component(site)))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(site: &str, server: &str) -> RawOptions {
        RawOptions {
            site: site.into(),
            server: server.into(),
            locale: None,
            topics: None,
            title: None,
            color: None,
            mask: Vec::new(),
            call_button: false,
        }
    }

    #[test]
    fn builds_socket_urls() {
        assert_eq!(
            socket_url("http://127.0.0.1:8080/", "demo").unwrap(),
            "ws://127.0.0.1:8080/ws/visitor?site=demo"
        );
        assert_eq!(
            socket_url("https://help.shop.fr", "a b").unwrap(),
            "wss://help.shop.fr/ws/visitor?site=a%20b"
        );
        assert!(socket_url("ftp://x", "demo").is_err());
    }

    #[test]
    fn defaults_topics_in_the_chosen_language() {
        let o = Options::resolve(raw("demo", "http://x"), Some("fr-FR".into())).unwrap();
        assert_eq!(o.locale, Locale::Fr);
        assert_eq!(o.topics.len(), 4);
        assert_eq!(
            o.topics[1],
            Topic {
                id: "billing".into(),
                label: "Facturation et paiement".into()
            }
        );
        assert_eq!(o.token_key(), "tandem.demo.token");
    }

    #[test]
    fn explicit_locale_and_topics_win() {
        let mut r = raw("demo", "http://x");
        r.locale = Some("en-US".into());
        r.topics = Some(vec![Topic {
            id: "returns".into(),
            label: "Returns".into(),
        }]);
        let o = Options::resolve(r, Some("fr".into())).unwrap();
        assert_eq!(o.locale, Locale::En);
        assert_eq!(
            o.topics,
            vec![Topic {
                id: "returns".into(),
                label: "Returns".into()
            }]
        );
    }

    #[test]
    fn reads_init_options_and_refuses_bad_masks() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"site":"demo","server":"http://x","topics":[{"id":"a","label":"A"},{"id":"b"}],"mask":[".secret"],"color":7}"#,
        )
        .unwrap();
        let r = RawOptions::read(&v).unwrap();
        assert_eq!(r.site, "demo");
        assert_eq!(
            r.topics.unwrap().len(),
            1,
            "an entry without a label is dropped"
        );
        assert_eq!(r.mask, vec![".secret".to_string()]);
        assert_eq!(r.color, None, "a colour that is not a string is ignored");
        let bad: serde_json::Value =
            serde_json::from_str(r#"{"site":"demo","mask":".secret"}"#).unwrap();
        assert!(RawOptions::read(&bad).is_err());
        let bad: serde_json::Value =
            serde_json::from_str(r#"{"site":"demo","mask":[".a",3]}"#).unwrap();
        assert!(RawOptions::read(&bad).is_err());
    }

    #[test]
    fn site_is_required() {
        assert!(Options::resolve(raw(" ", "http://x"), None).is_err());
    }
}

//! When nobody can answer: the visitor leaves a message for an email reply,
//! or asks to be called back, by phone at a chosen time or here in the
//! browser as soon as an agent frees up. A callback keeps its session in the
//! queue; the distributor offers it to agents once it is due, like a request.

use serde::{Deserialize, Serialize};

use crate::Millis;
use crate::limits::MAX_SHORT_CHARS;

/// How far ahead a phone callback may be booked.
pub const MAX_CALLBACK_AHEAD_MS: Millis = 14 * 24 * 3600 * 1000;
/// Longest phone number accepted, in characters (spaces and dashes included).
pub const MAX_PHONE_CHARS: usize = 32;

/// How the visitor wants to hear back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Callback {
    /// Leave a message: an agent answers by email.
    Message {
        /// The address to answer (≤ 200 characters); empty once erased for privacy.
        email: String,
    },
    /// A phone call, at `at` or as soon as possible when absent.
    Phone {
        /// The number to call: 6 to 20 digits, ≤ 32 characters; empty once erased.
        phone: String,
        /// When to call (ms since the epoch, at most 14 days ahead); absent for
        /// as soon as possible.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Millis>,
    },
    /// A chat in the browser as soon as an agent is free; the visitor may
    /// browse on or leave, and finds the answer when they come back.
    Browser,
}

impl Callback {
    /// When routing should start offering it, given when it was asked for.
    pub fn due_at(&self, asked_at: Millis) -> Millis {
        match self {
            Callback::Phone { at: Some(at), .. } => (*at).max(asked_at),
            _ => asked_at,
        }
    }

    /// Checks the contact details (the frame decoder does this much).
    pub fn validate_contact(&self) -> Result<(), String> {
        match self {
            Callback::Message { email }
                if email.chars().count() > MAX_SHORT_CHARS || !looks_like_email(email) =>
            {
                Err("email must be an address like ann@example.com".into())
            }
            Callback::Phone { phone, .. } if !looks_like_phone(phone) => Err(
                "phone must be a number of 6 to 20 digits, optionally with + ( ) - and spaces"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    /// Checks the contact details, and the booked time against `now`.
    pub fn validate(&self, now: Millis) -> Result<(), String> {
        self.validate_contact()?;
        match self {
            // A minute of slack for clocks that disagree a little.
            Callback::Phone { at: Some(at), .. } if *at < now - 60_000 => {
                Err("the time for the call back has already passed".into())
            }
            Callback::Phone { at: Some(at), .. } if *at > now + MAX_CALLBACK_AHEAD_MS => {
                Err("a call back can be booked at most 14 days ahead".into())
            }
            _ => Ok(()),
        }
    }
}

/// Why nobody can answer a waiting request right now; the widget then offers
/// to leave a message or be called back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// No agent who could take this request is online.
    NoAgents,
    /// Outside the site's opening hours.
    Closed,
    /// The estimated wait is over the site's limit.
    LongWait,
    /// The site's waiting line is full: the request waits outside it (no
    /// place yet, `position` 0) and joins it, oldest first, when room frees up.
    QueueFull,
}

impl Unavailable {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::NoAgents => "no_agents",
            Unavailable::Closed => "closed",
            Unavailable::LongWait => "long_wait",
            Unavailable::QueueFull => "queue_full",
        }
    }
}

/// One `@`, a non-empty local part, a dotted domain, no spaces: enough to
/// catch typing mistakes; the agent's mail client does the rest.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.chars().count() <= MAX_PHONE_CHARS
        && (6..=20).contains(&digits)
        && s.trim_start()
            .trim_start_matches('+')
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_checked() {
        let now = 1_000_000_000;
        let email = |e: &str| Callback::Message { email: e.into() }.validate(now);
        assert!(email("ann@example.com").is_ok());
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@x.io",
            "a@b@c.io",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        let phone = |p: &str, at| {
            Callback::Phone {
                phone: p.into(),
                at,
            }
            .validate(now)
        };
        assert!(phone("+33 6 12 34 56 78", None).is_ok());
        assert!(phone("(555) 123-4567", Some(now + 3_600_000)).is_ok());
        assert!(phone("12345", None).is_err());
        assert!(phone("call me", None).is_err());
        assert!(phone("+33 6 12 34 56 78", Some(now - 3_600_000)).is_err());
        assert!(phone("+33 6 12 34 56 78", Some(now + MAX_CALLBACK_AHEAD_MS + 1)).is_err());
        assert!(Callback::Browser.validate(now).is_ok());
    }

    #[test]
    fn due_when_asked_unless_booked_later() {
        let booked = Callback::Phone {
            phone: "0612345678".into(),
            at: Some(500),
        };
        assert_eq!(booked.due_at(100), 500);
        assert_eq!(booked.due_at(900), 900);
        assert_eq!(Callback::Browser.due_at(100), 100);
    }

    #[test]
    fn wire_shape() {
        let json = serde_json::to_string(&Callback::Phone {
            phone: "0612345678".into(),
            at: Some(5),
        })
        .unwrap();
        assert_eq!(json, r#"{"kind":"phone","phone":"0612345678","at":5}"#);
        assert_eq!(
            serde_json::to_string(&Unavailable::NoAgents).unwrap(),
            r#""no_agents""#
        );
    }

    #[test]
    fn unavailable_names_match_the_wire() {
        for u in [
            Unavailable::NoAgents,
            Unavailable::Closed,
            Unavailable::LongWait,
            Unavailable::QueueFull,
        ] {
            assert_eq!(
                serde_json::to_string(&u).unwrap(),
                format!("\"{}\"", u.as_str())
            );
        }
    }
}

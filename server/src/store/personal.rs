//! Personal data in stored rows: what is cut before a page address is
//! stored, and what erasure (`tandem visitor erase`, or a site's retention)
//! leaves of an event, a call-back and a visitor. Pure functions, so the
//! rules are read and tested in one place; the stores apply them.
//! docs/privacy.md states them for operators.

use protocol::{Callback, Event, EventBody, Role};

/// A visitor's identity once erased: nothing (what `touch_visitor` stores
/// for a visitor who never identified).
pub const NO_IDENTITY: &str = "{}";

/// The page address as stored: scheme, host and path. The query string and
/// fragment are cut (they carry search terms, order and reset tokens, emails
/// put there by marketing links), and so is any `user:password@`. The agent
/// still sees the full address live while the visitor shares it; what is
/// kept for later says which page, not what was on it.
pub fn stored_page_url(url: &str) -> String {
    let url = &url[..url.find(['?', '#']).unwrap_or(url.len())];
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        if let Some(at) = authority.rfind('@') {
            return format!("{scheme}://{}", &rest[at + 1..]);
        }
    }
    url.to_string()
}

/// The event as erasure leaves it, or `None` when it holds nothing personal.
///
/// The entry itself stays, with its `seq`, time and author: a session's log
/// has no gaps (a client resuming after seq n must get n+1, and wrap-ups
/// number from the last stored seq), and the transcript still shows that
/// something was said and when. What it said goes:
/// - messages and agents' notes become `redacted` (the kind visitors already
///   get for agents-only entries, so every reader copes with it);
/// - the topic of the request, a highlight's label, a page push's label, a
///   wrap-up's note and a call-back's contact are dropped, and pushed page
///   addresses are cut as [`stored_page_url`] cuts them;
/// - a visitor's display name is dropped; agents' names stay (they are the
///   centre's staff, and the transcript says who answered);
/// - lifecycle entries (joined, ended, transfers, sharing, calls, answers to
///   pushes) name only agents and roles and stay as they are.
pub fn erased_event(event: &Event) -> Option<Event> {
    let body = match &event.body {
        EventBody::Message { .. } | EventBody::Note { .. } => EventBody::Redacted,
        EventBody::Requested { .. } => EventBody::Requested { topic: None },
        EventBody::Highlight { node, .. } => EventBody::Highlight {
            node: *node,
            label: None,
        },
        EventBody::FormPush { push, url, fields } => EventBody::FormPush {
            push: *push,
            url: stored_page_url(url),
            fields: fields.clone(),
        },
        EventBody::PagePush { push, url, .. } => EventBody::PagePush {
            push: *push,
            url: stored_page_url(url),
            label: None,
        },
        EventBody::Callback { callback } => EventBody::Callback {
            callback: erased_callback(callback),
        },
        EventBody::Wrapup { disposition, .. } => EventBody::Wrapup {
            disposition: disposition.clone(),
            note: None,
        },
        // Field names and outcomes, never values (those are never sent).
        EventBody::FormAnswer { .. }
        | EventBody::AgentJoined { .. }
        | EventBody::Ended { .. }
        | EventBody::Share { .. }
        | EventBody::Transferred { .. }
        | EventBody::Redacted
        | EventBody::Call { .. }
        | EventBody::PageAnswer { .. } => event.body.clone(),
    };
    let author_name = match event.author {
        Role::Visitor => None,
        Role::Agent | Role::System => event.author_name.clone(),
    };
    (body != event.body || author_name != event.author_name).then(|| Event {
        author_name,
        body,
        ..event.clone()
    })
}

/// A call-back once erased: its kind and booked time stay (the transcript
/// says a call back was asked for), the email or phone number goes.
pub fn erased_callback(callback: &Callback) -> Callback {
    match callback {
        Callback::Message { .. } => Callback::Message {
            email: String::new(),
        },
        Callback::Phone { at, .. } => Callback::Phone {
            phone: String::new(),
            at: *at,
        },
        Callback::Browser => Callback::Browser,
    }
}

/// The columns a visitor is looked up by for export and erasure: the email
/// in lower case and the site's user id, verified or not.
pub fn lookup_keys(identity: &protocol::VisitorIdentity) -> (Option<String>, Option<String>) {
    (
        identity.email.as_deref().map(email_key),
        identity.id.clone(),
    )
}

/// An email as it is compared: trimmed, lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A call-back contact as it is compared: an email as [`email_key`], a phone
/// number as its digits (and leading +) without spaces, dashes, dots or
/// brackets; `None` for anything that is neither.
pub fn contact_key(contact: &str) -> Option<String> {
    let contact = contact.trim();
    if contact.contains('@') {
        return Some(email_key(contact));
    }
    let phone_like = contact
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = contact.chars().filter(char::is_ascii_digit).count();
    (phone_like && digits >= 6).then(|| {
        contact
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    })
}

/// The contact a call-back leaves, as [`contact_key`] compares it.
pub fn callback_contact(callback: &Callback) -> Option<String> {
    match callback {
        Callback::Message { email } => contact_key(email),
        Callback::Phone { phone, .. } => contact_key(phone),
        Callback::Browser => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_compare_by_lower_case_email_or_phone_digits() {
        assert_eq!(
            contact_key(" Ann@Example.COM ").as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(
            contact_key("+33 (6) 12-34.56.78").as_deref(),
            Some("+33612345678")
        );
        assert_eq!(
            contact_key("v_0123456789abcdef"),
            None,
            "a visitor id is no phone"
        );
        assert_eq!(contact_key("12345"), None, "too short");
    }

    #[test]
    fn page_urls_are_stored_without_query_fragment_or_credentials() {
        let cases = [
            (
                "https://shop.example/reset?token=s3cret&email=ann@x.org#top",
                "https://shop.example/reset",
            ),
            (
                "https://shop.example/cart#items",
                "https://shop.example/cart",
            ),
            (
                "https://ann:pw@shop.example/a/b",
                "https://shop.example/a/b",
            ),
            ("https://ann@shop.example?x=1", "https://shop.example"),
            ("https://shop.example/u/@ann", "https://shop.example/u/@ann"),
            ("https://shop.example/", "https://shop.example/"),
        ];
        for (given, stored) in cases {
            assert_eq!(stored_page_url(given), stored, "{given}");
        }
    }

    fn event(author: Role, body: EventBody) -> Event {
        Event {
            seq: 7,
            at: 70,
            author,
            author_name: Some("Ann Lee".into()),
            body,
        }
    }

    #[test]
    fn erasure_keeps_the_entry_and_drops_what_was_said() {
        let said = event(
            Role::Visitor,
            EventBody::Message {
                text: "my card ends 4242".into(),
                client_id: Some("c1".into()),
            },
        );
        let erased = erased_event(&said).expect("a message is personal");
        assert_eq!(
            (erased.seq, erased.at, erased.author),
            (7, 70, Role::Visitor)
        );
        assert_eq!(erased.body, EventBody::Redacted);
        assert_eq!(erased.author_name, None, "the visitor's name goes");

        let note = event(Role::Agent, EventBody::Note { text: "VIP".into() });
        let erased = erased_event(&note).unwrap();
        assert_eq!(erased.body, EventBody::Redacted);
        assert_eq!(
            erased.author_name.as_deref(),
            Some("Ann Lee"),
            "agents' names stay"
        );

        let wrapup = event(
            Role::Agent,
            EventBody::Wrapup {
                disposition: "resolved".into(),
                note: Some("lives at 3 Elm St".into()),
            },
        );
        assert_eq!(
            erased_event(&wrapup).unwrap().body,
            EventBody::Wrapup {
                disposition: "resolved".into(),
                note: None
            }
        );
        let callback = event(
            Role::Visitor,
            EventBody::Callback {
                callback: Callback::Phone {
                    phone: "+33 6 12 34 56 78".into(),
                    at: Some(5),
                },
            },
        );
        assert_eq!(
            erased_event(&callback).unwrap().body,
            EventBody::Callback {
                callback: Callback::Phone {
                    phone: String::new(),
                    at: Some(5)
                }
            }
        );
    }

    #[test]
    fn erasure_leaves_lifecycle_entries_alone_and_is_idempotent() {
        let ended = Event {
            author_name: None,
            ..event(Role::System, EventBody::Ended { by: Role::Visitor })
        };
        assert_eq!(erased_event(&ended), None);
        let said = event(
            Role::Visitor,
            EventBody::Message {
                text: "hi".into(),
                client_id: None,
            },
        );
        let once = erased_event(&said).unwrap();
        assert_eq!(erased_event(&once), None, "erasing twice changes nothing");
    }
}

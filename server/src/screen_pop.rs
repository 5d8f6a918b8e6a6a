//! Screen pop, as call centres call it: each site may name its CRM's page
//! for a customer as a URL template, e.g.
//! `https://crm.example.com/customers/{external_id}?email={email}`, and the
//! console opens it when an agent accepts a conversation with an
//! identified customer. The server fills the template (values
//! percent-encoded) so the console never builds URLs from visitor input.

use protocol::VisitorIdentity;

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = ["external_id", "email", "name", "visitor_id", "session_id"];
/// Longest template accepted.
pub const MAX_TEMPLATE_CHARS: usize = 2048;

/// Checks a template as an operator typed it; the reason when it is unusable.
pub fn check_template(template: &str) -> Result<(), String> {
    if template.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(format!(
            "the screen-pop URL is longer than {MAX_TEMPLATE_CHARS} characters"
        ));
    }
    if !(template.starts_with("https://") || template.starts_with("http://")) {
        return Err("the screen-pop URL must start with https:// (or http://)".into());
    }
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err("a { in the screen-pop URL is not closed".into());
        };
        let name = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "{{{name}}} is not a placeholder; use {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// The page for this customer, or `None` while the visitor is not
/// verified by the site or the template uses a value they did not give.
pub fn fill(
    template: &str,
    identity: &VisitorIdentity,
    visitor_id: &str,
    session_id: &str,
) -> Option<String> {
    if !identity.verified {
        return None;
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        out.push_str(&rest[..open]);
        let value = match &rest[open + 1..close] {
            "external_id" => identity.id.as_deref()?,
            "email" => identity.email.as_deref()?,
            "name" => identity.name.as_deref()?,
            "visitor_id" => visitor_id,
            "session_id" => session_id,
            _ => return None,
        };
        encode_into(&mut out, value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kim() -> VisitorIdentity {
        VisitorIdentity {
            id: Some("crm 77/x".into()),
            email: Some("kim+vip@example.com".into()),
            name: Some("Kim Lee".into()),
            verified: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_template_is_filled_with_encoded_values_only_for_identified_customers() {
        let t = "https://crm.example.com/customers/{external_id}?email={email}&s={session_id}";
        assert_eq!(check_template(t), Ok(()));
        assert_eq!(
            fill(t, &kim(), "v_1", "s_1").as_deref(),
            Some(
                "https://crm.example.com/customers/crm%2077%2Fx?email=kim%2Bvip%40example.com&s=s_1"
            )
        );
        assert_eq!(
            fill(t, &VisitorIdentity::default(), "v_1", "s_1"),
            None,
            "anonymous"
        );
        let claimed = VisitorIdentity {
            verified: false,
            ..kim()
        };
        assert_eq!(
            fill(t, &claimed, "v_1", "s_1"),
            None,
            "a claim the site did not sign"
        );
        let email_only = VisitorIdentity {
            email: Some("a@b.c".into()),
            verified: true,
            ..Default::default()
        };
        assert_eq!(
            fill(t, &email_only, "v_1", "s_1"),
            None,
            "a value the template needs is missing"
        );
        let by_email = "https://crm.example.com/search?q={email}";
        assert_eq!(
            fill(by_email, &email_only, "v", "s").as_deref(),
            Some("https://crm.example.com/search?q=a%40b.c")
        );
    }

    #[test]
    fn templates_with_unknown_placeholders_or_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)//{email}",
            "crm.example.com/{email}",
            "https://crm.example.com/{password}",
            "https://crm.example.com/{email",
        ] {
            assert!(check_template(bad).is_err(), "{bad}");
        }
    }
}

//! The API reference page (`/api/v1/docs`): the OpenAPI document rendered
//! as one static, accessible HTML page — authentication, the error codes
//! (each `Problem.type` points at its entry here), every operation by tag,
//! and every schema — so people read the same document programs do.

use std::fmt::Write;

use serde_json::Value;
use utoipa::openapi::OpenApi;

/// Every `code` a REST error carries, with what it means. Problem types
/// link to these entries (`#problem-<code>`); the integration tests check
/// that every code they meet is listed.
pub const PROBLEMS: &[(&str, &str)] = &[
    (
        "not_authenticated",
        "No token came, or it is unknown, expired or revoked (401).",
    ),
    (
        "bad_credentials",
        "Wrong email or password at sign-in (401).",
    ),
    (
        "forbidden",
        "The token's scope, or the agent's roles, do not allow this (403).",
    ),
    (
        "invalid_request",
        "A parameter or the body cannot be used; `detail` says which (400).",
    ),
    (
        "invalid_item",
        "A library item breaks a rule; `detail` says which (400).",
    ),
    ("too_large", "The body is over its limit (413)."),
    (
        "unsupported_media_type",
        "The body is not sent as `application/json` (415).",
    ),
    ("not_found", "No such path (404)."),
    (
        "method_not_allowed",
        "The path does not take this method; see `Allow` (405).",
    ),
    ("unknown_session", "No conversation has this id (404)."),
    ("unknown_customer", "No customer has this id (404)."),
    ("unknown_site", "No site has this id (404)."),
    ("unknown_item", "No library item has this id (404)."),
    (
        "unknown_token",
        "No API token has this id, or it is already revoked (404).",
    ),
    (
        "unknown_webhook",
        "No webhook subscription has this id (404).",
    ),
    (
        "unknown_delivery",
        "The subscription has no delivery with this id (404).",
    ),
    (
        "too_many_webhooks",
        "The deployment keeps at most 100 webhook subscriptions (409).",
    ),
    (
        "shortcut_taken",
        "Another canned response uses this shortcut (409).",
    ),
    (
        "library_full",
        "The library holds its most items, 2,000; remove some first (409).",
    ),
    (
        "session_open",
        "The customer's conversation has not ended; erase once it has (409).",
    ),
    (
        "too_many_tokens",
        "The deployment keeps at most 1,000 API tokens (409).",
    ),
    (
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being answered (409).",
    ),
    (
        "idempotency_key_used",
        "This Idempotency-Key made an API token already; its secret is not shown again (409).",
    ),
    (
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request (422).",
    ),
    (
        "too_many_attempts",
        "Too many failed sign-ins; wait for Retry-After (429).",
    ),
    (
        "busy",
        "Too many sign-ins at once; wait for Retry-After (429).",
    ),
    (
        "restarting",
        "A cluster is choosing the node that keeps the live figures; retry (503).",
    ),
    ("internal", "The server failed; nothing was done (500)."),
];

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;\
padding:1rem;color:#1a1a1a;background:#fff}code{font-family:ui-monospace,monospace;\
background:#f2f2f2;padding:0 .2em}table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}\
section{border-top:1px solid #bbb;margin-top:1.5rem}a{color:#0645ad}\
.method{font-weight:bold;text-transform:uppercase}";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline `code` spans of a description (its only markdown).
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A schema's type, with links to named schemas.
fn ty(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for (key, joint) in [("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            return list.iter().map(ty).collect::<Vec<_>>().join(joint);
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&v.to_string())))
            .collect();
        return format!("one of {}", names.join(", "));
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let named: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "array" => format!("array of {}", s.get("items").map(ty).unwrap_or_default()),
            "object" => match s.get("additionalProperties") {
                Some(v @ Value::Object(_)) => format!("map of {}", ty(v)),
                _ => "object".into(),
            },
            other => match s.get("format").and_then(Value::as_str) {
                Some(f) => format!("{other} ({f})"),
                None => other.to_string(),
            },
        })
        .collect();
    if named.is_empty() {
        "any".into()
    } else {
        named.join(" or ")
    }
}

/// What a property means: its own description or, for a reference without
/// one (utoipa gives `Option<Named>` fields none), the named schema's.
fn meaning(p: &Value, schemas: &Value) -> String {
    let own = str_of(p, "description");
    if !own.is_empty() {
        return prose(own);
    }
    let referenced = std::iter::once(p)
        .chain(["oneOf", "anyOf", "allOf"].iter().flat_map(|k| {
            p.get(*k)
                .and_then(Value::as_array)
                .map(|a| a.iter())
                .into_iter()
                .flatten()
        }))
        .find_map(|v| v.get("$ref").and_then(Value::as_str));
    referenced
        .and_then(|r| r.rsplit('/').next())
        .map(|name| prose(str_of(&schemas[name], "description")))
        .unwrap_or_default()
}

/// A table of an object schema's properties.
fn properties(out: &mut String, s: &Value, schemas: &Value) {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("<table><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Meaning</th></tr></thead><tbody>");
    for (name, p) in props {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            ty(p),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            meaning(p, schemas),
        );
    }
    out.push_str("</tbody></table>");
}

fn operation(out: &mut String, method: &str, path: &str, op: &Value) {
    let id = str_of(op, "operationId");
    let _ = write!(
        out,
        "<section id=\"op-{}\"><h3><span class=\"method\">{}</span> <code>{}</code></h3>",
        esc(id),
        esc(method),
        esc(path)
    );
    for key in ["summary", "description"] {
        if !str_of(op, key).is_empty() {
            let _ = write!(out, "<p>{}</p>", prose(str_of(op, key)));
        }
    }
    if op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .all(|r| r.as_object().is_some_and(|o| o.is_empty()))
        })
    {
        out.push_str("<p>No token needed.</p>");
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        out.push_str("<h4>Parameters</h4><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Meaning</th></tr></thead><tbody>");
        for p in params {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(str_of(p, "name")),
                esc(str_of(p, "in")),
                p.get("schema").map(ty).unwrap_or_default(),
                if p.get("required") == Some(&Value::Bool(true)) {
                    "yes"
                } else {
                    "no"
                },
                prose(str_of(p, "description")),
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = write!(
            out,
            "<h4>Body</h4><p>{} as <code>application/json</code></p>",
            ty(schema)
        );
    }
    out.push_str("<h4>Answers</h4><ul>");
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, r) in responses {
            let body = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .map(|s| format!(": {}", ty(s)))
                .unwrap_or_default();
            let status = if status == "default" {
                "Any error"
            } else {
                status
            };
            let _ = write!(
                out,
                "<li><strong>{}</strong> {}{}</li>",
                esc(status),
                prose(str_of(r, "description")),
                body
            );
        }
    }
    out.push_str("</ul></section>");
}

/// The whole page.
pub fn render(doc: &OpenApi) -> String {
    let v = serde_json::to_value(doc).expect("the document serialises");
    let title = esc(str_of(&v["info"], "title"));
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <h1>{title}</h1><p>{}</p><p>The same document for programs: \
         <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI {}).</p>",
        prose(str_of(&v["info"], "description")),
        esc(str_of(&v, "openapi")),
    );
    out.push_str(
        "<h2 id=\"authentication\">Authentication</h2><p>Send <code>Authorization: Bearer \
         &lt;token&gt;</code>. Integrations use API tokens (<code>tdm_…</code>), made by an admin \
         with a scope: <code>read</code> reads everything listed here, <code>write</code> also \
         changes the library, <code>admin</code> also manages tokens and exports or erases \
         customers' data. POSTs take an <code>Idempotency-Key</code> header: a retry with the \
         same key gets the first answer again for 24 hours.</p><h2 id=\"errors\">Errors</h2>\
         <p>Every error is <code>application/problem+json</code> (RFC 9457): <code>type</code>, \
         <code>title</code>, <code>status</code>, <code>detail</code> for people, and \
         <code>code</code> for programs:</p><dl>",
    );
    for (code, meaning) in PROBLEMS {
        let _ = write!(
            out,
            "<dt id=\"problem-{0}\"><code>{0}</code></dt><dd>{1}</dd>",
            esc(code),
            prose(meaning)
        );
    }
    out.push_str("</dl>");
    let tags: Vec<(String, String)> = v["tags"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| {
                    (
                        str_of(t, "name").to_string(),
                        str_of(t, "description").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let paths = v["paths"].as_object().cloned().unwrap_or_default();
    for (tag, about) in &tags {
        let _ = write!(out, "<h2 id=\"tag-{0}\">{1}</h2>", esc(tag), prose(about));
        for (path, item) in &paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let tagged = op["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x.as_str() == Some(tag.as_str())));
                if tagged {
                    operation(&mut out, method, path, op);
                }
            }
        }
    }
    out.push_str("<h2 id=\"schemas\">Schemas</h2>");
    let all = v
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_default();
    if let Some(schemas) = all.as_object() {
        for (name, s) in schemas {
            let _ = write!(out, "<section id=\"schema-{0}\"><h3>{0}</h3>", esc(name));
            if !str_of(s, "description").is_empty() {
                let _ = write!(out, "<p>{}</p>", prose(str_of(s, "description")));
            }
            if s.get("properties").is_some() {
                properties(&mut out, s, &all);
            } else if let Some(variants) = s.get("oneOf").and_then(Value::as_array) {
                out.push_str("<p>One of:</p><ul>");
                for variant in variants {
                    out.push_str("<li>");
                    if !str_of(variant, "description").is_empty() {
                        let _ = write!(out, "{}", prose(str_of(variant, "description")));
                    }
                    if variant.get("properties").is_some() {
                        properties(&mut out, variant, &all);
                    } else {
                        let _ = write!(out, " {}", ty(variant));
                    }
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            } else {
                let _ = write!(out, "<p>{}</p>", ty(s));
            }
            out.push_str("</section>");
        }
    }
    out.push_str("</main></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_reference_without_a_description_borrows_its_schemas() {
        let schemas = json!({"Wrapup": {"description": "How an agent closed a session off."}});
        let optional =
            json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Wrapup"}]});
        assert_eq!(
            meaning(&optional, &schemas),
            "How an agent closed a session off."
        );
        let own = json!({"description": "The `x`.", "$ref": "#/components/schemas/Wrapup"});
        assert_eq!(meaning(&own, &schemas), "The <code>x</code>.");
        assert_eq!(meaning(&json!({"type": "string"}), &schemas), "");
    }
}

//! `Rest`: a REST client for the tests that checks every answer against
//! the server's own OpenAPI document (`/api/v1/openapi.json`): the status
//! is documented for the operation (or covered by its `default`), the
//! media type is the documented one, and the body validates against the
//! schema. Error bodies must also name a code listed in the reference.

use std::collections::HashMap;
use std::sync::Mutex;

use reqwest::Method;
use serde_json::{Value, json};

/// One answer: status, headers and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub struct Rest {
    base: String,
    http: reqwest::Client,
    doc: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

impl Rest {
    /// Reads the server's document; `base` is like `http://127.0.0.1:1234`.
    pub async fn new(base: &str) -> Rest {
        let http = reqwest::Client::new();
        let doc: Value = http
            .get(format!("{base}/api/v1/openapi.json"))
            .send()
            .await
            .expect("the document is served")
            .json()
            .await
            .expect("the document is JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
        Rest {
            base: base.to_string(),
            http,
            doc,
            validators: Mutex::new(HashMap::new()),
        }
    }

    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Sends a request, checks the answer against the document, returns it.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let m = Method::from_bytes(method.as_bytes()).expect("a method");
        let mut req = self.http.request(m, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let kind = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("{method} {path}: {status} body is not JSON ({e}): {text}")
            })
        };
        if let Err(why) = self.conforms(method, path, status, &kind, &body) {
            panic!("{method} {path} answered {status} {body}: {why}");
        }
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call("GET", path, Some(token), None, &[]).await
    }

    /// The document's operation for a concrete path, and its template.
    fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        let path = path.split('?').next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths.iter().find_map(|(template, item)| {
            let t: Vec<&str> = template.split('/').collect();
            let fits = t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()));
            if fits {
                item.get(method.to_lowercase())
            } else {
                None
            }
        })
    }

    /// Whether an answer is as the document says: the status documented
    /// for the operation (or its `default`), the media type, the body's
    /// schema, and for errors a listed code.
    pub fn conforms(
        &self,
        method: &str,
        path: &str,
        status: u16,
        kind: &str,
        body: &Value,
    ) -> Result<(), String> {
        let media = kind.split(';').next().unwrap_or("").trim();
        let Some(op) = self.operation(method, path) else {
            // Only the router's refusals may answer a path the document lacks.
            if ![404, 405].contains(&status) {
                return Err("the document has no such operation".into());
            }
            if media != "application/problem+json" {
                return Err(format!("a refusal sent as {media:?}"));
            }
            return Self::problem(body);
        };
        let responses = &op["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .ok_or("status not documented")?;
        match response.get("content").and_then(Value::as_object) {
            None if body.is_null() => Ok(()),
            None => Err("documented without a body".into()),
            Some(content) => {
                let schema = &content
                    .get(media)
                    .ok_or_else(|| format!("media type {media:?} not documented"))?["schema"];
                self.validate(schema, body)?;
                if media == "application/problem+json" {
                    Self::problem(body)?;
                }
                Ok(())
            }
        }
    }

    fn problem(body: &Value) -> Result<(), String> {
        let code = body["code"].as_str().ok_or("a problem without a code")?;
        if !tandem_server::http::PROBLEMS
            .iter()
            .any(|(c, _)| *c == code)
        {
            return Err(format!("code {code:?} is not listed in the reference"));
        }
        if body["type"] != format!("/api/v1/docs#problem-{code}") {
            return Err(format!("type {} does not name code {code}", body["type"]));
        }
        Ok(())
    }

    fn validate(&self, schema: &Value, body: &Value) -> Result<(), String> {
        let key = schema.to_string();
        let validator = {
            let mut cache = self.validators.lock().unwrap();
            cache
                .entry(key)
                .or_insert_with(|| {
                    // The response's schema, with the document's components
                    // beside it so `#/components/schemas/…` resolves.
                    let mut root =
                        json!({"$schema": "https://json-schema.org/draft/2020-12/schema"});
                    root["allOf"] = json!([schema]);
                    root["components"] = self.doc["components"].clone();
                    std::sync::Arc::new(
                        jsonschema::validator_for(&root).expect("the document's schemas compile"),
                    )
                })
                .clone()
        };
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("not as documented: {errors:?}"))
        }
    }
}

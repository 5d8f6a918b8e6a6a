//! The REST calls the console makes: who am I, sign in, sign out, the team
//! figures, the customer panel and the library. The server keeps the
//! agent's session in an HttpOnly cookie, so every request goes same-origin
//! with credentials and no token is held in script. The bodies are the
//! server's own types, from `protocol::api`.

use protocol::api::{
    CustomerReply, LibraryReply, LoginReply, LoginRequest, MeReply, SupervisorReply,
};
use protocol::integration::Problem;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

pub use protocol::api::{Agent, AgentStatus, LibraryItem, LibraryKind};

/// Why a call failed, worded for the person at the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: not signed in, or wrong email/password.
    Unauthorized,
    /// The server answered with another error.
    Server { status: u16, message: String },
    /// No answer at all (server down, network gone).
    Network,
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthorized => {
                "That email and password don't match an agent account.".into()
            }
            ApiError::Server { status, message } if message.is_empty() => {
                format!("The server could not sign you in (HTTP {status}).")
            }
            ApiError::Server { message, .. } => message.clone(),
            ApiError::Network => {
                "Can't reach the Tandem server. Check your connection and try again.".into()
            }
        }
    }
}

/// `GET /api/v1/me`: the agent whose cookie this browser holds.
pub async fn me() -> Result<Agent, ApiError> {
    let (status, body) = call("GET", "/api/v1/me", None).await?;
    sign_in_reply::<MeReply>(status, &body).map(|r| r.agent)
}

/// `POST /api/v1/login`; on success the server also sets the cookie the
/// WebSocket uses.
pub async fn login(email: &str, password: &str) -> Result<Agent, ApiError> {
    let request = LoginRequest {
        email: email.into(),
        password: password.into(),
    };
    let body = serde_json::to_string(&request).unwrap_or_default();
    let (status, body) = call("POST", "/api/v1/login", Some(&body)).await?;
    sign_in_reply::<LoginReply>(status, &body).map(|r| r.agent)
}

/// `POST /api/v1/logout`: clears the cookie. Failing to reach the server is
/// reported so the console does not pretend the cookie is gone.
pub async fn logout() -> Result<(), ApiError> {
    let (status, body) = call("POST", "/api/v1/logout", None).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from(status, &body))
    }
}

/// `GET /api/v1/supervisor`: the day's figures and the live state.
pub async fn supervisor() -> Result<SupervisorReply, ApiError> {
    get_json("/api/v1/supervisor", "team figures").await
}

/// `GET /api/v1/roster`: every agent with their presence and load.
pub async fn roster() -> Result<Vec<AgentStatus>, ApiError> {
    let reply: protocol::api::RosterReply = get_json("/api/v1/roster", "colleagues").await?;
    Ok(reply.agents)
}

/// `GET /api/v1/sessions/{id}/customer`: who the visitor of `session` is,
/// what they looked at during this visit, and their earlier conversations.
pub async fn customer(session: &str) -> Result<CustomerReply, ApiError> {
    get_json(
        &format!("/api/v1/sessions/{session}/customer"),
        "customer details",
    )
    .await
}

/// A GET whose 200 reply is JSON of type `T`; `what` names it in errors.
async fn get_json<T: DeserializeOwned>(path: &str, what: &str) -> Result<T, ApiError> {
    let (status, body) = call("GET", path, None).await?;
    if status != 200 {
        return Err(error_from(status, &body));
    }
    serde_json::from_str(&body).map_err(|_| ApiError::Server {
        status,
        message: format!("The server sent {what} this console cannot read."),
    })
}

/// The 200 reply of `/me` or `/login` as `T`, or the error it reports.
fn sign_in_reply<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if status == 200 {
        serde_json::from_str::<T>(body).map_err(|e| ApiError::Server {
            status,
            message: format!("Unexpected reply from the server: {e}"),
        })
    } else {
        Err(error_from(status, body))
    }
}

fn error_from(status: u16, body: &str) -> ApiError {
    let reply = serde_json::from_str::<Problem>(body).ok();
    match (status, reply) {
        (401, _) => ApiError::Unauthorized,
        (_, Some(problem)) if problem.code == "bad_credentials" => ApiError::Unauthorized,
        (_, Some(problem)) => ApiError::Server {
            status,
            message: problem.detail,
        },
        (_, None) => ApiError::Server {
            status,
            message: String::new(),
        },
    }
}

/// One same-origin request; returns the status and the body text.
async fn call(method: &str, path: &str, json: Option<&str>) -> Result<(u16, String), ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(json) = json {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(json));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::Network)?;
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok((status, text))
}

/// `GET /api/v1/library`.
pub async fn library() -> Result<Vec<LibraryItem>, ApiError> {
    Ok(get_json::<LibraryReply>("/api/v1/library", "the library")
        .await?
        .items)
}

/// `POST /api/v1/library`: adds `item` (or replaces it when it has an id).
pub async fn save_library_item(item: &LibraryItem) -> Result<(), ApiError> {
    let body = serde_json::to_string(item).unwrap_or_default();
    let (status, reply) = call("POST", "/api/v1/library", Some(&body)).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from(status, &reply))
    }
}

/// `DELETE /api/v1/library/{id}`.
pub async fn delete_library_item(id: &str) -> Result<(), ApiError> {
    let (status, reply) = call("DELETE", &format!("/api/v1/library/{id}"), None).await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from(status, &reply))
    }
}

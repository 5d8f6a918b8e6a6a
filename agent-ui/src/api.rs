//! The REST calls the console makes: who am I, sign in, sign out. The
//! server keeps the agent's session in an HttpOnly cookie, so every request
//! goes same-origin with credentials and no token is held in script.

use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

/// The signed-in agent as the REST API describes them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Deserialize)]
struct AgentReply {
    agent: Agent,
}

#[derive(Deserialize)]
struct ErrorReply {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

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
    parse_agent(status, &body)
}

/// `POST /api/v1/login`; on success the server also sets the cookie the
/// WebSocket uses.
pub async fn login(email: &str, password: &str) -> Result<Agent, ApiError> {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let (status, body) = call("POST", "/api/v1/login", Some(&body)).await?;
    parse_agent(status, &body)
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

/// A colleague as the transfer dialog lists them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub presence: protocol::AgentPresence,
    pub connected: bool,
    pub open: u32,
    pub capacity: u32,
    #[serde(default)]
    pub skills: Vec<String>,
}

/// `GET /api/v1/supervisor`: the day's figures and the live state.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Supervisor {
    pub service_level_secs: u32,
    pub today: DayFigures,
    pub live: Live,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DayFigures {
    pub offered: u32,
    pub answered: u32,
    pub abandoned: u32,
    pub waiting: u32,
    pub service_level: Option<f64>,
    pub average_speed_of_answer_secs: Option<f64>,
    pub abandonment_rate: Option<f64>,
    pub average_handle_time_secs: Option<f64>,
    /// Sessions wrapped up with each disposition tag.
    #[serde(default)]
    pub dispositions: std::collections::BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Live {
    pub queues: std::collections::BTreeMap<String, SkillQueue>,
    pub agents: Vec<Colleague>,
    pub active_sessions: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SkillQueue {
    pub waiting: u32,
    pub longest_wait_secs: i64,
}

pub async fn supervisor() -> Result<Supervisor, ApiError> {
    get_json("/api/v1/supervisor", "team figures").await
}

/// Every agent with their presence and load.
pub async fn roster() -> Result<Vec<Colleague>, ApiError> {
    Ok(supervisor().await?.live.agents)
}

/// Who the visitor of `session` is, what they looked at during this visit,
/// and their earlier conversations.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Customer {
    pub visitor: Option<CustomerVisitor>,
    #[serde(default)]
    pub pages: Vec<PageVisit>,
    #[serde(default)]
    pub previous: Vec<PastChat>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerVisitor {
    pub id: String,
    pub identity: protocol::VisitorIdentity,
    pub first_seen_at: protocol::Millis,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PageVisit {
    pub url: String,
    #[serde(default)]
    pub title: String,
    pub at: protocol::Millis,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PastChat {
    pub session: protocol::SessionSummary,
    /// How the agent wrapped it up, when they did.
    #[serde(default)]
    pub wrapup: Option<Wrapup>,
    pub events: Vec<protocol::Event>,
}

/// A session's wrap-up as the REST API gives it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Wrapup {
    pub disposition: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `GET /api/v1/sessions/{id}/customer`.
pub async fn customer(session: &str) -> Result<Customer, ApiError> {
    get_json(
        &format!("/api/v1/sessions/{session}/customer"),
        "customer details",
    )
    .await
}

/// A GET whose 200 reply is JSON of type `T`; `what` names it in errors.
async fn get_json<T: serde::de::DeserializeOwned>(path: &str, what: &str) -> Result<T, ApiError> {
    let (status, body) = call("GET", path, None).await?;
    if status != 200 {
        return Err(error_from(status, &body));
    }
    serde_json::from_str(&body).map_err(|_| ApiError::Server {
        status,
        message: format!("The server sent {what} this console cannot read."),
    })
}

fn parse_agent(status: u16, body: &str) -> Result<Agent, ApiError> {
    if status == 200 {
        serde_json::from_str::<AgentReply>(body)
            .map(|r| r.agent)
            .map_err(|e| ApiError::Server {
                status,
                message: format!("Unexpected reply from the server: {e}"),
            })
    } else {
        Err(error_from(status, body))
    }
}

fn error_from(status: u16, body: &str) -> ApiError {
    let reply = serde_json::from_str::<ErrorReply>(body).ok();
    match (status, reply) {
        (401, _) => ApiError::Unauthorized,
        (_, Some(ErrorReply { error })) if error.code == "bad_credentials" => {
            ApiError::Unauthorized
        }
        (_, Some(ErrorReply { error })) => ApiError::Server {
            status,
            message: error.message,
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

pub use protocol::api::{LibraryItem, LibraryKind};

#[derive(Deserialize)]
struct LibraryReply {
    items: Vec<LibraryItem>,
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

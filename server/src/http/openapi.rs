//! The REST API's OpenAPI 3.1 document, generated from the handlers'
//! `#[utoipa::path]` attributes and the protocol's types (never written by
//! hand, so it cannot drift), served at `/api/v1/openapi.json`, with a
//! reference page for people at `/api/v1/docs` (api_reference.rs).

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use super::error::PROBLEM_JSON;
use super::state::AppState;
use super::{agents, conversations, customer_records, customers, library, login, sessions};
use super::{sites, supervisor, tokens, webhooks};
use protocol::integration::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem REST API",
        description = "Integrations (API tokens) and the agents' console (sign-in). \
            Every error is `application/problem+json` with a stable `code`.",
    ),
    paths(
        conversations::list, conversations::one, conversations::callbacks,
        customer_records::find, customer_records::one, customer_records::export_one,
        customer_records::erase,
        agents::accounts, sites::list, sites::one,
        library::list, library::put, library::remove,
        supervisor::figures_today,
        tokens::list, tokens::create, tokens::revoke,
        webhooks::list, webhooks::create, webhooks::remove, webhooks::deliveries,
        webhooks::redeliver,
        login::login, login::logout, agents::me, supervisor::supervisor, supervisor::roster,
        sessions::transcript, customers::customer,
    ),
    components(schemas(Problem, protocol::webhook::WebhookEvent)),
    modifiers(&Conventions),
    tags(
        (name = "conversations", description = "Conversations and their transcripts"),
        (name = "callbacks", description = "Call-backs and messages left while nobody could answer"),
        (name = "customers", description = "Customers, their history, export and erasure"),
        (name = "agents", description = "Agent accounts"),
        (name = "sites", description = "Sites that embed the widget"),
        (name = "library", description = "Canned responses and articles"),
        (name = "figures", description = "The day's figures"),
        (name = "tokens", description = "API tokens (admin)"),
        (name = "webhooks", description = "Webhook subscriptions and deliveries (admin); the delivered body is `WebhookEvent`"),
        (name = "console", description = "What the agents' console uses (agents' sign-in)"),
    ),
)]
pub struct ApiDoc;

/// What every operation shares: bearer authentication (unless it opts out
/// with `security(())`), and problem details for every error status.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`tdm_…`), or an agent's token from /api/v1/login",
                    ))
                    .build(),
            ),
        );
        doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        let problem = ResponseBuilder::new()
            .description("An error: see `code`, and the list of codes in the reference")
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        Problem::name(),
                    ))))
                    .build(),
            )
            .build();
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                op.responses
                    .responses
                    .insert("default".into(), RefOr::T(problem.clone()));
            }
        }
    }
}

/// The document, built once.
pub fn document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the document serialises")
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/docs", get(reference))
}

async fn openapi_json() -> Response {
    let mut res = document().into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn reference() -> Response {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let page = PAGE.get_or_init(|| super::api_reference::render(&ApiDoc::openapi()));
    let mut res = page.as_str().into_response();
    let headers = res.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Static HTML with its own inline style; nothing else may load or run.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    res
}

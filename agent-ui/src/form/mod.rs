//! Forms and pages on the agent's side: the form panel lists the fields of
//! the visitor's page (`form.fields`), the agent enters values and pushes
//! them (`form.push`) or proposes another page of the site (`page.push`);
//! the visitor's answers come back as entries of the chat log.
//!
//! - `state`: one session's form panel and the page address rule (pure)
//! - `actions`: what the agent's clicks send
//! - `inbound`: what `form.fields` and a form answer do
//! - `audit`: the log's sentences for pushes and answers (pure)

mod actions;
mod audit;
mod inbound;
mod state;

pub use actions::{
    close, is_open, open, push, refresh, select, select_node, send_page, set_draft, show_me,
};
pub use audit::{audit_text, problem_text};
pub use inbound::{fields_listed, refresh_if_open};
pub use state::{FormPanel, kind_text, page_url, value_text};

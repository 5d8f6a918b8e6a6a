//! The page renderer behind co-browsing: a live, sandboxed copy of the
//! visitor's page built from the page stream's keyframes and deltas. What
//! the console does with it (which session, when to ask for a replay, the
//! agent's pointer) is `crate::cobrowse`.
//!
//! - `stream`: which frames to apply (epoch and seq; gaps resynchronise)
//! - `sanitize`: what the mirror refuses to build (no script of the visitor's page ever runs here)
//! - `page`, `build`, `apply`: the mirror document and the node-id map
//! - `sheets`: the page's styles under the console's CSP
//! - `overlay`, `stage`: geometry, the scaled frame and what is drawn over it
//! - `scale`: fitting the visitor's viewport into the pane

mod apply;
mod build;
pub mod overlay;
pub mod page;
pub mod sanitize;
pub mod scale;
mod sheets;
pub mod stage;
pub mod stream;

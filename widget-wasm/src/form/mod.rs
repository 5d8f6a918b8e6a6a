//! Form push and page push on the visitor's side (nothing
//! changes without the visitor's yes).
//!
//! - `fields.rs`: the page's fields as the agent sees them;
//! - `apply.rs`: checking a push against the page and applying values so
//!   that the site's code notices.
//!
//! This file holds the prompts' state: a form push waiting for the
//! visitor's decision on each field, and a proposed page.

pub mod apply;
pub mod fields;

use protocol::{FieldError, FormOutcome};

use self::apply::Checked;

/// One proposed field in the prompt.
pub struct Proposed {
    pub field: Checked,
    pub label: String,
    /// The value as the visitor reads it.
    pub shown: String,
    /// `Some(true)` accepted, `Some(false)` rejected, `None` undecided.
    pub decision: Option<bool>,
}

/// A form push the visitor is deciding on.
pub struct Proposal {
    pub push: u32,
    pub by: Option<String>,
    pub fields: Vec<Proposed>,
}

/// What the widget answers once every field is decided.
pub struct Answer {
    pub outcome: FormOutcome,
    pub applied: Vec<String>,
    pub rejected: Vec<String>,
    pub errors: Vec<FieldError>,
}

impl Proposal {
    pub fn decide(&mut self, index: usize, accept: bool) {
        if let Some(f) = self.fields.get_mut(index) {
            f.decision.get_or_insert(accept);
        }
    }

    /// Accept all / Reject: decides every field still undecided.
    pub fn decide_rest(&mut self, accept: bool) {
        for f in &mut self.fields {
            f.decision.get_or_insert(accept);
        }
    }

    pub fn finished(&self) -> bool {
        self.fields.iter().all(|f| f.decision.is_some())
    }

    /// A key that changes whenever the prompt must be redrawn.
    pub fn signature(&self) -> (u32, Vec<Option<bool>>) {
        (self.push, self.fields.iter().map(|f| f.decision).collect())
    }

    /// Applies the accepted fields, in order, and sums up.
    pub fn apply(&self) -> Answer {
        let mut a = Answer {
            outcome: FormOutcome::Rejected,
            applied: Vec::new(),
            rejected: Vec::new(),
            errors: Vec::new(),
        };
        for f in &self.fields {
            let name = f.field.push.name.clone();
            match f.decision {
                Some(true) if apply::apply(&f.field) => a.applied.push(name),
                Some(true) => a.errors.push(FieldError {
                    node: f.field.push.node,
                    name,
                    reason: protocol::FieldProblem::Gone,
                }),
                _ => a.rejected.push(name),
            }
        }
        a.outcome = summarise(a.applied.len(), a.rejected.len(), a.errors.len());
        a
    }
}

/// The outcome from how many fields were applied, rejected and failed.
pub fn summarise(applied: usize, rejected: usize, failed: usize) -> FormOutcome {
    match (applied, rejected + failed) {
        (0, _) if failed > 0 => FormOutcome::Failed,
        (0, _) => FormOutcome::Rejected,
        (_, 0) => FormOutcome::Accepted,
        _ => FormOutcome::Partial,
    }
}

/// A page the agent proposes.
pub struct PagePrompt {
    pub push: u32,
    pub url: String,
    pub label: Option<String>,
    pub by: Option<String>,
}

/// `url` without its fragment: a push is for the page, not a place in it.
pub fn page_of(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(summarise(2, 0, 0), FormOutcome::Accepted);
        assert_eq!(summarise(1, 1, 0), FormOutcome::Partial);
        assert_eq!(summarise(0, 2, 0), FormOutcome::Rejected);
        assert_eq!(summarise(0, 0, 1), FormOutcome::Failed);
        assert_eq!(summarise(1, 0, 1), FormOutcome::Partial);
    }

    #[test]
    fn fragments_do_not_change_the_page() {
        assert_eq!(page_of("https://a.test/x?y=1#top"), "https://a.test/x?y=1");
        assert_eq!(page_of("https://a.test/x"), "https://a.test/x");
    }
}

//! What the server's form frames do: `form.fields` (the fields the visitor's
//! widget listed) fills the open panel; a form answer in the log lists the
//! fields again, as the visitor's page now has them.

use leptos::prelude::*;
use protocol::FormField;

use super::actions::{refresh, update};
use crate::state::Console;

/// `form.fields{session, url, fields}` from the widget.
pub fn fields_listed(console: Console, session: &str, url: String, fields: Vec<FormField>) {
    update(console, session, |p| p.set_fields(url, fields));
}

/// A form answer came in: a panel left open shows the fields as they are now.
pub fn refresh_if_open(console: Console, session: &str) {
    if console.forms.with_untracked(|f| f.contains_key(session)) {
        refresh(console, session);
    }
}

//! The card in which the visitor answers the agent before anything of
//! theirs is shared: the screen, or their voice. An icon, a
//! title, a text, a line of fine print, and two buttons: no, then yes.

use web_sys::{Document, Element};

use super::dom::{append, attr, button, child, el};
use super::icons;

pub struct Consent {
    pub root: Element,
    pub title: Element,
    pub text: Element,
    pub fine: Element,
    pub no: Element,
    pub yes: Element,
}

impl Consent {
    /// Hidden at first. `name` makes the test ids (`tandem-<name>-prompt`,
    /// `tandem-<name>-<no.1>`, `tandem-<name>-<yes.1>`) and the element ids;
    /// `no` and `yes` are (label, test id suffix).
    pub fn build(
        doc: &Document,
        name: &str,
        icon: &[&str],
        no: (&str, &str),
        yes: (&str, &str),
    ) -> Consent {
        let root = el(doc, "div", "consent");
        attr(&root, "role", "alertdialog");
        attr(&root, "aria-labelledby", &format!("tw-{name}-title"));
        attr(&root, "aria-describedby", &format!("tw-{name}-text"));
        attr(&root, "data-testid", &format!("tandem-{name}-prompt"));
        attr(&root, "hidden", "");
        let head = child(doc, &root, "div", "consent-head");
        let badge = child(
            doc,
            &head,
            "span",
            &format!("consent-icon consent-icon--{name}"),
        );
        icons::set_icon(doc, &badge, icon, 18);
        let title = child(doc, &head, "p", "consent-title");
        attr(&title, "id", &format!("tw-{name}-title"));
        let text = child(doc, &root, "p", "consent-text");
        attr(&text, "id", &format!("tw-{name}-text"));
        let fine = child(doc, &root, "p", "consent-fine");
        let actions = child(doc, &root, "div", "consent-actions");
        let [no, yes] = [(no, "btn-secondary"), (yes, "btn-accent")].map(|((label, id), class)| {
            let b = button(doc, class, label);
            attr(&b, "data-testid", &format!("tandem-{name}-{id}"));
            append(&actions, &b);
            b
        });
        Consent {
            root,
            title,
            text,
            fine,
            no,
            yes,
        }
    }
}

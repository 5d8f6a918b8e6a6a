//! Says each prompt (share, call, form or page push) as it appears, through
//! a polite live region: the prompts are `alertdialog`s, which a screen
//! reader only reads when focus moves into them, and taking the focus from
//! the message box the visitor may be typing in is worse.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::dom::{attr, child, set_text};

pub struct PromptVoice {
    said: Element,
    /// The prompts on screen at the last render, by test id.
    shown: Vec<String>,
}

impl PromptVoice {
    pub fn build(doc: &Document, root: &Element) -> PromptVoice {
        let said = child(doc, root, "div", "sr");
        attr(&said, "role", "status");
        attr(&said, "aria-live", "polite");
        attr(&said, "data-testid", "tandem-prompt-said");
        PromptVoice {
            said,
            shown: Vec::new(),
        }
    }

    /// Says the title and text of each prompt in `footer` that appeared
    /// since the last render (a prompt shown again is said again).
    pub fn say_new(&mut self, footer: &Element) {
        let Ok(cards) = footer.query_selector_all("[role=alertdialog]:not([hidden])") else {
            return;
        };
        let cards: Vec<Element> = (0..cards.length())
            .filter_map(|i| cards.item(i)?.dyn_into::<Element>().ok())
            .collect();
        let shown: Vec<String> = cards
            .iter()
            .map(|c| c.get_attribute("data-testid").unwrap_or_default())
            .collect();
        // The title, then what the prompt says (the page's address for a
        // page push); not the buttons, which the visitor reaches with Tab.
        let text_of = |card: &Element| {
            let Ok(parts) = card
                .query_selector_all(".consent-title, .consent-text, .proposal-url, .consent-fine")
            else {
                return String::new();
            };
            let parts: Vec<String> = (0..parts.length())
                .filter_map(|i| parts.item(i)?.text_content())
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            parts.join(". ")
        };
        for (card, id) in cards.iter().zip(&shown) {
            if !self.shown.contains(id) {
                set_text(&self.said, &text_of(card));
            }
        }
        self.shown = shown;
    }
}

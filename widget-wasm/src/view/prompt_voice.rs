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
        let text_of = |card: &Element, selector: &str| {
            card.query_selector(selector)
                .ok()
                .flatten()
                .and_then(|e| e.text_content())
                .unwrap_or_default()
        };
        for (card, id) in cards.iter().zip(&shown) {
            if !self.shown.contains(id) {
                let title = text_of(card, ".consent-title");
                let text = text_of(card, ".consent-text, .consent-fine");
                set_text(&self.said, format!("{title} {text}").trim());
            }
        }
        self.shown = shown;
    }
}

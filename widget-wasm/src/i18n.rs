//! Every string the visitor can see, in English and French.
//!
//! Keeping them in one place makes a missing translation a compile error
//! (each locale is one `Strings` value with every field filled) and lets a
//! translator work without reading the view code.

/// The languages the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    /// Picks a locale from a BCP 47 tag such as `fr-CA` or `en`; anything we
    /// do not speak falls back to English.
    pub fn from_tag(tag: &str) -> Locale {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Locale::Fr,
            _ => Locale::En,
        }
    }

    /// The tag used for `lang` attributes and date formatting.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Locale::En => &EN,
            Locale::Fr => &FR,
        }
    }
}

/// All user-visible text. Templates hold `{}` where a value goes; use
/// [`fill`] rather than formatting them by hand.
#[derive(Debug)]
pub struct Strings {
    pub launcher: &'static str,
    /// Said when the agent's pointer reaches an element: agent, element.
    pub pointing_at: &'static str,
    /// Said when the agent highlights an element: agent, label or element.
    pub highlighted: &'static str,
    pub panel_title: &'static str,
    pub subtitle_idle: &'static str,
    pub subtitle_queued: &'static str,
    pub subtitle_active: &'static str,
    pub subtitle_ended: &'static str,
    pub close: &'static str,
    pub greeting: &'static str,
    pub intro: &'static str,
    pub topic_label: &'static str,
    pub topic_placeholder: &'static str,
    pub topic_orders: &'static str,
    pub topic_billing: &'static str,
    pub topic_technical: &'static str,
    pub topic_other: &'static str,
    pub first_message_label: &'static str,
    pub first_message_placeholder: &'static str,
    pub message_label: &'static str,
    pub message_placeholder: &'static str,
    pub request: &'static str,
    pub send: &'static str,
    pub messages_label: &'static str,
    pub queue_connecting: &'static str,
    pub queue_waiting: &'static str,
    /// `{}` is the position in line (1 = next).
    pub queue_position: &'static str,
    pub queue_next: &'static str,
    pub queue_hint: &'static str,
    pub cancel: &'static str,
    pub end_chat: &'static str,
    /// `{}` is the agent's name.
    pub agent_typing: &'static str,
    pub someone: &'static str,
    /// `{}` is the agent's name.
    pub agent_joined: &'static str,
    /// `{}` is the new agent's name.
    pub transferred_to: &'static str,
    pub transferred_queue: &'static str,
    pub ended_by_visitor: &'static str,
    pub ended_by_agent: &'static str,
    pub ended_by_system: &'static str,
    pub ended_title: &'static str,
    pub ended_text: &'static str,
    pub new_chat: &'static str,
    pub you: &'static str,
    pub status_sending: &'static str,
    pub status_failed: &'static str,
    /// Shown after the visitor's message; the `_spoken` twin is what a screen reader says.
    pub status_sent: &'static str,
    pub status_sent_spoken: &'static str,
    pub status_delivered: &'static str,
    pub status_delivered_spoken: &'static str,
    pub status_read: &'static str,
    pub reconnecting: &'static str,
    pub unreachable: &'static str,
    pub error_generic: &'static str,
    pub error_rate_limited: &'static str,
    pub error_queue_full: &'static str,
    pub unread_badge: &'static str,
    pub share_title: &'static str,
    /// `{}` is the agent's name.
    pub share_text: &'static str,
    pub share_privacy: &'static str,
    pub share_allow: &'static str,
    pub share_deny: &'static str,
    pub share_start: &'static str,
    /// `{}` is the agent's name.
    pub share_banner: &'static str,
    pub share_banner_anonymous: &'static str,
    pub share_stop: &'static str,
    pub share_stop_label: &'static str,
    /// `{}` is the agent's name.
    pub share_requested: &'static str,
    pub share_started: &'static str,
    pub share_denied: &'static str,
    pub share_stopped: &'static str,
    /// Form push prompt; `{}` is the agent's name.
    pub form_title: &'static str,
    pub form_hint: &'static str,
    pub form_accept_all: &'static str,
    pub form_reject_all: &'static str,
    pub form_accept: &'static str,
    pub form_reject: &'static str,
    pub form_accepted: &'static str,
    pub form_rejected: &'static str,
    /// A proposed checkbox state.
    pub form_checked: &'static str,
    pub form_unchecked: &'static str,
    /// Page push prompt; `{}` is the agent's name.
    pub page_title: &'static str,
    pub page_open: &'static str,
    pub page_stay: &'static str,
    /// Label of the agent's pointer when their name is unknown.
    pub agent: &'static str,
    /// `{}` is the agent's name.
    pub call_incoming: &'static str,
    /// `{}` is the agent's name.
    pub call_incoming_text: &'static str,
    pub call_accept: &'static str,
    pub call_decline: &'static str,
    pub call_start: &'static str,
    pub call_start_label: &'static str,
    pub call_title: &'static str,
    pub call_calling: &'static str,
    pub call_connecting: &'static str,
    pub call_connected: &'static str,
    pub call_reconnecting: &'static str,
    pub call_mute: &'static str,
    pub call_unmute: &'static str,
    pub call_hang_up: &'static str,
    /// `{}` is the agent's name.
    pub call_remote_muted: &'static str,
    pub call_elsewhere: &'static str,
    pub call_mic_waiting: &'static str,
    pub call_ended: &'static str,
    /// `{}` is the duration, e.g. 2:13.
    pub call_ended_after: &'static str,
    pub call_declined: &'static str,
    pub call_missed: &'static str,
    pub call_cancelled: &'static str,
    pub call_failed: &'static str,
    pub call_failed_log: &'static str,
    /// The server stopped during the call (reason `interrupted`).
    pub call_interrupted: &'static str,
    pub call_mic_denied: &'static str,
    pub call_mic_unavailable: &'static str,
    pub call_unavailable: &'static str,
    /// `{}` is the agent's name.
    pub call_started_by_agent: &'static str,
    pub call_started_by_you: &'static str,
    pub call_answered: &'static str,
    /// `{}` is a number of minutes.
    pub queue_eta: &'static str,
    pub away_no_agents: &'static str,
    pub away_closed: &'static str,
    pub away_long_wait: &'static str,
    pub away_queue_full: &'static str,
    pub away_email: &'static str,
    pub away_call: &'static str,
    pub callback_email_label: &'static str,
    pub callback_phone_label: &'static str,
    pub callback_when_label: &'static str,
    pub callback_send: &'static str,
    pub callback_browser: &'static str,
    pub callback_bad_email: &'static str,
    pub callback_bad_phone: &'static str,
    pub callback_bad_time: &'static str,
    /// `{}` is the visitor's email address.
    pub booked_message: &'static str,
    /// `{}` is the visitor's phone number.
    pub booked_phone: &'static str,
    /// `{}` is the booked date and time.
    pub booked_at: &'static str,
    pub booked_browser: &'static str,
}

pub static EN: Strings = Strings {
    launcher: "Help",
    pointing_at: "{} is pointing at: {}",
    highlighted: "{} highlighted: {}",
    panel_title: "Chat with us",
    subtitle_idle: "We usually reply in a few minutes",
    subtitle_queued: "Finding someone to help you",
    subtitle_active: "Support team",
    subtitle_ended: "Conversation closed",
    close: "Close",
    greeting: "Hi there!",
    intro: "Tell us what you need and we will connect you with someone from our team.",
    topic_label: "Topic",
    topic_placeholder: "Choose a topic (optional)",
    topic_orders: "Orders and delivery",
    topic_billing: "Billing and payments",
    topic_technical: "Technical problem",
    topic_other: "Something else",
    first_message_label: "How can we help?",
    first_message_placeholder: "Describe your question…",
    message_label: "Message",
    message_placeholder: "Write a message…",
    request: "Request help",
    send: "Send",
    messages_label: "Conversation",
    queue_connecting: "Connecting…",
    queue_waiting: "Waiting for an agent…",
    queue_position: "Waiting for an agent… You are number {} in line",
    queue_next: "Waiting for an agent… You are next in line",
    queue_hint: "You can keep writing: your messages will be waiting for them.",
    cancel: "Cancel request",
    end_chat: "End chat",
    agent_typing: "{} is typing…",
    someone: "Someone",
    agent_joined: "{} joined the chat",
    transferred_to: "You're now chatting with {}, who can see the conversation so far",
    transferred_queue: "We're passing you to a specialist — please stay on this page",
    ended_by_visitor: "You ended the chat",
    ended_by_agent: "The agent ended the chat",
    ended_by_system: "The chat was closed",
    ended_title: "This chat has ended",
    ended_text: "Thanks for reaching out. Need anything else?",
    new_chat: "Start a new chat",
    you: "You",
    status_sending: "Sending…",
    status_failed: "Not sent",
    status_sent: "✓",
    status_sent_spoken: "Sent",
    status_delivered: "✓✓",
    status_delivered_spoken: "Delivered",
    status_read: "Read",
    reconnecting: "Connection lost. Reconnecting…",
    unreachable: "We can’t reach our support team right now. Retrying…",
    error_generic: "Something went wrong. Please try again.",
    error_rate_limited: "You are sending messages too quickly. Please wait a moment.",
    error_queue_full: "Too many people are waiting right now. Please try again in a few minutes.",
    unread_badge: "unread messages",
    share_title: "Share your screen?",
    share_text: "{} would like to see this page to guide you.",
    share_privacy: "Only this site, in this tab, is shown. Passwords and payment details stay hidden. You can stop at any time.",
    share_allow: "Allow",
    share_deny: "Deny",
    share_start: "Share my screen",
    share_banner: "Your screen is shared with {}",
    share_banner_anonymous: "Your screen is shared",
    share_stop: "Stop",
    share_stop_label: "Stop sharing your screen",
    share_requested: "{} asked to see your screen",
    share_started: "You shared your screen",
    share_denied: "You declined to share your screen",
    share_stopped: "Screen sharing stopped",
    form_title: "{} suggests values for you",
    form_hint: "Nothing changes until you accept. The fields are outlined on the page.",
    form_accept_all: "Accept all",
    form_reject_all: "Reject",
    form_accept: "Accept",
    form_reject: "Reject",
    form_accepted: "Accepted",
    form_rejected: "Rejected",
    form_checked: "Checked",
    form_unchecked: "Not checked",
    page_title: "{} suggests opening this page",
    page_open: "Open page",
    page_stay: "Stay here",
    agent: "Agent",
    call_incoming: "{} is calling you",
    call_incoming_text: "Talk with {} by voice. If you accept, your browser will ask to use your microphone. You can mute or hang up at any time.",
    call_accept: "Accept",
    call_decline: "Decline",
    call_start: "Call",
    call_start_label: "Start a voice call (uses your microphone)",
    call_title: "Voice call",
    call_calling: "Calling…",
    call_connecting: "Connecting…",
    call_connected: "Connected",
    call_reconnecting: "Reconnecting…",
    call_mute: "Mute",
    call_unmute: "Unmute",
    call_hang_up: "Hang up",
    call_remote_muted: "{} muted their microphone",
    call_elsewhere: "The call is running in another tab",
    call_mic_waiting: "Allow the microphone in your browser to continue",
    call_ended: "Call ended",
    call_ended_after: "Call ended · {}",
    call_declined: "Call declined",
    call_missed: "Missed call",
    call_cancelled: "Call cancelled",
    call_failed: "We couldn’t connect the call — your network may be blocking it.",
    call_failed_log: "Call failed: no network path",
    call_interrupted: "The call was cut off. You can call again.",
    call_mic_denied: "The call was declined because the microphone is blocked. Allow it in your browser’s site settings to take calls.",
    call_mic_unavailable: "The call was declined because no microphone could be used.",
    call_unavailable: "Voice calls aren’t available right now.",
    call_started_by_agent: "{} started a call",
    call_started_by_you: "You started a call",
    call_answered: "Call answered",
    queue_eta: "Estimated wait: about {} min",
    away_no_agents: "No one is available right now. Don’t wait: we can answer by email or call you back.",
    away_closed: "We’re closed right now. Leave your email or ask us to call you back.",
    away_long_wait: "The wait is long right now. We can answer by email or call you back instead.",
    away_queue_full: "Our line is full right now: you’ll join it as soon as there’s room. Don’t wait: we can answer by email or call you back.",
    away_email: "Answer by email",
    away_call: "Call me back",
    callback_email_label: "Your email",
    callback_phone_label: "Your phone number",
    callback_when_label: "When suits you (empty: as soon as possible)",
    callback_send: "Send",
    callback_browser: "Or answer me here when someone is free",
    callback_bad_email: "Please enter an email address like name@example.com.",
    callback_bad_phone: "Please enter a phone number we can call.",
    callback_bad_time: "Please choose a time within the next two weeks.",
    booked_message: "Thanks! We’ll answer your message by email at {}.",
    booked_phone: "Thanks! We’ll call you at {}.",
    booked_at: "Planned for {}.",
    booked_browser: "We’ll answer here as soon as someone is free. You can keep browsing.",
};

pub static FR: Strings = Strings {
    launcher: "Aide",
    pointing_at: "{} vous montre : {}",
    highlighted: "{} a mis en évidence : {}",
    panel_title: "Discutons",
    subtitle_idle: "Réponse en quelques minutes en général",
    subtitle_queued: "Nous cherchons quelqu’un pour vous aider",
    subtitle_active: "Équipe d’assistance",
    subtitle_ended: "Conversation terminée",
    close: "Fermer",
    greeting: "Bonjour !",
    intro: "Dites-nous ce dont vous avez besoin et nous vous mettons en relation avec notre équipe.",
    topic_label: "Sujet",
    topic_placeholder: "Choisissez un sujet (facultatif)",
    topic_orders: "Commandes et livraison",
    topic_billing: "Facturation et paiement",
    topic_technical: "Problème technique",
    topic_other: "Autre chose",
    first_message_label: "Comment pouvons-nous vous aider ?",
    first_message_placeholder: "Décrivez votre question…",
    message_label: "Message",
    message_placeholder: "Écrivez un message…",
    request: "Demander de l’aide",
    send: "Envoyer",
    messages_label: "Conversation",
    queue_connecting: "Connexion…",
    queue_waiting: "En attente d’un conseiller…",
    queue_position: "En attente d’un conseiller… Vous êtes numéro {} dans la file",
    queue_next: "En attente d’un conseiller… Vous êtes le prochain",
    queue_hint: "Vous pouvez continuer à écrire : vos messages l’attendront.",
    cancel: "Annuler la demande",
    end_chat: "Terminer",
    agent_typing: "{} est en train d’écrire…",
    someone: "Quelqu’un",
    agent_joined: "{} a rejoint la discussion",
    transferred_to: "Vous discutez maintenant avec {}, qui voit la conversation depuis le début",
    transferred_queue: "Nous vous passons un spécialiste — restez sur cette page",
    ended_by_visitor: "Vous avez terminé la discussion",
    ended_by_agent: "Le conseiller a terminé la discussion",
    ended_by_system: "La discussion a été fermée",
    ended_title: "Cette discussion est terminée",
    ended_text: "Merci de nous avoir contactés. Besoin d’autre chose ?",
    new_chat: "Nouvelle discussion",
    you: "Vous",
    status_sending: "Envoi…",
    status_failed: "Non envoyé",
    status_sent: "✓",
    status_sent_spoken: "Envoyé",
    status_delivered: "✓✓",
    status_delivered_spoken: "Remis",
    status_read: "Lu",
    reconnecting: "Connexion perdue. Reconnexion…",
    unreachable: "Impossible de joindre notre équipe pour le moment. Nouvel essai…",
    error_generic: "Une erreur est survenue. Veuillez réessayer.",
    error_rate_limited: "Vous envoyez des messages trop vite. Patientez un instant.",
    error_queue_full: "Trop de personnes attendent en ce moment. Réessayez dans quelques minutes.",
    unread_badge: "messages non lus",
    share_title: "Partager votre écran ?",
    share_text: "{} aimerait voir cette page pour vous guider.",
    share_privacy: "Seul ce site, dans cet onglet, est visible. Les mots de passe et les données de paiement restent masqués. Vous pouvez arrêter à tout moment.",
    share_allow: "Autoriser",
    share_deny: "Refuser",
    share_start: "Partager mon écran",
    share_banner: "Votre écran est partagé avec {}",
    share_banner_anonymous: "Votre écran est partagé",
    share_stop: "Arrêter",
    share_stop_label: "Arrêter le partage d’écran",
    share_requested: "{} a demandé à voir votre écran",
    share_started: "Vous avez partagé votre écran",
    share_denied: "Vous avez refusé de partager votre écran",
    share_stopped: "Le partage d’écran est terminé",
    form_title: "{} vous propose des valeurs",
    form_hint: "Rien ne change tant que vous n’acceptez pas. Les champs sont entourés sur la page.",
    form_accept_all: "Tout accepter",
    form_reject_all: "Refuser",
    form_accept: "Accepter",
    form_reject: "Refuser",
    form_accepted: "Accepté",
    form_rejected: "Refusé",
    form_checked: "Coché",
    form_unchecked: "Non coché",
    page_title: "{} vous propose d’ouvrir cette page",
    page_open: "Ouvrir la page",
    page_stay: "Rester ici",
    agent: "Conseiller",
    call_incoming: "{} vous appelle",
    call_incoming_text: "Parlez avec {} de vive voix. Si vous acceptez, votre navigateur vous demandera l’accès à votre micro. Vous pouvez couper le micro ou raccrocher à tout moment.",
    call_accept: "Accepter",
    call_decline: "Refuser",
    call_start: "Appeler",
    call_start_label: "Démarrer un appel vocal (utilise votre micro)",
    call_title: "Appel vocal",
    call_calling: "Appel en cours…",
    call_connecting: "Connexion…",
    call_connected: "Connecté",
    call_reconnecting: "Reconnexion…",
    call_mute: "Couper le micro",
    call_unmute: "Réactiver le micro",
    call_hang_up: "Raccrocher",
    call_remote_muted: "{} a coupé son micro",
    call_elsewhere: "L’appel se poursuit dans un autre onglet",
    call_mic_waiting: "Autorisez le micro dans votre navigateur pour continuer",
    call_ended: "Appel terminé",
    call_ended_after: "Appel terminé · {}",
    call_declined: "Appel refusé",
    call_missed: "Appel manqué",
    call_cancelled: "Appel annulé",
    call_failed: "Impossible d’établir l’appel — votre réseau le bloque peut-être.",
    call_failed_log: "Échec de l’appel : aucun chemin réseau",
    call_interrupted: "L’appel a été coupé. Vous pouvez rappeler.",
    call_mic_denied: "Appel refusé car le micro est bloqué. Autorisez-le dans les réglages du site de votre navigateur pour prendre les appels.",
    call_mic_unavailable: "Appel refusé : aucun micro n’est disponible.",
    call_unavailable: "Les appels vocaux ne sont pas disponibles pour le moment.",
    call_started_by_agent: "{} a lancé un appel",
    call_started_by_you: "Vous avez lancé un appel",
    call_answered: "Appel accepté",
    queue_eta: "Attente estimée : environ {} min",
    away_no_agents: "Personne n’est disponible pour le moment. Inutile d’attendre : nous pouvons vous répondre par e-mail ou vous rappeler.",
    away_closed: "Nous sommes fermés pour le moment. Laissez votre e-mail ou demandez à être rappelé.",
    away_long_wait: "L’attente est longue en ce moment. Nous pouvons vous répondre par e-mail ou vous rappeler.",
    away_queue_full: "Notre file d’attente est pleine : vous la rejoindrez dès qu’une place se libère. Inutile d’attendre : nous pouvons vous répondre par e-mail ou vous rappeler.",
    away_email: "Réponse par e-mail",
    away_call: "Rappelez-moi",
    callback_email_label: "Votre e-mail",
    callback_phone_label: "Votre numéro de téléphone",
    callback_when_label: "Quand vous convient-il (vide : dès que possible)",
    callback_send: "Envoyer",
    callback_browser: "Ou répondez-moi ici dès que quelqu’un est libre",
    callback_bad_email: "Saisissez une adresse e-mail comme nom@exemple.fr.",
    callback_bad_phone: "Saisissez un numéro de téléphone où vous joindre.",
    callback_bad_time: "Choisissez un moment dans les deux semaines à venir.",
    booked_message: "Merci ! Nous répondrons à votre message par e-mail à {}.",
    booked_phone: "Merci ! Nous vous appellerons au {}.",
    booked_at: "Prévu le {}.",
    booked_browser: "Nous vous répondrons ici dès que quelqu’un sera libre. Vous pouvez continuer votre visite.",
};

impl Strings {
    /// Labels of the default topics, by topic id.
    pub fn default_topics(&self) -> [(&'static str, &'static str); 4] {
        [
            ("orders", self.topic_orders),
            ("billing", self.topic_billing),
            ("technical", self.topic_technical),
            ("other", self.topic_other),
        ]
    }
}

/// Puts `value` where the template has `{}`.
pub fn fill(template: &str, value: impl std::fmt::Display) -> String {
    template.replacen("{}", &value.to_string(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_locale_from_tags() {
        assert_eq!(Locale::from_tag("fr-CA"), Locale::Fr);
        assert_eq!(Locale::from_tag("FR"), Locale::Fr);
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag("de"), Locale::En);
        assert_eq!(Locale::from_tag(""), Locale::En);
    }

    #[test]
    fn fills_templates() {
        assert_eq!(
            fill(EN.queue_position, 3),
            "Waiting for an agent… You are number 3 in line"
        );
        assert_eq!(fill(FR.agent_typing, "Alex"), "Alex est en train d’écrire…");
    }
}

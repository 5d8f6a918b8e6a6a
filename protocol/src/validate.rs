//! Field checks of every client frame: one arm per frame, each calling the
//! check that lives beside its family's types. `decode_client` runs this on
//! every frame, so nothing past the decoder sees a field beyond its limit.

use crate::client_frame::ClientFrame;
use crate::cobrowse::Highlight;
use crate::limits::{
    MAX_CLIENT_ID_CHARS, MAX_ID_CHARS, MAX_IDENTITY_TOKEN_BYTES, MAX_SHORT_CHARS, MAX_URL_CHARS,
    message_text, non_empty_message, short_len,
};
use crate::{PageInfo, form, session};

impl ClientFrame {
    /// Checks every field against `limits`; the message says which one failed.
    pub fn validate(&self) -> Result<(), String> {
        fn page(p: &Option<PageInfo>) -> Result<(), String> {
            p.as_ref().map_or(Ok(()), PageInfo::validate)
        }
        fn client_id(c: &Option<String>) -> Result<(), String> {
            c.as_ref()
                .map_or(Ok(()), |c| short_len("client_id", c, MAX_CLIENT_ID_CHARS))
        }
        match self {
            ClientFrame::Hello { token, page: p } => {
                if let Some(t) = token {
                    short_len("token", t, 512)?;
                }
                page(p)
            }
            ClientFrame::HelpRequest {
                topic,
                message,
                client_id: c,
                page: p,
            } => {
                if let Some(t) = topic {
                    short_len("topic", t, MAX_SHORT_CHARS)?;
                }
                client_id(c)?;
                message_text(message)?;
                page(p)
            }
            ClientFrame::ChatSend {
                client_id: c, text, ..
            } => {
                client_id(c)?;
                non_empty_message(text)
            }
            // A page view is only its page: one that is not a web page is
            // refused (hello and help.request keep the rest and drop the page).
            ClientFrame::PageView { page: p } => {
                p.validate()?;
                if !p.is_web() {
                    return Err("page.url must be an http or https address".into());
                }
                Ok(())
            }
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                if let Some(h) = hash {
                    short_len("hash", h, 128)?;
                }
                if token
                    .as_ref()
                    .is_some_and(|t| t.len() > MAX_IDENTITY_TOKEN_BYTES)
                {
                    return Err(format!(
                        "token is longer than {MAX_IDENTITY_TOKEN_BYTES} bytes"
                    ));
                }
                identity.validate()
            }
            ClientFrame::Highlight(Highlight {
                label: Some(label), ..
            }) => short_len("label", label, MAX_SHORT_CHARS),
            ClientFrame::Pointer(pointer) => pointer.validate(),
            ClientFrame::NoteAdd { text, .. } => non_empty_message(text),
            ClientFrame::SessionTransfer {
                agent, skill, note, ..
            } => session::validate_transfer(agent, skill, note),
            ClientFrame::SessionWrapup {
                disposition, note, ..
            } => session::validate_wrapup(disposition, note),
            ClientFrame::CallAccept { call, .. }
            | ClientFrame::CallDecline { call, .. }
            | ClientFrame::CallEnd { call, .. }
            | ClientFrame::CallMute { call, .. }
            | ClientFrame::CallCredentials { call, .. } => short_len("call", call, MAX_ID_CHARS),
            ClientFrame::CallSignal { call, signal, .. } => {
                short_len("call", call, MAX_ID_CHARS)?;
                signal.validate()
            }
            ClientFrame::FormFields { url, fields, .. } => {
                short_len("url", url, MAX_URL_CHARS)?;
                form::validate_fields(fields)
            }
            ClientFrame::FormPush { url, fields, .. } => form::validate_push(url, fields),
            ClientFrame::FormAnswer(answer) => form::validate_answer(answer),
            ClientFrame::PagePush { url, label, .. } => form::validate_page_push(url, label),
            ClientFrame::CallbackRequest { callback, .. } => callback.validate_contact(),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::limits::{MAX_IDENTITY_TOKEN_BYTES, MAX_WRAPUP_NOTE_CHARS};
    use crate::{ClientFrame, ErrorCode, decode_client};

    #[test]
    fn transfer_names_exactly_one_target() {
        let code = |t: &str| decode_client(t).map(|_| ()).map_err(|e| e.code);
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s"}"#),
            Err(ErrorCode::InvalidFrame)
        );
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s","agent":"a","skill":"b"}"#),
            Err(ErrorCode::InvalidFrame)
        );
        assert_eq!(
            code(r#"{"v":1,"type":"session.transfer","session":"s","skill":"level2"}"#),
            Ok(())
        );
    }

    #[test]
    fn wrapups_name_a_known_disposition_and_a_short_note() {
        let decode = |t: &str| {
            decode_client(t)
                .map(|_| ())
                .map_err(|e| (e.code, e.message))
        };
        assert_eq!(
            decode(r#"{"v":1,"type":"session.wrapup","session":"s","disposition":"sale"}"#),
            Ok(())
        );
        let (code, message) =
            decode(r#"{"v":1,"type":"session.wrapup","session":"s","disposition":"won"}"#)
                .unwrap_err();
        assert_eq!(code, ErrorCode::InvalidFrame);
        assert!(
            message.contains("unknown disposition \"won\"") && message.contains("resolved"),
            "{message}"
        );
        let long = "n".repeat(MAX_WRAPUP_NOTE_CHARS + 1);
        let frame = format!(
            r#"{{"v":1,"type":"session.wrapup","session":"s","disposition":"spam","note":"{long}"}}"#
        );
        let (code, message) = decode(&frame).unwrap_err();
        assert_eq!(code, ErrorCode::InvalidFrame);
        assert!(message.contains("note is longer than"), "{message}");
    }

    #[test]
    fn identify_is_flat() {
        let t = r#"{"v":1,"type":"identify","id":"u1","name":"Ann","attributes":{"plan":"pro"}}"#;
        match decode_client(t).unwrap().frame {
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                assert_eq!((token, hash), (None, None));
                assert_eq!(identity.id.as_deref(), Some("u1"));
                assert_eq!(identity.attributes["plan"], "pro");
            }
            other => panic!("{other:?}"),
        }
        // The token rides beside the identity; an oversized one is refused.
        let t = r#"{"v":1,"type":"identify","token":"h.p.s"}"#;
        assert!(matches!(
            decode_client(t).unwrap().frame,
            ClientFrame::Identify { token: Some(ref t), .. } if t == "h.p.s"
        ));
        let long = "x".repeat(MAX_IDENTITY_TOKEN_BYTES + 1);
        let t = format!(r#"{{"v":1,"type":"identify","token":"{long}"}}"#);
        let e = decode_client(&t).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFrame);
        assert!(e.message.contains("token is longer than"), "{}", e.message);
    }
}

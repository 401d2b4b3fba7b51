//! Emails over SMTP (lettre, async on tokio; TLS by rustls when the URL asks for it): the
//! sign-in link, and the tenant emails of `notify` (multipart, the organization's sender name).

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("no SMTP server is configured (portal.smtp_url)")]
    NotConfigured,
    #[error("portal.smtp_url is not usable: {0}")]
    BadUrl(String),
    #[error("portal.mail_from {0:?} is not an address")]
    BadFrom(String),
    #[error("the recipient address is not valid")]
    BadRecipient,
    #[error("building the email failed: {0}")]
    Build(String),
    #[error("the SMTP server did not take the email: {0}")]
    Send(String),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

/// A sign-in email, ready to send, in the language of the page that asked for it.
pub struct SignInEmail<'a> {
    pub t: i18n::Texts<'static>,
    pub to: &'a str,
    pub place: &'a str,
    pub link: &'a str,
    pub valid_minutes: u64,
}

/// A tenant email (`notify`), rendered in the member's language.
pub struct Outgoing<'a> {
    pub to: &'a str,
    /// The organization's sender name, shown with the portal's From address.
    pub sender_name: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    /// Stable for one trigger and kind (`<{trigger}.{kind}@{host}>`), so a resend after a crash
    /// is recognisable as the same email.
    pub message_id: String,
}

impl Mailer {
    /// `smtp_url` empty: a mailer that refuses to send (and says why).
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::BadFrom(from.to_owned()))?;
        let transport = if smtp_url.trim().is_empty() {
            None
        } else {
            // The error text of a bad URL never repeats the URL (it may hold a password).
            let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
                .map_err(|e| MailError::BadUrl(e.to_string()))?;
            Some(
                builder
                    .timeout(Some(std::time::Duration::from_secs(10)))
                    .build(),
            )
        };
        Ok(Mailer { transport, from })
    }

    pub async fn send_sign_in(&self, email: SignInEmail<'_>) -> Result<(), MailError> {
        let transport = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        let to: Mailbox = email.to.parse().map_err(|_| MailError::BadRecipient)?;
        let t = email.t;
        let place = [("place", email.place)];
        let minutes = i64::try_from(email.valid_minutes).unwrap_or(i64::MAX);
        let body = format!(
            "{hello}\n\n{asked}\n{open}\n\n{link}\n\n{valid}\n",
            hello = t.get("signin-mail-hello"),
            asked = t.get_with("signin-mail-asked", &place),
            open = t.get("signin-mail-open"),
            link = email.link,
            valid = t.get_count("signin-mail-valid", "minutes", minutes),
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(t.get_with("signin-mail-subject", &place))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transmit(transport, message).await
    }

    /// Sends a tenant email as multipart/alternative (plain text, then HTML).
    pub async fn send(&self, email: Outgoing<'_>) -> Result<(), MailError> {
        let transport = self.transport.as_ref().ok_or(MailError::NotConfigured)?;
        let to: Mailbox = email.to.parse().map_err(|_| MailError::BadRecipient)?;
        let from = match email.sender_name {
            Some(name) if !name.trim().is_empty() => {
                Mailbox::new(Some(name.trim().to_owned()), self.from.email.clone())
            }
            _ => self.from.clone(),
        };
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(email.subject)
            .message_id(Some(email.message_id));
        // The settings check a reply-to when it is set; one that still does not parse is left
        // out rather than losing the email.
        if let Some(reply_to) = email.reply_to.and_then(|r| r.parse::<Mailbox>().ok()) {
            builder = builder.reply_to(reply_to);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transmit(transport, message).await
    }

    async fn transmit(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
        message: Message,
    ) -> Result<(), MailError> {
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Send(describe(&e)))
    }
}

/// What went wrong, without the server's text (it may repeat the recipient's address).
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_transient() {
        "transient refusal"
    } else if error.is_permanent() {
        "permanent refusal"
    } else if error.is_tls() {
        "TLS failure"
    } else if error.is_client() {
        "client error"
    } else {
        "connection failure"
    };
    match error.status() {
        Some(code) => format!("{kind} (SMTP {code})"),
        None => kind.to_owned(),
    }
}

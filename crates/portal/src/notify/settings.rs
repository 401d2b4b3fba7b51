//! What the mailer needs to know about an organization and a member before writing: the
//! organization's email settings (`store::read_models::mail_settings`, defaults when none are
//! set) and the language of the email.
//!
//! STAND-IN until s21-tenant is merged: the member's and the organization's languages are
//! unknown (English); the merge replaces the body of [`language`] by the read models' calls.

use i18n::Lang;
use store::GenericClient;

pub(crate) use domain::messages::MailSettings;

/// The organization's email settings (defaults when none are set).
pub(crate) async fn mail_settings(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<MailSettings, store::StoreError> {
    store::read_models::mail_settings::mail_settings(client, org_id).await
}

/// The language of an email to the member: the one they last chose, else the organization's
/// locale, else English.
pub(crate) async fn language(
    _client: &impl GenericClient,
    _org_id: &str,
    _user_id: &str,
) -> Result<Lang, store::StoreError> {
    let chosen: Option<String> = None;
    let organization_locale: Option<String> = None;
    Ok(chosen
        .as_deref()
        .and_then(Lang::from_tag)
        .or_else(|| organization_locale.as_deref().and_then(Lang::from_tag))
        .unwrap_or(Lang::En))
}

//! What the mailer needs to know about an organization and a member before writing: the
//! organization's email settings (`store::read_models::mail_settings`, defaults when none are
//! set) and the language of the email (`store::read_models::languages`).

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
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Lang, store::StoreError> {
    use store::read_models::languages::{member_language, organization_locale};
    let chosen = member_language(client, org_id, user_id).await?;
    let organization_locale = organization_locale(client, org_id).await?;
    Ok(chosen
        .as_deref()
        .and_then(Lang::from_tag)
        .or_else(|| organization_locale.as_deref().and_then(Lang::from_tag))
        .unwrap_or(Lang::En))
}

//! The language of an email (`store::read_models::languages`). The organization's email
//! settings are `store::read_models::mail_settings::mail_settings`.

use i18n::Lang;
use store::GenericClient;

/// The language of an email to the member: the one they last chose, else the organization's
/// locale (read only then), else English.
pub(crate) async fn language(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Lang, store::StoreError> {
    use store::read_models::languages::{member_language, organization_locale};
    let chosen = member_language(client, org_id, user_id).await?;
    if let Some(lang) = chosen.as_deref().and_then(Lang::from_tag) {
        return Ok(lang);
    }
    let organization_locale = organization_locale(client, org_id).await?;
    Ok(organization_locale
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_default())
}

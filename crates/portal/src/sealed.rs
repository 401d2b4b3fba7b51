//! Opening a member's sealed values (passphrase, profile) with the member's own data key, which
//! the key ring unwraps; both are bound to the member's stream id (the associated data).

use crate::error::PortalError;
use crate::state::State;

/// The passphrase in clear, opened with the member's data key (AAD: the member's stream id).
pub(crate) fn open_passphrase(
    state: &State,
    org_id: &str,
    user_id: &str,
    wrapped: Option<&domain::Sealed>,
    sealed: &domain::Sealed,
) -> Result<String, PortalError> {
    let wrapped =
        wrapped.ok_or_else(|| PortalError::Internal("the member has no data key".into()))?;
    Ok(secrets::open_member_passphrase(
        &state.keys,
        org_id,
        user_id,
        wrapped,
        sealed,
    )?)
}

/// Opens a member's sealed profile with their data key (`None` when it does not open: the key
/// was destroyed with the account, or is missing).
pub(crate) async fn open_profile(
    state: &State,
    client: &impl store::GenericClient,
    org_id: &str,
    user_id: &str,
    sealed: &domain::Sealed,
) -> Result<Option<secrets::ProfileData>, PortalError> {
    let wrapped = store::queries::member_key(client, org_id, user_id).await?;
    Ok(wrapped.and_then(|wrapped| {
        secrets::open_member_profile(&state.keys, org_id, user_id, &wrapped, sealed)
    }))
}

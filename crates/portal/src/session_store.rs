//! The `portal_sessions` rows behind the session cookies: starting a session (a new id every
//! time, the one the browser held ended) and finding a tenant's live session again. Cookies and
//! CSRF tokens themselves are `session`'s.

use crate::db::{self, SessionKind, SessionRow};
use crate::error::PortalError;
use crate::session::{TENANT_COOKIE, new_secret, read_cookie, sha256_hex};
use crate::state::State;
use actix_web::HttpRequest;

/// Stores a new session (a new id every time: no fixation), ending the one the browser held in
/// `cookie_name`; the new session id, for its cookie.
pub(crate) async fn begin(
    state: &State,
    request: &HttpRequest,
    cookie_name: &str,
    row: &SessionRow,
) -> Result<String, PortalError> {
    let id = new_secret();
    let client = state.pool.get().await?;
    if let Some(old) = read_cookie(request, cookie_name) {
        db::delete_session(&client, &sha256_hex(&old)).await?;
    }
    db::insert_session(&client, &sha256_hex(&id), row).await?;
    Ok(id)
}

/// The signed-in tenant, if the session cookie names a live tenant session.
pub(crate) async fn tenant_session(
    state: &State,
    request: &HttpRequest,
) -> Result<Option<(String, SessionRow)>, PortalError> {
    let Some(cookie) = read_cookie(request, TENANT_COOKIE) else {
        return Ok(None);
    };
    let client = state.pool.get().await?;
    Ok(
        db::session(&client, &sha256_hex(&cookie), SessionKind::Tenant)
            .await?
            .map(|row| (cookie, row)),
    )
}

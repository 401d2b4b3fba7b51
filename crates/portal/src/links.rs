//! Sign-in links: who an email belongs to (the local account first, else provision asks
//! Optix, patiently while it cannot answer), the link stored as a hash, and the email that
//! carries it. Runs after the page answered "Check your email", so its timing tells nothing.

use crate::commands::Answer;
use crate::db;
use crate::metrics;
use crate::session;
use crate::state::State;
use actix_web::web;
use bus::commands::Command;
use chrono::Utc;
use store::GenericClient;

/// Sends the sign-in link in the background (when the email is an Optix user's) and counts the
/// outcome in `lanyard_magic_links_sent`.
pub(crate) fn send_in_background(
    state: web::Data<State>,
    org_id: String,
    location_id: String,
    place_name: String,
    email: String,
    t: i18n::Texts<'static>,
) {
    tokio::spawn(async move {
        let place = (org_id.as_str(), location_id.as_str(), place_name.as_str());
        let outcome = deliver_link(&state, place, &email, t).await;
        metrics::link(outcome);
        tracing::info!(
            org_id,
            location_id,
            outcome = outcome.as_str(),
            "sign-in link request handled"
        );
    });
}

/// Which Optix user has this email: the local account first (keyed email hash), else provision
/// asks Optix. `Err` when provision could not be asked.
async fn find_user(state: &State, org_id: &str, email: &str) -> Result<Option<String>, ()> {
    let hash = secrets::email_hash(&state.keys, org_id, email);
    let local = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        store::queries::member_by_email_hash(&client, org_id, &hash)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match local {
        Ok(Some(user_id)) => return Ok(Some(user_id)),
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(%error, "looking up the email locally failed; asking provision")
        }
    }
    match state
        .command(
            org_id,
            "portal",
            Command::FindUserByEmail {
                email: email.to_owned(),
            },
        )
        .await
    {
        Answer::Done { user_id } => Ok(user_id),
        Answer::Refused { .. } => Ok(None),
        Answer::Unavailable => Err(()),
    }
}

/// [`find_user`], asked again while provision cannot answer (the organization's Optix budget
/// is spent, provision restarts), for as long as a link sent then would still be worth sending:
/// the page already said "Check your email". Backs off from 2 s to 30 s between attempts.
async fn find_user_patiently(
    state: &State,
    org_id: &str,
    email: &str,
) -> Result<Option<String>, ()> {
    let give_up = tokio::time::Instant::now()
        + std::time::Duration::from_secs(state.settings.magic_link_ttl_secs.max(60));
    let mut pause = std::time::Duration::from_secs(2);
    loop {
        match find_user(state, org_id, email).await {
            Err(()) if tokio::time::Instant::now() + pause < give_up => {
                tracing::info!(
                    org_id,
                    retry_in_secs = pause.as_secs(),
                    "the sign-in link's lookup failed; asking again"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(30));
            }
            answer => return answer,
        }
    }
}

/// The link for `email` at (organization, location, its name), sent in the words of `t`.
async fn deliver_link(
    state: &State,
    (org_id, location_id, place_name): (&str, &str, &str),
    email: &str,
    t: i18n::Texts<'static>,
) -> metrics::LinkOutcome {
    let user_id = match find_user_patiently(state, org_id, email).await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return metrics::LinkOutcome::NoMatch,
        Err(()) => return metrics::LinkOutcome::LookupFailed,
    };
    let ttl = state.settings.magic_link_ttl_secs.max(60);
    let link = match issue(state, org_id, location_id, &user_id, ttl).await {
        Ok(link) => link,
        Err(error) => {
            tracing::error!(%error, "storing a sign-in link failed");
            return metrics::LinkOutcome::SmtpFailed;
        }
    };
    match state
        .mailer
        .send_sign_in(crate::mail::SignInEmail {
            t,
            to: email,
            place: place_name,
            link: &link,
            valid_minutes: ttl.div_ceil(60),
        })
        .await
    {
        Ok(()) => metrics::LinkOutcome::Sent,
        Err(error) => {
            tracing::error!(%error, org_id, "sending a sign-in link failed");
            metrics::LinkOutcome::SmtpFailed
        }
    }
}

/// A single-use sign-in link to the member's key page at `location_id`, working for
/// `ttl_secs`: a random token whose hash is stored (`portal_magic_links`); the token itself
/// travels only in the URL's fragment, which browsers never send to a server. The emailed
/// sign-in and the tenant emails (`notify`) both use it, so both sign in the same way.
pub(crate) async fn issue(
    state: &State,
    org_id: &str,
    location_id: &str,
    user_id: &str,
    ttl_secs: u64,
) -> Result<String, String> {
    let client = state.pool.get().await.map_err(|e| e.to_string())?;
    issue_on(&client, state, org_id, location_id, user_id, ttl_secs).await
}

/// [`issue`] on a connection the caller holds: one that holds a connection and asked the pool
/// for a second could wait forever once every connection was held by such callers (the tenant
/// emails, 8 at once, took all of a pool of 8 and every page waited behind them).
pub(crate) async fn issue_on(
    client: &impl GenericClient,
    state: &State,
    org_id: &str,
    location_id: &str,
    user_id: &str,
    ttl_secs: u64,
) -> Result<String, String> {
    let token = session::new_secret();
    let expires_at =
        Utc::now() + chrono::Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 1000));
    db::insert_link(
        client,
        &session::sha256_hex(&token),
        org_id,
        location_id,
        user_id,
        expires_at,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "{}/l/{org_id}/{location_id}/signin#token={token}",
        state.public_url
    ))
}

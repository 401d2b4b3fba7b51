//! One email, from its trigger to its outcome: claimed in the outbox, skipped when switched
//! off or when the member is gone, written in the member's language, sent, recorded.

use super::decide::Suspension;
use super::outbox::{self, Claim, Entry, Outcome};
use super::render::{self, Facts, Letter};
use super::settings;
use crate::state::State;
use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::MessageKind;
use domain::messages::MailSettings;
use i18n::{Lang, Texts};
use std::time::Duration;
use store::read_models::mail_settings::mail_settings;
use uuid::Uuid;

/// How long a claim keeps other instances off an email being sent (an SMTP attempt times out
/// after 10 s).
const CLAIM_HOLD: Duration = Duration::from_secs(120);

/// An email to send: who, which, and what it is about.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    /// The event's id, or the reminder's (`reminders::trigger_id`).
    pub(crate) trigger_id: Uuid,
    pub(crate) kind: MessageKind,
    pub(crate) org_id: String,
    pub(crate) user_id: String,
    pub(crate) location_id: Option<String>,
    /// A grant's start and end (guests, reminders).
    pub(crate) valid_from: Option<DateTime<Utc>>,
    pub(crate) valid_until: Option<DateTime<Utc>>,
    pub(crate) why: Option<Suspension>,
}

/// What to do with the trigger after trying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Sent, skipped or already done: acknowledge.
    Done,
    /// Failed, or another instance holds it: ask for it again after this long.
    RetryIn(Duration),
}

/// Why an email is not written, recorded as its outcome.
enum NotWritten {
    Skipped(Outcome),
    /// Nothing to name yet (no mapped location): recorded as failed, retried with backoff.
    Unwritable(&'static str),
}

pub(crate) async fn deliver(state: &State, job: &Job) -> anyhow::Result<Next> {
    let client = state.pool.get().await.context("a database connection")?;
    let entry = Entry {
        trigger_id: job.trigger_id,
        kind: job.kind,
        org_id: &job.org_id,
        user_id: &job.user_id,
        // A welcome "everywhere" is the member's one welcome without a location.
        location_id: job
            .location_id
            .as_deref()
            .or((job.kind == MessageKind::Welcome).then_some("*")),
    };
    match outbox::claim(&client, &entry, CLAIM_HOLD).await? {
        Claim::Done => return Ok(Next::Done),
        Claim::NotYet { until } => {
            let wait = (until - Utc::now()).to_std().unwrap_or_default();
            return Ok(Next::RetryIn(wait.max(Duration::from_secs(1))));
        }
        Claim::Mine { .. } => {}
    }
    let settings = mail_settings(&client, &job.org_id).await?;
    let (email, letter_facts, lang) = match compose(state, &client, job, &settings).await? {
        Ok(written) => written,
        Err(NotWritten::Skipped(outcome)) => {
            outbox::finish(&client, job.trigger_id, job.kind, outcome).await?;
            record(job, outcome, None);
            return Ok(Next::Done);
        }
        Err(NotWritten::Unwritable(reason)) => {
            // E.g. imported before the admin mapped a location: written once one is mapped.
            let attempts = outbox::fail(&client, job.trigger_id, job.kind, reason).await?;
            record(job, Outcome::Failed, Some(reason));
            return Ok(Next::RetryIn(outbox::backoff(attempts)));
        }
    };
    let overrides = settings.overrides();
    let letter = Letter::new(
        Texts::with_overrides(lang, &overrides),
        job.kind,
        letter_facts,
    );
    let rendered = render::render(&letter).context("rendering the email")?;
    // The SMTP exchange may take its whole 10 s timeout: no database connection is held
    // through it.
    drop(client);
    let sent = state
        .mailer
        .send(crate::mail::Outgoing {
            to: &email,
            sender_name: settings.sender_name.as_deref(),
            reply_to: settings.reply_to.as_deref(),
            subject: &rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: message_id(state, job),
        })
        .await;
    let client = state.pool.get().await.context("a database connection")?;
    match sent {
        Ok(()) => {
            outbox::finish(&client, job.trigger_id, job.kind, Outcome::Sent).await?;
            record(job, Outcome::Sent, None);
            Ok(Next::Done)
        }
        Err(error) => {
            // The error's words never hold the address (`mail::describe`).
            let reason = error.to_string();
            let attempts = outbox::fail(&client, job.trigger_id, job.kind, &reason).await?;
            let retry_in = outbox::backoff(attempts);
            record(job, Outcome::Failed, Some(&reason));
            Ok(Next::RetryIn(retry_in))
        }
    }
}

/// The address, the values of the email and its language; or why it is not written.
async fn compose(
    state: &State,
    client: &deadpool_postgres::Object,
    job: &Job,
    settings: &MailSettings,
) -> anyhow::Result<Result<(String, Facts, Lang), NotWritten>> {
    if !settings.sends(job.kind) {
        return Ok(Err(NotWritten::Skipped(Outcome::SkippedOff)));
    }
    let Some(member) = store::queries::member(client, &job.org_id, &job.user_id).await? else {
        return Ok(Err(NotWritten::Skipped(Outcome::SkippedDeleted)));
    };
    let profile =
        crate::sealed::open_profile(state, client, &job.org_id, &job.user_id, &member.profile)
            .await
            .map_err(|e| anyhow::anyhow!("opening the member's profile: {e}"))?;
    let Some(profile) = profile else {
        // The data key went with the account: the member was deleted meanwhile.
        return Ok(Err(NotWritten::Skipped(Outcome::SkippedDeleted)));
    };
    let Some((location_id, place)) = place(client, job, &member).await? else {
        return Ok(Err(NotWritten::Unwritable(
            "the member has no mapped location to name",
        )));
    };
    let lang = settings::language(client, &job.org_id, &job.user_id).await?;
    let link = if matches!(
        job.kind,
        MessageKind::Welcome | MessageKind::KeyChanged | MessageKind::GuestInvited
    ) {
        let ttl = state.settings.notify_link_ttl_secs.max(3600);
        crate::links::issue_on(client, state, &job.org_id, &location_id, &job.user_id, ttl)
            .await
            .map_err(|e| anyhow::anyhow!("storing the email's sign-in link: {e}"))?
    } else {
        String::new()
    };
    let zone: Tz = place.timezone.parse().unwrap_or(Tz::UTC);
    let local = |at: Option<DateTime<Utc>>| {
        at.map(|at| i18n::format_datetime(lang, &at.with_timezone(&zone)))
            .unwrap_or_default()
    };
    let facts = Facts {
        organization: settings
            .sender_name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| place.name.clone()),
        place: place.name,
        network: place.network_name,
        ends: local(job.valid_until),
        from: local(job.valid_from),
        until: local(job.valid_until),
        link,
        link_hours: state.settings.notify_link_ttl_secs.max(3600) / 3600,
        why: job.why,
    };
    Ok(Ok((profile.email, facts, lang)))
}

/// The mapped location the email names and links to: the trigger's, else the member's home
/// location, else their first grant's, else the organization's first mapped location.
async fn place(
    client: &deadpool_postgres::Object,
    job: &Job,
    member: &store::queries::MemberView,
) -> anyhow::Result<Option<(String, domain::LocationSettings)>> {
    let named = job
        .location_id
        .iter()
        .chain(member.home_location.iter())
        .chain(member.grants.iter().filter_map(|g| g.location_id.as_ref()));
    for location_id in named {
        if let Some(settings) = store::queries::location(client, &job.org_id, location_id)
            .await?
            .and_then(|l| l.settings)
        {
            return Ok(Some((location_id.clone(), settings)));
        }
    }
    Ok(store::queries::locations(client, &job.org_id)
        .await?
        .into_iter()
        .find_map(|l| l.settings.map(|settings| (l.location_id, settings))))
}

/// `<{trigger}.{kind}@{host}>`: the same for every attempt of one email.
fn message_id(state: &State, job: &Job) -> String {
    let host = url::Url::parse(&state.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "lanyard.invalid".into());
    format!("<{}.{}@{host}>", job.trigger_id, job.kind.label())
}

/// The metric and the log line of an outcome (never the address).
fn record(job: &Job, outcome: Outcome, reason: Option<&str>) {
    crate::metrics::notify_message(job.kind.label(), outcome.label());
    tracing::info!(
        org_id = job.org_id,
        user_id = job.user_id,
        kind = job.kind.label(),
        trigger_id = %job.trigger_id,
        outcome = outcome.label(),
        reason,
        "tenant email handled"
    );
}

//! Revocation reaches the air: a durable JetStream consumer of the member events the relay
//! publishes that can end access (`lanyard.events.member.*.<type>` of the types below) finds,
//! for each, the member's live sessions that must end, and has the NAS that reported each one
//! disconnect it.
//!
//! - `PassphraseChanged`, `AccountDeleted`: every live session (the key they were made with no
//!   longer opens anything).
//! - `DeviceRemoved`: that device's sessions.
//! - `AccessRevoked` (a plan cancelled, a grant expired: provision's scheduler records the
//!   expiry), `AccountSuspended`: the sessions at a NAS whose location no longer admits the
//!   member, decided as an Access-Request would be now (`Nas::terms_for`).
//!
//! Delivery is at-least-once: each (event, session) is claimed in `radius_disconnects` before
//! its request is sent, so a redelivered event sends nothing that was answered.

use super::packet::{Answer, SessionIdentity};
use super::sender::{DisconnectTarget, RetryPolicy, send_disconnect};
use crate::events::{Following, HandleEvent, PublishedEvent};
use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::Event;
use domain::devices::Mac;
use domain::events::{DisconnectOutcome, StreamId};
use domain::member::DisconnectRecord;
use store::radius_sessions::{self, SessionView};
use uuid::Uuid;

/// The member events that can end sessions ([`ending`]): the consumer is delivered these
/// only (`bus::event_type_filters`), not every plan renewal of every member.
pub const ENDING_EVENTS: [&str; 5] = [
    "PassphraseChanged",
    "AccountDeleted",
    "DeviceRemoved",
    "AccessRevoked",
    "AccountSuspended",
];
/// At most this many sessions of one member are ended per event (a member has a few devices;
/// the bound keeps one event's work finite whatever the table holds).
const MAX_SESSIONS_PER_EVENT: usize = 64;
/// Events handled at the same time.
const EVENTS_AT_ONCE: usize = 16;

/// What the follower needs.
#[derive(Clone)]
pub struct Follower {
    pub pool: deadpool_postgres::Pool,
    pub bus: bus::Bus,
    pub keys: std::sync::Arc<secrets::KeyRing>,
    pub policy: RetryPolicy,
    /// When the service started: a consumer created now begins with the events from then on
    /// (not the whole history), even when the events stream appears only later.
    pub since: time::OffsetDateTime,
}

/// Which of a member's sessions an event may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    All,
    Device(Mac),
    WhereRefused,
}

/// Whether `event` can end sessions, and which.
pub fn ending(event: &Event) -> Option<Ending> {
    match event {
        Event::PassphraseChanged { .. } | Event::AccountDeleted => Some(Ending::All),
        Event::DeviceRemoved { mac, .. } => Some(Ending::Device(*mac)),
        Event::AccessRevoked { .. } | Event::AccountSuspended => Some(Ending::WhereRefused),
        _ => None,
    }
}

impl HandleEvent for Follower {
    fn handle(
        &self,
        published: &PublishedEvent,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send {
        self.end_sessions(published)
    }
}

impl Follower {
    /// Follows the member events until the process ends (`events::Following`).
    pub async fn run(self) {
        let following = Following {
            bus: self.bus.clone(),
            consumer: bus::DISCONNECT_CONSUMER.into(),
            per_instance: false,
            subjects: bus::event_type_filters("member", &ENDING_EVENTS),
            since: self.since,
            // Several events at once: a NAS that does not answer holds its event for 7 s, and
            // a mass revocation (an uninstall) must not wait in line behind it.
            at_once: EVENTS_AT_ONCE,
            batch: 1,
            linger: std::time::Duration::ZERO,
            purpose: "disconnects",
        };
        following.run(self).await;
    }

    async fn end_sessions(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        let Some(ending) = ending(&published.event) else {
            return Ok(());
        };
        let Some(StreamId::Member { org_id, user_id }) = StreamId::parse(&published.stream) else {
            return Ok(());
        };
        let now = Utc::now();
        let sessions = self.sessions_to_end(&org_id, &user_id, ending, now).await?;
        if sessions.is_empty() {
            return Ok(());
        }
        tracing::info!(
            org_id,
            user_id,
            sessions = sessions.len(),
            event = published.event.type_name(),
            "ending the member's sessions"
        );
        let endings = sessions
            .iter()
            .map(|session| self.end_session(published.event_id, &org_id, &user_id, session));
        for result in futures::future::join_all(endings).await {
            result?;
        }
        Ok(())
    }

    async fn sessions_to_end(
        &self,
        org_id: &str,
        user_id: &str,
        ending: Ending,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<SessionView>> {
        let client = self.pool.get().await?;
        let fresh_since = now - radius_sessions::ONLINE_WITHIN;
        let live =
            radius_sessions::live_sessions_of_member(&client, org_id, user_id, fresh_since).await?;
        let mut ending_now = Vec::new();
        for session in live.into_iter().take(MAX_SESSIONS_PER_EVENT) {
            let ends = match ending {
                Ending::All => true,
                Ending::Device(mac) => session.ids.mac == mac.to_string(),
                Ending::WhereRefused => refused_now(&client, org_id, &session, now).await?,
            };
            if ends {
                ending_now.push(session);
            }
        }
        Ok(ending_now)
    }

    /// Sends one session's Disconnect-Request (once per event) and records it and its answer:
    /// in `radius_disconnects`, as history on the member's stream, and in the metrics.
    async fn end_session(
        &self,
        event_id: Uuid,
        org_id: &str,
        user_id: &str,
        session: &SessionView,
    ) -> anyhow::Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let claimed = radius_sessions::claim_disconnect(
            &tx,
            org_id,
            &session.ids.unique_session_id,
            event_id,
        )
        .await?;
        tx.commit().await?;
        if !claimed {
            return Ok(());
        }
        let target = self.target(&client, org_id, session).await?;
        drop(client);
        let mac: Mac = session.ids.mac.parse().context("a stored MAC")?;
        self.record(
            org_id,
            user_id,
            DisconnectRecord::Requested {
                nas_id: session.ids.nas_id.clone(),
                session_id: session.ids.acct_session_id.clone(),
                mac,
            },
        )
        .await;
        let answer = match &target {
            Some(target) => self.send(target, session).await,
            None => {
                crate::metrics::disconnect(Answer::NoAnswer, 0);
                Answer::NoAnswer
            }
        };
        let outcome = match answer {
            Answer::Acked => DisconnectOutcome::Acked,
            Answer::Nacked { .. } => DisconnectOutcome::Nacked,
            Answer::NoAnswer => DisconnectOutcome::NoAnswer,
        };
        let client = self.pool.get().await?;
        radius_sessions::answer_disconnect(
            &client,
            org_id,
            &session.ids.unique_session_id,
            event_id,
            crate::metrics::disconnect_outcome(outcome),
        )
        .await?;
        self.record(
            org_id,
            user_id,
            DisconnectRecord::Answered {
                nas_id: session.ids.nas_id.clone(),
                session_id: session.ids.acct_session_id.clone(),
                outcome,
            },
        )
        .await;
        Ok(())
    }

    /// Where the session's NAS takes Disconnect-Requests: the address its accounting came
    /// from, its registered CoA port, its opened secret. None when it is no longer registered.
    async fn target(
        &self,
        client: &impl store::GenericClient,
        org_id: &str,
        session: &SessionView,
    ) -> anyhow::Result<Option<DisconnectTarget>> {
        let Some(nas) = store::queries::nas(client, org_id, &session.ids.nas_id).await? else {
            tracing::warn!(
                org_id,
                nas_id = session.ids.nas_id,
                "the session's NAS is no longer registered"
            );
            return Ok(None);
        };
        let secret = secrets::nas::open_nas_secret(&self.keys, org_id, &nas.nas_id, &nas.secret)
            .context("opening the NAS's secret")?;
        Ok(Some(DisconnectTarget {
            address: (session.ids.source_ip, nas.coa_port).into(),
            secret: runtime::Secret::new(secret.expose()),
        }))
    }

    async fn send(&self, target: &DisconnectTarget, session: &SessionView) -> Answer {
        let identity = SessionIdentity {
            user_name: session.ids.user_name.clone(),
            calling_station_id: session.ids.calling_station_id.clone(),
            acct_session_id: session.ids.acct_session_id.clone(),
            nas_ip: session.ids.nas_ip,
        };
        match send_disconnect(target, &identity, self.policy).await {
            Ok(exchange) => {
                crate::metrics::disconnect(exchange.answer, exchange.sent);
                tracing::info!(nas = %target.address, nas_id = session.ids.nas_id,
                    answer = ?exchange.answer, sent = exchange.sent, "Disconnect-Request answered");
                exchange.answer
            }
            Err(error) => {
                tracing::warn!(nas = %target.address, %error, "Disconnect-Request not sent");
                crate::metrics::disconnect(Answer::NoAnswer, 0);
                Answer::NoAnswer
            }
        }
    }

    /// The member's history (`SessionDisconnectRequested` / `…Answered`), through provision.
    /// A failure is logged: the disconnect itself stands, and `radius_disconnects` has it.
    async fn record(&self, org_id: &str, user_id: &str, record: DisconnectRecord) {
        let command = bus::commands::Command::RecordDisconnect {
            user_id: user_id.to_owned(),
            record,
        };
        match self.bus.command(org_id, "radius", command).await {
            Ok(bus::commands::Reply::Done { .. }) => {}
            Ok(refused) => tracing::warn!(
                org_id,
                user_id,
                ?refused,
                "the disconnect's history was refused"
            ),
            Err(error) => {
                tracing::warn!(org_id, user_id, %error, "the disconnect's history was not recorded")
            }
        }
    }
}

/// Whether an Access-Request from this session's device at its NAS would be refused now.
async fn refused_now(
    client: &impl store::GenericClient,
    org_id: &str,
    session: &SessionView,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let found = crate::lookup::nas_and_member(
        client,
        org_id,
        &session.ids.nas_id,
        session.ids.source_ip,
        &session.ids.mac,
    )
    .await?;
    Ok(match found {
        Some((nas, Some(member))) => nas.terms_for(&member.access, now).is_err(),
        // The NAS is gone, or the device is no longer the member's.
        _ => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::events::{Basis, GrantKey, RevokeReason};

    #[test]
    fn events_that_can_end_access_say_which_sessions() {
        let mac: Mac = "0a1b2c3d4e5f".parse().expect("mac");
        let revoked = Event::AccessRevoked {
            grant: GrantKey {
                basis: Basis::Plan,
                source_id: "1".into(),
            },
            reason: RevokeReason::Expired,
        };
        assert_eq!(ending(&revoked), Some(Ending::WhereRefused));
        assert_eq!(ending(&Event::AccountSuspended), Some(Ending::WhereRefused));
        assert_eq!(ending(&Event::AccountDeleted), Some(Ending::All));
        assert_eq!(ending(&Event::AccountResumed), None);
        assert_eq!(
            ending(&Event::JoinedGroup {
                team_id: "t".into()
            }),
            None
        );
        let removed = Event::DeviceRemoved {
            mac,
            by: domain::devices::DeviceRemover::Tenant,
        };
        assert_eq!(ending(&removed), Some(Ending::Device(mac)));
        let changed = Event::PassphraseChanged {
            passphrase: domain::Sealed {
                key: "member".into(),
                nonce: "n".into(),
                ciphertext: "c".into(),
            },
            lookup_hash: "h".into(),
            source: Default::default(),
        };
        assert_eq!(ending(&changed), Some(Ending::All));
        // Its own history events end nothing (they come back through the relay).
        let answered = Event::SessionDisconnectAnswered {
            nas_id: "lobby".into(),
            session_id: "S".into(),
            outcome: DisconnectOutcome::Acked,
        };
        assert_eq!(ending(&answered), None);
        // What the consumer is delivered is what can end sessions, and only that.
        let ending_types: std::collections::BTreeSet<&str> = [
            &revoked,
            &Event::AccountSuspended,
            &Event::AccountDeleted,
            &removed,
            &changed,
        ]
        .iter()
        .map(|event| event.type_name())
        .collect();
        assert_eq!(ending_types, ENDING_EVENTS.into_iter().collect());
        for event in [&Event::AccountResumed, &answered] {
            assert!(!ENDING_EVENTS.contains(&event.type_name()), "{event:?}");
        }
    }
}

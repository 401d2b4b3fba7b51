//! Members reconciled as a batch: under the append lock (taken first, so nothing read can go
//! stale before commit), every member and group stream the batch may touch is read in one
//! query, the secrets new accounts need are made with a few statements for the whole batch,
//! each member is decided in memory (a member joining a group the batch created or renamed sees
//! it; a VLAN the batch picked is taken for the rest of it), and everything decided is appended
//! with one `event_log::append_batch`.

use super::{Appended, ToReconcile, Trigger, Writer, member_command};
use chrono::{DateTime, Utc};
use domain::access::TeamFact;
use domain::group::{Group, GroupCommand};
use domain::member::{FreshPassphrase, Member, MemberError, Needs, Secrets};
use domain::policy::{OrgPolicy, allocate_vlan};
use domain::{DesiredAccess, Event, StreamId};
use secrets::{MemberKey, ProfileData};
use std::collections::{BTreeSet, HashMap, HashSet};
use store::decide::{self, DecideError, Histories, Loaded};
use store::event_log::{self, Append, Metadata};
use store::{StoreError, Transaction, queries, statements};

/// A member's decision as the batch plans it, before the secrets are made.
struct Planned<'b> {
    member: &'b ToReconcile<'b>,
    stream: StreamId,
    loaded: Loaded<Member>,
    /// Where the account is bound (or is being bound by an onboarding).
    home: Option<String>,
    desired: DesiredAccess,
    /// The secrets the decision may use (see `Member::needs`), when the member is to exist.
    needs: Option<Needs>,
    email_hash: String,
}

/// One stream's part of the batch's append.
struct Part<'b> {
    stream: StreamId,
    expected_version: i64,
    events: Vec<Event>,
    metadata: &'b Metadata,
}

/// Whose members a batch decides, on whose word, and when.
#[derive(Clone, Copy)]
struct Occasion<'c> {
    org_id: &'c str,
    trigger: Trigger<'c>,
    now: DateTime<Utc>,
}

/// What every decision of a batch shares.
#[derive(Clone, Copy)]
struct Context<'c> {
    org_id: &'c str,
    policy: &'c OrgPolicy,
    trigger: Trigger<'c>,
    now: DateTime<Utc>,
}

/// A member's outcome: what was appended for them, or why the decision was refused.
type Decided = Result<Appended, MemberError>;

/// The groups of a batch as decided so far, and the VLANs taken.
struct Groups<'h> {
    histories: &'h Histories,
    decided: HashMap<StreamId, Loaded<Group>>,
    vlans_in_use: Vec<u16>,
}

/// What each member appended, in order; a refusal is logged and left out.
fn appended_or_refused(
    org_id: &str,
    trigger: Trigger<'_>,
    members: &[ToReconcile<'_>],
    decided: Vec<Decided>,
) -> Vec<Appended> {
    let mut appended = Vec::with_capacity(members.len());
    for (member, outcome) in members.iter().zip(decided) {
        match outcome {
            Ok(member_appended) => appended.push(member_appended),
            Err(refusal) => {
                let user_id = member.facts.user_id.as_str();
                tracing::warn!(org_id, user_id, ?trigger, %refusal, "reconciliation refused");
            }
        }
    }
    appended
}

impl Writer {
    /// Reconciles `members` inside `tx` with the organization's current policy, set-wise (see
    /// the module). A refusal is logged and the others go on; what each appended is answered,
    /// in order.
    pub async fn reconcile_members(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        members: &[ToReconcile<'_>],
        trigger: Trigger<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appended>, StoreError> {
        let occasion = Occasion {
            org_id,
            trigger,
            now,
        };
        let decided = self.decide_members(tx, members, occasion).await?;
        Ok(appended_or_refused(org_id, trigger, members, decided))
    }

    /// [`Writer::reconcile_members`], once `go_on` answers true; None, with nothing appended,
    /// when it answers false. `go_on`'s statements are put on the wire ahead of the append
    /// lock and the reads behind it, so that all take one round trip; the members are decided
    /// only after its answer.
    pub async fn reconcile_members_if(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        members: &[ToReconcile<'_>],
        trigger: Trigger<'_>,
        now: DateTime<Utc>,
        go_on: impl Future<Output = Result<bool, StoreError>>,
    ) -> Result<Option<Vec<Appended>>, StoreError> {
        let occasion = Occasion {
            org_id,
            trigger,
            now,
        };
        let rounds = Rounds::of(org_id, members);
        let (go, first) = statements::first_then(go_on, rounds.read_first(tx, org_id)).await;
        if !go? {
            return Ok(None);
        }
        let decided = self
            .decide_rounds(tx, members, occasion, rounds, first?)
            .await?;
        Ok(Some(appended_or_refused(org_id, trigger, members, decided)))
    }

    /// Decides for one member from what Optix says and appends inside `tx` (the team's group
    /// first, when the member has one); a refusal is answered.
    pub async fn reconcile_member(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        member: &ToReconcile<'_>,
        trigger: Trigger<'_>,
        now: DateTime<Utc>,
    ) -> Result<Appended, DecideError<MemberError>> {
        let occasion = Occasion {
            org_id,
            trigger,
            now,
        };
        let decided = self
            .decide_members(tx, std::slice::from_ref(member), occasion)
            .await?;
        match decided.into_iter().next() {
            Some(Err(refusal)) => Err(DecideError::Refused(refusal)),
            Some(Ok(appended)) => Ok(appended),
            None => Ok(Appended::default()),
        }
    }

    /// Each member's outcome, in order. A user named twice is decided again in a later round,
    /// on what the earlier one appended (as one decision after the other would be).
    async fn decide_members(
        &self,
        tx: &Transaction<'_>,
        members: &[ToReconcile<'_>],
        occasion: Occasion<'_>,
    ) -> Result<Vec<Decided>, StoreError> {
        let rounds = Rounds::of(occasion.org_id, members);
        let first = rounds.read_first(tx, occasion.org_id).await?;
        self.decide_rounds(tx, members, occasion, rounds, first)
            .await
    }

    /// [`Writer::decide_members`] once the policy and the first round's streams are read
    /// ([`Rounds::read_first`]).
    async fn decide_rounds(
        &self,
        tx: &Transaction<'_>,
        members: &[ToReconcile<'_>],
        occasion: Occasion<'_>,
        rounds: Rounds,
        (policy, first_histories): (OrgPolicy, Histories),
    ) -> Result<Vec<Decided>, StoreError> {
        let Occasion {
            org_id,
            trigger,
            now,
        } = occasion;
        let Rounds {
            all: rounds,
            first_streams,
        } = rounds;
        let context = Context {
            org_id,
            policy: &policy,
            trigger,
            now,
        };
        let mut outcomes: Vec<Option<Decided>> = members.iter().map(|_| None).collect();
        let mut first = Some((first_streams, first_histories));
        for round in rounds {
            let batch: Vec<&ToReconcile<'_>> = round.iter().map(|&i| &members[i]).collect();
            let (streams, histories) = match first.take() {
                Some(read) => read,
                None => {
                    let streams = round_streams(org_id, batch.iter().copied());
                    let histories = decide::load_many(tx, &streams.all).await?;
                    (streams, histories)
                }
            };
            let decided = self
                .decide_round(tx, context, &batch, &streams, &histories)
                .await?;
            for (index, outcome) in round.into_iter().zip(decided) {
                outcomes[index] = Some(outcome);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or_else(|| Ok(Appended::default())))
            .collect())
    }

    /// Members with distinct streams (read in one query: `histories`), decided in memory,
    /// appended at once.
    async fn decide_round(
        &self,
        tx: &Transaction<'_>,
        context: Context<'_>,
        members: &[&ToReconcile<'_>],
        streams: &RoundStreams,
        histories: &Histories,
    ) -> Result<Vec<Decided>, StoreError> {
        let org_id = context.org_id;
        let group_streams = &streams.groups;
        let member_streams = streams.all[..members.len()].iter().cloned();
        let mut plans = Vec::with_capacity(members.len());
        for (member, stream) in members.iter().zip(member_streams) {
            plans.push(self.plan(context, member, stream, histories)?);
        }
        let secrets = self.round_secrets(tx, org_id, &plans).await?;
        let mut groups = Groups::read(tx, org_id, histories, group_streams).await?;
        let mut parts = Vec::new();
        let mut outcomes = Vec::with_capacity(plans.len());
        for (plan, secrets) in plans.into_iter().zip(secrets) {
            let outcome = match (plan, secrets) {
                (Some(plan), Some(secrets)) => {
                    decide_planned(context, plan, secrets, &mut groups, &mut parts)?
                }
                _ => Ok(Appended::default()),
            };
            outcomes.push(outcome);
        }
        append_parts(tx, parts, context.now).await?;
        Ok(outcomes)
    }

    /// What a member's decision starts from; `None` when there is nothing to decide (written
    /// after a sync's snapshot, or no account and none wanted).
    fn plan<'b>(
        &self,
        context: Context<'_>,
        member: &'b ToReconcile<'b>,
        stream: StreamId,
        histories: &Histories,
    ) -> Result<Option<Planned<'b>>, StoreError> {
        let Context {
            org_id,
            policy,
            trigger,
            now,
        } = context;
        let facts = &member.facts;
        let loaded: Loaded<Member> = histories.loaded(&stream)?;
        if let Trigger::Sync { snapshot_position } = trigger
            && loaded
                .last_position
                .is_some_and(|last| last > snapshot_position)
        {
            // Written after the sync asked Optix, so decided on fresher answers than the sync's
            // (a webhook or an onboarding): acting on the older snapshot would undo that, or
            // delete a member who joined since. The next sync looks again.
            return Ok(None);
        }
        let onboard_at = trigger.onboard_at();
        let state = &loaded.state;
        // An onboarding binds a new account, or one a sync opened without a location.
        let home = if state.is_open() {
            state.home_location.as_deref().or(onboard_at)
        } else {
            onboard_at
        };
        let desired = domain::desired_access(facts, home, now, policy);
        if !state.is_open()
            && onboard_at.is_none()
            && (!desired.exists || desired.grants.is_empty())
        {
            // No account and none wanted: nothing to seal, nothing to write.
            return Ok(None);
        }
        let email_hash = secrets::email_hash(self.keys(), org_id, &facts.email);
        let needs = desired.exists.then(|| state.needs(&email_hash));
        let home = home.map(str::to_owned);
        Ok(Some(Planned {
            member,
            stream,
            loaded,
            home,
            desired,
            needs,
            email_hash,
        }))
    }

    /// The secrets each planned decision may need (see `Member::needs`), made for the whole
    /// round: a sealed profile for a new account or a changed email, a unique passphrase for a
    /// new account. The member keys are read, and the missing ones stored, in two statements;
    /// the passphrases are checked for uniqueness in one (and again only after a clash).
    async fn round_secrets(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        plans: &[Option<Planned<'_>>],
    ) -> Result<Vec<Option<Secrets>>, StoreError> {
        let needing: Vec<&Planned<'_>> = plans
            .iter()
            .flatten()
            .filter(|plan| plan.needs.is_some_and(|n| n.profile || n.passphrase))
            .collect();
        let keys = self.member_keys(tx, org_id, &needing).await?;
        let mut secrets: Vec<Option<Secrets>> = plans
            .iter()
            .map(|plan| {
                plan.as_ref().map(|plan| Secrets {
                    email_hash: plan.email_hash.clone(),
                    profile: None,
                    passphrase: None,
                })
            })
            .collect();
        let mut passphrases: Vec<(usize, &str, &MemberKey, String)> = Vec::new();
        for (index, plan) in plans.iter().enumerate() {
            let (Some(plan), Some(secret)) = (plan, secrets[index].as_mut()) else {
                continue;
            };
            let (Some(needs), Some(key)) =
                (plan.needs, keys.get(plan.member.facts.user_id.as_str()))
            else {
                continue;
            };
            let aad = plan.stream.to_string();
            if needs.profile {
                let profile = ProfileData {
                    email: plan.member.facts.email.clone(),
                    fullname: plan.member.facts.fullname.clone(),
                };
                secret.profile =
                    Some(secrets::seal_profile(self.keys(), key, org_id, &aad, &profile).sealed);
            }
            if needs.passphrase {
                passphrases.push((index, plan.member.facts.user_id.as_str(), key, aad));
            }
        }
        for (index, fresh) in self.unique_passphrases(tx, org_id, &passphrases).await? {
            if let Some(secret) = secrets[index].as_mut() {
                secret.passphrase = Some(fresh);
            }
        }
        Ok(secrets)
    }

    /// The data keys of `plans`' members by user id, the missing ones made and stored.
    async fn member_keys(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        plans: &[&Planned<'_>],
    ) -> Result<HashMap<String, MemberKey>, StoreError> {
        if plans.is_empty() {
            return Ok(HashMap::new());
        }
        let user_ids: Vec<&str> = plans
            .iter()
            .map(|plan| plan.member.facts.user_id.as_str())
            .collect();
        let mut wrapped = queries::member_keys(tx, org_id, &user_ids).await?;
        let fresh: Vec<(&str, domain::Sealed)> = plans
            .iter()
            .filter(|plan| !wrapped.contains_key(&plan.member.facts.user_id))
            .map(|plan| {
                let (_, key) = self.keys().new_member_key(&plan.stream.to_string());
                (plan.member.facts.user_id.as_str(), key)
            })
            .collect();
        if !fresh.is_empty() {
            wrapped.extend(queries::insert_member_keys(tx, org_id, &fresh).await?);
        }
        plans
            .iter()
            .filter_map(|plan| {
                let user_id = &plan.member.facts.user_id;
                wrapped
                    .get(user_id)
                    .map(|sealed| (user_id, sealed, &plan.stream))
            })
            .map(|(user_id, sealed, stream)| {
                let aad = stream.to_string();
                // A wrapped key the master key cannot open is stored data this deployment
                // can't read.
                let key = self.keys().unwrap_member_key(sealed, &aad).map_err(|e| {
                    StoreError::Corrupt {
                        position: -1,
                        reason: format!("member key of {aad}: {e}"),
                    }
                })?;
                Ok((user_id.clone(), key))
            })
            .collect()
    }

    /// A generated passphrase for each of `wanted` (index, user id, data key, AAD) that no other
    /// member of the organization has, nor another of the batch (69 bits: a clash is
    /// astronomically rare, but the check is what makes uniqueness a guarantee).
    async fn unique_passphrases(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        wanted: &[(usize, &str, &MemberKey, String)],
    ) -> Result<Vec<(usize, FreshPassphrase)>, StoreError> {
        let generate = |(_, _, key, aad): &(usize, &str, &MemberKey, String)| {
            let passphrase = secrets::generate_passphrase();
            secrets::seal_passphrase(self.keys(), key, org_id, aad, &passphrase)
        };
        let mut fresh: Vec<FreshPassphrase> = wanted.iter().map(generate).collect();
        let mut unchecked: Vec<usize> = (0..wanted.len()).collect();
        let mut kept: HashSet<String> = HashSet::new();
        while !unchecked.is_empty() {
            let hashes: Vec<&str> = unchecked
                .iter()
                .map(|&i| fresh[i].lookup_hash.as_str())
                .collect();
            let holders = queries::passphrase_holders(tx, org_id, &hashes).await?;
            let mut clashes = Vec::new();
            for &i in &unchecked {
                let (_, user_id, _, _) = &wanted[i];
                let hash = &fresh[i].lookup_hash;
                let held_by_another = holders
                    .iter()
                    .any(|(held, holder)| held == hash && holder != user_id);
                if held_by_another || !kept.insert(hash.clone()) {
                    clashes.push(i);
                }
            }
            for &i in &clashes {
                fresh[i] = generate(&wanted[i]);
            }
            unchecked = clashes;
        }
        Ok(wanted.iter().map(|(index, ..)| *index).zip(fresh).collect())
    }
}

/// Decides one planned member in memory, the team's group first; the parts to append are
/// added to `parts`. A refusal leaves the group's part in (as deciding one member after the
/// other did).
fn decide_planned<'b>(
    context: Context<'_>,
    plan: Planned<'b>,
    secrets: Secrets,
    groups: &mut Groups<'_>,
    parts: &mut Vec<Part<'b>>,
) -> Result<Decided, StoreError> {
    let Context {
        org_id,
        policy,
        trigger,
        ..
    } = context;
    let Planned {
        member,
        stream,
        mut loaded,
        home,
        desired,
        ..
    } = plan;
    let mut appended = Appended {
        stream: stream.to_string(),
        events: Vec::new(),
    };
    if let (true, Some(team)) = (desired.exists, &desired.team) {
        let bound = home.as_deref().or(desired.home_location_hint.as_deref());
        let (group_stream, version, events) =
            groups.ensure(org_id, team, policy.group_pool(bound))?;
        appended.events.extend(events.iter().map(Event::type_name));
        push_part(parts, group_stream, version, events, member.metadata);
    }
    let command = member_command(org_id, &member.facts.user_id, trigger, desired, secrets);
    let (version, events) = match loaded.decide_in_memory(command) {
        Ok(decided) => decided,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let outcome = if events.is_empty() {
        "unchanged"
    } else {
        "changed"
    };
    crate::metrics::metrics()
        .decisions
        .add(1, &[opentelemetry::KeyValue::new("outcome", outcome)]);
    appended.events.extend(events.iter().map(Event::type_name));
    push_part(parts, stream, version, events, member.metadata);
    Ok(Ok(appended))
}

fn push_part<'b>(
    parts: &mut Vec<Part<'b>>,
    stream: StreamId,
    expected_version: i64,
    events: Vec<Event>,
    metadata: &'b Metadata,
) {
    if !events.is_empty() {
        parts.push(Part {
            stream,
            expected_version,
            events,
            metadata,
        });
    }
}

/// Appends every part of a round with one `append_batch`, in the order decided.
async fn append_parts(
    tx: &Transaction<'_>,
    parts: Vec<Part<'_>>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if parts.is_empty() {
        return Ok(());
    }
    let (streams, rest): (Vec<StreamId>, Vec<_>) = parts
        .into_iter()
        .map(|p| (p.stream, (p.expected_version, p.events, p.metadata)))
        .unzip();
    let appends = streams
        .iter()
        .zip(rest)
        .map(|(stream, (expected_version, events, metadata))| Append {
            stream,
            expected_version,
            events,
            metadata,
        })
        .collect();
    event_log::append_batch(tx, appends, now).await?;
    Ok(())
}

impl<'h> Groups<'h> {
    /// The round's groups as read; the VLANs in use are read once when one may need a VLAN.
    async fn read(
        tx: &Transaction<'_>,
        org_id: &str,
        histories: &'h Histories,
        streams: &[StreamId],
    ) -> Result<Groups<'h>, StoreError> {
        let mut decided = HashMap::with_capacity(streams.len());
        for stream in streams {
            decided.insert(stream.clone(), histories.loaded::<Group>(stream)?);
        }
        let may_allocate = decided
            .values()
            .any(|group| !(group.state.live && group.state.vlan.is_some()));
        let vlans_in_use = if may_allocate {
            queries::vlans_in_use(tx, org_id).await?
        } else {
            Vec::new()
        };
        Ok(Groups {
            histories,
            decided,
            vlans_in_use,
        })
    }

    /// The team's group exists (with a VLAN from `pool` when it is created, or when it has
    /// none yet) and carries the team's current name: decided in memory; answers the group's
    /// stream, the version its events go at and the events.
    fn ensure(
        &mut self,
        org_id: &str,
        team: &TeamFact,
        pool: Option<domain::VlanRange>,
    ) -> Result<(StreamId, i64, Vec<Event>), StoreError> {
        let stream = StreamId::group(org_id, &team.team_id);
        let loaded = match self.decided.entry(stream.clone()) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(self.histories.loaded::<Group>(&stream)?)
            }
        };
        let vlan = if loaded.state.live && loaded.state.vlan.is_some() {
            None
        } else {
            pool.and_then(|pool| allocate_vlan(pool, &self.vlans_in_use))
        };
        let command = GroupCommand::Ensure {
            team_id: team.team_id.clone(),
            name: team.name.clone(),
            vlan,
        };
        let (version, events) = match loaded.decide_in_memory(command) {
            Ok(decided) => decided,
            Err(never) => match never {},
        };
        // Taken for the rest of the batch (the projection sees it only after the append).
        if let Some(vlan) = loaded.state.vlan
            && !self.vlans_in_use.contains(&vlan)
        {
            self.vlans_in_use.push(vlan);
        }
        Ok((stream, version, events))
    }
}

/// A batch's rounds (a user named twice is decided again in a later round) and the streams of
/// the first, read before anything is decided.
struct Rounds {
    all: Vec<Vec<usize>>,
    first_streams: RoundStreams,
}

impl Rounds {
    fn of(org_id: &str, members: &[ToReconcile<'_>]) -> Rounds {
        let all = rounds(members);
        let first_streams = all
            .first()
            .map(|round| round_streams(org_id, round.iter().map(|&i| &members[i])))
            .unwrap_or_default();
        Rounds { all, first_streams }
    }

    /// The append lock, then the policy and the first round's streams pipelined behind it.
    /// Before reading anything: every append takes this lock, so no stream read below can
    /// change before commit (no version conflict is possible; uniqueness checked at commit
    /// still is, and `decide::in_transaction` decides again then).
    async fn read_first(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
    ) -> Result<(OrgPolicy, Histories), StoreError> {
        let reading = async {
            futures::try_join!(
                queries::org_policy(tx, org_id),
                decide::load_many(tx, &self.first_streams.all)
            )
        };
        event_log::under_append_lock(tx, reading).await
    }
}

/// The streams a round reads: its members' (in order), then every team a member is in (the
/// decision uses one of them: a few more streams than needed rather than a second read).
#[derive(Default)]
struct RoundStreams {
    /// The members' streams, then the groups'.
    all: Vec<StreamId>,
    groups: Vec<StreamId>,
}

/// [`RoundStreams`] of `members`, a round's (each user once).
fn round_streams<'m, 'b: 'm>(
    org_id: &str,
    members: impl Iterator<Item = &'m ToReconcile<'b>> + Clone,
) -> RoundStreams {
    let group_ids: BTreeSet<&str> = members
        .clone()
        .filter(|m| m.facts.exists)
        .flat_map(|m| m.facts.teams.iter().map(|t| t.team_id.as_str()))
        .collect();
    let groups: Vec<StreamId> = group_ids
        .into_iter()
        .map(|team_id| StreamId::group(org_id, team_id))
        .collect();
    let all = members
        .map(|m| StreamId::member(org_id, &m.facts.user_id))
        .chain(groups.iter().cloned())
        .collect();
    RoundStreams { all, groups }
}

/// The members' indexes in rounds in which no user is named twice: a user's n-th mention goes
/// in round n (almost always there is one round).
fn rounds(members: &[ToReconcile<'_>]) -> Vec<Vec<usize>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    for (index, member) in members.iter().enumerate() {
        let mentions = seen.entry(member.facts.user_id.as_str()).or_insert(0);
        if rounds.len() <= *mentions {
            rounds.push(Vec::new());
        }
        rounds[*mentions].push(index);
        *mentions += 1;
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_named_twice_is_decided_again_in_a_later_round() {
        let metadata = Metadata {
            causation_id: "m".into(),
            correlation_id: "m".into(),
            actor: "sync".into(),
            cause: None,
            trace_parent: None,
        };
        let member = |user_id: &str| ToReconcile {
            facts: domain::MemberFacts::gone(user_id),
            metadata: &metadata,
        };
        let members = [
            member("a"),
            member("b"),
            member("a"),
            member("c"),
            member("a"),
        ];
        assert_eq!(rounds(&members), vec![vec![0, 1, 3], vec![2], vec![4]]);
        assert_eq!(rounds(&members[..2]), vec![vec![0, 1]]);
        assert!(rounds(&[]).is_empty());
    }
}

//! "Access ending" reminders: every `portal.reminder_scan_secs` the grants ending soon are
//! read in bounded pages, and each whose organization's lead time has come is sent through the
//! outbox, whose claim lets several portal instances scan at once and send once.

use super::decide::{reminder_due, reminder_lead};
use super::deliver::{Job, deliver};
use super::outbox;
use crate::state::State;
use actix_web::web;
use chrono::Utc;
use domain::messages::MailSettings;
use domain::{Basis, MessageKind};
use std::collections::BTreeMap;
use std::time::Duration;
use store::read_models::mail_settings::mail_settings;

/// How far ahead the scan looks: a lead longer than 30 days is not honoured.
const HORIZON: Duration = Duration::from_secs(30 * 24 * 3600);
/// Grants read at once, and pages per scan (the rest waits for the next scan).
const PAGE: i64 = 200;
const PAGES_PER_SCAN: usize = 25;

pub(crate) fn spawn(state: web::Data<State>) {
    tokio::spawn(async move {
        let period = Duration::from_secs(state.settings.reminder_scan_secs.max(1));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match scan(&state).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(reminders = sent, "access-ending reminders handled"),
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "scanning for reminders failed")
                }
            }
        }
    });
}

/// One scan; returns how many reminders were handled.
async fn scan(state: &State) -> anyhow::Result<usize> {
    let mut handled = 0;
    let mut after = None;
    // Settings of the organizations met in this scan (at most PAGE × PAGES_PER_SCAN).
    let mut org_settings: BTreeMap<String, MailSettings> = BTreeMap::new();
    for _ in 0..PAGES_PER_SCAN {
        let client = state.pool.get().await?;
        let page = outbox::endings(&client, HORIZON, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.valid_until, last.trigger_id));
        let full = page.len() as i64 == PAGE;
        let mut due = Vec::new();
        for ending in page {
            if !org_settings.contains_key(&ending.org_id) {
                let loaded = mail_settings(&client, &ending.org_id).await?;
                org_settings.insert(ending.org_id.clone(), loaded);
            }
            let Some(settings) = org_settings.get(&ending.org_id) else {
                continue;
            };
            let Some(basis) = Basis::parse(&ending.basis) else {
                continue;
            };
            let lead = reminder_lead(
                basis,
                settings.plan_reminder_hours,
                settings.booking_reminder_hours,
            );
            if !lead.is_some_and(|lead| reminder_due(ending.valid_until, lead, Utc::now())) {
                continue;
            }
            let job = Job {
                trigger_id: ending.trigger_id,
                kind: MessageKind::AccessEnding,
                org_id: ending.org_id,
                user_id: ending.user_id,
                location_id: ending.location_id,
                valid_from: None,
                valid_until: Some(ending.valid_until),
                why: None,
            };
            due.push(job);
        }
        // Each delivery takes a connection of its own: the page's goes back first, so a scan
        // never holds one while it waits for another (on a pool of one it would wait forever).
        drop(client);
        for job in due {
            // A failure is recorded with its retry time; the next scan retries when it is due.
            deliver(state, &job).await?;
            handled += 1;
        }
        if !full {
            break;
        }
    }
    Ok(handled)
}

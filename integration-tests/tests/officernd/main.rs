//! OfficeRnD end to end (issue 23): the provisioning rules for an OfficeRnD organization, its
//! webhooks (signature, order and duplication), the sync repairing a lost webhook, and an
//! Optix and an OfficeRnD organization in one deployment. Real PostgreSQL and NATS, Lanyard's
//! services, and `officernd-sim` (with `optix-sim` for the Optix side).

mod admin_page;
mod cli;
mod portal;
mod rules;
mod webhooks;

use chrono::Utc;
use integration_tests::Stack;
use officernd::model::{Member, Membership};
use officernd_sim::demo;

pub const ADA: &str = "5f00000000000000000000e1";
pub const GRACE: &str = "5f00000000000000000000e2";
pub const ALAN: &str = "5f00000000000000000000e3";
pub const DAY_TRIPPER: &str = "5f00000000000000000000e4";
pub const GUEST: &str = "visitor_5f00000000000000000000a1";

/// A member of the demo organization without a company.
pub fn member(id: &str, name: &str) -> Member {
    Member {
        id: id.into(),
        name: name.into(),
        email: Some(format!("{id}@officernd.example")),
        company: None,
        location: Some(demo::BERLIN.into()),
        calculated_status: Some("active".into()),
        modified_at: None,
    }
}

/// A personal membership of `member` on `plan` at Berlin, from today (Berlin's calendar day).
pub fn membership(id: &str, member: &str, plan: &str) -> Membership {
    Membership {
        id: id.into(),
        name: String::new(),
        member: Some(member.into()),
        company: None,
        is_personal: true,
        plan: plan.into(),
        location: Some(demo::BERLIN.into()),
        start_date: Some(integration_tests::officernd::today_in_berlin()),
        end_date: None,
        calculated_status: None,
        modified_at: None,
    }
}

/// Whether the member has an account with a live grant of `basis`.
pub fn live_with(member: Option<&store::queries::MemberView>, basis: &str) -> bool {
    member.is_some_and(|m| {
        m.status == "active" && m.live_grants(Utc::now()).any(|g| g.basis == basis)
    })
}

/// A stack with the demo OfficeRnD organization connected and imported.
pub async fn connected() -> anyhow::Result<Stack> {
    let stack = Stack::start().await?;
    stack.connect_officernd().await?;
    Ok(stack)
}

//! Every read the services make of the store, under one path: each read model's queries
//! (see [`crate::read_models`]) and the members' key material.

pub use crate::member_keys::{insert_member_key, insert_member_keys, member_key, member_keys};
pub use crate::read_models::groups::{GroupView, group, group_team_ids, groups, vlans_in_use};
pub use crate::read_models::locations::{LocationView, location, locations, member_location};
pub use crate::read_models::mail_settings::mail_settings;
pub use crate::read_models::member_devices::{DeviceView, device, devices};
pub use crate::read_models::members::{
    AccessCounts, GrantView, MemberView, access_counts, list_members, member, member_by_email_hash,
    member_user_ids, members_by_email_hash, members_in_group, members_page,
    members_with_expired_grants, next_grant_expiry, passphrase_holders, passphrase_taken,
};
pub use crate::read_models::notifications::{NotificationView, notifications};
pub use crate::read_models::organizations::{
    installed_organizations, org_policy, organization_installed, organization_token,
    platform_account,
};
pub use crate::read_models::plan_profiles::plan_profiles;
pub use crate::read_models::radius_nas::{
    NasView, all_nases, nas, nas_for_ip, nas_overlapping, nases,
};
pub use crate::read_models::sync_runs::{
    SyncRunView, latest_sync_position, sync_run_after, sync_runs,
};

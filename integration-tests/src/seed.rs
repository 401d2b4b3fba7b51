//! Many members at once, written straight into the read models (what provision would project
//! for members with an open-ended plan): for benchmarks and tests that need thousands of live
//! keys, which would take minutes through Optix webhooks. Each has a data key, a sealed
//! passphrase and a grant at every location on `vlan`, and optionally one device.

/// One member to seed.
pub struct SeededMember {
    pub user_id: String,
    pub passphrase: String,
    /// A device bound to them by an admin (12 lowercase hex digits), if any.
    pub mac: Option<String>,
}

/// Inserts `members` into `org_id`'s read models, sealed with `keys` as provision seals.
pub async fn members(
    client: &deadpool_postgres::Client,
    keys: &secrets::KeyRing,
    org_id: &str,
    members: &[SeededMember],
    vlan: u16,
) -> anyhow::Result<()> {
    let (mut users, mut wrapped_keys, mut profiles, mut passphrases, mut hashes) =
        (vec![], vec![], vec![], vec![], vec![]);
    for member in members {
        let aad = secrets::contexts::member(org_id, &member.user_id);
        let (key, wrapped) = keys.new_member_key(&aad);
        profiles.push(serde_json::to_value(key.seal(b"{}", &aad))?);
        passphrases.push(serde_json::to_value(
            key.seal(member.passphrase.as_bytes(), &aad),
        )?);
        hashes.push(secrets::passphrase_hash(keys, org_id, &member.passphrase));
        wrapped_keys.push(serde_json::to_value(&wrapped)?);
        users.push(member.user_id.clone());
    }
    let network = serde_json::json!({ "profile": "seeded", "vlan": vlan });
    client
        .execute(
            "WITH new AS (SELECT * FROM unnest($2::text[], $3::jsonb[], $4::jsonb[], $5::jsonb[],
                                               $6::text[])
                            AS n(user_id, wrapped, profile, passphrase, passphrase_hash)),
                  k AS (INSERT INTO member_keys (org_id, user_id, wrapped_key)
                        SELECT $1, user_id, wrapped FROM new),
                  g AS (INSERT INTO member_grants (org_id, user_id, basis, source_id, location_id,
                                                   granted_at, network)
                        SELECT $1, user_id, 'plan', user_id, NULL, now(), $7 FROM new)
             INSERT INTO members (org_id, user_id, home_location, onboarded_via, status,
                                  email_hash, profile, passphrase, passphrase_hash, opened_at,
                                  updated_at, last_position)
             SELECT $1, user_id, NULL, 'sync', 'active', 'seeded-' || user_id, profile, passphrase,
                    passphrase_hash, now(), now(), 0 FROM new",
            &[
                &org_id,
                &users,
                &wrapped_keys,
                &profiles,
                &passphrases,
                &hashes,
                &network,
            ],
        )
        .await?;
    let (with_devices, macs): (Vec<String>, Vec<String>) = members
        .iter()
        .filter_map(|member| Some((member.user_id.clone(), member.mac.clone()?)))
        .unzip();
    client
        .execute(
            "INSERT INTO member_devices (org_id, user_id, mac, name, bound_via, added_at)
             SELECT $1, user_id, mac, 'seeded device', 'admin', now()
               FROM unnest($2::text[], $3::text[]) AS d(user_id, mac)",
            &[&org_id, &with_devices, &macs],
        )
        .await?;
    Ok(())
}

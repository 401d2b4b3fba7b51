//! A TOY for issue 16's read-path measurement (bench/radius/measure.sh; figures in docs/design.md "RADIUS read path"), not
//! Lanyard's RADIUS endpoint: it seeds N toy members in PostgreSQL and answers FreeRADIUS's
//! `rlm_rest` the way a Lanyard endpoint would (one indexed query, the member key unwrapped with
//! the key ring, the passphrase opened), so rlm_rest can be measured beside rlm_sql and `files`.
//!
//! It writes three forms of the same members:
//! - `toy_radius_sealed`: what Lanyard keeps (wrapped member key + sealed passphrase), for rlm_rest;
//! - `toy_radius_clear`: the passphrase readable by SQL, the only way rlm_sql can return it;
//! - TOY_USERS_FILE: the same answers for FreeRADIUS's `files` module (the ceiling).
//!
//! Environment: DATABASE_URL, TOY_LISTEN (127.0.0.1:PORT), TOY_MEMBERS (default 10000),
//! TOY_USERS_FILE, TOY_MACS_FILE (one MAC a line, for the load generator).

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use deadpool_postgres::Pool;
use domain::events::Sealed;
use secrets::KeyRing;
use serde::Deserialize;
use std::fmt::Write as _;
use std::sync::Arc;

const ORG: &str = "toy-org";

fn mac_of(i: usize) -> String {
    format!("02{i:010x}")
}

fn aad_of(mac: &str) -> String {
    secrets::contexts::member(ORG, mac)
}

async fn seed(pool: &Pool, keys: &KeyRing, members: usize) -> anyhow::Result<()> {
    let client = pool.get().await?;
    client
        .batch_execute(
            "DROP TABLE IF EXISTS toy_radius_sealed, toy_radius_clear;
             CREATE TABLE toy_radius_sealed (org text, mac text, wrapped_key jsonb,
               passphrase jsonb, vlan int, until timestamptz, PRIMARY KEY (org, mac));
             CREATE TABLE toy_radius_clear (org text, mac text, passphrase text, vlan int,
               until timestamptz, PRIMARY KEY (org, mac));",
        )
        .await?;
    let (mut macs, mut wrapped, mut sealed, mut clear, mut vlans) =
        (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..members {
        let mac = mac_of(i);
        let aad = aad_of(&mac);
        let passphrase = secrets::passphrases::generate_passphrase();
        let (key, wrapped_key) = keys.new_member_key(&aad);
        wrapped.push(serde_json::to_value(&wrapped_key)?);
        sealed.push(serde_json::to_value(key.seal(passphrase.as_bytes(), &aad))?);
        clear.push(passphrase);
        vlans.push(100 + i32::try_from(i % 100)?);
        macs.push(mac);
    }
    client
        .execute(
            "INSERT INTO toy_radius_sealed SELECT $1, * , now() + interval '1 day'
             FROM unnest($2::text[], $3::jsonb[], $4::jsonb[], $5::int[])",
            &[&ORG, &macs, &wrapped, &sealed, &vlans],
        )
        .await?;
    client
        .execute(
            "INSERT INTO toy_radius_clear SELECT $1, *, now() + interval '1 day'
             FROM unnest($2::text[], $3::text[], $4::int[])",
            &[&ORG, &macs, &clear, &vlans],
        )
        .await?;
    client
        .batch_execute("ANALYZE toy_radius_sealed; ANALYZE toy_radius_clear;")
        .await?;
    write_files(&macs, &clear, &vlans)
}

fn write_files(macs: &[String], clear: &[String], vlans: &[i32]) -> anyhow::Result<()> {
    let (mut users, mut list) = (String::new(), String::new());
    for ((mac, passphrase), vlan) in macs.iter().zip(clear).zip(vlans) {
        writeln!(
            users,
            "\"{mac}\"\tAuth-Type := Accept\n\tTunnel-Type = VLAN,\n\tTunnel-Medium-Type = IEEE-802,\n\
             \tTunnel-Private-Group-Id = \"{vlan}\",\n\tTunnel-Password = \"{passphrase}\",\n\
             \tSession-Timeout = 86400\n"
        )?;
        writeln!(list, "{mac}")?;
    }
    std::fs::write(std::env::var("TOY_USERS_FILE")?, users)?;
    std::fs::write(std::env::var("TOY_MACS_FILE")?, list)?;
    Ok(())
}

#[derive(Deserialize)]
struct Ask {
    mac: String,
}

struct State {
    pool: Pool,
    keys: KeyRing,
}

/// rlm_rest's authorize call: 200 + attributes, 404 (notfound → reject) for an unknown MAC.
async fn authorize(state: web::Data<Arc<State>>, ask: web::Query<Ask>) -> HttpResponse {
    match answer(&state, &ask.mac).await {
        Ok(Some(body)) => HttpResponse::Ok().json(body),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
    }
}

async fn answer(state: &State, mac: &str) -> anyhow::Result<Option<serde_json::Value>> {
    let client = state.pool.get().await?;
    let statement = client
        .prepare_cached(
            "SELECT wrapped_key, passphrase, vlan, extract(epoch FROM until - now())::int8
             FROM toy_radius_sealed WHERE org = $1 AND mac = $2 AND until > now()",
        )
        .await?;
    let Some(row) = client.query_opt(&statement, &[&ORG, &mac]).await? else {
        return Ok(None);
    };
    let aad = aad_of(mac);
    let wrapped: Sealed = serde_json::from_value(row.get(0))?;
    let sealed: Sealed = serde_json::from_value(row.get(1))?;
    let key = state.keys.unwrap_member_key(&wrapped, &aad)?;
    let passphrase = String::from_utf8(key.open(&sealed, &aad)?)?;
    let vlan: i32 = row.get(2);
    let seconds: i64 = row.get(3);
    Ok(Some(serde_json::json!({
        "control:Auth-Type": "Accept",
        "reply:Tunnel-Type": "VLAN",
        "reply:Tunnel-Medium-Type": "IEEE-802",
        "reply:Tunnel-Private-Group-Id": vlan.to_string(),
        "reply:Tunnel-Password": passphrase,
        "reply:Session-Timeout": seconds,
    })))
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL")?;
    let listen = std::env::var("TOY_LISTEN").context("TOY_LISTEN")?;
    let members = std::env::var("TOY_MEMBERS").map_or(Ok(10_000), |n| n.parse())?;
    let pool = store::create_pool(&url, 16)?;
    let master = hex::encode(rand::random::<[u8; 32]>());
    let hash = hex::encode(rand::random::<[u8; 32]>());
    let keys = KeyRing::from_hex(&master, &hash)?;
    seed(&pool, &keys, members).await?;
    println!("seeded {members} toy members; listening on {listen}");
    let state = Arc::new(State { pool, keys });
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(state.clone()))
            .route("/radius/authorize", web::get().to(authorize))
    })
    .workers(2)
    .bind(&listen)?
    .run()
    .await?;
    Ok(())
}

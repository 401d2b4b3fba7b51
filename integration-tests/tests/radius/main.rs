//! RADIUS end to end, one test binary: a real FreeRADIUS per test (deploy/freeradius, rlm_rest)
//! asking the stack's radius service, `radclient` as the access point. NASes and devices are
//! registered through the same commands the CLI and the pages send.

mod accounting;
mod answers;
mod cache;
mod coa;
mod disconnect;
mod handshake;
mod nas;
mod revocation;
mod roaming;

use bus::commands::{Command, NasSecretText};
use domain::NasDialect;
use integration_tests::radius::{Exchange, FreeRadius};
use integration_tests::stack::{DEMO_ORG, RADIUS_TOKEN};
use integration_tests::{Stack, StackOptions};

const JEAN: &str = "12346"; // Hot Desk (all locations), ACTIVE
const RICHARD: &str = "12347"; // Dedicated Desk at 3390, team The Cube Team
const GASTOWN: &str = "3390";
const TRASTEVERE: &str = "3391";
/// The shared secret of the test NASes (registered from 127.0.0.1, where radclient sends from).
const NAS_SECRET: &str = "nas-secret-for-tests-0123";
const JEAN_MAC: &str = "0242ac110002";
const RICHARD_MAC: &str = "0242ac110003";

/// A stack with the demo organization installed and its locations mapped, and a FreeRADIUS
/// asking its radius service.
struct Radius {
    stack: Stack,
    freeradius: FreeRadius,
}

impl Radius {
    /// A new Optix user nobody told Lanyard about (`name@example.com`): their id.
    async fn new_user(&self, name: &str) -> anyhow::Result<String> {
        use optix_sim::{Change, Notify};
        let change = Change::AddUser {
            name: name.into(),
            surname: "Test".into(),
            email: format!("{}@example.com", name.to_lowercase()),
            is_admin: false,
        };
        let applied = self
            .stack
            .sim
            .sim
            .apply(DEMO_ORG, change, Notify::Quietly)
            .await?;
        applied
            .id
            .ok_or_else(|| anyhow::anyhow!("the simulator made no user id"))
    }

    /// A new Optix user, guest of a meeting at `location_id` (booked by Annie, 12349) from a
    /// minute ago until `ends` (Unix seconds), once provision has granted them a key.
    async fn guest_until(&self, location_id: &str, ends: i64) -> anyhow::Result<String> {
        use optix_sim::{Change, Notify};
        let sim = &self.stack.sim.sim;
        let guest = self.new_user("Gus").await?;
        let now = chrono::Utc::now();
        sim.apply(
            DEMO_ORG,
            Change::AddBooking {
                user_id: "12349".into(),
                location_id: location_id.into(),
                resource_name: "Meeting Room B".into(),
                start_timestamp: now.timestamp() - 60,
                end_timestamp: ends,
                invitees: vec![guest.clone()],
            },
            Notify::Webhook,
        )
        .await?;
        self.stack
            .member_until(DEMO_ORG, &guest, "the guest's key", |m| {
                m.is_some_and(|m| m.live_grants(chrono::Utc::now()).next().is_some())
            })
            .await?;
        Ok(guest)
    }

    async fn start() -> anyhow::Result<Radius> {
        Radius::start_with(StackOptions::default()).await
    }

    async fn start_with(options: StackOptions) -> anyhow::Result<Radius> {
        let stack = Stack::start_with(options).await?;
        stack.map_demo_locations().await?;
        stack.install(DEMO_ORG).await?;
        let freeradius =
            FreeRadius::start(&stack.radius_url, RADIUS_TOKEN, stack.radius_fill_port).await?;
        Ok(Radius { stack, freeradius })
    }

    /// Registers (or re-registers) the NAS `nas_id` of `org_id` at 127.0.0.1.
    async fn register_nas(
        &self,
        org_id: &str,
        nas_id: &str,
        location_id: &str,
        dialect: NasDialect,
    ) -> anyhow::Result<()> {
        self.stack
            .command_done(
                org_id,
                Command::RegisterNas {
                    nas_id: nas_id.into(),
                    location_id: location_id.into(),
                    name: format!("Test NAS {nas_id}"),
                    address: "127.0.0.1".into(),
                    dialect,
                    ssids: vec!["members".into()],
                    coa_port: None,
                    secret: Some(NasSecretText(NAS_SECRET.into())),
                },
            )
            .await
    }

    /// Removes the NAS `nas_id` of `org_id`.
    async fn remove_nas(&self, org_id: &str, nas_id: &str) -> anyhow::Result<()> {
        let remove = Command::RemoveNas {
            nas_id: nas_id.into(),
        };
        self.stack.command_done(org_id, remove).await
    }

    async fn add_device(&self, org_id: &str, user_id: &str, mac: &str) -> anyhow::Result<()> {
        self.stack
            .command_done(
                org_id,
                Command::AddDevice {
                    user_id: user_id.into(),
                    mac: mac.into(),
                    name: "Laptop".into(),
                },
            )
            .await
    }

    /// MAC authentication of `mac` from the test NAS.
    async fn ask(&self, mac: &str) -> anyhow::Result<Exchange> {
        self.freeradius.mac_auth(NAS_SECRET, mac).await
    }

    /// Asks for `mac` until `wanted` holds, for at most a second after a committed change (an
    /// answer FreeRADIUS keeps in memory is fetched again within milliseconds of the commit,
    /// `radius::answer_cache`); the last exchange.
    async fn ask_until(
        &self,
        mac: &str,
        wanted: impl Fn(&Exchange) -> bool,
    ) -> anyhow::Result<Exchange> {
        let since = std::time::Instant::now();
        loop {
            let exchange = self.ask(mac).await?;
            if wanted(&exchange) || since.elapsed() >= std::time::Duration::from_secs(1) {
                return Ok(exchange);
            }
        }
    }

    /// Stops FreeRADIUS and starts a new one (an empty memory) on the same fill port; answers
    /// the database's clock while it was down (a fill stamped later is the new process's).
    async fn restart_freeradius(&mut self) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        self.freeradius.stop().await?;
        let stack = &self.stack;
        let down_at = stack
            .pool
            .get()
            .await?
            .query_one("SELECT now()", &[])
            .await?
            .get(0);
        self.freeradius =
            FreeRadius::start(&stack.radius_url, RADIUS_TOKEN, stack.radius_fill_port).await?;
        Ok(down_at)
    }

    /// A NAS of `dialect` at Gastown and Jean's device, which it accepts.
    async fn jean_accepted(&self, dialect: NasDialect) -> anyhow::Result<()> {
        self.register_nas(DEMO_ORG, "ap", GASTOWN, dialect).await?;
        self.add_device(DEMO_ORG, JEAN, JEAN_MAC).await?;
        assert_accepted(self, &self.ask(JEAN_MAC).await?);
        Ok(())
    }

    /// Optix cancels Jean's plan; returns once her suspension is committed.
    async fn suspend_jean(&self) -> anyhow::Result<()> {
        self.stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
        self.stack
            .member_until(DEMO_ORG, JEAN, "suspension", |m| {
                m.is_some_and(|m| m.status == "suspended")
            })
            .await?;
        Ok(())
    }

    /// Gives the organization a VLAN pool (140–149) and syncs: Richard's team gets a VLAN;
    /// Richard once it is his.
    async fn richard_with_team_vlan(&self) -> anyhow::Result<store::queries::MemberView> {
        self.stack.set_vlan_pool(DEMO_ORG, 140, 149).await?;
        self.stack.command_done(DEMO_ORG, Command::SyncNow).await?;
        let richard = self
            .stack
            .member_until(DEMO_ORG, RICHARD, "the team VLAN", |m| {
                m.is_some_and(|m| m.vlan(chrono::Utc::now()).is_some())
            })
            .await?;
        richard.ok_or_else(|| anyhow::anyhow!("Richard is gone"))
    }

    /// The member's passphrase in force.
    async fn passphrase(&self, user_id: &str) -> anyhow::Result<String> {
        self.stack.passphrase(DEMO_ORG, user_id).await
    }
}

/// The sum of the radius service's metric `name` (every label).
async fn metric(radius: &Radius, name: &str) -> anyhow::Result<f64> {
    integration_tests::metric_sum(&radius.stack.radius_ops_url, name, &[]).await
}

/// Asserts an Accept; the message shows the exchange and FreeRADIUS's log.
fn assert_accepted(radius: &Radius, exchange: &Exchange) {
    assert!(
        exchange.accepted(),
        "expected an Accept:\n{}\n--- freeradius:\n{}",
        exchange.output,
        radius.freeradius.log()
    );
}

/// Asserts a Reject with no attributes at all.
fn assert_rejected(radius: &Radius, exchange: &Exchange) {
    assert!(
        exchange.rejected() && exchange.attributes.is_empty(),
        "expected a bare Reject:\n{}\n--- freeradius:\n{}",
        exchange.output,
        radius.freeradius.log()
    );
}

//! `lanyard officernd`: connect an OfficeRnD organization (docs/officernd.md §2, §8). The
//! secrets come from the environment (never the command line, which other users can read in
//! the process list); the connection is tested here (a token and the organization lookup) and
//! again by provision before anything is recorded.

use clap::Subcommand;
use officernd::Credentials;

#[derive(Subcommand)]
pub enum OfficeRndCommand {
    /// Test the application's credentials: a token, then the organization the slug names.
    Test(Account),
    /// Connect the organization: tested, the client secret sealed in the log, the webhook
    /// secret sealed for ingest, then the initial import. Prints the organization's Lanyard id
    /// and the webhook URL to give OfficeRnD (Settings → Developer Tools → Webhooks).
    Connect {
        #[command(flatten)]
        account: Account,
        /// The webhook endpoint's secret as OfficeRnD shows it (Settings → Developer Tools →
        /// Webhooks). Without it, Lanyard registers its endpoint at --public-url through the
        /// API (the application needs the webhooks create permission).
        #[arg(long, env = "OFFICERND_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: Option<String>,
        /// Where ingest is reachable from OfficeRnD, e.g. https://wifi.example.com.
        #[arg(long)]
        public_url: Option<String>,
    },
    /// A code for the portal's connect page (/canvas/admin/officernd/connect), so the
    /// space's admin can connect the organization there: bound to the slug, valid for
    /// --valid-minutes, spent once the organization is connected.
    ConnectCode {
        /// The organization's slug (https://app.officernd.com/admin/<slug>).
        #[arg(long)]
        slug: String,
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1440))]
        valid_minutes: u32,
    },
}

#[derive(clap::Args)]
pub struct Account {
    /// The organization's slug (https://app.officernd.com/admin/<slug>).
    #[arg(long)]
    pub slug: String,
    /// The application's client id (Settings → Developer Tools → Applications → View).
    #[arg(long)]
    pub client_id: String,
    /// The application's client secret.
    #[arg(long, env = "OFFICERND_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: String,
}

/// The organization the credentials read (its name and Lanyard id), or what to fix.
async fn test(settings: &runtime::Settings, account: &Account) -> anyhow::Result<(String, String)> {
    let client = settings
        .officernd
        .client(std::time::Duration::from_secs(20))?;
    let credentials = Credentials::new(&account.client_id, &account.client_secret, &account.slug);
    match client.organization(&credentials).await {
        Ok(organization) => Ok((
            organization.name,
            domain::Platform::OfficeRnd.org_id(&organization.id),
        )),
        Err(officernd::OfficeRndError::Unauthorized | officernd::OfficeRndError::Server(500)) => {
            anyhow::bail!(
                "OfficeRnD refused the client id and secret for organization {}: check them (Settings → Developer Tools → Applications) and the slug",
                account.slug
            )
        }
        Err(e) => Err(anyhow::anyhow!(e).context(format!(
            "testing the connection at {} (officernd.api_url)",
            settings.officernd.api_url
        ))),
    }
}

/// Registers Lanyard's webhook endpoint through the API: the secret OfficeRnD answers.
async fn register(
    settings: &runtime::Settings,
    account: &Account,
    url: &str,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        url.starts_with("https://")
            || url.starts_with("http://127.0.0.1")
            || url.starts_with("http://localhost"),
        "give --public-url (https) to register the webhook endpoint, or OFFICERND_WEBHOOK_SECRET with the secret of one added in OfficeRnD"
    );
    let client = settings
        .officernd
        .client(std::time::Duration::from_secs(20))?;
    let credentials = Credentials::new(&account.client_id, &account.client_secret, &account.slug);
    match client
        .register_webhook(&credentials, url, officernd::webhook::KNOWN_EVENTS)
        .await
    {
        Ok(registered) => {
            println!("registered the webhook endpoint {url} ({})", registered.id);
            Ok(registered.secret)
        }
        Err(officernd::OfficeRndError::Forbidden | officernd::OfficeRndError::Unauthorized) => {
            anyhow::bail!(
                "OfficeRnD did not let the application register a webhook: grant it the webhooks create permission, or add the endpoint {url} in OfficeRnD and give its secret in OFFICERND_WEBHOOK_SECRET"
            )
        }
        Err(e) => Err(anyhow::anyhow!(e).context("registering the webhook endpoint")),
    }
}

/// Prints a connect code for `slug` and where to use it.
fn connect_code(
    settings: &runtime::Settings,
    slug: &str,
    valid_minutes: u32,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        officernd::slug_ok(slug),
        "the slug is the organization's name in OfficeRnD's addresses (letters, digits, - and _)"
    );
    let keys = settings.provision.key_ring()?;
    let expires_at = chrono::Utc::now() + chrono::Duration::minutes(i64::from(valid_minutes));
    let code = secrets::connect_codes::issue(&keys, slug, expires_at.timestamp());
    let portal = settings.portal.public_url.trim().trim_end_matches('/');
    let portal = if portal.is_empty() {
        "https://<your Lanyard portal>"
    } else {
        portal
    };
    let until = expires_at.format("%Y-%m-%d %H:%M UTC");
    println!("connect code for {slug} (valid until {until}): {code}");
    println!("connect page: {portal}/canvas/admin/officernd/connect");
    Ok(())
}

pub async fn run(settings: &runtime::Settings, command: OfficeRndCommand) -> anyhow::Result<()> {
    match command {
        OfficeRndCommand::ConnectCode {
            slug,
            valid_minutes,
        } => connect_code(settings, &slug, valid_minutes)?,
        OfficeRndCommand::Test(account) => {
            let (name, org_id) = test(settings, &account).await?;
            println!("connection OK: {name} ({org_id})");
        }
        OfficeRndCommand::Connect {
            account,
            webhook_secret,
            public_url,
        } => {
            let (name, org_id) = test(settings, &account).await?;
            let native = domain::Platform::native_id(&org_id).to_owned();
            let base = public_url.unwrap_or_else(|| "https://<your Lanyard host>".into());
            let webhook_url = format!("{}/webhooks/officernd/{native}", base.trim_end_matches('/'));
            let webhook_secret = match webhook_secret {
                Some(secret) => secret,
                None => register(settings, &account, &webhook_url).await?,
            };
            let command = bus::commands::Command::ConnectOfficeRnd {
                client_id: account.client_id,
                client_secret: bus::commands::CredentialText(account.client_secret),
                slug: account.slug,
                webhook_secret: bus::commands::CredentialText(webhook_secret),
            };
            crate::configure::send(
                settings,
                &org_id,
                command,
                &format!("{name} connected as {org_id}"),
            )
            .await?;
            println!("webhook URL for OfficeRnD: {webhook_url}");
        }
    }
    Ok(())
}

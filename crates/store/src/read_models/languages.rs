//! Languages (`member_languages`, `organization_locales`): the language a member last chose
//! (`LanguageChosen`, erased by `AccountDeleted`) and the locale the platform reports for an
//! organization (`OrganizationLocaleSet`). Pages and emails negotiate with them
//! (`i18n::Lang::negotiate`).

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{execute, select};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection = Projection::new(
    "languages",
    &["member_languages", "organization_locales"],
    |tx, stream, recorded| Box::pin(write(tx, stream, recorded)),
);

/// The language the member last chose (an `i18n::Lang` code such as `es`), if any.
pub async fn member_language(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(select(
        client,
        "SELECT language FROM member_languages WHERE org_id = $1 AND user_id = $2",
        &[&org_id, &user_id],
        |row| row.get::<_, String>(0),
    )
    .await?
    .pop())
}

/// The organization's locale as its platform reports it (Optix's raw `locale`, `fr_CA`).
pub async fn organization_locale(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(select(
        client,
        "SELECT locale FROM organization_locales WHERE org_id = $1",
        &[&org_id],
        |row| row.get::<_, String>(0),
    )
    .await?
    .pop())
}

async fn write(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let user = || stream.user_id().ok_or_else(|| misplaced(stream, recorded));
    match &recorded.event {
        Event::LanguageChosen { language } => {
            execute(
                client,
                "INSERT INTO member_languages (org_id, user_id, language, chosen_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_id, user_id)
                 DO UPDATE SET language = EXCLUDED.language, chosen_at = EXCLUDED.chosen_at",
                &[&org, &user()?, language, &at],
            )
            .await
        }
        Event::AccountDeleted => {
            execute(
                client,
                "DELETE FROM member_languages WHERE org_id = $1 AND user_id = $2",
                &[&org, &user()?],
            )
            .await
        }
        Event::OrganizationLocaleSet { locale } => {
            execute(
                client,
                "INSERT INTO organization_locales (org_id, locale) VALUES ($1, $2)
                 ON CONFLICT (org_id) DO UPDATE SET locale = EXCLUDED.locale",
                &[&org, locale],
            )
            .await
        }
        _ => Ok(()),
    }
}

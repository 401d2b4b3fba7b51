//! Languages (`member_languages`, `organization_locales`): the language a member last chose
//! (`LanguageChosen`, erased by `AccountDeleted`) and the locale the platform reports for an
//! organization (`OrganizationLocaleSet`). Pages and emails negotiate with them
//! (`i18n::Lang::negotiate`).

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table, misplaced};
use crate::read_models::rows::select;
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection = Projection::new(
    "languages",
    &[&MEMBER_LANGUAGES, &ORGANIZATION_LOCALES],
    ops,
);

pub const MEMBER_LANGUAGES: Table = Table {
    name: "member_languages",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("user_id", "text"),
        Column::new("language", "text"),
        Column::new("chosen_at", "timestamptz"),
    ],
    key: 2,
};

pub const ORGANIZATION_LOCALES: Table = Table {
    name: "organization_locales",
    columns: &[Column::new("org_id", "text"), Column::new("locale", "text")],
    key: 1,
};

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

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let member_key = || match stream.user_id() {
        Some(user) => Ok(vec![org.to_owned(), user.to_owned()]),
        None => Err(misplaced(stream, recorded)),
    };
    out.push(match &recorded.event {
        Event::LanguageChosen { language } => RowOp::Upsert {
            table: &MEMBER_LANGUAGES,
            key: member_key()?,
            set: vec![
                ("language", to(cell::text(language.as_str()))),
                ("chosen_at", to(cell::time(at))),
            ],
            insert_only: Vec::new(),
        },
        Event::AccountDeleted => RowOp::Delete {
            table: &MEMBER_LANGUAGES,
            key_prefix: member_key()?,
            matching: Vec::new(),
        },
        Event::OrganizationLocaleSet { locale } => RowOp::Upsert {
            table: &ORGANIZATION_LOCALES,
            key: vec![org.to_owned()],
            set: vec![("locale", to(cell::text(locale.as_str())))],
            insert_only: Vec::new(),
        },
        _ => return Ok(()),
    });
    Ok(())
}

//! Which portal a URL names: an organization that installed the app and one of its Optix
//! locations, mapped to a WiFi network (or the page that says why there is no portal there).

use crate::error::PortalError;
use crate::input::plausible_id;
use crate::language::PageLanguage;
use crate::pages::Framing;
use crate::state::State;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::LocationSettings;

/// Is this a portal Lanyard serves?
pub(crate) enum Place {
    Ready(LocationSettings),
    UnknownOrganization,
    Unmapped,
}

pub(crate) async fn place(
    state: &State,
    org_id: &str,
    location_id: &str,
) -> Result<Place, PortalError> {
    if !plausible_id(org_id) || !plausible_id(location_id) {
        return Ok(Place::UnknownOrganization);
    }
    let client = state.pool.get().await?;
    if store::queries::organization_installed(&client, org_id).await? != Some(true) {
        return Ok(Place::UnknownOrganization);
    }
    Ok(
        match store::queries::location(&client, org_id, location_id)
            .await?
            .and_then(|l| l.settings)
        {
            Some(settings) => Place::Ready(settings),
            None => Place::Unmapped,
        },
    )
}

/// A location's portal: its organization, location, settings and the language of its pages.
pub(crate) struct Portal {
    pub org_id: String,
    pub location_id: String,
    pub settings: LocationSettings,
    pub lang: PageLanguage,
}

/// The portal a `/l/{org}/{location}` path names, or the page that says why it has no portal
/// (an unmapped one is also reported to the admins).
pub(crate) async fn portal_location(
    state: &State,
    request: &HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<Result<Portal, HttpResponse>, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let found = place(state, &org_id, &location_id).await?;
    if let Place::UnknownOrganization = found {
        let lang = state.page_language(request, None).await;
        return Ok(Err(state.unknown_organization(&lang, Framing::Deny)?));
    }
    let lang = state.page_language(request, Some(&org_id)).await;
    Ok(match found {
        Place::Ready(settings) => Ok(Portal {
            org_id,
            location_id,
            settings,
            lang,
        }),
        _ => {
            let client = state.client_address(request);
            state
                .report_unmapped(&org_id, &location_id, None, Some(&client))
                .await;
            Err(state.unmapped_location(&lang, Framing::Deny, &location_id)?)
        }
    })
}

/// The tenant portal's address for a location.
pub(crate) fn portal_path(org_id: &str, location_id: &str) -> String {
    format!("/l/{org_id}/{location_id}")
}

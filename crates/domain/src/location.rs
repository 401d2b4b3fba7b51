//! The location aggregate (`location-{org}-{loc}` stream): how an Optix location maps to a
//! Lanyard location (network name, time zone, VLAN pool, roaming), and tenants turned away
//! because it is not mapped (seed 000 "Unmapped Locations").

use crate::aggregate::Aggregate;
use crate::events::Event;
use crate::policy::{LocationSettings, PolicyError};
use chrono::{DateTime, Duration, Utc};

/// Repeated attempts from an unmapped location are reported at most this often.
pub const UNMAPPED_REPORT_INTERVAL: Duration = Duration::hours(1);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub settings: Option<LocationSettings>,
    pub last_unmapped_report: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationCommand {
    Map {
        location_id: String,
        settings: LocationSettings,
    },
    Unmap {
        location_id: String,
    },
    ReportUnmappedUse {
        location_id: String,
        user_id: Option<String>,
        now: DateTime<Utc>,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LocationError {
    #[error(transparent)]
    Invalid(#[from] PolicyError),
}

impl Aggregate for Location {
    type Command = LocationCommand;
    type Error = LocationError;

    fn decide(&self, command: LocationCommand) -> Result<Vec<Event>, LocationError> {
        match command {
            LocationCommand::Map {
                location_id,
                settings,
            } => map(self, location_id, settings),
            LocationCommand::Unmap { location_id } => Ok(unmap(self, location_id)),
            LocationCommand::ReportUnmappedUse {
                location_id,
                user_id,
                now,
            } => Ok(report_unmapped_use(self, location_id, user_id, now)),
        }
    }

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::LocationMapped { settings, .. } => {
                self.settings = Some(settings.clone());
                self.last_unmapped_report = None;
            }
            Event::LocationUnmapped { .. } => self.settings = None,
            Event::UnmappedLocationUsed { at, .. } => self.last_unmapped_report = Some(*at),
            _ => {}
        }
        self
    }
}

/// A mapping (validated first), unless it is the one in force.
fn map(
    state: &Location,
    location_id: String,
    settings: LocationSettings,
) -> Result<Vec<Event>, LocationError> {
    settings.validate()?;
    Ok(if state.settings.as_ref() == Some(&settings) {
        vec![]
    } else {
        vec![Event::LocationMapped {
            location_id,
            settings,
        }]
    })
}

/// The end of a mapping, if there is one.
fn unmap(state: &Location, location_id: String) -> Vec<Event> {
    match state.settings {
        Some(_) => vec![Event::LocationUnmapped { location_id }],
        None => vec![],
    }
}

/// A tenant turned away from an unmapped location, reported at most once per
/// [`UNMAPPED_REPORT_INTERVAL`].
fn report_unmapped_use(
    state: &Location,
    location_id: String,
    user_id: Option<String>,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let recently = state
        .last_unmapped_report
        .is_some_and(|last| now - last < UNMAPPED_REPORT_INTERVAL);
    if state.settings.is_some() || recently {
        vec![]
    } else {
        vec![Event::UnmappedLocationUsed {
            location_id,
            user_id,
            at: now,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{RoamingPolicy, VlanRange};
    use crate::testing::at;

    fn downtown() -> LocationSettings {
        LocationSettings {
            name: "Downtown".into(),
            network_name: "downtown-secure".into(),
            timezone: "Europe/Rome".into(),
            vlan_pool: Some(VlanRange {
                first: 100,
                last: 199,
            }),
            roaming: RoamingPolicy::SingleLocation,
        }
    }
    fn report(now: &str) -> LocationCommand {
        LocationCommand::ReportUnmappedUse {
            location_id: "3392".into(),
            user_id: Some("12346".into()),
            now: at(now),
        }
    }

    #[test]
    fn mapping_is_recorded_once_and_changes_are_recorded() {
        let map = LocationCommand::Map {
            location_id: "3390".into(),
            settings: downtown(),
        };
        let events = Location::default().decide(map.clone()).expect("map");
        assert_eq!(
            events,
            vec![Event::LocationMapped {
                location_id: "3390".into(),
                settings: downtown()
            }]
        );
        let state = events.iter().fold(Location::default(), Location::evolve);
        assert_eq!(state.decide(map), Ok(vec![]));
        let mut renamed = downtown();
        renamed.network_name = "downtown-2".into();
        assert_eq!(
            state
                .decide(LocationCommand::Map {
                    location_id: "3390".into(),
                    settings: renamed
                })
                .map(|e| e.len()),
            Ok(1)
        );
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let mut settings = downtown();
        settings.timezone = "Mars/Olympus".into();
        assert_eq!(
            Location::default().decide(LocationCommand::Map {
                location_id: "3390".into(),
                settings
            }),
            Err(LocationError::Invalid(PolicyError::TimeZone(
                "Mars/Olympus".into()
            )))
        );
    }

    #[test]
    fn unmapped_use_is_reported_at_most_hourly_and_never_for_mapped_locations() {
        let first = Location::default()
            .decide(report("2026-11-22T10:00:00Z"))
            .expect("report");
        assert_eq!(first.len(), 1);
        let state = first.iter().fold(Location::default(), Location::evolve);
        assert_eq!(state.decide(report("2026-11-22T10:30:00Z")), Ok(vec![]));
        assert_eq!(
            state
                .decide(report("2026-11-22T11:00:00Z"))
                .map(|e| e.len()),
            Ok(1)
        );
        let mapped = [Event::LocationMapped {
            location_id: "3392".into(),
            settings: downtown(),
        }]
        .iter()
        .fold(state, Location::evolve);
        assert_eq!(mapped.decide(report("2026-11-22T12:00:00Z")), Ok(vec![]));
    }
}

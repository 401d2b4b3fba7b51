//! The events' wire contract for subscribers (proto/events/): JSON Schemas generated from the
//! types the relay publishes, checked in, and compared with the code by a test, so that a
//! change of the contract shows in review. `make event-schemas` writes them again.

use crate::relay::PublishedEvent;
use schemars::generate::SchemaSettings;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The contract's version: its folder under proto/events/ and its schemas' `$id`s. A change a
/// subscriber could trip on (a field removed or renamed, a type changed) is a new version.
pub const VERSION: &str = "v1";

/// The schema of a message on `lanyard.events.>` (the envelope with the event inside).
pub const PUBLISHED_EVENT: &str = "published-event.schema.json";
/// The schema of a domain event alone (`PublishedEvent::event`).
pub const EVENT: &str = "event.schema.json";

/// A schema file of the contract: its name and its JSON.
pub struct SchemaFile {
    pub name: &'static str,
    pub schema: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The contract's folder in a checkout whose root is `repository`.
pub fn folder(repository: &Path) -> PathBuf {
    repository.join("proto/events").join(VERSION)
}

/// The schemas as the code defines them: what the relay serializes (serde's serialize side:
/// a field that is always written is required, even when it may be null).
pub fn schema_files() -> Vec<SchemaFile> {
    vec![
        SchemaFile {
            name: PUBLISHED_EVENT,
            schema: root_schema::<PublishedEvent<'static>>(
                PUBLISHED_EVENT,
                "A committed Lanyard event as published on lanyard.events.<category>.<org>.<type>",
            ),
        },
        SchemaFile {
            name: EVENT,
            schema: root_schema::<domain::Event>(EVENT, "A Lanyard domain event"),
        },
    ]
}

fn root_schema<T: schemars::JsonSchema>(name: &str, title: &str) -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), schema_id(name).into());
        object.insert("title".into(), title.into());
    }
    sorted(schema)
}

/// A schema's `$id`: versioned, and naming its file (`urn:lanyard:events:v1:event`).
pub fn schema_id(file_name: &str) -> String {
    let stem = file_name.trim_end_matches(".schema.json");
    format!("urn:lanyard:events:{VERSION}:{stem}")
}

/// Objects' keys in order, whichever map serde_json was built with, so the files written are
/// the same from any build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(String, Value)> = object.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The text a schema file holds: pretty JSON, keys sorted, a final newline.
pub fn file_text(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(schema.clone())).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every schema into `dir` (created if missing); answers the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, ContractError> {
    std::fs::create_dir_all(dir).map_err(|source| ContractError::Io {
        path: dir.to_owned(),
        source,
    })?;
    schema_files()
        .into_iter()
        .map(|file| {
            let path = dir.join(file.name);
            std::fs::write(&path, file_text(&file.schema)).map_err(|source| ContractError::Io {
                path: path.clone(),
                source,
            })?;
            Ok(path)
        })
        .collect()
}

/// Reads a checked-in schema file.
pub fn read(path: &Path) -> Result<Value, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ContractError::Json {
        path: path.to_owned(),
        source,
    })
}

/// The files in `dir` that differ from the code's schemas (missing, or another JSON).
pub fn stale_files(dir: &Path) -> Vec<String> {
    schema_files()
        .into_iter()
        .filter(|file| read(&dir.join(file.name)).ok().as_ref() != Some(&file.schema))
        .map(|file| file.name.to_owned())
        .collect()
}

/// The event types a schema of `Event` (or of the envelope, through its `$defs`) lists: the
/// `type` constant of each alternative.
pub fn event_types(schema: &Value) -> Vec<String> {
    let event = schema
        .pointer("/$defs/Event")
        .filter(|_| schema.get("oneOf").is_none())
        .unwrap_or(schema);
    event
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|alternative| alternative.pointer("/properties/type/const"))
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_checked_in_schemas_are_the_codes() {
        let stale = stale_files(&folder(&repository()));
        assert!(
            stale.is_empty(),
            "proto/events/{VERSION}: {stale:?} differ from the types the relay publishes; \
             if the change is meant, run `make event-schemas` and review the diff (a change a \
             subscriber could trip on is a new version)"
        );
    }

    #[test]
    fn every_event_type_is_in_the_schema_and_the_readme() {
        let schema = read(&folder(&repository()).join(PUBLISHED_EVENT)).expect("schema");
        let types = event_types(&schema);
        assert_eq!(types, event_types(&schema_files()[1].schema));
        for example in [
            domain::Event::AccountSuspended,
            domain::Event::NasRemoved,
            domain::Event::ControllerUnmapped,
        ] {
            assert!(types.iter().any(|t| t == example.type_name()));
        }
        let readme = std::fs::read_to_string(repository().join("proto/events/README.md"))
            .expect("proto/events/README.md");
        let missing: Vec<&String> = types
            .iter()
            .filter(|t| !readme.contains(&format!("`{t}`")))
            .collect();
        assert!(missing.is_empty(), "the README does not list {missing:?}");
        for stream in [
            domain::StreamId::organization("1"),
            domain::StreamId::member("1", "2"),
            domain::StreamId::location("1", "2"),
            domain::StreamId::group("1", "2"),
            domain::StreamId::nas("1", "2"),
            domain::StreamId::controller("1", "2"),
        ] {
            let subject = format!("lanyard.events.{}.", stream.category());
            assert!(readme.contains(&subject), "the README names no {subject}");
        }
    }

    #[test]
    fn ids_are_versioned() {
        for file in schema_files() {
            assert_eq!(
                file.schema["$id"],
                format!(
                    "urn:lanyard:events:v1:{}",
                    file.name.replace(".schema.json", "")
                )
            );
        }
    }
}

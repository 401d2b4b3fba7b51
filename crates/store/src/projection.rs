//! The projection contract: a read model's writer is a pure function from an event to row
//! operations on its tables ([`RowOp`]), with no SQL and no I/O. The event log runs those
//! operations as statements in the append's transaction (`project_sql`); replay folds the
//! whole log into in-memory tables and writes each with one `COPY` (`replay`). One
//! implementation both ways: the checksum test compares them. The list of projections is
//! `read_models::PROJECTIONS`.

use crate::error::StoreError;
use crate::recorded::RecordedEvent;
use domain::StreamId;

/// A column's value in PostgreSQL's text form (what `COPY` and a `::text::<type>` cast read);
/// `None` is NULL. Both writers use this one encoding, so both store identical values.
pub type Cell = Option<String>;

/// One column of a projection table.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    /// The SQL type, for the casts of the live statements (e.g. `timestamptz`, `text[]`).
    pub sql_type: &'static str,
    /// The column's DEFAULT in text form, for rows that never set it (NULL when `None`).
    pub default: Option<&'static str>,
}

impl Column {
    pub const fn new(name: &'static str, sql_type: &'static str) -> Self {
        Column {
            name,
            sql_type,
            default: None,
        }
    }

    pub const fn with_default(
        name: &'static str,
        sql_type: &'static str,
        default: &'static str,
    ) -> Self {
        Column {
            name,
            sql_type,
            default: Some(default),
        }
    }
}

/// A projection table: its columns, the primary key's first (`key` of them).
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [Column],
    pub key: usize,
}

/// Tables are told apart by name (each is declared once, by its read model).
impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Table {
    /// The position of a column among `columns`.
    pub fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == column)
    }

    pub fn key_columns(&self) -> &'static [Column] {
        &self.columns[..self.key]
    }
}

/// What an operation does to one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Set {
    To(Cell),
    /// Adds to an integer column (a counter); a new row starts from the amount.
    Add(i64),
}

/// A change to one projection table, made by one event.
#[derive(Clone, Debug, PartialEq)]
pub enum RowOp {
    /// A new row: the key and `columns`, the other columns their defaults. No row with this
    /// key exists (the log guarantees it; the live statement fails otherwise).
    Insert {
        table: &'static Table,
        key: Vec<String>,
        columns: Vec<(&'static str, Cell)>,
    },
    /// Sets `set` on the row with this key, or creates it with `set` and `insert_only`.
    Upsert {
        table: &'static Table,
        key: Vec<String>,
        set: Vec<(&'static str, Set)>,
        insert_only: Vec<(&'static str, Cell)>,
    },
    /// Sets `set` on the row with this key, if there is one.
    Patch {
        table: &'static Table,
        key: Vec<String>,
        set: Vec<(&'static str, Set)>,
    },
    /// Deletes the rows whose key starts with `key_prefix` and whose `matching` columns hold
    /// those values.
    Delete {
        table: &'static Table,
        key_prefix: Vec<String>,
        matching: Vec<(&'static str, String)>,
    },
}

impl RowOp {
    pub fn table(&self) -> &'static Table {
        match self {
            RowOp::Insert { table, .. }
            | RowOp::Upsert { table, .. }
            | RowOp::Patch { table, .. }
            | RowOp::Delete { table, .. } => table,
        }
    }
}

/// Appends the row operations of one event (see [`Projection::ops`]).
pub type OpsFn = fn(&StreamId, &RecordedEvent, &mut Vec<RowOp>) -> Result<(), StoreError>;

/// One read model's writer.
pub struct Projection {
    /// For errors and logs, e.g. `members`.
    pub name: &'static str,
    /// The tables it writes and nothing else writes; replay rebuilds exactly these.
    pub tables: &'static [&'static Table],
    /// Sees every event and ignores those its tables do not follow. Uses only what the event
    /// carries (never the clock, never the tables), so a rebuild from position 0 yields
    /// identical rows.
    pub ops: OpsFn,
}

impl Projection {
    pub const fn new(name: &'static str, tables: &'static [&'static Table], ops: OpsFn) -> Self {
        Projection { name, tables, ops }
    }
}

/// An event on a stream it cannot belong to (e.g. a member event on a group stream).
pub fn misplaced(stream: &StreamId, recorded: &RecordedEvent) -> StoreError {
    StoreError::Corrupt {
        position: recorded.global_position,
        reason: format!(
            "{} does not belong on stream {stream}",
            recorded.event.type_name()
        ),
    }
}

/// Cells in PostgreSQL's text form.
pub mod cell {
    use super::{Cell, Set};
    use crate::error::StoreError;
    use chrono::{DateTime, SecondsFormat, Utc};

    pub fn text(value: impl Into<String>) -> Cell {
        Some(value.into())
    }

    pub fn opt_text(value: Option<&String>) -> Cell {
        value.cloned()
    }

    pub fn int(value: impl Into<i64>) -> Cell {
        Some(value.into().to_string())
    }

    pub fn boolean(value: bool) -> Cell {
        Some(value.to_string())
    }

    /// A `timestamptz`, at the microsecond PostgreSQL keeps (truncated, as a bound parameter
    /// is).
    pub fn time(value: DateTime<Utc>) -> Cell {
        let micros = value.timestamp_micros();
        let kept = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or(value);
        Some(kept.to_rfc3339_opts(SecondsFormat::Micros, true))
    }

    pub fn opt_time(value: Option<DateTime<Utc>>) -> Cell {
        value.and_then(time)
    }

    /// A `jsonb` value.
    pub fn json<T: serde::Serialize>(value: &T) -> Result<Cell, StoreError> {
        serde_json::to_string(value)
            .map(Some)
            .map_err(|e| StoreError::Config(e.to_string()))
    }

    /// A `text[]` literal: `{"a","b"}`.
    pub fn text_array(values: &[String]) -> Cell {
        let quoted: Vec<String> = values
            .iter()
            .map(|v| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        Some(format!("{{{}}}", quoted.join(",")))
    }

    /// Sets a column to a value.
    pub fn to(value: Cell) -> Set {
        Set::To(value)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;
    use chrono::{TimeZone, Utc};

    #[test]
    fn times_keep_the_microseconds_postgres_keeps() {
        let at = Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(
            cell::time(at).as_deref(),
            Some("2023-11-14T22:13:20.123456Z")
        );
    }

    #[test]
    fn text_arrays_quote_their_elements() {
        assert_eq!(
            cell::text_array(&["a b".into(), "q\"\\".into()]).as_deref(),
            Some(r#"{"a b","q\"\\"}"#)
        );
        assert_eq!(cell::text_array(&[]).as_deref(), Some("{}"));
    }
}

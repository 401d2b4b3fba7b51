//! Projection tables in memory: replay folds every event's row operations ([`RowOp`]) into
//! them, then writes each with one `COPY` in CSV form. A row is keyed by its primary key (in
//! order, so a key prefix is a range); its other cells are in the table's column order.

use crate::projection::{Cell, RowOp, Set, Table};
use std::collections::BTreeMap;

/// The position of a non-key column among a row's cells.
fn slot(table: &Table, column: &str) -> usize {
    match table.position(column) {
        Some(position) if position >= table.key => position - table.key,
        // A projection naming a column its table lacks: a bug every replay test catches.
        _ => panic!("{} has no column {column}", table.name),
    }
}

/// One table's rows.
pub struct MemTable {
    pub table: &'static Table,
    rows: BTreeMap<Vec<String>, Vec<Cell>>,
}

impl MemTable {
    fn new(table: &'static Table) -> Self {
        MemTable {
            table,
            rows: BTreeMap::new(),
        }
    }

    fn slot(&self, column: &str) -> usize {
        slot(self.table, column)
    }

    /// A new row: every column its default.
    fn defaults(&self) -> Vec<Cell> {
        self.table.columns[self.table.key..]
            .iter()
            .map(|c| c.default.map(str::to_owned))
            .collect()
    }

    fn set(table: &Table, row: &mut [Cell], set: Vec<(&'static str, Set)>, existing: bool) {
        for (column, value) in set {
            let slot = slot(table, column);
            row[slot] = match value {
                Set::To(cell) => cell,
                Set::Add(amount) => {
                    let current = row[slot]
                        .as_deref()
                        .filter(|_| existing)
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0);
                    Some((current + amount).to_string())
                }
            };
        }
    }

    /// Folds one operation in, moving its values (replay makes each operation once).
    fn apply(&mut self, op: RowOp) {
        match op {
            RowOp::Insert { key, columns, .. } => {
                let mut row = self.defaults();
                for (column, value) in columns {
                    row[self.slot(column)] = value;
                }
                self.rows.insert(key, row);
            }
            RowOp::Upsert {
                key,
                set,
                insert_only,
                ..
            } => {
                if let Some(row) = self.rows.get_mut(&key) {
                    Self::set(self.table, row, set, true);
                } else {
                    let mut row = self.defaults();
                    for (column, value) in insert_only {
                        row[self.slot(column)] = value;
                    }
                    Self::set(self.table, &mut row, set, false);
                    self.rows.insert(key, row);
                }
            }
            RowOp::Patch { key, set, .. } => {
                if let Some(row) = self.rows.get_mut(&key) {
                    Self::set(self.table, row, set, true);
                }
            }
            RowOp::Delete {
                key_prefix,
                matching,
                ..
            } => self.delete(&key_prefix, &matching),
        }
    }

    fn delete(&mut self, key_prefix: &[String], matching: &[(&'static str, String)]) {
        if key_prefix.len() == self.table.key && matching.is_empty() {
            self.rows.remove(key_prefix);
            return;
        }
        let matching: Vec<(usize, &str)> = matching
            .iter()
            .map(|(column, value)| (self.slot(column), value.as_str()))
            .collect();
        let doomed: Vec<Vec<String>> = self
            .rows
            .range(key_prefix.to_vec()..)
            .take_while(|(key, _)| key.starts_with(key_prefix))
            .filter(|(_, row)| {
                matching
                    .iter()
                    .all(|(slot, value)| row[*slot].as_deref() == Some(*value))
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in doomed {
            self.rows.remove(&key);
        }
    }

    /// The rows, each as one line of CSV in the table's column order.
    pub fn csv_rows(&self) -> impl Iterator<Item = CsvRow<'_>> {
        self.rows.iter().map(|(key, cells)| CsvRow { key, cells })
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A row on its way into `COPY … (FORMAT csv)`.
pub struct CsvRow<'a> {
    key: &'a [String],
    cells: &'a [Cell],
}

impl CsvRow<'_> {
    /// Appends the row: every value quoted (so an empty string is not NULL), NULL as nothing.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let values = self
            .key
            .iter()
            .map(|k| Some(k.as_str()))
            .chain(self.cells.iter().map(|c| c.as_deref()));
        for (i, value) in values.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if let Some(value) = value {
                out.push(b'"');
                // A quote inside is doubled; the runs between quotes are copied whole.
                let mut rest = value.as_bytes();
                while let Some(quote) = memchr::memchr(b'"', rest) {
                    out.extend_from_slice(&rest[..=quote]);
                    out.push(b'"');
                    rest = &rest[quote + 1..];
                }
                out.extend_from_slice(rest);
                out.push(b'"');
            }
        }
        out.push(b'\n');
    }
}

/// Every projection table, in memory.
pub struct Tables {
    tables: Vec<MemTable>,
}

impl Tables {
    pub fn new(tables: impl Iterator<Item = &'static Table>) -> Self {
        Tables {
            tables: tables.map(MemTable::new).collect(),
        }
    }

    /// Folds row operations in, in order.
    pub fn apply(&mut self, ops: impl IntoIterator<Item = RowOp>) {
        for op in ops {
            let name = op.table().name;
            if let Some(table) = self.tables.iter_mut().find(|t| t.table.name == name) {
                table.apply(op);
            }
        }
    }

    pub fn table(&self, name: &str) -> Option<&MemTable> {
        self.tables.iter().find(|t| t.table.name == name)
    }

    pub fn into_tables(self) -> Vec<MemTable> {
        self.tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::Column;

    const COUNTERS: Table = Table {
        name: "counters",
        columns: &[
            Column::new("org_id", "text"),
            Column::new("id", "text"),
            Column::with_default("uses", "integer", "0"),
            Column::new("owner", "text"),
        ],
        key: 2,
    };

    fn key(org: &str, id: &str) -> Vec<String> {
        vec![org.into(), id.into()]
    }

    fn lines(tables: &Tables) -> String {
        let mut out = Vec::new();
        for row in tables.table("counters").unwrap().csv_rows() {
            row.write_to(&mut out);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn upserts_count_patches_edit_and_deletes_take_a_prefix() {
        let mut tables = Tables::new([&COUNTERS].into_iter());
        let used = |id: &str| RowOp::Upsert {
            table: &COUNTERS,
            key: key("o", id),
            set: vec![("uses", Set::Add(1))],
            insert_only: vec![("owner", Some("a \"b\"".into()))],
        };
        tables.apply([used("1"), used("1"), used("2")]);
        tables.apply([RowOp::Patch {
            table: &COUNTERS,
            key: key("o", "2"),
            set: vec![("owner", Set::To(None))],
        }]);
        tables.apply([RowOp::Patch {
            table: &COUNTERS,
            key: key("o", "9"),
            set: vec![("owner", Set::To(Some("x".into())))],
        }]);
        assert_eq!(
            lines(&tables),
            "\"o\",\"1\",\"2\",\"a \"\"b\"\"\"\n\"o\",\"2\",\"1\",\n"
        );
        tables.apply([RowOp::Insert {
            table: &COUNTERS,
            key: key("p", "1"),
            columns: vec![("owner", Some("x".into()))],
        }]);
        tables.apply([RowOp::Delete {
            table: &COUNTERS,
            key_prefix: vec!["o".into()],
            matching: vec![("owner", "a \"b\"".into())],
        }]);
        assert_eq!(
            lines(&tables),
            "\"o\",\"2\",\"1\",\n\"p\",\"1\",\"0\",\"x\"\n"
        );
    }
}

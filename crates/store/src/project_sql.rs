//! Row operations ([`RowOp`]) as SQL, set-wise: how the live append (and replay's catch-up)
//! writes the projections. A batch's operations are coalesced per table and key, in order
//! (later sets merge into earlier writes of the same row), then written as one statement per
//! table and kind: deletes first, then inserts, upserts and patches, each over `unnest` of
//! text arrays. Every value travels as text and is cast to its column's type: the same text
//! `COPY` reads in replay. When an operation cannot move behind the others of its kind (a
//! delete covering a row the batch already wrote, a write after a patch of the same row), the
//! batch is cut there into rounds, written one after the other. Table names are unqualified:
//! replay puts its shadow schema first on `search_path`.

use crate::error::StoreError;
use crate::projection::{Cell, RowOp, Set, Table};
use deadpool_postgres::GenericClient;
use std::collections::BTreeMap;
use tokio_postgres::types::ToSql;

/// A row's net write within a round.
#[derive(Clone, Debug, PartialEq)]
enum Write {
    /// A new row, every non-key cell in column order.
    Insert(Vec<Cell>),
    /// `set` on the existing row; `insert` (columns and values) when there is none.
    Upsert {
        set: Vec<(&'static str, Set)>,
        insert: Vec<(&'static str, Cell)>,
    },
    Patch(Vec<(&'static str, Set)>),
}

/// A delete's shape: its key prefix and the columns it also matches.
type Delete = (Vec<String>, Vec<(&'static str, String)>);

/// One table's changes within a round.
#[derive(Default)]
struct TableRound {
    deletes: Vec<Delete>,
    writes: Vec<(Vec<String>, Write)>,
    /// Where each written key is in `writes` (ordered: a delete's prefix is a range).
    index: BTreeMap<Vec<String>, usize>,
}

/// Adds `change` to a column's pending `set`, merging with what is there.
fn merge_set(sets: &mut Vec<(&'static str, Set)>, column: &'static str, change: &Set) {
    let Some((_, current)) = sets.iter_mut().find(|(c, _)| *c == column) else {
        sets.push((column, change.clone()));
        return;
    };
    *current = match (&*current, change) {
        (Set::Add(a), Set::Add(b)) => Set::Add(a + b),
        (Set::To(value), Set::Add(amount)) => Set::To(added(value, *amount)),
        (_, Set::To(value)) => Set::To(value.clone()),
    };
}

/// A counter's text plus `amount` (a NULL or unreadable counter counts as 0).
fn added(value: &Cell, amount: i64) -> Cell {
    let current = value.as_deref().and_then(|v| v.parse::<i64>().ok());
    Some((current.unwrap_or(0) + amount).to_string())
}

/// Applies `set` to known values: a row's cells, or an insert's columns.
fn apply_to_cells(table: &Table, cells: &mut [Cell], set: &[(&'static str, Set)]) {
    for (column, change) in set {
        if let Some(position) = table.position(column).filter(|p| *p >= table.key) {
            let cell = &mut cells[position - table.key];
            *cell = match change {
                Set::To(value) => value.clone(),
                Set::Add(amount) => added(cell, *amount),
            };
        }
    }
}

fn apply_to_columns(columns: &mut Vec<(&'static str, Cell)>, set: &[(&'static str, Set)]) {
    for (column, change) in set {
        let value = match columns.iter().find(|(c, _)| c == column) {
            Some((_, current)) => match change {
                Set::To(value) => value.clone(),
                Set::Add(amount) => added(current, *amount),
            },
            None => match change {
                Set::To(value) => value.clone(),
                Set::Add(amount) => Some(amount.to_string()),
            },
        };
        match columns.iter_mut().find(|(c, _)| c == column) {
            Some((_, current)) => *current = value,
            None => columns.push((column, value)),
        }
    }
}

impl TableRound {
    fn covers(&self, key_prefix: &[String]) -> bool {
        self.index
            .range(key_prefix.to_vec()..)
            .next()
            .is_some_and(|(key, _)| key.starts_with(key_prefix))
    }

    /// Takes `op` into the round, or answers false when it must wait for the next round.
    fn push(&mut self, table: &Table, op: &RowOp) -> bool {
        let (key, write) = match op {
            RowOp::Delete {
                key_prefix,
                matching,
                ..
            } => {
                if self.covers(key_prefix) {
                    return false;
                }
                self.deletes.push((key_prefix.clone(), matching.clone()));
                return true;
            }
            RowOp::Insert { key, columns, .. } => {
                let mut cells: Vec<Cell> = table.columns[table.key..]
                    .iter()
                    .map(|c| c.default.map(str::to_owned))
                    .collect();
                let set: Vec<_> = columns
                    .iter()
                    .map(|(c, v)| (*c, Set::To(v.clone())))
                    .collect();
                apply_to_cells(table, &mut cells, &set);
                (key, Write::Insert(cells))
            }
            RowOp::Upsert {
                key,
                set,
                insert_only,
                ..
            } => {
                let mut insert = insert_only.clone();
                apply_to_columns(&mut insert, set);
                (
                    key,
                    Write::Upsert {
                        set: set.clone(),
                        insert,
                    },
                )
            }
            RowOp::Patch { key, set, .. } => (key, Write::Patch(set.clone())),
        };
        let Some(&slot) = self.index.get(key) else {
            self.index.insert(key.clone(), self.writes.len());
            self.writes.push((key.clone(), write));
            return true;
        };
        match (&mut self.writes[slot].1, write) {
            (Write::Insert(cells), Write::Upsert { set, .. } | Write::Patch(set)) => {
                apply_to_cells(table, cells, &set);
                true
            }
            (
                Write::Upsert { set, insert },
                Write::Upsert { set: more, .. } | Write::Patch(more),
            ) => {
                for (column, change) in &more {
                    merge_set(set, column, change);
                }
                apply_to_columns(insert, &more);
                true
            }
            (Write::Patch(set), Write::Patch(more)) => {
                for (column, change) in &more {
                    merge_set(set, column, change);
                }
                true
            }
            // A new row over a written one, or a write whose insert differs from its update
            // after a patch: in the next round.
            _ => false,
        }
    }
}

/// A batch's row operations, coalesced into rounds of per-table changes.
pub struct Coalesced {
    tables: Vec<&'static Table>,
    rounds: Vec<Vec<TableRound>>,
}

impl Coalesced {
    pub fn new(tables: impl Iterator<Item = &'static Table>) -> Self {
        Coalesced {
            tables: tables.collect(),
            rounds: Vec::new(),
        }
    }

    pub fn push(&mut self, op: &RowOp) {
        let name = op.table().name;
        let Some(t) = self.tables.iter().position(|t| t.name == name) else {
            return;
        };
        let table = self.tables[t];
        let fresh = |n: usize| (0..n).map(|_| TableRound::default()).collect::<Vec<_>>();
        if self.rounds.is_empty() {
            self.rounds.push(fresh(self.tables.len()));
        }
        let accepted = self
            .rounds
            .last_mut()
            .is_some_and(|round| round[t].push(table, op));
        if !accepted {
            let mut round = fresh(self.tables.len());
            round[t].push(table, op);
            self.rounds.push(round);
        }
    }

    /// The statements, in order: each with its parameters (one text array per column).
    pub fn statements(&self) -> Vec<(String, Vec<Vec<Cell>>)> {
        let mut out = Vec::new();
        for round in &self.rounds {
            for (table, changes) in self.tables.iter().zip(round) {
                deletes(table, changes, &mut out);
                inserts(table, changes, &mut out);
                upserts(table, changes, &mut out);
                patches(table, changes, &mut out);
            }
        }
        out
    }
}

/// `unnest($1::text[], …) AS d(a0, …)` over `n` columns.
fn unnest(n: usize) -> String {
    let arrays: Vec<String> = (1..=n).map(|i| format!("${i}::text[]")).collect();
    let names: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
    format!("unnest({}) AS d({})", arrays.join(", "), names.join(", "))
}

/// `d.a{i}::<type of column>`.
fn cast(table: &Table, column: &str, i: usize) -> String {
    let sql_type = table
        .position(column)
        .map_or("text", |p| table.columns[p].sql_type);
    format!("d.a{i}::{sql_type}")
}

/// Rows as columns: one parameter array per column.
fn transpose(rows: Vec<Vec<Cell>>, width: usize) -> Vec<Vec<Cell>> {
    let mut columns = vec![Vec::with_capacity(rows.len()); width];
    for row in rows {
        for (column, cell) in columns.iter_mut().zip(row) {
            column.push(cell);
        }
    }
    columns
}

/// Groups items by shape, keeping the order shapes first appear in.
fn by_shape<S: PartialEq, T>(items: impl Iterator<Item = (S, T)>) -> Vec<(S, Vec<T>)> {
    let mut groups: Vec<(S, Vec<T>)> = Vec::new();
    for (shape, item) in items {
        match groups.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, group)) => group.push(item),
            None => groups.push((shape, vec![item])),
        }
    }
    groups
}

fn key_cells(key: &[String]) -> Vec<Cell> {
    key.iter().map(|k| Some(k.clone())).collect()
}

type Statements = Vec<(String, Vec<Vec<Cell>>)>;

fn deletes(table: &Table, changes: &TableRound, out: &mut Statements) {
    let shapes = by_shape(changes.deletes.iter().map(|(prefix, matching)| {
        let columns: Vec<&'static str> = table.columns[..prefix.len()]
            .iter()
            .map(|c| c.name)
            .chain(matching.iter().map(|(c, _)| *c))
            .collect();
        let mut row = key_cells(prefix);
        row.extend(matching.iter().map(|(_, v)| Some(v.clone())));
        (columns, row)
    }));
    for (columns, rows) in shapes {
        let filter: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("t.{c} = {}", cast(table, c, i)))
            .collect();
        let sql = format!(
            "DELETE FROM {} AS t USING {} WHERE {}",
            table.name,
            unnest(columns.len()),
            filter.join(" AND ")
        );
        out.push((sql, transpose(rows, columns.len())));
    }
}

/// `INSERT INTO t AS t (columns) SELECT <casts> FROM unnest(…)`.
fn insert_sql(table: &Table, columns: &[&'static str]) -> String {
    let casts: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cast(table, c, i))
        .collect();
    format!(
        "INSERT INTO {} AS t ({}) SELECT {} FROM {}",
        table.name,
        columns.join(", "),
        casts.join(", "),
        unnest(columns.len())
    )
}

fn inserts(table: &Table, changes: &TableRound, out: &mut Statements) {
    let rows: Vec<Vec<Cell>> = changes
        .writes
        .iter()
        .filter_map(|(key, write)| match write {
            Write::Insert(cells) => {
                let mut row = key_cells(key);
                row.extend(cells.iter().cloned());
                Some(row)
            }
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let columns: Vec<&'static str> = table.columns.iter().map(|c| c.name).collect();
    out.push((insert_sql(table, &columns), transpose(rows, columns.len())));
}

fn upserts(table: &Table, changes: &TableRound, out: &mut Statements) {
    let upserts = changes
        .writes
        .iter()
        .filter_map(|(key, write)| match write {
            Write::Upsert { set, insert } => {
                let shape: (Vec<&'static str>, Vec<(&'static str, bool)>) = (
                    insert.iter().map(|(c, _)| *c).collect(),
                    set.iter()
                        .map(|(c, s)| (*c, matches!(s, Set::Add(_))))
                        .collect(),
                );
                let mut row = key_cells(key);
                row.extend(insert.iter().map(|(_, v)| v.clone()));
                Some((shape, row))
            }
            _ => None,
        });
    for ((inserted, set), rows) in by_shape(upserts) {
        let columns: Vec<&'static str> = table
            .key_columns()
            .iter()
            .map(|c| c.name)
            .chain(inserted)
            .collect();
        let keys: Vec<&str> = table.key_columns().iter().map(|c| c.name).collect();
        // A counter's insert value is its amount (counters start from 0), so EXCLUDED holds
        // what to add.
        let updates: Vec<String> = set
            .iter()
            .map(|(c, adds)| match adds {
                true => format!("{c} = t.{c} + EXCLUDED.{c}"),
                false => format!("{c} = EXCLUDED.{c}"),
            })
            .collect();
        let sql = format!(
            "{} ON CONFLICT ({}) DO UPDATE SET {}",
            insert_sql(table, &columns),
            keys.join(", "),
            updates.join(", ")
        );
        out.push((sql, transpose(rows, columns.len())));
    }
}

fn patches(table: &Table, changes: &TableRound, out: &mut Statements) {
    let patches = changes
        .writes
        .iter()
        .filter_map(|(key, write)| match write {
            Write::Patch(set) => {
                let shape: Vec<(&'static str, bool)> = set
                    .iter()
                    .map(|(c, s)| (*c, matches!(s, Set::Add(_))))
                    .collect();
                let mut row = key_cells(key);
                row.extend(set.iter().map(|(_, s)| match s {
                    Set::To(value) => value.clone(),
                    Set::Add(amount) => Some(amount.to_string()),
                }));
                Some((shape, row))
            }
            _ => None,
        });
    for (set, rows) in by_shape(patches) {
        let keys = table.key_columns();
        let filter: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, c)| format!("t.{0} = {1}", c.name, cast(table, c.name, i)))
            .collect();
        let updates: Vec<String> = set
            .iter()
            .enumerate()
            .map(|(j, (c, adds))| {
                let value = cast(table, c, keys.len() + j);
                match adds {
                    true => format!("{c} = t.{c} + {value}"),
                    false => format!("{c} = {value}"),
                }
            })
            .collect();
        let sql = format!(
            "UPDATE {} AS t SET {} FROM {} WHERE {}",
            table.name,
            updates.join(", "),
            unnest(keys.len() + set.len()),
            filter.join(" AND ")
        );
        out.push((sql, transpose(rows, keys.len() + set.len())));
    }
}

/// Writes `ops` (a batch's, in order) set-wise through the connection's statement cache.
pub async fn execute_ops(client: &impl GenericClient, ops: &[RowOp]) -> Result<(), StoreError> {
    let mut coalesced = Coalesced::new(crate::read_models::tables());
    for op in ops {
        coalesced.push(op);
    }
    let statements = coalesced.statements();
    // Prepared first, then run pipelined in their order (`statements::in_order`).
    let mut prepared = Vec::with_capacity(statements.len());
    for (sql, params) in &statements {
        let values: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        prepared.push((client.prepare_cached(sql).await?, values));
    }
    let runs = prepared
        .iter()
        .map(|(statement, values)| client.execute(statement, values));
    for run in crate::statements::in_order(runs).await {
        run?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::Column;

    const T: Table = Table {
        name: "t",
        columns: &[
            Column::new("k", "text"),
            Column::new("j", "text"),
            Column::with_default("n", "integer", "0"),
            Column::new("at", "timestamptz"),
        ],
        key: 2,
    };

    fn key(k: &str, j: &str) -> Vec<String> {
        vec![k.into(), j.into()]
    }

    fn cell(v: &str) -> Cell {
        Some(v.into())
    }

    fn coalesce(ops: &[RowOp]) -> Vec<(String, Vec<Vec<Cell>>)> {
        let mut coalesced = Coalesced::new([&T].into_iter());
        for op in ops {
            coalesced.push(op);
        }
        coalesced.statements()
    }

    fn counted(k: &str, j: &str) -> RowOp {
        RowOp::Upsert {
            table: &T,
            key: key(k, j),
            set: vec![("n", Set::Add(1)), ("at", Set::To(cell("x")))],
            insert_only: Vec::new(),
        }
    }

    #[test]
    fn a_batch_is_one_statement_per_table_and_kind_with_counters_merged() {
        let statements = coalesce(&[
            RowOp::Delete {
                table: &T,
                key_prefix: vec!["a".into()],
                matching: Vec::new(),
            },
            counted("a", "1"),
            counted("a", "1"),
            counted("b", "1"),
            RowOp::Patch {
                table: &T,
                key: key("c", "1"),
                set: vec![("at", Set::To(None))],
            },
        ]);
        let sql: Vec<&str> = statements.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sql,
            [
                "DELETE FROM t AS t USING unnest($1::text[]) AS d(a0) WHERE t.k = d.a0::text",
                "INSERT INTO t AS t (k, j, n, at) SELECT d.a0::text, d.a1::text, d.a2::integer, \
                 d.a3::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS d(a0, a1, a2, a3) \
                 ON CONFLICT (k, j) DO UPDATE SET n = t.n + EXCLUDED.n, at = EXCLUDED.at",
                "UPDATE t AS t SET at = d.a2::timestamptz FROM unnest($1::text[], $2::text[], $3::text[]) \
                 AS d(a0, a1, a2) WHERE t.k = d.a0::text AND t.j = d.a1::text",
            ]
        );
        assert_eq!(
            statements[1].1,
            vec![
                vec![cell("a"), cell("b")],
                vec![cell("1"), cell("1")],
                vec![cell("2"), cell("1")],
                vec![cell("x"), cell("x")],
            ]
        );
    }

    #[test]
    fn a_delete_of_a_row_written_before_it_waits_for_the_next_round() {
        let statements = coalesce(&[
            RowOp::Insert {
                table: &T,
                key: key("a", "1"),
                columns: vec![("at", cell("x"))],
            },
            RowOp::Patch {
                table: &T,
                key: key("a", "1"),
                set: vec![("n", Set::Add(2))],
            },
            RowOp::Delete {
                table: &T,
                key_prefix: key("a", "1"),
                matching: Vec::new(),
            },
        ]);
        assert_eq!(statements.len(), 2);
        assert!(
            statements[0]
                .0
                .starts_with("INSERT INTO t AS t (k, j, n, at)")
        );
        assert_eq!(statements[0].1[2], vec![cell("2")]);
        assert!(statements[1].0.starts_with("DELETE FROM t"));
    }
}

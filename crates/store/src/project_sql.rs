//! Row operations ([`RowOp`]) as SQL: how the live append (and replay's final catch-up) writes
//! the projections. Every value travels as text and is cast to its column's type, the same
//! text `COPY` reads in replay. Table names are unqualified: replay puts its shadow schema
//! first on `search_path`.

use crate::error::StoreError;
use crate::projection::{Cell, RowOp, Set, Table};
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

/// A statement and its parameters, built up placeholder by placeholder.
#[derive(Default)]
struct Statement<'a> {
    params: Vec<Option<&'a str>>,
}

impl<'a> Statement<'a> {
    /// `$n::text::<type>` for the next parameter, `value`, of `table`'s `column`.
    fn bind(&mut self, table: &Table, column: &str, value: Option<&'a str>) -> String {
        self.params.push(value);
        let sql_type = table
            .position(column)
            .map_or("text", |i| table.columns[i].sql_type);
        format!("${}::text::{sql_type}", self.params.len())
    }

    /// `k1 = $1 AND k2 = $2 …` over the leading key columns and `matching`.
    fn key_filter(
        &mut self,
        table: &Table,
        key: &'a [String],
        matching: &'a [(&'static str, String)],
    ) -> String {
        let named = table.columns.iter().map(|c| c.name).zip(key.iter());
        let all = named.chain(matching.iter().map(|(c, v)| (*c, v)));
        all.map(|(column, value)| {
            let placeholder = self.bind(table, column, Some(value.as_str()));
            format!("{column} = {placeholder}")
        })
        .collect::<Vec<_>>()
        .join(" AND ")
    }
}

/// The amount of a counter, or the value, as a parameter's text.
fn set_text(set: &Set) -> (Option<String>, bool) {
    match set {
        Set::To(cell) => (cell.clone(), false),
        Set::Add(amount) => (Some(amount.to_string()), true),
    }
}

/// `INSERT INTO t (columns) VALUES (…)` with the key first; answers the statement.
fn insert<'a>(
    statement: &mut Statement<'a>,
    table: &Table,
    key: &'a [String],
    columns: &'a [(&'static str, Cell)],
) -> String {
    let names = table
        .key_columns()
        .iter()
        .map(|c| c.name)
        .chain(columns.iter().map(|(c, _)| *c));
    let values = table
        .key_columns()
        .iter()
        .zip(key)
        .map(|(c, v)| (c.name, Some(v.as_str())))
        .chain(columns.iter().map(|(c, v)| (*c, v.as_deref())));
    let names: Vec<&str> = names.collect();
    let placeholders: Vec<String> = values
        .map(|(column, value)| statement.bind(table, column, value))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        names.join(", "),
        placeholders.join(", ")
    )
}

/// The statement that performs `op`, and its parameters.
fn statement(op: &RowOp, texts: &[(&'static str, Cell)]) -> (String, Vec<Option<String>>) {
    let mut statement = Statement::default();
    let sql = match op {
        RowOp::Insert {
            table,
            key,
            columns,
        } => insert(&mut statement, table, key, columns),
        RowOp::Upsert { table, key, set, .. } => {
            let insert = insert(&mut statement, table, key, texts);
            let updates: Vec<String> = set
                .iter()
                .map(|(column, value)| match value {
                    Set::Add(_) => format!("{column} = {}.{column} + EXCLUDED.{column}", table.name),
                    Set::To(_) => format!("{column} = EXCLUDED.{column}"),
                })
                .collect();
            let key_names: Vec<&str> = table.key_columns().iter().map(|c| c.name).collect();
            format!(
                "{insert} ON CONFLICT ({}) DO UPDATE SET {}",
                key_names.join(", "),
                updates.join(", ")
            )
        }
        RowOp::Patch { table, key, .. } => {
            let updates: Vec<String> = texts
                .iter()
                .zip(patch_adds(op))
                .map(|((column, value), adds)| {
                    let placeholder = statement.bind(table, column, value.as_deref());
                    if adds {
                        format!("{column} = {column} + {placeholder}")
                    } else {
                        format!("{column} = {placeholder}")
                    }
                })
                .collect();
            let filter = statement.key_filter(table, key, &[]);
            format!(
                "UPDATE {} SET {} WHERE {filter}",
                table.name,
                updates.join(", ")
            )
        }
        RowOp::Delete {
            table,
            key_prefix,
            matching,
        } => {
            let filter = statement.key_filter(table, key_prefix, matching);
            format!("DELETE FROM {} WHERE {filter}", table.name)
        }
    };
    let params = statement
        .params
        .into_iter()
        .map(|p| p.map(str::to_owned))
        .collect();
    (sql, params)
}

fn patch_adds(op: &RowOp) -> Vec<bool> {
    match op {
        RowOp::Patch { set, .. } => set.iter().map(|(_, s)| matches!(s, Set::Add(_))).collect(),
        _ => Vec::new(),
    }
}

/// The columns an upsert inserts (its sets, then its insert-only columns) or a patch sets,
/// as text.
fn written_texts(op: &RowOp) -> Vec<(&'static str, Cell)> {
    match op {
        RowOp::Upsert {
            set, insert_only, ..
        } => set
            .iter()
            .map(|(c, s)| (*c, set_text(s).0))
            .chain(insert_only.iter().cloned())
            .collect(),
        RowOp::Patch { set, .. } => set.iter().map(|(c, s)| (*c, set_text(s).0)).collect(),
        _ => Vec::new(),
    }
}

/// Runs `ops` in order, one statement each, through the connection's statement cache.
pub async fn execute_ops(client: &impl GenericClient, ops: &[RowOp]) -> Result<(), StoreError> {
    for op in ops {
        let texts = written_texts(op);
        let (sql, params) = statement(op, &texts);
        let values: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        client.execute_cached(&sql, &values).await?;
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
            Column::new("n", "integer"),
            Column::new("at", "timestamptz"),
        ],
        key: 1,
    };

    fn sql(op: &RowOp) -> (String, Vec<Option<String>>) {
        statement(op, &written_texts(op))
    }

    #[test]
    fn an_upsert_with_a_counter_adds_on_conflict() {
        let op = RowOp::Upsert {
            table: &T,
            key: vec!["a".into()],
            set: vec![("n", Set::Add(1))],
            insert_only: vec![("at", None)],
        };
        let (sql, params) = sql(&op);
        assert_eq!(
            sql,
            "INSERT INTO t (k, n, at) VALUES ($1::text::text, $2::text::integer, $3::text::timestamptz) \
             ON CONFLICT (k) DO UPDATE SET n = t.n + EXCLUDED.n"
        );
        assert_eq!(params, vec![Some("a".into()), Some("1".into()), None]);
    }

    #[test]
    fn a_patch_and_a_delete_filter_by_key() {
        let patch = RowOp::Patch {
            table: &T,
            key: vec!["a".into()],
            set: vec![("n", Set::To(Some("2".into())))],
        };
        assert_eq!(
            sql(&patch).0,
            "UPDATE t SET n = $1::text::integer WHERE k = $2::text::text"
        );
        let delete = RowOp::Delete {
            table: &T,
            key_prefix: vec!["a".into()],
            matching: vec![("n", "3".into())],
        };
        assert_eq!(
            sql(&delete).0,
            "DELETE FROM t WHERE k = $1::text::text AND n = $2::text::integer"
        );
    }
}

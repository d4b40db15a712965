//! Schema from a live server's information_schema (TABLES, COLUMNS, STATISTICS): columns in
//! ordinal order with types, signedness and collation, the primary key, unique and secondary
//! indexes with column order and prefix lengths, and the engine. One connection, three queries,
//! values bound as parameters. Caching and invalidation belong to the caller (`Schema` carries
//! versions; `rewrite::ddl_tables` names what a DDL touched).

use std::collections::HashMap;

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, Params, Value as MyValue};

use super::{Column, Index, IndexColumn, Schema, Table};
use crate::error::{Error, ErrorKind, Result};

const SYSTEM_DBS: &str = "('mysql', 'information_schema', 'performance_schema', 'sys')";

/// Load every base table (of `dbs`, or of the URL's database, or of all user databases).
pub fn load_from_server(url: &str, dbs: Option<&[String]>) -> Result<Schema> {
    let opts = Opts::from_url(url)
        .map_err(|e| Error::new(ErrorKind::Config, "schema server URL").with_source(e))?;
    let url_db = opts.get_db_name().map(str::to_string);
    let mut conn = Conn::new(opts).map_err(|e| server_err("connecting for schema", e))?;
    let filter: Vec<String> = match (dbs, url_db) {
        (Some(d), _) => d.to_vec(),
        (None, Some(d)) => vec![d],
        (None, None) => Vec::new(),
    };
    load_with(&mut conn, &filter)
}

fn server_err(what: &str, e: mysql::Error) -> Error {
    Error::new(ErrorKind::Server, what.to_string()).with_source(e)
}

fn where_dbs(filter: &[String]) -> (String, Params) {
    if filter.is_empty() {
        (format!("TABLE_SCHEMA NOT IN {SYSTEM_DBS}"), Params::Empty)
    } else {
        let marks = vec!["?"; filter.len()].join(", ");
        let params: Vec<MyValue> = filter.iter().map(|d| MyValue::from(d.as_str())).collect();
        (
            format!("TABLE_SCHEMA IN ({marks})"),
            Params::Positional(params),
        )
    }
}

type Key = (String, String);

/// Load with an open connection (tests and the daemon reuse theirs).
pub fn load_with(conn: &mut Conn, filter: &[String]) -> Result<Schema> {
    let (w, p) = where_dbs(filter);
    // For the rows-per-page estimate only: a server without InnoDB gets the default.
    let page_size: u64 = conn
        .query_first("SELECT @@innodb_page_size")
        .ok()
        .flatten()
        .unwrap_or(16_384);
    let mut by_key = tables(conn, &w, p.clone(), page_size)?;
    columns(conn, &w, p.clone(), &mut by_key)?;
    indexes(conn, &w, p, &mut by_key)?;
    for t in by_key.values_mut() {
        t.rows_per_page = t
            .rows_per_page
            .map(|r| r.min(page_size / min_record_bytes(t)));
    }
    let mut schema = Schema::new();
    let mut tables: Vec<Table> = by_key.into_values().collect();
    tables.sort_by(|a, b| (&a.db, &a.name).cmp(&(&b.db, &b.name)));
    for t in tables {
        schema.insert(t);
    }
    Ok(schema)
}

fn tables(conn: &mut Conn, w: &str, p: Params, page_size: u64) -> Result<HashMap<Key, Table>> {
    type TableRow = (String, String, Option<String>, Option<u64>, Option<u64>);
    let rows: Vec<TableRow> = conn
        .exec(
            format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, AVG_ROW_LENGTH, DATA_LENGTH \
                 FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND {w}"
            ),
            p,
        )
        .map_err(|e| server_err("reading information_schema.TABLES", e))?;
    Ok(rows
        .into_iter()
        .map(|(db, name, engine, avg_row, data_length)| {
            let key = (db.clone(), name.clone());
            let t = Table {
                db,
                name,
                engine,
                columns: Vec::new(),
                indexes: Vec::new(),
                version: 0,
                rows_per_page: rows_per_page(avg_row, data_length, page_size),
            };
            (key, t)
        })
        .collect())
}

/// Rows per clustered-index page from InnoDB's statistics. `AVG_ROW_LENGTH` is `DATA_LENGTH /
/// TABLE_ROWS`, pages' free space included, so it under-counts rows per page (the safe side) —
/// except when the two disagree: `TABLE_ROWS` follows inserts at once, `DATA_LENGTH` only at the
/// next statistics run, so a table just loaded can claim thousands of rows in one page. Tables
/// under 64 pages by their statistics get no estimate (small tables are cached soon anyway),
/// and [`min_record_bytes`] bounds the rest.
fn rows_per_page(avg_row: Option<u64>, data_length: Option<u64>, page_size: u64) -> Option<u64> {
    let avg = avg_row.filter(|&a| a > 0)?;
    (data_length? >= 64 * page_size).then_some(page_size / avg)
}

/// The fewest bytes an InnoDB record of `t` can take: record header and system columns (5 + 6
/// + 7 bytes) and the fixed-size columns; strings and blobs count nothing (they may be empty).
fn min_record_bytes(t: &Table) -> u64 {
    let fixed: u64 = t
        .columns
        .iter()
        .map(|c| match c.data_type.as_str() {
            "tinyint" | "year" => 1,
            "smallint" => 2,
            "mediumint" | "date" | "time" => 3,
            "int" | "integer" | "float" | "timestamp" => 4,
            "datetime" => 5,
            "bigint" | "double" => 8,
            _ => 0,
        })
        .sum();
    18 + fixed
}

fn columns(conn: &mut Conn, w: &str, p: Params, by_key: &mut HashMap<Key, Table>) -> Result<()> {
    type ColRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
    );
    let cols: Vec<ColRow> = conn
        .exec(
            format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, \
                 COLLATION_NAME, EXTRA FROM information_schema.COLUMNS WHERE {w} \
                 ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
            ),
            p,
        )
        .map_err(|e| server_err("reading information_schema.COLUMNS", e))?;
    for (db, t, name, dt, ct, nullable, coll, extra) in cols {
        let Some(table) = by_key.get_mut(&(db, t)) else {
            continue;
        };
        let ct = ct.to_ascii_lowercase();
        let ex = extra.to_ascii_lowercase();
        table.columns.push(Column {
            name,
            data_type: dt.to_ascii_lowercase(),
            unsigned: ct.contains("unsigned"),
            column_type: ct,
            nullable: nullable.eq_ignore_ascii_case("YES"),
            collation: coll,
            auto_increment: ex.contains("auto_increment"),
            // MySQL: "VIRTUAL GENERATED" / "STORED GENERATED"; MariaDB: "VIRTUAL GENERATED" or
            // "PERSISTENT GENERATED" (older: "VIRTUAL" / "PERSISTENT").
            generated: ["generated", "virtual", "persistent", "stored"]
                .iter()
                .any(|g| ex.contains(g)),
        });
    }
    Ok(())
}

fn indexes(conn: &mut Conn, w: &str, p: Params, by_key: &mut HashMap<Key, Table>) -> Result<()> {
    type IdxRow = (String, String, String, i64, Option<String>, Option<i64>);
    let idx: Vec<IdxRow> = conn
        .exec(
            format!(
                "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART \
                 FROM information_schema.STATISTICS WHERE {w} \
                 ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX"
            ),
            p,
        )
        .map_err(|e| server_err("reading information_schema.STATISTICS", e))?;
    let mut functional: Vec<(Key, String)> = Vec::new();
    for (db, t, iname, non_unique, col, sub) in idx {
        let key = (db, t);
        let Some(table) = by_key.get_mut(&key) else {
            continue;
        };
        // Functional key parts (MySQL 8) have no column: we cannot reason about such an index,
        // so it is dropped whole (a later part must not look like the leading column).
        let Some(ci) = col.and_then(|c| table.column_index(&c)) else {
            functional.push((key, iname));
            continue;
        };
        let ic = IndexColumn {
            column: ci,
            prefix: sub.and_then(|s| u32::try_from(s).ok()),
        };
        match table.indexes.iter_mut().find(|i| i.name == iname) {
            Some(i) => i.columns.push(ic),
            None => table.indexes.push(Index {
                primary: iname == "PRIMARY",
                unique: non_unique == 0,
                name: iname,
                columns: vec![ic],
            }),
        }
    }
    for (key, iname) in functional {
        if let Some(t) = by_key.get_mut(&key) {
            t.indexes.retain(|i| i.name != iname);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    fn col(data_type: &str) -> Column {
        Column {
            name: "c".into(),
            data_type: data_type.into(),
            column_type: data_type.into(),
            unsigned: false,
            nullable: false,
            collation: None,
            auto_increment: false,
            generated: false,
        }
    }

    #[test]
    fn rows_per_page_comes_from_consistent_statistics_only() {
        const PAGE: u64 = 16_384;
        // The 5M-row sysbench table: 225 bytes a row over 1,072 MB.
        assert_eq!(rows_per_page(Some(225), Some(1_072 << 20), PAGE), Some(72));
        // Just loaded: the row count moved, the size did not (one page): no estimate.
        assert_eq!(rows_per_page(Some(8), Some(PAGE), PAGE), None);
        assert_eq!(rows_per_page(Some(0), Some(1 << 30), PAGE), None);
        assert_eq!(rows_per_page(None, Some(1 << 30), PAGE), None);
        assert_eq!(rows_per_page(Some(100), None, PAGE), None);
        // No record is smaller than its header, system columns and fixed-size columns.
        let t = Table {
            db: "d".into(),
            name: "t".into(),
            engine: None,
            columns: vec![col("int"), col("bigint"), col("varchar")],
            indexes: Vec::new(),
            version: 0,
            rows_per_page: None,
        };
        assert_eq!(min_record_bytes(&t), 30);
    }
}

//! Per-table facts the row-probe builder needs on every row, computed once per table version:
//! which index InnoDB clusters on, the key tuple of every index as InnoDB stores its entries, how
//! to normalise image values (UNSIGNED), and the SQL text shared by every probe of an index.
//!
//! It does not look at row images (see `needs.rs`) nor group keys into probes (see `batch.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::event::Value;
use crate::rewrite::rowkey::{Fold, RowKeyEncoder};
use crate::schema::{Column, Index, Table, quote_ident};

/// One index as a probe target.
#[derive(Debug)]
pub(crate) struct IndexPlan {
    /// "PRIMARY" or the index name.
    pub name: String,
    /// Unique (the optimizer does not extend unique keys with the primary key).
    pub unique: bool,
    /// Column ordinals of the probe tuple, with prefix lengths: the index's columns, then for a
    /// non-unique secondary index the clustered-key columns InnoDB appends to every entry.
    pub key_cols: Vec<(usize, Option<u32>)>,
    /// Collation folds of the tuple columns, for de-duplication.
    pub folds: Vec<Fold>,
    /// Backtick-quoted column names of the tuple, in order.
    pub col_sql: Vec<String>,
    /// `SELECT … FROM `db`.`t` FORCE INDEX (…) WHERE `.
    pub head: String,
    /// SQL text per IN-list size (shared by all probes of this index).
    pub in_sql: Mutex<HashMap<usize, Arc<str>>>,
}

/// How to turn a raw image value into the value the server compares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Conv {
    /// Use as decoded.
    AsIs,
    /// UNSIGNED integer of this many bits: a negative `Int` is the two's complement.
    Unsigned(u32),
}

/// Everything about one table, shared by all its probes.
#[derive(Debug)]
pub(crate) struct TableInfo {
    /// The schema's table this was built from (version and identity checks).
    pub table: Arc<Table>,
    /// "db.tbl" as the schema spells it.
    pub name: String,
    /// Targets; the clustered index (when there is one) first.
    pub indexes: Vec<IndexPlan>,
    /// No clustered key (no PRIMARY KEY, no NOT NULL UNIQUE key): rows cannot be keyed.
    pub unkeyed: bool,
    /// Row keys from clustered-key values.
    pub encoder: RowKeyEncoder,
    /// Per column.
    pub conv: Vec<Conv>,
    /// The clustered key is one AUTO_INCREMENT column: inserts go to the right edge.
    pub auto_inc_pk: bool,
    /// The clustered key is one integer column: keys this far apart or closer are likely on one
    /// leaf page (an eighth of the estimated rows per page; see [`page_span`]). None: unknown or
    /// not worth it.
    pub page_span: Option<u64>,
}

impl TableInfo {
    /// Build from the schema's table.
    pub fn new(table: Arc<Table>) -> TableInfo {
        let clustered = clustered_index(&table);
        let ck: Vec<(usize, Option<u32>)> = clustered
            .map(|i| i.columns.iter().map(|c| (c.column, c.prefix)).collect())
            .unwrap_or_default();
        let mut indexes = Vec::new();
        if let Some(ci) = clustered {
            indexes.push(IndexPlan::new(&table, ci, true, &ck));
        }
        for ix in &table.indexes {
            if clustered.is_none_or(|c| std::ptr::eq(c, ix)) {
                continue;
            }
            if !probeable(&table, ix) {
                continue;
            }
            indexes.push(IndexPlan::new(&table, ix, false, &ck));
        }
        let auto_inc_pk =
            ck.len() == 1 && table.columns.get(ck[0].0).is_some_and(|c| c.auto_increment);
        let page_span = page_span(&table, &ck);
        TableInfo {
            name: table.qualified_name(),
            page_span,
            unkeyed: clustered.is_none(),
            encoder: RowKeyEncoder::new(&table, &ck),
            conv: table.columns.iter().map(conv_of).collect(),
            indexes,
            auto_inc_pk,
            table,
        }
    }

    /// Normalise the image value of column `col`.
    #[inline]
    pub fn value(&self, col: usize, v: &Value) -> Value {
        match (self.conv.get(col), v) {
            (_, Value::Int(i)) if !matches!(self.conv.get(col), Some(Conv::Unsigned(_))) => {
                Value::Int(*i)
            }
            (Some(Conv::Unsigned(bits)), Value::Int(i)) => {
                let u = *i as u64;
                Value::UInt(if *bits >= 64 {
                    u
                } else {
                    u & ((1u64 << bits) - 1)
                })
            }
            _ => v.clone(),
        }
    }
}

/// Keys of a one-column integer clustered key within this span usually share a leaf page: an
/// eighth of the rows a page holds by the server's statistics. A leaf holds a contiguous key
/// range, so with dense keys `p` rows per page cover about `p` key values, and two keys in one
/// span of `p / 8` fall on different pages about one time in sixteen. Sparse keys only make
/// spans hold fewer keys (nothing is skipped); statistics under-count rows per page (free space
/// is in `AVG_ROW_LENGTH`). None under 16 rows per page: too few to matter.
fn page_span(table: &Table, ck: &[(usize, Option<u32>)]) -> Option<u64> {
    let [(col, None)] = ck else {
        return None;
    };
    let c = table.columns.get(*col)?;
    let int = matches!(
        c.data_type.as_str(),
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    );
    let rows = table.rows_per_page?;
    (int && rows >= 16).then_some(rows / 8)
}

/// The index InnoDB clusters on: the PRIMARY KEY, else the first UNIQUE index whose columns are
/// all NOT NULL (InnoDB promotes it), else none (rows clustered on a hidden DB_ROW_ID: the
/// applier finds rows by scanning, nothing can be keyed).
fn clustered_index(table: &Table) -> Option<&Index> {
    table.primary_key().or_else(|| {
        table.indexes.iter().find(|ix| {
            ix.unique
                && ix.columns.iter().all(|c| {
                    c.prefix.is_none()
                        && table.columns.get(c.column).is_some_and(|col| !col.nullable)
                })
        })
    })
}

/// FULLTEXT and SPATIAL indexes cannot be probed with `=`/IN; the schema does not say the index
/// type, so recognise them by their columns: TEXT/BLOB without a prefix length (a B-tree index
/// needs one) or a geometry type.
fn probeable(table: &Table, ix: &Index) -> bool {
    ix.columns.iter().all(|c| {
        let Some(col) = table.columns.get(c.column) else {
            return false;
        };
        let t = col.data_type.as_str();
        let lob = t.ends_with("text") || t.ends_with("blob");
        let geo = matches!(
            t,
            "geometry"
                | "point"
                | "linestring"
                | "polygon"
                | "multipoint"
                | "multilinestring"
                | "multipolygon"
                | "geometrycollection"
        );
        let lob_without_prefix = lob && c.prefix.is_none();
        !(geo || lob_without_prefix)
    })
}

fn conv_of(c: &Column) -> Conv {
    if !c.unsigned {
        return Conv::AsIs;
    }
    match c.data_type.as_str() {
        "tinyint" => Conv::Unsigned(8),
        "smallint" => Conv::Unsigned(16),
        "mediumint" => Conv::Unsigned(24),
        "int" | "integer" => Conv::Unsigned(32),
        "bigint" => Conv::Unsigned(64),
        _ => Conv::AsIs,
    }
}

impl IndexPlan {
    fn new(table: &Table, ix: &Index, clustered: bool, ck: &[(usize, Option<u32>)]) -> IndexPlan {
        let mut key_cols: Vec<(usize, Option<u32>)> =
            ix.columns.iter().map(|c| (c.column, c.prefix)).collect();
        if !clustered && !ix.unique {
            // InnoDB appends the clustered-key columns not already (fully) in the index; with
            // extended keys (default on in MariaDB and MySQL) the optimizer ranges over them, so
            // the probe reads exactly the leaf the applier will.
            for &(c, p) in ck {
                if !key_cols.iter().any(|&(k, kp)| k == c && kp.is_none()) {
                    key_cols.push((c, p));
                }
            }
        }
        let col_sql: Vec<String> = key_cols
            .iter()
            .map(|&(c, _)| quote_ident(&table.columns[c].name))
            .collect();
        let folds = key_cols
            .iter()
            .map(|&(c, _)| Fold::of(&table.columns[c]))
            .collect();
        let select = select_list(table, ix, clustered, &key_cols, ck);
        let index_sql = if clustered && ix.primary {
            "PRIMARY".to_string()
        } else {
            quote_ident(&ix.name)
        };
        let head = format!(
            "SELECT {select} FROM {}.{} FORCE INDEX ({index_sql}) WHERE ",
            quote_ident(&table.db),
            quote_ident(&table.name)
        );
        IndexPlan {
            name: ix.name.clone(),
            unique: ix.unique,
            key_cols,
            folds,
            col_sql,
            head,
            in_sql: Mutex::new(HashMap::new()),
        }
    }
}

/// The select list. Clustered probes: the narrowest stored non-key column, so the row must come
/// from the clustered leaf (InnoDB reads it on a primary-key lookup anyway; the narrow column
/// keeps the reply small). Secondary probes: only columns the entry holds (its own full-length
/// columns and the clustered key), so the read stays in the secondary leaf like the applier's.
fn select_list(
    table: &Table,
    ix: &Index,
    clustered: bool,
    key_cols: &[(usize, Option<u32>)],
    ck: &[(usize, Option<u32>)],
) -> String {
    let cols: Vec<usize> = if clustered {
        let in_key = |c: usize| ix.columns.iter().any(|k| k.column == c);
        let narrowest = (0..table.columns.len())
            .filter(|&c| !in_key(c) && !table.columns[c].generated)
            .min_by_key(|&c| width(&table.columns[c]));
        match narrowest {
            Some(c) => vec![c],
            None => ck.iter().map(|&(c, _)| c).collect(),
        }
    } else {
        let mut v: Vec<usize> = key_cols
            .iter()
            .filter(|(_, p)| p.is_none())
            .map(|&(c, _)| c)
            .collect();
        for &(c, p) in ck {
            if p.is_none() && !v.contains(&c) {
                v.push(c);
            }
        }
        v
    };
    cols.iter()
        .map(|&c| quote_ident(&table.columns[c].name))
        .collect::<Vec<_>>()
        .join(",")
}

/// Rough on-the-wire width of a column, to pick the narrowest.
fn width(c: &Column) -> u32 {
    let declared = || {
        c.column_type
            .split_once('(')
            .and_then(|(_, r)| r.split([')', ',']).next())
            .and_then(|n| n.trim().parse::<u32>().ok())
    };
    match c.data_type.as_str() {
        "tinyint" | "year" | "bit" | "bool" | "boolean" => 1,
        "smallint" | "enum" => 2,
        "mediumint" | "date" | "time" => 3,
        "int" | "integer" | "float" | "timestamp" => 4,
        "bigint" | "double" | "datetime" | "set" => 8,
        "decimal" | "numeric" => declared().map_or(8, |p| p / 2 + 1),
        "char" | "varchar" | "binary" | "varbinary" => declared().unwrap_or(255),
        _ => 65_535,
    }
}

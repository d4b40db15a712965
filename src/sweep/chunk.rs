//! The SQL of one sweep chunk: keyset pagination over one index, in index order.
//!
//! A chunk is `SELECT <key cols> FROM t FORCE INDEX (i) [WHERE <key> > <boundary>] ORDER BY <key
//! cols> LIMIT 1 OFFSET ?` with `n - 1` bound to the `?` (so one prepared statement serves every
//! chunk size): the server walks `n` index entries in order (reading their pages)
//! and returns the last one, which is the next chunk's boundary; no row comes back when fewer
//! than `n` remain, i.e. the sweep is done. The key is the index's columns followed by the
//! primary-key columns InnoDB appends to every secondary entry, so it is unique and the ORDER BY
//! matches the index (no filesort; MariaDB's `extended_keys` and MySQL's use of extended
//! secondary keys both rely on it). "`key > boundary`" is spelled out as
//! `a > ? OR (a = ? AND b > ?) …`, which range optimizers serve from the index, unlike a row
//! constructor comparison. Pure: text and parameter order only; `runner` runs it.

use crate::schema::{Index, Table, quote_ident as quote};

/// The two statements of an index sweep; each ends in `OFFSET ?` (entries per chunk − 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSql {
    /// The first chunk (no boundary).
    pub first: String,
    /// Every later chunk; its `?`s take the boundary values in [`ChunkSql::param_order`], then
    /// the offset.
    pub next: String,
    /// For each `?` of `next`, the position in the boundary row.
    pub param_order: Vec<usize>,
    /// Columns in the key (= values in a boundary row).
    pub width: usize,
}

/// Why an index cannot be swept by keyset pagination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSweepable {
    /// No such index on the table.
    NoSuchIndex,
    /// A column of the key is a prefix (`KEY (c(10))`): the index order is not the column order.
    PrefixColumn,
    /// The table has no primary key (InnoDB's hidden row id cannot be paged through).
    NoPrimaryKey,
}

/// The key columns of `index` in order: its own columns, then the primary-key columns it lacks.
fn key_columns(table: &Table, index: &Index) -> Result<Vec<usize>, NotSweepable> {
    let pk = table.primary_key().ok_or(NotSweepable::NoPrimaryKey)?;
    let mut cols = Vec::with_capacity(index.columns.len() + pk.columns.len());
    for c in index.columns.iter().chain(pk.columns.iter()) {
        if c.prefix.is_some() {
            return Err(NotSweepable::PrefixColumn);
        }
        if !cols.contains(&c.column) {
            cols.push(c.column);
        }
    }
    Ok(cols)
}

/// The chunk statements for sweeping `index_name` of `table`.
pub fn chunk_sql(table: &Table, index_name: &str) -> Result<ChunkSql, NotSweepable> {
    let index = table
        .indexes
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(index_name))
        .ok_or(NotSweepable::NoSuchIndex)?;
    let cols = key_columns(table, index)?;
    let names: Vec<String> = cols
        .iter()
        .map(|&c| quote(&table.columns[c].name))
        .collect();
    let list = names.join(", ");
    let from = format!(
        "{}.{} FORCE INDEX ({})",
        quote(&table.db),
        quote(&table.name),
        quote(&index.name)
    );
    let tail = format!("ORDER BY {list} LIMIT 1 OFFSET ?");
    // key > boundary, lexicographically: a > ? OR (a = ? AND b > ?) OR ...
    let mut ors = Vec::with_capacity(cols.len());
    let mut param_order = Vec::new();
    for i in 0..cols.len() {
        let mut ands = Vec::with_capacity(i + 1);
        for (j, name) in names.iter().enumerate().take(i) {
            ands.push(format!("{name} = ?"));
            param_order.push(j);
        }
        ands.push(format!("{} > ?", names[i]));
        param_order.push(i);
        ors.push(if ands.len() == 1 {
            ands.pop().unwrap_or_default()
        } else {
            format!("({})", ands.join(" AND "))
        });
    }
    Ok(ChunkSql {
        first: format!("SELECT {list} FROM {from} {tail}"),
        next: format!(
            "SELECT {list} FROM {from} WHERE {} {tail}",
            ors.join(" OR ")
        ),
        param_order,
        width: cols.len(),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::schema::Column;

    pub(crate) fn col(name: &str) -> Column {
        Column {
            name: name.into(),
            data_type: "int".into(),
            column_type: "int".into(),
            unsigned: false,
            nullable: false,
            collation: None,
            auto_increment: false,
            generated: false,
        }
    }

    pub(crate) fn idx(name: &str, cols: &[usize], primary: bool) -> Index {
        Index::plain(name, primary, false, cols)
    }

    pub(crate) fn table(indexes: Vec<Index>) -> Table {
        Table {
            db: "db".into(),
            name: "t".into(),
            engine: Some("InnoDB".into()),
            columns: vec![col("a"), col("b"), col("k"), col("c`x")],
            indexes,
            version: 1,
            rows_per_page: None,
        }
    }

    #[test]
    fn single_column_primary_key() {
        let t = table(vec![idx("PRIMARY", &[0], true)]);
        let c = chunk_sql(&t, "primary").unwrap();
        assert_eq!(
            c.first,
            "SELECT `a` FROM `db`.`t` FORCE INDEX (`PRIMARY`) ORDER BY `a` LIMIT 1 OFFSET ?"
        );
        assert_eq!(
            c.next,
            "SELECT `a` FROM `db`.`t` FORCE INDEX (`PRIMARY`) WHERE `a` > ? ORDER BY `a` LIMIT 1 OFFSET ?"
        );
        assert_eq!(c.param_order, vec![0]);
        assert_eq!(c.width, 1);
    }

    #[test]
    fn composite_key_is_compared_lexicographically() {
        let t = table(vec![idx("PRIMARY", &[0, 1], true)]);
        let c = chunk_sql(&t, "PRIMARY").unwrap();
        assert!(
            c.next
                .contains("WHERE `a` > ? OR (`a` = ? AND `b` > ?) ORDER BY `a`, `b`"),
            "{}",
            c.next
        );
        assert_eq!(c.param_order, vec![0, 0, 1]);
    }

    #[test]
    fn secondary_key_is_extended_with_the_primary_key_once() {
        // KEY (k, a) on PRIMARY (a, b): the entry is (k, a, b).
        let t = table(vec![
            idx("PRIMARY", &[0, 1], true),
            idx("k_a", &[2, 0], false),
        ]);
        let c = chunk_sql(&t, "k_a").unwrap();
        assert!(
            c.first.starts_with(
                "SELECT `k`, `a`, `b` FROM `db`.`t` FORCE INDEX (`k_a`) ORDER BY `k`, `a`, `b`"
            ),
            "{}",
            c.first
        );
        assert_eq!(c.width, 3);
        assert_eq!(c.param_order, vec![0, 0, 1, 0, 1, 2]);
    }

    #[test]
    fn identifiers_are_quoted() {
        let t = table(vec![idx("PRIMARY", &[3], true)]);
        let c = chunk_sql(&t, "PRIMARY").unwrap();
        assert!(c.first.contains("`c``x`"), "{}", c.first);
    }

    #[test]
    fn refuses_what_it_cannot_page_through() {
        let mut prefix = idx("p", &[2], false);
        prefix.columns[0].prefix = Some(4);
        let t = table(vec![idx("PRIMARY", &[0], true), prefix]);
        assert_eq!(chunk_sql(&t, "p"), Err(NotSweepable::PrefixColumn));
        assert_eq!(chunk_sql(&t, "nope"), Err(NotSweepable::NoSuchIndex));
        let t = table(vec![idx("k", &[2], false)]);
        assert_eq!(chunk_sql(&t, "k"), Err(NotSweepable::NoPrimaryKey));
    }
}

//! Table metadata as the rewriter and the row-probe builder need it: columns by ordinal, indexes
//! with column order, engine. Owned, cheap to share (`Arc<Table>`), versioned so cached plans can
//! notice that DDL changed a table.

use std::collections::HashMap;
use std::sync::Arc;

/// One column, by ordinal position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name as the server reports it.
    pub name: String,
    /// Base type, lower case: "int", "bigint", "varchar", "decimal", "datetime", "enum", ...
    pub data_type: String,
    /// Full type, lower case: "int(10) unsigned", "varchar(64)", "enum('a','b')".
    pub column_type: String,
    /// UNSIGNED numeric.
    pub unsigned: bool,
    /// NULL allowed.
    pub nullable: bool,
    /// Collation for character columns (e.g. "utf8mb4_general_ci").
    pub collation: Option<String>,
    /// AUTO_INCREMENT column.
    pub auto_increment: bool,
    /// Generated (virtual/stored) column.
    pub generated: bool,
}

/// One column of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexColumn {
    /// Ordinal of the column in [`Table::columns`].
    pub column: usize,
    /// Prefix length for prefix indexes (`KEY (c(10))`).
    pub prefix: Option<u32>,
}

/// An index (the primary key is an index named "PRIMARY").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// "PRIMARY" or the index name.
    pub name: String,
    /// Primary key.
    pub primary: bool,
    /// Unique (true for the primary key too).
    pub unique: bool,
    /// Columns in index order.
    pub columns: Vec<IndexColumn>,
}

impl Index {
    /// An index over whole columns (no prefixes), by column ordinal.
    pub fn plain(name: &str, primary: bool, unique: bool, columns: &[usize]) -> Index {
        Index {
            name: name.to_string(),
            primary,
            unique: unique || primary,
            columns: columns
                .iter()
                .map(|&column| IndexColumn {
                    column,
                    prefix: None,
                })
                .collect(),
        }
    }
}

/// Backtick-quote an identifier (a backtick inside is doubled).
pub fn quote_ident(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('`');
    for ch in name.chars() {
        if ch == '`' {
            s.push('`');
        }
        s.push(ch);
    }
    s.push('`');
    s
}

/// A table's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Database (schema) name.
    pub db: String,
    /// Table name.
    pub name: String,
    /// Storage engine, e.g. "InnoDB"; None when unknown (schema file without ENGINE=).
    pub engine: Option<String>,
    /// Columns in ordinal order.
    pub columns: Vec<Column>,
    /// Indexes; the primary key, when there is one, first.
    pub indexes: Vec<Index>,
    /// Bumped every time this table's definition is (re)loaded or invalidated.
    pub version: u64,
    /// Rows per page of the clustered index, estimated from the server's statistics
    /// (`AVG_ROW_LENGTH`, `innodb_page_size`) when loaded; None when unknown (a schema file, an
    /// empty table).
    pub rows_per_page: Option<u64>,
}

impl Table {
    /// The primary key, if any.
    pub fn primary_key(&self) -> Option<&Index> {
        self.indexes.iter().find(|i| i.primary)
    }

    /// Ordinal of a column by name (case-insensitive, as MySQL compares column names).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// True when the engine is InnoDB (or unknown engine treated as not InnoDB).
    pub fn is_innodb(&self) -> bool {
        self.engine
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("innodb"))
    }

    /// "db.tbl".
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.db, self.name)
    }
}

/// All known tables, keyed by lower-cased (db, table).
#[derive(Debug, Clone, Default)]
pub struct Schema {
    tables: HashMap<(String, String), Arc<Table>>,
    version: u64,
}

impl Schema {
    /// An empty schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// Look a table up (case-insensitive).
    pub fn get(&self, db: &str, table: &str) -> Option<&Arc<Table>> {
        self.tables
            .get(&(db.to_ascii_lowercase(), table.to_ascii_lowercase()))
    }

    /// The table named by a "db.tbl" string as [`Table::qualified_name`] writes it (either part
    /// may itself contain a dot: every split is tried).
    pub fn get_qualified(&self, name: &str) -> Option<&Arc<Table>> {
        name.match_indices('.').find_map(|(i, _)| {
            self.get(&name[..i], &name[i + 1..])
                .filter(|t| t.db.len() == i)
        })
    }

    /// Add or replace a table; its version becomes the schema's next version.
    pub fn insert(&mut self, mut table: Table) -> Arc<Table> {
        self.version += 1;
        table.version = self.version;
        let key = (
            table.db.to_ascii_lowercase(),
            table.name.to_ascii_lowercase(),
        );
        let t = Arc::new(table);
        self.tables.insert(key, t.clone());
        t
    }

    /// Forget a table (DDL touched it). Returns whether it was known.
    pub fn invalidate(&mut self, db: &str, table: &str) -> bool {
        self.version += 1;
        self.tables
            .remove(&(db.to_ascii_lowercase(), table.to_ascii_lowercase()))
            .is_some()
    }

    /// Forget every table of a database (DROP/ALTER DATABASE).
    pub fn invalidate_db(&mut self, db: &str) {
        self.version += 1;
        let db = db.to_ascii_lowercase();
        self.tables.retain(|(d, _), _| *d != db);
    }

    /// Monotonic version: changes whenever any table changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Iterate over all tables.
    pub fn tables(&self) -> impl Iterator<Item = &Arc<Table>> {
        self.tables.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(db: &str, name: &str) -> Table {
        Table {
            db: db.into(),
            name: name.into(),
            engine: Some("InnoDB".into()),
            columns: Vec::new(),
            indexes: Vec::new(),
            version: 0,
            rows_per_page: None,
        }
    }

    #[test]
    fn qualified_names_with_dots_find_their_table() {
        let mut s = Schema::new();
        s.insert(table("app", "orders"));
        s.insert(table("my.db", "t.1"));
        s.insert(table("my", "db.t"));
        assert_eq!(s.get_qualified("APP.Orders").unwrap().name, "orders");
        assert_eq!(s.get_qualified("my.db.t.1").unwrap().db, "my.db");
        assert_eq!(s.get_qualified("my.db.t").unwrap().name, "db.t");
        assert!(s.get_qualified("app").is_none());
        assert!(s.get_qualified("app.missing").is_none());
    }
}

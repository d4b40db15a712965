//! Schema from a file of CREATE TABLE statements (`--schema-file`), so the rewriter works without
//! a server. The SQL parsing itself lives in `rewrite::ddl` (rewrite is the only module that
//! imports sqlparser); this file only reads the file and names the error.

use std::path::Path;

use super::Schema;
use crate::error::{Error, ErrorKind, Result};

/// Parse CREATE TABLE statements; unqualified tables go to `default_db`, `USE db` switches.
pub fn parse_create_tables(sql_text: &str, default_db: &str) -> Result<Schema> {
    crate::rewrite::parse_create_tables(sql_text, default_db)
}

/// Read a schema file. Tables before any `USE` go to the database named by the file stem
/// (`sbtest.sql` → `sbtest`) unless the statements qualify them.
pub fn load_from_file(path: impl AsRef<Path>) -> Result<Schema> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("reading schema file {}", path.display()),
        )
        .with_source(e)
    })?;
    let db = path.file_stem().and_then(|s| s.to_str()).unwrap_or("test");
    parse_create_tables(&text, db).map_err(|e| e.context(path.display()))
}

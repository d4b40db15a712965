//! Table metadata (columns, primary key, unique and secondary indexes, engine, collations) from a
//! live server's information_schema or from a file of CREATE TABLE statements; cached, versioned,
//! invalidated by DDL seen in the relay log.

mod types;

pub use types::*;

//! Table metadata (columns, primary key, unique and secondary indexes, engine, collations) from a
//! live server's information_schema or from a file of CREATE TABLE statements; cached, versioned,
//! invalidated by DDL seen in the relay log.

mod file;
mod server;
mod types;

pub use file::{load_from_file, parse_create_tables};
pub use server::{load_from_server, load_with};
pub use types::*;

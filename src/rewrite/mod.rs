//! Transactions → prefetch [`crate::plan::Plan`]s. The only module that imports sqlparser.
//!
//! Statement events: [`StatementRewriter`] (lexer → normaliser → sqlparser → per-mode rewrite →
//! guard, behind a template cache keyed by the literal-free fingerprint). Row events: `rows`.
//! Both meet in `planner`. DDL handling: [`ddl_tables`], [`parse_create_tables`].

pub mod ddl;
pub mod fastparse;
pub mod followup;
pub mod funcs;
pub mod guard;
pub mod lexer;
pub mod locking;
pub mod normalize;
pub mod parse;
pub mod planner;
pub mod resolve;
pub mod rowkey;
pub mod rows;
pub mod select_dml;
pub mod select_insert;
pub mod stmt;
pub mod template;
pub mod values;

pub use ddl::{ddl_tables, parse_create_tables};
pub use lexer::Flavor;
pub use stmt::{CacheStats, Rewritten, StatementRewriter};

use std::cell::RefCell;
use std::collections::HashSet;

use crate::schema::Schema;

/// What every rewrite step needs to resolve names.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Default database of the statement's session.
    pub default_db: Option<&'a str>,
    /// Table metadata.
    pub schema: &'a Schema,
    /// Phase-2 SQL skeletons (built from schema identifiers only) already passed by the guard,
    /// so each is parsed once per schema version rather than once per statement shape.
    pub verified: &'a RefCell<HashSet<String>>,
}

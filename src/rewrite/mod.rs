//! Transactions → prefetch [`crate::plan::Plan`]s. The only module that imports sqlparser.
pub mod rowkey;
pub mod rows;
pub mod planner;

//! relay-prefetch: reads a replica's relay log ahead of its SQL thread and issues cheap read-only
//! work that pulls the pages the applier is about to need into the InnoDB buffer pool.
//!
//! Data flows through one module per stage:
//! `relay` (files → framed events) → `event` (decoded, grouped into transactions) →
//! `rewrite` (statements and row images → a [`plan::Plan`] of probes, using `schema`) →
//! `schedule` (conflict-free work-stealing pool) → `exec` (worker connections) ,
//! with `replica` tracking the applier (and whether the buffer pool is filling or evicting, which
//! sizes the probes) and `throttle` deciding how far ahead to run; beside the probes, `sweep`
//! reads whole indexes of the touched tables while the buffer pool has room.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod error;
pub mod event;
pub mod exec;
pub mod fxhash;
pub mod logging;
pub mod metrics;
pub mod plan;
pub mod relay;
pub mod replica;
pub mod rewrite;
pub mod sandbox;
pub mod schedule;
pub mod schema;
pub mod sweep;
pub mod throttle;

pub use error::{Error, ErrorKind, Result};

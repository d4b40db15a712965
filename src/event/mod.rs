//! Raw relay-log events → the project's own owned vocabulary ([`Event`], [`Transaction`]).
//! MySQL and MariaDB events both; see the submodules for what is decoded by hand and why.

mod types;

pub use types::*;

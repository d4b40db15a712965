//! Free loopback ports for sandbox servers: bind port 0, read the port the kernel chose, release it.
//! The server may still lose a race for it to another process; `server` retries with a new port.
//! Ports handed out in this process are remembered so two sandboxes started by parallel tests in
//! one process never get the same one.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

use crate::{Error, ErrorKind, Result};

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A loopback TCP port that was free a moment ago and has not been handed out by this process.
pub fn free_port() -> Result<u16> {
    for _ in 0..64 {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::new(ErrorKind::Io, "binding 127.0.0.1:0").with_source(e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::new(ErrorKind::Io, "reading a bound port").with_source(e))?
            .port();
        drop(listener);
        let mut guard = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        if guard.get_or_insert_with(HashSet::new).insert(port) {
            return Ok(port);
        }
    }
    Err(Error::new(
        ErrorKind::Io,
        "no free loopback port after 64 attempts",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_bindable() {
        let a = free_port().unwrap();
        let b = free_port().unwrap();
        assert_ne!(a, b);
        TcpListener::bind(("127.0.0.1", a)).unwrap();
    }
}

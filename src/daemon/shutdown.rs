//! [`Shutdown`]: the one stop signal every daemon thread waits on. Cloning shares it; `trigger`
//! wakes every waiter at once. Threads that would otherwise sleep between ticks wait on it with a
//! timeout instead, so a stop request is seen immediately rather than after the next tick.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A shared stop flag with a condition variable.
#[derive(Clone, Default)]
pub struct Shutdown {
    /// Invariant: the bool only ever goes false → true; every change is followed by `notify_all`.
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shutdown({})", self.is_triggered())
    }
}

impl Shutdown {
    /// A new, untriggered signal.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Ask every holder to stop.
    pub fn trigger(&self) {
        let (m, c) = &*self.inner;
        *m.lock().unwrap_or_else(|p| p.into_inner()) = true;
        c.notify_all();
    }

    /// Whether a stop was requested.
    pub fn is_triggered(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait up to `d`; returns true when a stop was requested (possibly before the wait).
    pub fn wait_timeout(&self, d: Duration) -> bool {
        let (m, c) = &*self.inner;
        let deadline = Instant::now() + d;
        let mut stop = m.lock().unwrap_or_else(|p| p.into_inner());
        while !*stop {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            stop = c
                .wait_timeout(stop, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_wakes_waiter() {
        let s = Shutdown::new();
        assert!(!s.wait_timeout(Duration::from_millis(5)));
        let s2 = s.clone();
        let t = std::thread::spawn(move || s2.wait_timeout(Duration::from_secs(30)));
        s.trigger();
        assert!(t.join().unwrap());
        assert!(s.is_triggered());
    }
}

//! Probes → conflict-free work on a work-stealing pool (crossbeam-deque) with the row-key conflict
//! map (dashmap).

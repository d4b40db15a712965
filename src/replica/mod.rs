//! The applier's position and state: SHOW REPLICA STATUS / SHOW SLAVE STATUS, flavor detection.

//! Relay-log files → framed raw events with their relay positions.

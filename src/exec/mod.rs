//! Worker connections to the replica: per-mode session set-up, running probes, classifying outcomes.

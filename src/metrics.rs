//! Every counter and gauge in one place; Prometheus text exposition.

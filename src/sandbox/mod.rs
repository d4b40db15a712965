//! Throwaway MariaDB primary + replica on loopback ports with their own temporary datadirs, used by
//! the tests, the benchmarks and `relay-prefetch demo`.

//! Workloads: request traces, generators, importers and statistics.

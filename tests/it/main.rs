//! The integration tests, one module per area, linked into one binary so the
//! test build links once.

mod common;
mod live_support;

mod advise;
mod advise_cli;
mod calibrate;
mod cloud_run;
mod cold_start;
mod live_auth;
mod live_cli;
mod live_export;
mod live_protocols;
mod live_replay;
mod live_series;
mod live_serve;
mod models;
mod package;
mod pricing_bad_input;
mod pricing_refresh;
mod pricing_show;
mod profile;
mod props;
mod purchase;
mod report;
mod robust;
mod runtime;
mod sagemaker_serverless;
mod sim_theory;
mod simulate;
mod snapstart;
mod study;
mod tui_navigation;
mod tui_screens;
mod validate;
mod workload_bad_input;
mod workload_cli;
mod workload_import;
mod workload_presets;

//! The integration tests, one binary (one link) with a module per area: real fixture
//! archives built into temp dirs, assertions on the HTML, the files and the messages.

mod common;

mod bad_input;
mod browser;
mod build;
mod fuzz_regressions;
mod import;
mod incremental;
mod kill;
mod search_share;
mod serve;
mod serve_load;
mod xss;

//! onrecord: a static site generator for annotated archives of public statements.
//!
//! The pipeline, one module a stage: `config` (site.toml) -> `content` (front matter) ->
//! `archive` (resolve speakers, ids, indexes; validate) -> `markdown` (bodies, statements
//! marked in place) -> `render` (Tera templates, view structs) -> `write` (atomic output).
//! `urls` builds every URL; `import` turns raw articles into content; `check` validates
//! links in the output; `serve` previews with live reload.
pub mod archive;
pub mod build;
pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod import;
pub mod init;
pub mod markdown;
pub mod publish;
pub mod render;
pub mod search;
pub mod serve;
pub mod share;
pub mod urls;
pub mod write;

pub use build::{build_site, BuildOptions, BuildReport};

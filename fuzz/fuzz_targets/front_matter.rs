#![no_main]
//! Arbitrary bytes as a content file -> front matter split and parse (article and speaker),
//! then the archive's validation.

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the checks
mod checks;

fuzz_target!(|data: &[u8]| checks::front_matter(data));

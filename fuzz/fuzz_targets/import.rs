#![no_main]
//! Arbitrary bytes as one source file -> import (decode, clean, extract, render).

use libfuzzer_sys::fuzz_target;

#[path = "../checks.rs"]
#[allow(dead_code)] // each target uses one of the checks
mod checks;

fuzz_target!(|data: &[u8]| checks::import(data));

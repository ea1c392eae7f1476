//! Fuzzes Kasahara STG files: parsing, the problem on two processors and a
//! list schedule.

#![no_main]

mod exercise;

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz.stg");
    if spikepipe::problem::stg::parse(path, text).is_err() {
        return;
    }
    if let Ok(problem) = spikepipe::problem::stg_problem(path, text, 2) {
        exercise::exercise(&problem);
    }
});

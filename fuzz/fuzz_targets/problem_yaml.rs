//! Fuzzes YAML problem files of both kinds: parsing, and for problems that
//! name no other file (task graphs, and network problems with an inline
//! `network:` model), the whole build and a list schedule.

#![no_main]

mod exercise;

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz.yaml");
    let Ok(spec) = spikepipe::problem::parse_problem_spec(path, text) else { return };
    if spec.references_files() {
        return;
    }
    if let Ok(problem) = spikepipe::problem::build(path, &spec) {
        exercise::exercise(&problem);
    }
});

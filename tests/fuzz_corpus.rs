//! Replays the committed fuzz corpus (tests/fuzz_corpus/, minimised with
//! `cargo fuzz cmin`) through the same steps as the fuzz targets in fuzz/:
//! no input may panic, and every list schedule of an accepted problem must
//! pass the validator.

use spikepipe::problem::Problem;
use spikepipe::sched::{self, SchedulerKind, SolveOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new("tests/fuzz_corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Runs the checks of fuzz/fuzz_targets/exercise.rs on one problem.
fn exercise(problem: &Problem, file: &Path) {
    let _ = spikepipe::graph::basic_lower_bound(problem);
    let options = SolveOptions { time_limit: Duration::from_secs(1), ..SolveOptions::default() };
    let outcome = sched::run(problem, SchedulerKind::List, &options, None).unwrap();
    if let Some(schedule) = &outcome.schedule {
        if let Err(violation) = spikepipe::validate::validate(problem, schedule) {
            panic!("{}: the list schedule is invalid: {violation}", file.display());
        }
        assert!(schedule.value(problem) >= outcome.lower_bound, "{}", file.display());
    }
}

#[test]
fn problem_yaml_corpus_does_not_panic() {
    let mut accepted = 0;
    for file in corpus("problem_yaml") {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let path = Path::new("fuzz.yaml");
        let Ok(spec) = spikepipe::problem::parse_problem_spec(path, text) else { continue };
        if spec.references_files() {
            continue;
        }
        match spikepipe::problem::build(path, &spec) {
            Ok(problem) => {
                exercise(&problem, &file);
                accepted += 1;
            }
            Err(error) => assert_eq!(error.to_string().lines().count(), 1, "{}: {error}", file.display()),
        }
    }
    assert!(accepted > 0, "no corpus file builds a problem");
}

#[test]
fn stg_corpus_does_not_panic() {
    let mut accepted = 0;
    for file in corpus("stg") {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let path = Path::new("fuzz.stg");
        if spikepipe::problem::stg::parse(path, text).is_err() {
            continue;
        }
        if let Ok(problem) = spikepipe::problem::stg_problem(path, text, 2) {
            exercise(&problem, &file);
            accepted += 1;
        }
    }
    assert!(accepted > 0, "no corpus file builds a problem");
}

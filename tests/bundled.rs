//! Regression tests on the bundled problems: proven optima are reached and
//! reported optimal, and on every problem the ILP is never worse than the
//! heuristics nor below its lower bound.

use spikepipe::problem::{load, LoadOptions, Problem};
use spikepipe::sched::{run, SchedulerKind, SolveOptions, Status};
use spikepipe::validate::validate;
use std::path::Path;
use std::time::Duration;

fn options(seconds: u64) -> SolveOptions {
    SolveOptions { time_limit: Duration::from_secs(seconds), threads: Some(1), ..SolveOptions::default() }
}

fn problem(file: &str) -> Problem {
    load(Path::new("problems").join(file).as_path(), LoadOptions::default()).unwrap()
}

/// Solves with the ILP and returns (value, status), checking validity.
fn ilp_value(problem: &Problem, seconds: u64) -> (u64, Status) {
    let outcome = run(problem, SchedulerKind::Ilp, &options(seconds), None).unwrap();
    let schedule = outcome.schedule.expect("the ILP always has the heuristic schedule");
    validate(problem, &schedule).unwrap();
    (schedule.value(problem), outcome.status)
}

#[test]
fn two_bins_optimum_is_six() {
    // Load bound ⌈12/2⌉ = 6, reached by {3, 3} | {2, 2, 2}.
    assert_eq!(ilp_value(&problem("tg-two-bins.yaml"), 20), (6, Status::Optimal));
}

#[test]
fn fork_join_with_comm_optimum_is_nine() {
    // Case analysis in the problem file's comment.
    assert_eq!(ilp_value(&problem("tg-fork-join-comm.yaml"), 20), (9, Status::Optimal));
}

#[test]
fn pipelined_iterations_optimum_is_twelve() {
    // Critical path a0 → b0 → a2 → b2 of 4 · 3 cycles, reached.
    assert_eq!(ilp_value(&problem("tg-pipelined-iterations.yaml"), 20), (12, Status::Optimal));
}

#[test]
fn stg_rand0000_optima_on_two_and_four() {
    // Total work 262: ⌈262/2⌉ = 131 and ⌈262/4⌉ = 66 are reached.
    assert_eq!(ilp_value(&problem("stg-rand0000-2.yaml"), 30), (131, Status::Optimal));
    assert_eq!(ilp_value(&problem("stg-rand0000-4.yaml"), 30), (66, Status::Optimal));
}

#[test]
fn ilp_never_worse_than_heuristics() {
    let mut files: Vec<String> = std::fs::read_dir("problems")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    files.sort();
    for file in files {
        let problem = problem(&file);
        let standard = run(&problem, SchedulerKind::Standard, &options(4), None).ok().and_then(|o| o.schedule);
        let list = run(&problem, SchedulerKind::List, &options(4), None).unwrap().schedule.unwrap();
        validate(&problem, &list).unwrap();
        let ilp = run(&problem, SchedulerKind::Ilp, &options(6), standard.as_ref()).unwrap();
        let schedule = ilp.schedule.as_ref().unwrap();
        validate(&problem, schedule).unwrap();
        let value = schedule.value(&problem);
        assert!(value <= list.value(&problem), "{file}: ilp {value} > list {}", list.value(&problem));
        if let Some(standard) = &standard {
            validate(&problem, standard).unwrap();
            assert!(value <= standard.value(&problem), "{file}: ilp {value} > standard {}", standard.value(&problem));
        }
        assert!(value >= ilp.lower_bound, "{file}: value {value} below the bound {}", ilp.lower_bound);
        if ilp.status == Status::Optimal {
            // A proven optimum has a gap of 0, so its bound equals its value.
            assert_eq!(ilp.lower_bound, value, "{file}: optimal but the bound differs");
        }
    }
}

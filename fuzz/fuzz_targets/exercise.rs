//! What every fuzz target does with a problem that passed validation: the
//! graph bounds, the list scheduler and the validator must not panic, and
//! the list schedule must be valid.

use spikepipe::problem::Problem;
use spikepipe::sched::{self, SchedulerKind, SolveOptions};
use std::time::Duration;

pub fn exercise(problem: &Problem) {
    let _ = spikepipe::graph::basic_lower_bound(problem);
    let options = SolveOptions { time_limit: Duration::from_secs(1), ..SolveOptions::default() };
    let outcome = sched::run(problem, SchedulerKind::List, &options, None).expect("list applies to every problem");
    if let Some(schedule) = &outcome.schedule {
        if let Err(violation) = spikepipe::validate::validate(problem, schedule) {
            panic!("the list schedule is invalid: {violation}");
        }
        assert!(schedule.value(problem) >= outcome.lower_bound, "the list schedule beats the lower bound");
    }
}

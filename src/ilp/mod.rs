//! The exact mixed-integer scheduler, solved by HiGHS.

use crate::problem::Problem;
use crate::sched::{Outcome, SchedulerKind, SolveOptions, Status};
use crate::schedule::Schedule;

/// Solves `problem` exactly within `options.time_limit`, starting from
/// `incumbent`. With `fixed_assignment`, task t must run on array
/// `fixed_assignment[t]`.
pub fn solve(problem: &Problem, options: &SolveOptions, incumbent: Option<Schedule>, fixed_assignment: Option<&[usize]>) -> Outcome {
    // TODO: the ILP model.
    let _ = (options, fixed_assignment);
    let bound = crate::graph::basic_lower_bound(problem);
    let status = match &incumbent {
        Some(s) if s.value(problem) <= bound => Status::Optimal,
        Some(_) => Status::Feasible,
        None => Status::Timeout,
    };
    Outcome { scheduler: SchedulerKind::Ilp, schedule: incumbent, status, lower_bound: bound, seconds: 0.0 }
}

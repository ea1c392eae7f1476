//! Standard inter-layer pipelining: contiguous layer stages, stage i on
//! array i.

use super::SolveOptions;
use crate::problem::Problem;
use crate::schedule::Schedule;

/// The standard pipelining schedule of a network problem.
pub fn schedule(problem: &Problem, _options: &SolveOptions) -> Option<Schedule> {
    // TODO: stage partition and best timing for the fixed assignment.
    let _ = problem;
    None
}

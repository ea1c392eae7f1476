//! List-scheduling heuristics: critical-path list scheduling for makespan and
//! modulo list scheduling for period.

use crate::problem::{Objective, Problem};
use crate::schedule::{Placement, Schedule, Timing};

/// The best heuristic schedule of `problem` for its objective.
pub fn schedule(problem: &Problem) -> Option<Schedule> {
    // TODO: replace with critical-path and modulo list scheduling.
    Some(sequential_schedule(problem))
}

/// Every task on the array where the whole iteration is shortest, one after
/// another in dependency order. Always valid: within an iteration every task
/// follows its predecessors, and each iteration starts after the previous one
/// ends, so edges with a distance hold as well.
pub fn sequential_schedule(problem: &Problem) -> Schedule {
    let order = crate::graph::topological_order(problem);
    let array = (0..problem.array_count())
        .min_by_key(|&a| (0..problem.tasks.len()).map(|t| problem.duration(t, a)).sum::<u64>())
        .unwrap_or(0);
    let iteration_length: u64 = (0..problem.tasks.len()).map(|t| problem.duration(t, array)).sum();
    let (timing, iterations) = match problem.objective {
        Objective::Period => (Timing::Periodic { period: iteration_length.max(1) }, 1),
        Objective::Makespan { iterations } => (Timing::Makespan { iterations }, iterations),
    };
    let mut placements = Vec::with_capacity(problem.tasks.len() * iterations as usize);
    let mut clock = 0;
    for iteration in 0..iterations {
        for &task in &order {
            placements.push(Placement { task, iteration, array, start: clock });
            clock += problem.duration(task, array);
        }
    }
    let mut schedule = Schedule { timing, placements };
    schedule.canonicalize();
    schedule
}

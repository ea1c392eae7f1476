//! List-scheduling heuristics: critical-path list scheduling for makespan and
//! modulo list scheduling for period.
//!
//! Both heuristics run several priority rules and keep the best result that
//! passes the independent validator. A result that fails it is dropped with a
//! warning. The sequential schedule is always among the candidates, so the
//! heuristics return a valid schedule for every valid problem.

mod iterative;
mod makespan;
mod modulo;
#[cfg(test)]
mod tests;

use crate::graph::topological_order;
use crate::problem::{Edge, Objective, Problem};
use crate::schedule::{Placement, Schedule, Timing};
use std::ops::Range;

/// Finds the best heuristic schedule of `problem` for its objective.
pub fn schedule(problem: &Problem) -> Option<Schedule> {
    let arrays = Arrays { count: problem.array_count(), assignment: None };
    best_schedule(problem, arrays, sequential_schedule(problem))
}

/// Finds the best heuristic schedule with every task's array fixed: task `t` runs
/// on array `assignment[t]` (for makespan, every copy of `t`). `None` when
/// the assignment does not name one existing array per task.
pub fn schedule_with_assignment(problem: &Problem, assignment: &[usize]) -> Option<Schedule> {
    if assignment.len() != problem.tasks.len() {
        log::warn!(
            "array assignment has {} entries for {} tasks; no schedule for it",
            assignment.len(),
            problem.tasks.len()
        );
        return None;
    }
    if let Some(&array) = assignment.iter().find(|&&a| a >= problem.array_count()) {
        log::warn!("array assignment names array {array}, but the problem has {} arrays", problem.array_count());
        return None;
    }
    let arrays = Arrays { count: problem.array_count(), assignment: Some(assignment) };
    best_schedule(problem, arrays, assigned_sequential_schedule(problem, assignment))
}

/// Runs the heuristic of the problem's objective and keeps the better of its
/// result and `fallback`, a sequential schedule. Every schedule returned has
/// passed the validator. The fallback is validated only when it is chosen,
/// because the periodic check is quadratic in the tasks on one array.
fn best_schedule(problem: &Problem, arrays: Arrays, fallback: Schedule) -> Option<Schedule> {
    match problem.objective {
        Objective::Makespan { iterations } => {
            // Validate the candidates best first and stop at the first that
            // passes, so that usually only one is checked.
            let copies = problem.tasks.len().saturating_mul(iterations as usize);
            let mut candidates: Vec<Schedule> = makespan::rules(copies)
                .into_iter()
                .map(|rule| makespan::list_schedule(problem, arrays, iterations, rule))
                .collect();
            candidates.sort_by_key(|candidate| candidate.value(problem));
            let fallback_value = fallback.value(problem);
            for candidate in candidates {
                if candidate.value(problem) >= fallback_value {
                    break;
                }
                if let Some(valid) = checked(problem, candidate, "critical-path list schedule") {
                    return Some(valid);
                }
            }
            checked(problem, fallback, "sequential schedule")
        }
        Objective::Period => modulo::search_period(problem, arrays, fallback),
    }
}

/// Returns `schedule` when it passes the validator; otherwise logs a warning
/// and returns `None`.
fn checked(problem: &Problem, schedule: Schedule, description: &str) -> Option<Schedule> {
    match crate::validate::validate(problem, &schedule) {
        Ok(()) => Some(schedule),
        Err(violation) => {
            log::warn!("dropping an invalid {description} of {}: {violation}", problem.name);
            None
        }
    }
}

/// The arrays open to each task: all of them, or the one array an
/// assignment fixes.
#[derive(Debug, Clone, Copy)]
struct Arrays<'a> {
    count: usize,
    assignment: Option<&'a [usize]>,
}

impl Arrays<'_> {
    fn allowed(&self, task: usize) -> Range<usize> {
        match self.assignment {
            Some(assignment) => assignment[task]..assignment[task] + 1,
            None => 0..self.count,
        }
    }
}

/// The task and transfer weights of a priority rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    /// Each task's shortest duration and every transfer as remote.
    Shortest,
    /// Each task's mean duration over its arrays and every transfer as remote.
    Mean,
    /// Each task's shortest duration and free transfers.
    ShortestWithoutComm,
}

impl Weight {
    /// Cycles of `task` under this weighting; with a fixed assignment, its
    /// duration on its array.
    fn task(self, problem: &Problem, arrays: Arrays, task: usize) -> u64 {
        if let Some(assignment) = arrays.assignment {
            return problem.duration(task, assignment[task]);
        }
        match self {
            Weight::Shortest | Weight::ShortestWithoutComm => problem.min_duration(task),
            Weight::Mean => {
                let durations = &problem.tasks[task].durations;
                let total: u64 = durations.iter().fold(0u64, |sum, &d| sum.saturating_add(d));
                total / durations.len().max(1) as u64
            }
        }
    }

    /// Cycles of the transfer on `edge` under this weighting; with a fixed
    /// assignment, its actual cost.
    fn edge(self, problem: &Problem, arrays: Arrays, edge: &Edge) -> u64 {
        if self == Weight::ShortestWithoutComm {
            return 0;
        }
        match arrays.assignment {
            Some(assignment) => problem.comm(edge, assignment[edge.from], assignment[edge.to]),
            None => problem.remote_comm(edge),
        }
    }
}

/// Number of extra runs with randomly scaled priorities for a problem of
/// `units` tasks or task copies: many for small problems, where a run takes
/// microseconds, and none above `RANDOM_RUN_BUDGET` units.
fn random_run_count(units: usize) -> u64 {
    (RANDOM_RUN_BUDGET / units.max(1)).min(MAX_RANDOM_RUNS) as u64
}

/// Task placements spent on randomised runs per heuristic call: small
/// problems get up to `MAX_RANDOM_RUNS`, and problems of this many tasks or
/// copies get none, which keeps them fast.
const RANDOM_RUN_BUDGET: usize = 4_000;
const MAX_RANDOM_RUNS: usize = 48;

/// Scales `value` by 1024 times a factor in [0.75, 1.25) drawn from `seed`
/// and `index` by a SplitMix64 hash, so that one seed gives one fixed
/// perturbation. Seed 0 scales by exactly 1024: no perturbation.
fn perturbed(value: u64, seed: u64, index: usize) -> u128 {
    if seed == 0 {
        return u128::from(value) << 10;
    }
    let mut z = seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    u128::from(value) * u128::from(768 + z % 512)
}

/// Index for [`perturbed`] of the choice of `array` for `unit` (a task or
/// task copy), apart from the indices of the priorities.
fn choice_index(unit: usize, array: usize, arrays: usize) -> usize {
    usize::MAX / 2 + unit.saturating_mul(arrays) + array
}

/// Edge indices entering and leaving each task.
struct Adjacency {
    incoming: Vec<Vec<usize>>,
    outgoing: Vec<Vec<usize>>,
}

impl Adjacency {
    fn new(problem: &Problem) -> Adjacency {
        let n = problem.tasks.len();
        let mut incoming = vec![Vec::new(); n];
        let mut outgoing = vec![Vec::new(); n];
        for (index, edge) in problem.edges.iter().enumerate() {
            incoming[edge.to].push(index);
            outgoing[edge.from].push(index);
        }
        Adjacency { incoming, outgoing }
    }
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

/// Places the tasks one at a time on their assigned arrays, in dependency order,
/// each waiting for its predecessors' transfers. No two tasks ever run at
/// once, so no array is double-booked. A periodic schedule gets the period
/// `end + longest transfer`, which satisfies every edge with a distance:
/// s(v) + d·T ≥ T ≥ s(u) + dur(u) + comm.
fn assigned_sequential_schedule(problem: &Problem, assignment: &[usize]) -> Schedule {
    let order = topological_order(problem);
    let adjacency = Adjacency::new(problem);
    let n = problem.tasks.len();
    let iterations = match problem.objective {
        Objective::Period => 1,
        Objective::Makespan { iterations } => iterations,
    };
    let mut starts = vec![0u64; n * iterations as usize];
    let mut clock = 0u64;
    for iteration in 0..iterations as usize {
        for &task in &order {
            let array = assignment[task];
            let mut start = clock;
            for &e in &adjacency.incoming[task] {
                let edge = &problem.edges[e];
                let distance = edge.distance as usize;
                let binds = match problem.objective {
                    Objective::Period => distance == 0,
                    Objective::Makespan { .. } => distance <= iteration,
                };
                if binds {
                    let from = edge.from;
                    let end = starts[(iteration - distance) * n + from].saturating_add(problem.duration(from, assignment[from]));
                    start = start.max(end.saturating_add(problem.comm(edge, assignment[from], array)));
                }
            }
            starts[iteration * n + task] = start;
            clock = start.saturating_add(problem.duration(task, array));
        }
    }
    let timing = match problem.objective {
        Objective::Period => {
            let longest_transfer = problem.edges.iter().map(|e| problem.comm(e, assignment[e.from], assignment[e.to])).max();
            Timing::Periodic { period: clock.saturating_add(longest_transfer.unwrap_or(0)).max(1) }
        }
        Objective::Makespan { iterations } => Timing::Makespan { iterations },
    };
    let placements = starts
        .iter()
        .enumerate()
        .map(|(copy, &start)| Placement {
            task: copy % n.max(1),
            iteration: (copy / n.max(1)) as u32,
            array: assignment[copy % n.max(1)],
            start,
        })
        .collect();
    Schedule { timing, placements }
}

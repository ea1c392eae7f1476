//! The exact mixed-integer scheduler, solved by HiGHS.
//!
//! `makespan` models N unrolled iterations and minimises the makespan;
//! `period` searches the smallest integer period with one feasibility model
//! per probed period. Both keep only the solver's discrete decisions and
//! re-time them exactly in integers (`retime`), and every schedule they
//! return has passed the validator. Each starts from a valid schedule (the
//! caller's heuristic schedule, or the sequential one built here), so the
//! result is never worse than it.
//!
//! Lower bounds: the basic bound of `crate::graph`, the transfer cycle bound
//! (period), and the load bound of `bounds` (the optimal packing of the
//! tasks or task copies onto the arrays). The status is `Optimal` only when
//! the value meets a proven bound, so with `mip_gap` > 0 a run that stops at
//! the gap reports `Feasible`. `progress` draws a spinner on a terminal.

mod assignment;
pub mod bounds;
pub mod makespan;
mod mip;
pub mod period;
pub mod progress;
pub mod retime;
mod time_indexed;
mod warm;

use crate::problem::{Objective, Problem};
use crate::sched::{Outcome, SchedulerKind, SolveOptions, Status};
use crate::schedule::{Placement, Schedule, Timing};
use retime::{earliest_starts, retime_makespan, Arc};
use std::time::Instant;

/// Randomised list-scheduling passes for the makespan warm start.
const LIST_PASSES: u32 = 2000;

/// The best schedule found by a search and its proven lower bound.
pub struct Search {
    pub schedule: Schedule,
    pub lower_bound: u64,
}

/// Solves `problem` exactly within `options.time_limit`, starting from
/// `incumbent`. With `fixed_assignment`, task t must run on array
/// `fixed_assignment[t]`.
///
/// The status is `Optimal` only when the value meets a proven lower bound,
/// `Infeasible` only for a fixed assignment that names a missing array or
/// has the wrong length, and `Feasible` otherwise.
pub fn solve(problem: &Problem, options: &SolveOptions, incumbent: Option<Schedule>, fixed_assignment: Option<&[usize]>) -> Outcome {
    let started = Instant::now();
    let deadline = started + options.time_limit;
    let finish = |schedule: Option<Schedule>, status: Status, lower_bound: u64| Outcome {
        scheduler: SchedulerKind::Ilp,
        schedule,
        status,
        lower_bound,
        seconds: started.elapsed().as_secs_f64(),
    };

    let mut lower_bound = crate::graph::basic_lower_bound(problem);
    if let Some(fixed) = fixed_assignment {
        if fixed.len() != problem.tasks.len() || fixed.iter().any(|&a| a >= problem.array_count()) {
            log::warn!(
                "the fixed assignment lists {} arrays for {} tasks on {} arrays; it must give each task an existing array",
                fixed.len(),
                problem.tasks.len(),
                problem.array_count()
            );
            return finish(None, Status::Infeasible, lower_bound);
        }
        lower_bound = lower_bound.max(fixed_load_bound(problem, fixed));
    }
    if problem.objective == Objective::Period {
        let cycles = crate::graph::transfer_cycle_bound(problem);
        log::debug!("transfer cycle bound {cycles}, iteration bound {}", crate::graph::iteration_bound(problem));
        lower_bound = lower_bound.max(cycles);
    }

    // The warm start: the best of the caller's schedule (if it is valid and
    // follows the fixed assignment), the sequential schedule and a list
    // schedule.
    let incumbent = incumbent.filter(|schedule| match crate::validate::validate(problem, schedule) {
        Err(violation) => {
            log::warn!("ignoring the invalid warm-start schedule: {violation}");
            false
        }
        Ok(()) if fixed_assignment.is_some_and(|fixed| schedule.placements.iter().any(|p| p.array != fixed[p.task])) => {
            log::warn!("ignoring the warm-start schedule: it does not follow the fixed assignment");
            false
        }
        Ok(()) => true,
    });
    let valid = |s: &Schedule| crate::validate::validate(problem, s).is_ok();
    let sequential = sequential_schedule(problem, fixed_assignment).filter(valid);
    // List passes get at most a tenth of the time.
    let list_deadline = started + options.time_limit / 10;
    let listed = warm::list_schedule(problem, fixed_assignment, LIST_PASSES, lower_bound, list_deadline).filter(valid);
    let start = crate::sched::better(problem, incumbent, crate::sched::better(problem, sequential, listed));
    let Some(start) = start else {
        log::error!("no valid starting schedule for {}", problem.name);
        return finish(None, Status::Timeout, lower_bound);
    };

    let progress = progress::Progress::start(options.progress, &format!("ilp {}", problem.name));
    progress.set(format!("bounds (basic bound {lower_bound})"));
    // The load bound gets at most a tenth of the time, and only when the
    // start does not already meet the basic bound.
    if fixed_assignment.is_none() && start.value(problem) > lower_bound {
        let copies = match problem.objective {
            Objective::Period => 1,
            Objective::Makespan { iterations } => iterations,
        };
        if let Some(load) = bounds::load_bound(problem, copies, options, options.time_limit.as_secs_f64() / 10.0) {
            log::debug!("load bound {} (basic bound {lower_bound})", load.bound);
            lower_bound = lower_bound.max(load.bound);
        }
    }

    let search = match problem.objective {
        Objective::Makespan { iterations } => {
            makespan::solve(problem, iterations, options, deadline, start, fixed_assignment, lower_bound, &progress)
        }
        Objective::Period => period::solve(problem, options, deadline, start, fixed_assignment, lower_bound, &progress),
    };
    let value = search.schedule.value(problem);
    let lower_bound = search.lower_bound.min(value);
    let status = if value <= lower_bound { Status::Optimal } else { Status::Feasible };
    finish(Some(search.schedule), status, lower_bound)
}

/// With a fixed assignment, the busiest array's work (for makespan, over all
/// iterations) bounds the objective.
fn fixed_load_bound(problem: &Problem, fixed: &[usize]) -> u64 {
    let mut load = vec![0u64; problem.array_count()];
    for (task, &array) in fixed.iter().enumerate() {
        load[array] = load[array].saturating_add(problem.duration(task, array));
    }
    let busiest = load.into_iter().max().unwrap_or(0);
    match problem.objective {
        Objective::Period => busiest.max(1),
        Objective::Makespan { iterations } => busiest.saturating_mul(u64::from(iterations)),
    }
}

/// Builds a schedule that runs one task at a time, in dependency order, each
/// task on its fixed array or all on the array where one iteration is
/// shortest. It is valid because tasks never overlap and each waits for its
/// inputs.
///
/// Makespan: the copies form one chain by iteration and dependency order.
/// Period: one iteration forms such a chain of length L, and the period is
/// the smallest T ≥ L that also meets every edge of distance d ≥ 1:
/// T ≥ (end(u) + comm − s(v)) / d.
pub fn sequential_schedule(problem: &Problem, fixed: Option<&[usize]>) -> Option<Schedule> {
    let n = problem.tasks.len();
    let single = (0..problem.array_count())
        .min_by_key(|&a| (0..n).map(|t| problem.duration(t, a)).fold(0u64, u64::saturating_add))
        .unwrap_or(0);
    let array_of = |task: usize| fixed.map_or(single, |f| f[task]);
    let order = crate::graph::topological_order(problem);
    match problem.objective {
        Objective::Makespan { iterations } => {
            let arrays: Vec<usize> = (0..n * iterations as usize).map(|c| array_of(c % n)).collect();
            let chain: Vec<usize> = (0..iterations as usize).flat_map(|i| order.iter().map(move |&t| i * n + t)).collect();
            retime_makespan(problem, iterations, &arrays, &[chain])
        }
        Objective::Period => {
            let arrays: Vec<usize> = (0..n).map(array_of).collect();
            let duration = |task: usize| i128::from(problem.duration(task, arrays[task]));
            let mut arcs: Vec<Arc> = order.windows(2).map(|w| Arc { from: w[0], to: w[1], weight: duration(w[0]) }).collect();
            for edge in problem.edges.iter().filter(|e| e.distance == 0) {
                let comm = i128::from(problem.comm(edge, arrays[edge.from], arrays[edge.to]));
                arcs.push(Arc { from: edge.from, to: edge.to, weight: duration(edge.from) + comm });
            }
            let starts = earliest_starts(n, &arcs)?;
            let mut period = (0..n).map(|v| starts[v] + duration(v)).max().unwrap_or(0).max(1);
            for edge in problem.edges.iter().filter(|e| e.distance > 0) {
                let comm = i128::from(problem.comm(edge, arrays[edge.from], arrays[edge.to]));
                let needed = starts[edge.from] + duration(edge.from) + comm - starts[edge.to];
                let distance = i128::from(edge.distance);
                period = period.max((needed + distance - 1).div_euclid(distance));
            }
            let placements = (0..n)
                .map(|task| Some(Placement { task, iteration: 0, array: arrays[task], start: u64::try_from(starts[task]).ok()? }))
                .collect::<Option<Vec<_>>>()?;
            Some(Schedule { timing: Timing::Periodic { period: u64::try_from(period).ok()? }, placements })
        }
    }
}

#[cfg(test)]
mod tests;

//! Schedulers and their outcomes. `list` contains the fast heuristics and
//! `standard` the inter-layer pipelining baseline. The exact ILP is the
//! crate's `ilp` module, built with the `solver` feature.

pub mod list;
pub mod standard;

use crate::problem::Problem;
use crate::schedule::Schedule;
use std::time::{Duration, Instant};

/// The scheduler that produced an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchedulerKind {
    Ilp,
    List,
    Standard,
}

impl SchedulerKind {
    pub const ALL: [SchedulerKind; 3] = [SchedulerKind::Standard, SchedulerKind::List, SchedulerKind::Ilp];

    pub fn name(&self) -> &'static str {
        match self {
            SchedulerKind::Ilp => "ilp",
            SchedulerKind::List => "list",
            SchedulerKind::Standard => "standard",
        }
    }
}

/// The final state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The schedule is proven optimal.
    Optimal,
    /// A schedule was found but not proven optimal.
    Feasible,
    /// No valid schedule exists.
    Infeasible,
    /// The time limit passed before any schedule was found.
    Timeout,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::Timeout => "timeout",
        }
    }
}

/// Settings shared by all schedulers.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Bound on the whole solve of one problem by one scheduler.
    pub time_limit: Duration,
    /// Solver threads; `None` lets HiGHS choose.
    pub threads: Option<u32>,
    /// Relative MIP gap at which the ILP may stop; 0 requires a proof of
    /// optimality.
    pub mip_gap: f64,
    /// Show the solver's own log.
    pub verbose: bool,
    /// Show a progress spinner on a terminal.
    pub progress: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions { time_limit: Duration::from_secs(60), threads: None, mip_gap: 0.0, verbose: false, progress: false }
    }
}

/// The result of one scheduler on one problem.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scheduler: SchedulerKind,
    pub schedule: Option<Schedule>,
    pub status: Status,
    /// A proven lower bound on the objective.
    pub lower_bound: u64,
    pub seconds: f64,
}

/// Error when a scheduler does not apply to a problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {scheduler} scheduler does not apply to task-graph problems; use ilp or list")]
pub struct NotApplicable {
    pub scheduler: &'static str,
}

/// Tests whether `kind` can schedule `problem`: standard pipelining needs
/// layers.
pub fn applies(kind: SchedulerKind, problem: &Problem) -> bool {
    kind != SchedulerKind::Standard || problem.network.is_some()
}

/// Runs one scheduler on one problem. The ILP starts from the best of the
/// list and standard schedules, so it never returns a worse schedule.
/// `standard` passes a standard schedule that the caller already computed.
pub fn run(problem: &Problem, kind: SchedulerKind, options: &SolveOptions, standard: Option<&Schedule>) -> Result<Outcome, NotApplicable> {
    let started = Instant::now();
    let bound = crate::graph::basic_lower_bound(problem);
    let finish = |schedule: Option<Schedule>| {
        let status = match &schedule {
            Some(s) if s.value(problem) <= bound => Status::Optimal,
            Some(_) => Status::Feasible,
            None => Status::Timeout,
        };
        Outcome { scheduler: kind, schedule, status, lower_bound: bound, seconds: started.elapsed().as_secs_f64() }
    };
    match kind {
        SchedulerKind::List => Ok(finish(list::schedule(problem))),
        SchedulerKind::Standard => {
            if problem.network.is_none() {
                return Err(NotApplicable { scheduler: "standard" });
            }
            Ok(finish(standard::schedule(problem, options)))
        }
        SchedulerKind::Ilp => {
            let mut incumbent = list::schedule(problem);
            if let Some(baseline) = standard {
                incumbent = better(problem, incumbent, Some(baseline.clone()));
            } else if problem.network.is_some() {
                let remaining = options.time_limit.saturating_sub(started.elapsed());
                let baseline = standard::schedule(problem, &SolveOptions { time_limit: remaining / 4, ..options.clone() });
                incumbent = better(problem, incumbent, baseline);
            }
            #[cfg(feature = "solver")]
            {
                let remaining = SolveOptions { time_limit: options.time_limit.saturating_sub(started.elapsed()), ..options.clone() };
                let mut outcome = crate::ilp::solve(problem, &remaining, incumbent, None);
                outcome.seconds = started.elapsed().as_secs_f64();
                outcome.lower_bound = outcome.lower_bound.max(bound);
                Ok(outcome)
            }
            #[cfg(not(feature = "solver"))]
            {
                Ok(finish(incumbent))
            }
        }
    }
}

/// Returns the schedule with the smaller objective value, the first on ties.
pub fn better(problem: &Problem, a: Option<Schedule>, b: Option<Schedule>) -> Option<Schedule> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.value(problem) < a.value(problem) { b } else { a }),
        (a, b) => a.or(b),
    }
}

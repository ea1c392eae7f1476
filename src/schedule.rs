//! Schedules: which array runs each task copy and when it starts.

use crate::problem::{Objective, Problem};

/// One task copy placed on an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Placement {
    pub task: usize,
    /// Iteration of this copy; always 0 in a periodic schedule.
    pub iteration: u32,
    pub array: usize,
    pub start: u64,
}

/// The timing rule a schedule follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Iteration i runs every task at `start + i · period`.
    Periodic { period: u64 },
    /// Every copy of `iterations` iterations has its own placement.
    Makespan { iterations: u32 },
}

/// A complete schedule of a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub timing: Timing,
    /// Periodic: one placement per task, in task order. Makespan: one per task
    /// copy, ordered by iteration and then task.
    pub placements: Vec<Placement>,
}

impl Schedule {
    /// End of a placement: its start plus its duration on its array.
    pub fn end(&self, problem: &Problem, placement: &Placement) -> u64 {
        placement.start + problem.duration(placement.task, placement.array)
    }

    /// The objective value: the period, or the end of the last task copy.
    pub fn value(&self, problem: &Problem) -> u64 {
        match self.timing {
            Timing::Periodic { period } => period,
            Timing::Makespan { .. } => self.placements.iter().map(|p| self.end(problem, p)).max().unwrap_or(0),
        }
    }

    /// The placement of copy `iteration` of `task` (periodic: iteration 0).
    pub fn placement(&self, task: usize, iteration: u32) -> Option<&Placement> {
        match self.timing {
            Timing::Periodic { .. } => self.placements.get(task).filter(|p| p.task == task),
            Timing::Makespan { .. } => {
                let n = self.placements.len() / self.iterations().max(1) as usize;
                self.placements.get(iteration as usize * n + task).filter(|p| p.task == task && p.iteration == iteration)
            }
        }
    }

    pub fn iterations(&self) -> u32 {
        match self.timing {
            Timing::Periodic { .. } => 1,
            Timing::Makespan { iterations } => iterations,
        }
    }

    /// Busy cycles of all arrays: per period for a periodic schedule, over all
    /// copies for a makespan schedule.
    pub fn busy_cycles(&self, problem: &Problem) -> u64 {
        self.placements.iter().map(|p| problem.duration(p.task, p.array)).sum()
    }

    /// Whether the schedule's timing matches the problem's objective.
    pub fn matches_objective(&self, objective: Objective) -> bool {
        matches!(
            (self.timing, objective),
            (Timing::Periodic { .. }, Objective::Period)
        ) || matches!((self.timing, objective), (Timing::Makespan { iterations: a }, Objective::Makespan { iterations: b }) if a == b)
    }

    /// Sorts placements into the canonical order (iteration, then task).
    pub fn canonicalize(&mut self) {
        self.placements.sort_by_key(|p| (p.iteration, p.task));
    }
}

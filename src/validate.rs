//! The independent validator: checks a schedule against the validity rules
//! and nothing else. It shares no code with the schedulers, so a scheduler
//! bug cannot hide behind the check.
//!
//! Makespan schedule of N iterations: an edge u → v of distance d binds
//! v^(i+d) to u^i for every i with i + d < N, and requires
//! s(v^(i+d)) ≥ s(u^i) + dur(u^i) + comm(u^i, v^(i+d)); no two copies on one
//! array overlap.
//!
//! Periodic schedule with period T: every edge requires
//! s(v) + d·T ≥ s(u) + dur(u) + comm(u, v); every dur(v) ≤ T; and every two
//! tasks u ≠ v on one array satisfy (s(u) − s(v)) mod T ∈ [dur(v), T − dur(u)],
//! so that their occupancy modulo T does not overlap.
//!
//! A task of duration 0 occupies nothing.

use crate::problem::Problem;
use crate::schedule::{Placement, Schedule, Timing};
use std::fmt;

/// The first broken rule found, described in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

fn violation(text: String) -> Result<(), Violation> {
    Err(Violation(text))
}

/// Checks `schedule` against every rule for `problem`.
pub fn validate(problem: &Problem, schedule: &Schedule) -> Result<(), Violation> {
    let iterations = match (schedule.timing, problem.objective) {
        (Timing::Periodic { .. }, crate::problem::Objective::Period) => 1,
        (Timing::Makespan { iterations }, crate::problem::Objective::Makespan { iterations: wanted })
            if iterations == wanted =>
        {
            iterations
        }
        _ => return violation("the schedule's objective or iteration count differs from the problem's".into()),
    };
    let copies = table_of_copies(problem, schedule, iterations)?;
    match schedule.timing {
        Timing::Periodic { period } => check_periodic(problem, &copies, period),
        Timing::Makespan { iterations } => check_makespan(problem, &copies, iterations),
    }
}

/// Indexes the placements by (iteration, task), checking that every copy
/// appears exactly once on an existing array.
fn table_of_copies(problem: &Problem, schedule: &Schedule, iterations: u32) -> Result<Vec<Vec<Placement>>, Violation> {
    let n = problem.tasks.len();
    let mut table: Vec<Vec<Option<Placement>>> = vec![vec![None; n]; iterations as usize];
    for p in &schedule.placements {
        if p.task >= n || p.iteration >= iterations {
            return Err(Violation(format!("placement of task index {} iteration {} is outside the problem", p.task, p.iteration)));
        }
        if p.array >= problem.array_count() {
            return Err(Violation(format!(
                "{} (iteration {}) is on array {}, but the problem has arrays 0 to {}",
                problem.tasks[p.task].name,
                p.iteration,
                p.array,
                problem.array_count() - 1
            )));
        }
        let slot = &mut table[p.iteration as usize][p.task];
        if slot.is_some() {
            return Err(Violation(format!("{} (iteration {}) is placed twice", problem.tasks[p.task].name, p.iteration)));
        }
        *slot = Some(*p);
    }
    let mut copies = Vec::with_capacity(iterations as usize);
    for (i, row) in table.into_iter().enumerate() {
        let mut placed = Vec::with_capacity(n);
        for (task, slot) in row.into_iter().enumerate() {
            match slot {
                Some(p) => placed.push(p),
                None => return Err(Violation(format!("{} (iteration {i}) is not scheduled", problem.tasks[task].name))),
            }
        }
        copies.push(placed);
    }
    Ok(copies)
}

fn end(problem: &Problem, p: &Placement) -> i128 {
    p.start as i128 + problem.duration(p.task, p.array) as i128
}

fn check_makespan(problem: &Problem, copies: &[Vec<Placement>], iterations: u32) -> Result<(), Violation> {
    for edge in &problem.edges {
        for i in 0..iterations {
            let j = i as u64 + u64::from(edge.distance);
            if j >= u64::from(iterations) {
                break;
            }
            let u = &copies[i as usize][edge.from];
            let v = &copies[j as usize][edge.to];
            let ready = end(problem, u) + problem.comm(edge, u.array, v.array) as i128;
            if (v.start as i128) < ready {
                return violation(format!(
                    "{} (iteration {j}) starts at {} but {} (iteration {i}) makes it ready only at {ready}",
                    problem.tasks[edge.to].name, v.start, problem.tasks[edge.from].name
                ));
            }
        }
    }
    for array in 0..problem.array_count() {
        let mut busy: Vec<&Placement> = copies
            .iter()
            .flatten()
            .filter(|p| p.array == array && problem.duration(p.task, p.array) > 0)
            .collect();
        busy.sort_by_key(|p| p.start);
        for pair in busy.windows(2) {
            if end(problem, pair[0]) > pair[1].start as i128 {
                return violation(format!(
                    "{} (iteration {}) and {} (iteration {}) overlap on array {array}",
                    problem.tasks[pair[0].task].name, pair[0].iteration, problem.tasks[pair[1].task].name, pair[1].iteration
                ));
            }
        }
    }
    Ok(())
}

fn check_periodic(problem: &Problem, copies: &[Vec<Placement>], period: u64) -> Result<(), Violation> {
    if period == 0 {
        return violation("period is 0; a period must be at least 1 cycle".into());
    }
    let tasks = &copies[0];
    let t = period as i128;
    for p in tasks {
        let duration = problem.duration(p.task, p.array);
        if duration > period {
            return violation(format!(
                "{} takes {duration} cycles on array {}, longer than the period {period}",
                problem.tasks[p.task].name, p.array
            ));
        }
    }
    for edge in &problem.edges {
        let u = &tasks[edge.from];
        let v = &tasks[edge.to];
        let ready = end(problem, u) + problem.comm(edge, u.array, v.array) as i128;
        let start = v.start as i128 + i128::from(edge.distance) * t;
        if start < ready {
            return violation(format!(
                "{} starts at {} + {}·{period} = {start} but {} makes it ready only at {ready}",
                problem.tasks[edge.to].name, v.start, edge.distance, problem.tasks[edge.from].name
            ));
        }
    }
    // Occupancy modulo T: sorted by s mod T, the busy intervals of one array
    // are pairwise disjoint on the circle of length T exactly when each one
    // ends before the next begins and the last ends before the first begins
    // one period later. Each of those checks is the rule
    // (s(u) − s(v)) mod T ∈ [dur(v), T − dur(u)] for a neighbouring pair.
    for array in 0..problem.array_count() {
        let mut busy: Vec<(i128, i128, usize)> = tasks
            .iter()
            .filter(|p| p.array == array && problem.duration(p.task, p.array) > 0)
            .map(|p| ((p.start as i128).rem_euclid(t), problem.duration(p.task, array) as i128, p.task))
            .collect();
        busy.sort_unstable();
        for (index, &(offset, duration, task)) in busy.iter().enumerate() {
            let (next_offset, _, next_task) = busy[(index + 1) % busy.len()];
            let next_start = if index + 1 == busy.len() { next_offset + t } else { next_offset };
            if busy.len() > 1 && offset + duration > next_start {
                return violation(format!(
                    "{} and {} overlap modulo the period {period} on array {array}",
                    problem.tasks[task].name, problem.tasks[next_task].name
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

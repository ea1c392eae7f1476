//! Iterative modulo scheduling: modulo list scheduling that may undo its
//! earlier choices, after Rau, "Iterative Modulo Scheduling" (MICRO-27,
//! 1994), extended to several arrays and transfers.
//!
//! Unplaced tasks wait in a queue by height. A task goes to the array and
//! free start with the earliest finish inside the window its placed
//! neighbours allow, as in the plain modulo scheduler. When no array offers
//! one, the task is forced onto the array where it could start earliest. It
//! starts there at that earliest start, or one cycle after its previous
//! start if that is later. Every task that now conflicts with it is evicted
//! and queued again: tasks sharing its cycles modulo T on that array, and
//! placed neighbours whose edge to it is broken. The attempt fails when the
//! placement budget runs out.

use super::modulo::{earliest_start, free_start, latest_start};
use super::{Adjacency, Arrays};
use crate::problem::Problem;
use crate::schedule::{Placement, Schedule, Timing};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Placements allowed per task in one attempt.
pub(super) const PLACEMENTS_PER_TASK: usize = 6;

/// Schedules the tasks at `period` with eviction; `None` when the placement
/// budget runs out or some task fits on no array. Every placement uses one
/// unit of `budget`, shared by the attempts of one period search, and one
/// attempt places at most `PLACEMENTS_PER_TASK` times per task.
pub(super) fn iterative_modulo_schedule(
    problem: &Problem,
    arrays: Arrays,
    adjacency: &Adjacency,
    heights: &[u128],
    period: u64,
    budget: &mut usize,
) -> Option<Schedule> {
    let n = problem.tasks.len();
    // Too little budget left to place every task even once.
    if *budget < n {
        return None;
    }
    let t = i128::from(period);
    let mut placed: Vec<Option<(u64, usize)>> = vec![None; n];
    let mut previous_start: Vec<Option<u64>> = vec![None; n];
    let mut tables: Vec<Table> = vec![Table::default(); arrays.count];
    let mut queue: BinaryHeap<(u128, Reverse<usize>)> = (0..n).map(|task| (heights[task], Reverse(task))).collect();
    let mut attempt_budget = n.saturating_mul(PLACEMENTS_PER_TASK);

    while let Some((_, Reverse(task))) = queue.pop() {
        if placed[task].is_some() {
            continue;
        }
        if attempt_budget == 0 || *budget == 0 {
            return None;
        }
        attempt_budget -= 1;
        *budget -= 1;

        // A free start inside the window with the earliest finish, else the
        // array where the task could start earliest.
        let mut free: Option<(u64, u64, usize)> = None;
        let mut forced: Option<(u64, u64, usize)> = None;
        for array in arrays.allowed(task) {
            let duration = problem.duration(task, array);
            if duration > period {
                continue;
            }
            let earliest = earliest_start(problem, adjacency, &placed, task, array, t);
            let finish = earliest.saturating_add(duration);
            if forced.is_none_or(|(f, _, _)| finish < f) {
                forced = Some((finish, earliest, array));
            }
            let latest = latest_start(problem, adjacency, &placed, task, array, t);
            if latest < i128::from(earliest) {
                continue;
            }
            let last_start = u64::try_from(latest).unwrap_or(u64::MAX);
            let Some(start) = free_start(&tables[array].intervals, earliest, duration, period, last_start) else { continue };
            let finish = start.saturating_add(duration);
            if free.is_none_or(|(f, s, _)| (finish, start) < (f, s)) {
                free = Some((finish, start, array));
            }
        }
        let (start, array) = match (free, forced) {
            (Some((_, start, array)), _) => (start, array),
            (None, Some((_, earliest, array))) => match previous_start[task] {
                Some(previous) if previous >= earliest => (previous.saturating_add(1), array),
                _ => (earliest, array),
            },
            (None, None) => return None,
        };

        for evicted in conflicts(problem, adjacency, &placed, &tables[array], task, start, array, period) {
            if let Some((_, evicted_array)) = placed[evicted].take() {
                tables[evicted_array].remove(evicted);
            }
            queue.push((heights[evicted], Reverse(evicted)));
        }
        placed[task] = Some((start, array));
        previous_start[task] = Some(start);
        for interval in occupancy(start, problem.duration(task, array), period) {
            tables[array].insert(interval, task);
        }
    }

    let placements = placed
        .iter()
        .enumerate()
        .map(|(task, slot)| slot.map(|(start, array)| Placement { task, iteration: 0, array, start }))
        .collect::<Option<Vec<_>>>()?;
    Some(Schedule { timing: Timing::Periodic { period }, placements })
}

/// The modulo reservation table of one array: disjoint intervals of
/// [0, period) sorted by start, each with the task occupying it. Conflicting
/// tasks are evicted before a task is inserted, so intervals never overlap.
#[derive(Debug, Clone, Default)]
struct Table {
    intervals: Vec<(u64, u64)>,
    owners: Vec<usize>,
}

impl Table {
    fn insert(&mut self, interval: (u64, u64), task: usize) {
        let at = self.intervals.partition_point(|&(from, _)| from < interval.0);
        self.intervals.insert(at, interval);
        self.owners.insert(at, task);
    }

    fn remove(&mut self, task: usize) {
        while let Some(at) = self.owners.iter().position(|&owner| owner == task) {
            self.intervals.remove(at);
            self.owners.remove(at);
        }
    }
}

/// Splits the occupancy of a task started at `start` into pieces of
/// [0, period). It is one piece, or two where it wraps past the period, and
/// none for duration 0.
fn occupancy(start: u64, duration: u64, period: u64) -> Vec<(u64, u64)> {
    if duration == 0 {
        return Vec::new();
    }
    let offset = start % period;
    if offset + duration <= period {
        vec![(offset, offset + duration)]
    } else {
        vec![(offset, period), (0, offset + duration - period)]
    }
}

/// Collects the placed tasks that conflict with `task` started at `start` on
/// `array`: those sharing its cycles modulo the period on that array, and
/// neighbours whose edge to it the new start breaks.
#[allow(clippy::too_many_arguments)]
fn conflicts(
    problem: &Problem,
    adjacency: &Adjacency,
    placed: &[Option<(u64, usize)>],
    table: &Table,
    task: usize,
    start: u64,
    array: usize,
    period: u64,
) -> Vec<usize> {
    let t = i128::from(period);
    let mut evicted = Vec::new();
    for (from, to) in occupancy(start, problem.duration(task, array), period) {
        for (&(busy_from, busy_to), &owner) in table.intervals.iter().zip(&table.owners) {
            if busy_from < to && from < busy_to && owner != task {
                evicted.push(owner);
            }
        }
    }

    let end = i128::from(start) + i128::from(problem.duration(task, array));
    for &e in &adjacency.incoming[task] {
        let edge = &problem.edges[e];
        if edge.from == task {
            continue;
        }
        if let Some((from_start, from_array)) = placed[edge.from] {
            let ready = i128::from(from_start)
                + i128::from(problem.duration(edge.from, from_array))
                + i128::from(problem.comm(edge, from_array, array));
            if i128::from(start) + i128::from(edge.distance) * t < ready {
                evicted.push(edge.from);
            }
        }
    }
    for &e in &adjacency.outgoing[task] {
        let edge = &problem.edges[e];
        if edge.to == task {
            continue;
        }
        if let Some((to_start, to_array)) = placed[edge.to] {
            let ready = end + i128::from(problem.comm(edge, array, to_array));
            if i128::from(to_start) + i128::from(edge.distance) * t < ready {
                evicted.push(edge.to);
            }
        }
    }
    evicted.sort_unstable();
    evicted.dedup();
    evicted
}

//! Exact integer re-timing of a solver's decisions.
//!
//! The solver works in floating point, and with durations of 1e7 to 1e8
//! cycles its starts can be off by many cycles. Only its discrete decisions
//! are kept: the array of every task copy and the order of the copies on each
//! array (makespan), or for every two tasks on one array the number of whole
//! periods between them (period). Those decisions turn every rule into a
//! difference constraint s(to) ≥ s(from) + weight with an integer weight, and
//! the earliest integer starts are the longest paths from a source joined to
//! every node with weight 0 (Bellman-Ford). A positive cycle means the
//! decisions admit no schedule.
//!
//! Makespan, copies c and c' on arrays p(c), p(c'):
//! - edge c → c': s(c') ≥ s(c) + dur(c) + comm(c, c');
//! - c directly before c' on one array: s(c') ≥ s(c) + dur(c).
//!
//! Period T, tasks u and v:
//! - edge u → v of distance d: s(v) ≥ s(u) + dur(u) + comm(u, v) − d·T;
//! - u and v on one array with m periods between them, that is
//!   s(u) − s(v) − m·T ∈ [dur(v), T − dur(u)]:
//!   s(u) ≥ s(v) + dur(v) + m·T and s(v) ≥ s(u) + dur(u) − (m + 1)·T.

use crate::problem::Problem;
use crate::schedule::{Placement, Schedule, Timing};
use std::collections::VecDeque;

/// The difference constraint s(to) ≥ s(from) + weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arc {
    pub from: usize,
    pub to: usize,
    pub weight: i128,
}

/// Computes the smallest non-negative starts meeting every arc, or `None`
/// when the arcs contain a positive cycle. Queue-based Bellman-Ford: a longest path of
/// `nodes` or more arcs repeats a node, so it contains a positive cycle.
pub fn earliest_starts(nodes: usize, arcs: &[Arc]) -> Option<Vec<i128>> {
    let mut outgoing: Vec<Vec<(usize, i128)>> = vec![Vec::new(); nodes];
    for arc in arcs {
        outgoing[arc.from].push((arc.to, arc.weight));
    }
    let mut start = vec![0i128; nodes];
    // Arcs on the path that gave each node its current start.
    let mut path_arcs = vec![0usize; nodes];
    let mut queued = vec![true; nodes];
    let mut queue: VecDeque<usize> = (0..nodes).collect();
    while let Some(node) = queue.pop_front() {
        queued[node] = false;
        for &(next, weight) in &outgoing[node] {
            let candidate = start[node] + weight;
            if candidate > start[next] {
                start[next] = candidate;
                path_arcs[next] = path_arcs[node] + 1;
                if path_arcs[next] >= nodes {
                    return None;
                }
                if !queued[next] {
                    queued[next] = true;
                    queue.push_back(next);
                }
            }
        }
    }
    Some(start)
}

/// Builds a makespan schedule of `iterations` iterations from the array of
/// every copy (`arrays[i·n + t]` for copy i of task t) and the order of the copies
/// on each array (`sequences[a]`, copies of duration 0 may be left out).
/// `None` when the order contradicts the dependencies.
pub fn retime_makespan(problem: &Problem, iterations: u32, arrays: &[usize], sequences: &[Vec<usize>]) -> Option<Schedule> {
    let n = problem.tasks.len();
    let copies = n * iterations as usize;
    let duration = |copy: usize| i128::from(problem.duration(copy % n, arrays[copy]));
    let mut arcs = Vec::new();
    for edge in &problem.edges {
        for i in 0..iterations as usize {
            let j = i + edge.distance as usize;
            if j >= iterations as usize {
                break;
            }
            let (from, to) = (i * n + edge.from, j * n + edge.to);
            let comm = problem.comm(edge, arrays[from], arrays[to]);
            arcs.push(Arc { from, to, weight: duration(from) + i128::from(comm) });
        }
    }
    for sequence in sequences {
        for pair in sequence.windows(2) {
            arcs.push(Arc { from: pair[0], to: pair[1], weight: duration(pair[0]) });
        }
    }
    let starts = earliest_starts(copies, &arcs)?;
    let placements = (0..copies)
        .map(|copy| {
            Some(Placement {
                task: copy % n,
                iteration: (copy / n) as u32,
                array: arrays[copy],
                start: u64::try_from(starts[copy]).ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Schedule { timing: Timing::Makespan { iterations }, placements })
}

/// For one pair of tasks on one array under period T: `first` and `second`
/// with s(first) − s(second) − periods·T ∈ [dur(second), T − dur(first)].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuloOrder {
    pub first: usize,
    pub second: usize,
    pub periods: i64,
}

/// Computes the number of whole periods m that puts s(u) − s(v) − m·T in the
/// window [dur(v), T − dur(u)]. It rounds the offset from the window's centre,
/// so errors in the approximate starts below half a period do not matter.
pub fn periods_between(start_u: f64, start_v: f64, duration_u: u64, duration_v: u64, period: u64) -> i64 {
    let centre = (duration_v as f64 + period as f64 - duration_u as f64) / 2.0;
    ((start_u - start_v - centre) / period as f64).round() as i64
}

/// Builds a periodic schedule with period `period` from the array of every task and
/// the modulo order of every pair of tasks with positive durations that share
/// an array. `None` when these decisions admit no schedule at this period.
pub fn retime_periodic(problem: &Problem, period: u64, arrays: &[usize], orders: &[ModuloOrder]) -> Option<Schedule> {
    let n = problem.tasks.len();
    let t = i128::from(period);
    let duration = |task: usize| i128::from(problem.duration(task, arrays[task]));
    let mut arcs = Vec::with_capacity(problem.edges.len() + 2 * orders.len());
    for edge in &problem.edges {
        let comm = i128::from(problem.comm(edge, arrays[edge.from], arrays[edge.to]));
        let weight = duration(edge.from) + comm - i128::from(edge.distance) * t;
        arcs.push(Arc { from: edge.from, to: edge.to, weight });
    }
    for order in orders {
        let m = i128::from(order.periods);
        arcs.push(Arc { from: order.second, to: order.first, weight: duration(order.second) + m * t });
        arcs.push(Arc { from: order.first, to: order.second, weight: duration(order.first) - (m + 1) * t });
    }
    let starts = earliest_starts(n, &arcs)?;
    let placements = (0..n)
        .map(|task| Some(Placement { task, iteration: 0, array: arrays[task], start: u64::try_from(starts[task]).ok()? }))
        .collect::<Option<Vec<_>>>()?;
    Some(Schedule { timing: Timing::Periodic { period }, placements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_starts_follow_longest_paths() {
        // 0 → 1 (5), 0 → 2 (2), 2 → 1 (4): node 1 waits max(5, 2 + 4) = 6.
        let arcs = [Arc { from: 0, to: 1, weight: 5 }, Arc { from: 0, to: 2, weight: 2 }, Arc { from: 2, to: 1, weight: 4 }];
        assert_eq!(earliest_starts(3, &arcs), Some(vec![0, 6, 2]));
    }

    #[test]
    fn negative_weights_keep_starts_non_negative() {
        let arcs = [Arc { from: 0, to: 1, weight: -3 }, Arc { from: 1, to: 0, weight: 2 }];
        assert_eq!(earliest_starts(2, &arcs), Some(vec![2, 0]));
    }

    #[test]
    fn positive_cycle_is_detected() {
        let arcs = [Arc { from: 0, to: 1, weight: 3 }, Arc { from: 1, to: 0, weight: -2 }];
        assert_eq!(earliest_starts(2, &arcs), None);
    }

    #[test]
    fn periods_between_rounds_around_window_centre() {
        // T = 10, dur(u) = 3, dur(v) = 4: window [4, 7], centre 5.5.
        assert_eq!(periods_between(5.0, 0.0, 3, 4, 10), 0);
        assert_eq!(periods_between(25.2, 0.0, 3, 4, 10), 2);
        assert_eq!(periods_between(0.0, 4.0, 3, 4, 10), -1);
        // Off by 3 cycles at 1e8: still the same m.
        assert_eq!(periods_between(3.0e8 + 4.0e7 + 3.0, 0.0, 5e7 as u64, 4e7 as u64, 1e8 as u64), 3);
    }
}

//! Critical-path list scheduling of N unrolled iterations.
//!
//! Copy i of task v is a node of the unrolled graph; an edge u → v with
//! distance d joins u^i to v^(i+d). A copy becomes ready once all its
//! predecessor copies are placed; among ready copies the one with the largest
//! **bottom level** (the longest path from its start to the end of the
//! unrolled graph, counting task and transfer weights) goes first. It goes to
//! the array where it finishes earliest, counting the transfers from its
//! predecessors, and may fill an idle gap between copies already placed
//! there (insertion scheduling, as in HEFT: Topcuoglu, Hariri and Wu, IEEE
//! TPDS 13(3), 2002).

use super::{choice_index, perturbed, random_run_count, Adjacency, Arrays, Weight};
use crate::graph::topological_order;
use crate::problem::Problem;
use crate::schedule::{Placement, Schedule, Timing};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The order between ready copies of equal bottom level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TieBreak {
    /// Earlier iteration, then lower task index.
    TaskOrder,
    /// Longer task first, then task order.
    LongestFirst,
}

/// One priority rule: how bottom levels are weighed, perturbed and ties
/// broken.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rule {
    weight: Weight,
    tie_break: TieBreak,
    /// Nonzero: every bottom level and every finish time compared in the
    /// array choice is scaled by a random factor from this seed (see
    /// [`perturbed`]).
    seed: u64,
}

const FIXED_RULES: [Rule; 6] = [
    Rule { weight: Weight::Shortest, tie_break: TieBreak::TaskOrder, seed: 0 },
    Rule { weight: Weight::Shortest, tie_break: TieBreak::LongestFirst, seed: 0 },
    Rule { weight: Weight::Mean, tie_break: TieBreak::TaskOrder, seed: 0 },
    Rule { weight: Weight::Mean, tie_break: TieBreak::LongestFirst, seed: 0 },
    Rule { weight: Weight::ShortestWithoutComm, tie_break: TieBreak::TaskOrder, seed: 0 },
    Rule { weight: Weight::ShortestWithoutComm, tie_break: TieBreak::LongestFirst, seed: 0 },
];

/// The rules tried on `copies` task copies; the best valid result is kept.
/// After the fixed rules come randomly perturbed ones, as many as the
/// problem's size allows.
pub(super) fn rules(copies: usize) -> Vec<Rule> {
    let mut rules = FIXED_RULES.to_vec();
    for seed in 1..=random_run_count(copies) {
        rules.push(Rule { weight: Weight::Shortest, tie_break: TieBreak::TaskOrder, seed });
    }
    rules
}

/// Schedules `iterations` unrolled copies of every task by `rule`.
pub(super) fn list_schedule(problem: &Problem, arrays: Arrays, iterations: u32, rule: Rule) -> Schedule {
    let n = problem.tasks.len();
    let iterations_len = iterations as usize;
    let copies = n * iterations_len;
    let adjacency = Adjacency::new(problem);
    let bottom: Vec<u128> = bottom_levels(problem, arrays, iterations_len, rule.weight, &adjacency)
        .into_iter()
        .enumerate()
        .map(|(copy, level)| perturbed(level, rule.seed, copy))
        .collect();

    // Unplaced predecessor copies of each copy; copy i of v has one for each
    // edge into v whose distance is at most i.
    let mut pending = vec![0u32; copies];
    for iteration in 0..iterations_len {
        for task in 0..n {
            pending[iteration * n + task] = adjacency.incoming[task]
                .iter()
                .filter(|&&e| problem.edges[e].distance as usize <= iteration)
                .count() as u32;
        }
    }
    let key = |copy: usize| {
        let tie = match rule.tie_break {
            TieBreak::TaskOrder => 0,
            TieBreak::LongestFirst => rule.weight.task(problem, arrays, copy % n),
        };
        (bottom[copy], tie, Reverse(copy))
    };
    let mut ready: BinaryHeap<(u128, u64, Reverse<usize>)> =
        (0..copies).filter(|&c| pending[c] == 0).map(key).collect();

    let mut starts = vec![0u64; copies];
    let mut placed_on = vec![0usize; copies];
    let mut busy: Vec<Vec<(u64, u64)>> = vec![Vec::new(); arrays.count];
    while let Some((_, _, Reverse(copy))) = ready.pop() {
        let (iteration, task) = (copy / n, copy % n);

        // The array and start with the earliest (perturbed) finish; ties go
        // to the earlier start, then the lower array.
        let mut best: Option<(u128, u64, usize)> = None;
        for array in arrays.allowed(task) {
            let mut data_ready = 0u64;
            for &e in &adjacency.incoming[task] {
                let edge = &problem.edges[e];
                let distance = edge.distance as usize;
                if distance > iteration {
                    continue;
                }
                let from = (iteration - distance) * n + edge.from;
                let from_array = placed_on[from];
                let arrival = starts[from]
                    .saturating_add(problem.duration(edge.from, from_array))
                    .saturating_add(problem.comm(edge, from_array, array));
                data_ready = data_ready.max(arrival);
            }
            let duration = problem.duration(task, array);
            let start = earliest_gap(&busy[array], data_ready, duration);
            let finish = perturbed(start.saturating_add(duration), rule.seed, choice_index(copy, array, arrays.count));
            if best.is_none_or(|(f, s, _)| (finish, start) < (f, s)) {
                best = Some((finish, start, array));
            }
        }
        let Some((_, start, array)) = best else { continue };
        let finish = start.saturating_add(problem.duration(task, array));
        starts[copy] = start;
        placed_on[copy] = array;
        if finish > start {
            insert_busy(&mut busy[array], (start, finish));
        }

        for &e in &adjacency.outgoing[task] {
            let edge = &problem.edges[e];
            let next_iteration = iteration + edge.distance as usize;
            if next_iteration < iterations_len {
                let next = next_iteration * n + edge.to;
                pending[next] -= 1;
                if pending[next] == 0 {
                    ready.push(key(next));
                }
            }
        }
    }

    let placements = (0..copies)
        .map(|copy| Placement {
            task: copy % n,
            iteration: (copy / n) as u32,
            array: placed_on[copy],
            start: starts[copy],
        })
        .collect();
    Schedule { timing: Timing::Makespan { iterations }, placements }
}

/// Bottom level of every copy: its weight plus the largest sum of transfer
/// and bottom level over its successor copies.
fn bottom_levels(problem: &Problem, arrays: Arrays, iterations: usize, weight: Weight, adjacency: &Adjacency) -> Vec<u64> {
    let n = problem.tasks.len();
    let task_weight: Vec<u64> = (0..n).map(|t| weight.task(problem, arrays, t)).collect();
    let edge_weight: Vec<u64> = problem.edges.iter().map(|e| weight.edge(problem, arrays, e)).collect();
    let order = topological_order(problem);
    let mut bottom = vec![0u64; n * iterations];
    // Successors lie in a later iteration or later in the topological order
    // of the same iteration, so the reverse of (iteration, order) visits them
    // first.
    for iteration in (0..iterations).rev() {
        for &task in order.iter().rev() {
            let mut tail = 0u64;
            for &e in &adjacency.outgoing[task] {
                let edge = &problem.edges[e];
                let next_iteration = iteration + edge.distance as usize;
                if next_iteration < iterations {
                    tail = tail.max(edge_weight[e].saturating_add(bottom[next_iteration * n + edge.to]));
                }
            }
            bottom[iteration * n + task] = task_weight[task].saturating_add(tail);
        }
    }
    bottom
}

/// Idle gaps examined per placement before the copy is appended after the
/// array's last busy interval; bounds the work on long unrolled schedules.
const MAX_GAPS_EXAMINED: usize = 256;

/// Finds the earliest start at or after `ready` where `duration` cycles fit
/// between the sorted, disjoint busy intervals `busy`, among the first
/// `MAX_GAPS_EXAMINED` gaps, and otherwise after the last interval. A task of
/// duration 0 occupies nothing and starts at `ready`.
fn earliest_gap(busy: &[(u64, u64)], ready: u64, duration: u64) -> u64 {
    if duration == 0 {
        return ready;
    }
    // Intervals are disjoint and sorted by start, so their ends are sorted
    // too; skip those that end by `ready`.
    let first = busy.partition_point(|&(_, end)| end <= ready);
    let mut start = ready;
    for &(busy_start, busy_end) in busy[first..].iter().take(MAX_GAPS_EXAMINED) {
        if busy_start >= start.saturating_add(duration) {
            return start;
        }
        start = start.max(busy_end);
    }
    match busy.last() {
        Some(&(_, last_end)) if busy.len() - first > MAX_GAPS_EXAMINED => start.max(last_end),
        _ => start,
    }
}

/// Adds `interval` to the sorted, disjoint intervals `busy`, merging it with
/// neighbours it touches so that back-to-back work counts as one interval.
pub(super) fn insert_busy(busy: &mut Vec<(u64, u64)>, interval: (u64, u64)) {
    let at = busy.partition_point(|&(start, _)| start < interval.0);
    let joins_previous = at > 0 && busy[at - 1].1 == interval.0;
    let joins_next = at < busy.len() && busy[at].0 == interval.1;
    match (joins_previous, joins_next) {
        (true, true) => {
            busy[at - 1].1 = busy[at].1;
            busy.remove(at);
        }
        (true, false) => busy[at - 1].1 = interval.1,
        (false, true) => busy[at].0 = interval.0,
        (false, false) => busy.insert(at, interval),
    }
}

//! Modulo list scheduling for the period objective.
//!
//! At a candidate period T every array keeps a **modulo reservation table**:
//! the cycles of [0, T) it is busy in every period. A task started at s with
//! duration dur occupies [s mod T, s mod T + dur), wrapped past T, so a task
//! may straddle the period boundary. Tasks are placed once each, in a
//! topological order of the distance-0 edges that prefers the largest height
//! (longest path to the end of the iteration). For task u on array a:
//!
//! - earliest start E = max over placed predecessors p of
//!   s(p) + dur(p) + comm(p, u) − d·T, and at least 0;
//! - latest start L = min over placed successors v of
//!   s(v) + d·T − dur(u) − comm(u, v); only edges with d ≥ 1 can reach a
//!   placed successor;
//! - start: the first s in [E, min(L, E + T − 1)] where the reservation table
//!   is free for dur cycles (the table repeats every T cycles, so a later s
//!   finds nothing new).
//!
//! The task goes to the array with the earliest finish. A task with no
//! feasible array makes the pass fail. When every priority order fails at T,
//! the iterative scheduler (see `iterative`) tries T again, evicting and
//! re-placing tasks within a placement budget.
//!
//! A heuristic may succeed at T and fail at T + 1. So the search over T probes
//! upward from the lower bound with growing steps and narrows the first
//! success by bisection. Then it tries a few periods spread between the lower
//! bound and the best one, and a few just below the best.

use super::iterative;
use super::makespan::insert_busy;
use super::{checked, choice_index, perturbed, random_run_count, Adjacency, Arrays, Weight};
use crate::problem::Problem;
use crate::schedule::{Placement, Schedule, Timing};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

/// Priority weightings tried at every period, in order.
const WEIGHTS: [Weight; 3] = [Weight::Shortest, Weight::ShortestWithoutComm, Weight::Mean];

/// Periods tried just below the best one after the bisection.
const REFINEMENT_STEPS: u64 = 8;

/// Parts into which the gap between lower bound and best period is cut for
/// the spread probes after the bisection.
const SPREAD_PROBES: u64 = 8;

/// Placements per task that the iterative scheduler may spend over one
/// search (about ten attempts of `iterative::PLACEMENTS_PER_TASK` each), and
/// the least it gets on small problems.
const ITERATIVE_PLACEMENTS_PER_TASK: usize = 60;
const MIN_ITERATIVE_PLACEMENTS: usize = 50_000;

/// Bound on placements times tasks for the iterative scheduler in one
/// search: a placement scans the reservation table of each array, so its
/// cost grows with the task count, and large problems get fewer placements.
const ITERATIVE_WORK: usize = 1_000_000_000;

/// Unvalidated schedules kept in case the best fails validation, which only
/// a scheduler bug could cause. Beyond them the search falls back to the
/// sequential schedule. Keeping few bounds the memory.
const KEPT_SUCCESSES: usize = 4;

/// Budget of one search for plain passes, in task-array pairs examined (see
/// [`pass_cost`]). 96 periods of 3 orders each stay within it up to about
/// 70000 pairs per pass. A pass over 20000 tasks on 4 arrays (80000 pairs)
/// took roughly 7 ms on a shared 2-core machine, an estimate.
const PASS_WORK: u64 = 20_000_000;

/// Counts the task-array pairs that one plain pass examines.
fn pass_cost(problem: &Problem, arrays: Arrays) -> u64 {
    let pairs_per_task = if arrays.assignment.is_some() { 1 } else { arrays.count as u64 };
    (problem.tasks.len() as u64).saturating_mul(pairs_per_task)
}

/// Upper limit on the periods tried in one search.
const MAX_ATTEMPTS: usize = 96;

/// Searches the period and returns the best schedule found that passes the
/// validator. The period of `fallback`, a sequential schedule, is the upper
/// end of the search, and `fallback` is returned (after validation) when no
/// shorter period works.
pub(super) fn search_period(problem: &Problem, arrays: Arrays, fallback: Schedule) -> Option<Schedule> {
    let adjacency = Adjacency::new(problem);
    // (order, seed of the array choice). Every failed period tries every
    // order, so random orders get a smaller share of the budget than in the
    // makespan heuristic.
    let mut orders: Vec<(Vec<usize>, u64)> =
        WEIGHTS.iter().map(|&w| (priority_order(problem, arrays, w, 0, &adjacency), 0)).collect();
    for seed in 1..=random_run_count(problem.tasks.len().saturating_mul(8)) {
        orders.push((priority_order(problem, arrays, Weight::Shortest, seed, &adjacency), seed));
    }
    let heights = heights(problem, arrays, Weight::Shortest, 0, &adjacency);
    let n = problem.tasks.len().max(1);
    let iterative_budget =
        n.saturating_mul(ITERATIVE_PLACEMENTS_PER_TASK).max(MIN_ITERATIVE_PLACEMENTS).min(ITERATIVE_WORK / n);
    let mut search = Search {
        problem,
        arrays,
        adjacency: &adjacency,
        orders: &orders,
        heights,
        iterative_budget,
        pass_budget: PASS_WORK,
        tried: HashSet::new(),
        successes: Vec::new(),
    };

    let high = fallback.value(problem);
    let low = lower_bound(problem, arrays);
    if low >= high {
        return checked(problem, fallback, "sequential schedule");
    }
    let mut best = high;

    // Probe upward from the lower bound with doubling steps until a period
    // works; `failed` is the largest period known to fail.
    let mut failed = None;
    let mut step = (low / 64).max(1);
    let mut period = low;
    while period < high && search.can_continue() {
        if search.attempt(period) {
            best = period;
            break;
        }
        failed = Some(period);
        period = period.saturating_add(step);
        step = step.saturating_mul(2);
    }

    // Bisection between the last failure and the best success.
    if let Some(mut failed) = failed {
        loop {
            if best <= failed + 1 || !search.can_continue() {
                break;
            }
            let middle = failed + (best - failed) / 2;
            if search.attempt(middle) {
                best = middle;
            } else {
                failed = middle;
            }
        }
    }

    // A failure does not prove that every shorter period fails, so try a
    // few periods spread evenly between the lower bound and the best, then
    // a few just below the best.
    for k in 1..SPREAD_PROBES {
        let period = low + (best - low) * k / SPREAD_PROBES;
        if period >= best || search.tried.contains(&period) || !search.can_continue() {
            continue;
        }
        if search.attempt(period) {
            best = period;
        }
    }
    let mut period = best;
    let stop = period.saturating_sub(REFINEMENT_STEPS).max(low);
    while period > stop && search.can_continue() {
        period -= 1;
        if !search.tried.contains(&period) {
            search.attempt(period);
        }
    }

    // Every success beats the ones before it, so the last is the best. The
    // validator checks them from the best down, then `fallback`.
    while let Some(candidate) = search.successes.pop() {
        if let Some(valid) = checked(problem, candidate, "modulo list schedule") {
            return Some(valid);
        }
    }
    checked(problem, fallback, "sequential schedule")
}

/// The state of one period search: the priority orders and the periods
/// already tried.
struct Search<'a> {
    problem: &'a Problem,
    arrays: Arrays<'a>,
    adjacency: &'a Adjacency,
    orders: &'a [(Vec<usize>, u64)],
    /// Heights by the shortest durations, for the iterative scheduler.
    heights: Vec<u128>,
    /// Placements left for the iterative scheduler in this search.
    iterative_budget: usize,
    tried: HashSet<u64>,
    /// Work left for plain passes, in the units of [`pass_cost`].
    pass_budget: u64,
    /// The last `KEPT_SUCCESSES` schedules found, worst first, not yet
    /// validated.
    successes: Vec<Schedule>,
}

impl Search<'_> {
    /// Checks whether the attempt limit and the pass budget allow another
    /// period.
    fn can_continue(&self) -> bool {
        self.tried.len() < MAX_ATTEMPTS && self.pass_budget > 0
    }

    /// Tries each priority order and then the iterative scheduler at
    /// `period`, and keeps the first schedule found among the successes.
    /// Validation waits for the end of the search, where it runs once in the
    /// usual case instead of once per success.
    fn attempt(&mut self, period: u64) -> bool {
        self.tried.insert(period);
        let cost = pass_cost(self.problem, self.arrays);
        let mut found = None;
        for (order, seed) in self.orders {
            if self.pass_budget == 0 {
                break;
            }
            self.pass_budget = self.pass_budget.saturating_sub(cost);
            found = modulo_schedule(self.problem, self.arrays, self.adjacency, order, *seed, period);
            if found.is_some() {
                break;
            }
        }
        let found = found.or_else(|| {
            iterative::iterative_modulo_schedule(
                self.problem,
                self.arrays,
                self.adjacency,
                &self.heights,
                period,
                &mut self.iterative_budget,
            )
        });
        let Some(schedule) = found else { return false };
        if self.successes.len() == KEPT_SUCCESSES {
            self.successes.remove(0);
        }
        self.successes.push(schedule);
        true
    }
}

/// Computes a lower bound on the period: the problem's basic bound and, with
/// a fixed assignment, the busiest array's load and its longest task.
fn lower_bound(problem: &Problem, arrays: Arrays) -> u64 {
    let mut bound = crate::graph::basic_lower_bound(problem);
    if let Some(assignment) = arrays.assignment {
        let mut loads = vec![0u64; arrays.count];
        for (task, &array) in assignment.iter().enumerate() {
            let duration = problem.duration(task, array);
            loads[array] = loads[array].saturating_add(duration);
            bound = bound.max(duration);
        }
        bound = bound.max(loads.into_iter().max().unwrap_or(0));
    }
    bound.max(1)
}

/// Orders the tasks topologically by the distance-0 edges, always taking the
/// ready task of largest height (then the lower index).
fn priority_order(problem: &Problem, arrays: Arrays, weight: Weight, seed: u64, adjacency: &Adjacency) -> Vec<usize> {
    let n = problem.tasks.len();
    let height = heights(problem, arrays, weight, seed, adjacency);
    let mut pending: Vec<usize> = (0..n)
        .map(|t| adjacency.incoming[t].iter().filter(|&&e| problem.edges[e].distance == 0).count())
        .collect();
    let mut ready: BinaryHeap<(u128, Reverse<usize>)> =
        (0..n).filter(|&t| pending[t] == 0).map(|t| (height[t], Reverse(t))).collect();
    let mut order = Vec::with_capacity(n);
    while let Some((_, Reverse(task))) = ready.pop() {
        order.push(task);
        for &e in &adjacency.outgoing[task] {
            let edge = &problem.edges[e];
            if edge.distance == 0 {
                pending[edge.to] -= 1;
                if pending[edge.to] == 0 {
                    ready.push((height[edge.to], Reverse(edge.to)));
                }
            }
        }
    }
    order
}

/// Computes the height of every task: its weight plus the largest
/// transfer-plus-height over its distance-0 successors, scaled randomly when
/// `seed` is nonzero (see [`perturbed`]).
fn heights(problem: &Problem, arrays: Arrays, weight: Weight, seed: u64, adjacency: &Adjacency) -> Vec<u128> {
    let n = problem.tasks.len();
    let topological = crate::graph::topological_order(problem);
    let mut height = vec![0u64; n];
    for &task in topological.iter().rev() {
        let mut tail = 0u64;
        for &e in &adjacency.outgoing[task] {
            let edge = &problem.edges[e];
            if edge.distance == 0 {
                tail = tail.max(weight.edge(problem, arrays, edge).saturating_add(height[edge.to]));
            }
        }
        height[task] = weight.task(problem, arrays, task).saturating_add(tail);
    }
    height.into_iter().enumerate().map(|(task, level)| perturbed(level, seed, task)).collect()
}

/// Places the tasks in `order` at period `period`; `None` when some task
/// finds no array and start. A nonzero `seed` perturbs the finish times that
/// the array choice compares.
fn modulo_schedule(
    problem: &Problem,
    arrays: Arrays,
    adjacency: &Adjacency,
    order: &[usize],
    seed: u64,
    period: u64,
) -> Option<Schedule> {
    let n = problem.tasks.len();
    let t = i128::from(period);
    let mut placed: Vec<Option<(u64, usize)>> = vec![None; n];
    let mut tables: Vec<Vec<(u64, u64)>> = vec![Vec::new(); arrays.count];
    // An upper bound on the longest free stretch of each table: exact after
    // a scan of the whole table fails, and only shrinking as tasks are added.
    let mut longest_free = vec![period; arrays.count];

    for &task in order {
        // The array and start with the earliest finish; ties go to the
        // earlier start, then the lower array.
        let mut best: Option<(u128, u64, usize)> = None;
        for array in arrays.allowed(task) {
            let duration = problem.duration(task, array);
            if duration > longest_free[array] {
                continue;
            }
            let Some((earliest, latest)) = start_window(problem, adjacency, &placed, task, array, t) else { continue };
            let whole_table = earliest.saturating_add(period - 1);
            let last_start = if latest < i128::from(whole_table) { latest as u64 } else { whole_table };
            let Some(start) = free_start(&tables[array], earliest, duration, period, last_start) else {
                if last_start == whole_table {
                    longest_free[array] = longest_free_stretch(&tables[array], period);
                }
                continue;
            };
            let finish = perturbed(start.saturating_add(duration), seed, choice_index(task, array, arrays.count));
            if best.is_none_or(|(f, s, _)| (finish, start) < (f, s)) {
                best = Some((finish, start, array));
            }
        }
        let (_, start, array) = best?;
        placed[task] = Some((start, array));
        reserve(&mut tables[array], start, problem.duration(task, array), period);
    }

    let placements = placed
        .iter()
        .enumerate()
        .map(|(task, slot)| slot.map(|(start, array)| Placement { task, iteration: 0, array, start }))
        .collect::<Option<Vec<_>>>()?;
    Some(Schedule { timing: Timing::Periodic { period }, placements })
}

/// Computes the earliest and latest start of `task` on `array` from its
/// placed neighbours, with the earliest at least 0; `None` when the window is
/// empty.
fn start_window(
    problem: &Problem,
    adjacency: &Adjacency,
    placed: &[Option<(u64, usize)>],
    task: usize,
    array: usize,
    period: i128,
) -> Option<(u64, i128)> {
    let earliest = earliest_start(problem, adjacency, placed, task, array, period);
    let latest = latest_start(problem, adjacency, placed, task, array, period);
    (latest >= i128::from(earliest)).then_some((earliest, latest))
}

/// Computes the earliest start of `task` on `array` that its placed
/// predecessors allow, at least 0.
pub(super) fn earliest_start(
    problem: &Problem,
    adjacency: &Adjacency,
    placed: &[Option<(u64, usize)>],
    task: usize,
    array: usize,
    period: i128,
) -> u64 {
    let mut earliest: i128 = 0;
    for &e in &adjacency.incoming[task] {
        let edge = &problem.edges[e];
        // A self-loop is met whenever dur ≤ d·T, which dur ≤ T and d ≥ 1 give.
        if edge.from == task {
            continue;
        }
        if let Some((start, from_array)) = placed[edge.from] {
            let arrival = i128::from(start)
                + i128::from(problem.duration(edge.from, from_array))
                + i128::from(problem.comm(edge, from_array, array))
                - i128::from(edge.distance) * period;
            earliest = earliest.max(arrival);
        }
    }
    earliest as u64
}

/// Computes the latest start of `task` on `array` that its placed successors
/// allow; `i128::MAX` without any.
pub(super) fn latest_start(
    problem: &Problem,
    adjacency: &Adjacency,
    placed: &[Option<(u64, usize)>],
    task: usize,
    array: usize,
    period: i128,
) -> i128 {
    let duration = i128::from(problem.duration(task, array));
    let mut latest = i128::MAX;
    for &e in &adjacency.outgoing[task] {
        let edge = &problem.edges[e];
        if edge.to == task {
            continue;
        }
        if let Some((start, to_array)) = placed[edge.to] {
            let deadline = i128::from(start) + i128::from(edge.distance) * period
                - duration
                - i128::from(problem.comm(edge, array, to_array));
            latest = latest.min(deadline);
        }
    }
    latest
}

/// Measures the longest free stretch of the reservation table `table`
/// (sorted, disjoint intervals of [0, period)), wrapping past the period.
fn longest_free_stretch(table: &[(u64, u64)], period: u64) -> u64 {
    let (Some(first), Some(last)) = (table.first(), table.last()) else { return period };
    let mut longest = (period - last.1) + first.0;
    for pair in table.windows(2) {
        longest = longest.max(pair[1].0 - pair[0].1);
    }
    longest
}

/// Finds the first start in [earliest, min(last_start, earliest + period − 1)]
/// where `duration` cycles are free in the reservation table `table` (sorted,
/// disjoint intervals of [0, period)). The table repeats every period, so
/// later starts would find nothing new.
pub(super) fn free_start(table: &[(u64, u64)], earliest: u64, duration: u64, period: u64, last_start: u64) -> Option<u64> {
    if earliest > last_start {
        return None;
    }
    if duration == 0 {
        return Some(earliest);
    }
    // Walk the table over three periods from the one holding `earliest`,
    // since a start before earliest + period ends before base + 3·period.
    let base = earliest - earliest % period;
    let limit = earliest.saturating_add(period).min(last_start.saturating_add(1));
    let first = table.partition_point(|&(_, end)| end <= earliest - base);
    let mut start = earliest;
    for k in 0..3u64 {
        let offset = base.saturating_add(k.saturating_mul(period));
        let intervals = if k == 0 { &table[first..] } else { table };
        for &(busy_start, busy_end) in intervals {
            if offset.saturating_add(busy_start) >= start.saturating_add(duration) {
                return (start < limit).then_some(start);
            }
            start = start.max(offset.saturating_add(busy_end));
            if start >= limit {
                return None;
            }
        }
    }
    (start < limit).then_some(start)
}

/// Marks [start mod T, start mod T + duration) busy in `table`, split in two
/// where it wraps past T.
fn reserve(table: &mut Vec<(u64, u64)>, start: u64, duration: u64, period: u64) {
    if duration == 0 {
        return;
    }
    let offset = start % period;
    if offset + duration <= period {
        insert_busy(table, (offset, offset + duration));
    } else {
        insert_busy(table, (offset, period));
        insert_busy(table, (0, offset + duration - period));
    }
}

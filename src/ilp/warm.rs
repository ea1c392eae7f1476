//! Warm starts built inside the ILP scheduler, so that it starts from a good
//! horizon even when the caller passes no schedule (as in the fixed-assignment
//! calls of the standard-pipelining baseline).
//!
//! Makespan: critical-path list scheduling. Copies become ready when all
//! their predecessors are placed. The ready copy with the highest priority
//! goes next, onto the allowed array where it finishes first, after that
//! array's last copy. The first pass ranks copies by their longest path
//! to the end (shortest durations, free transfers). Later passes perturb
//! that rank with seeded random noise, and the best schedule is kept.

use crate::problem::{Objective, Problem};
use crate::schedule::{Placement, Schedule, Timing};
use std::time::Instant;

/// Returns the best of `passes` list schedules of a makespan problem, or
/// `None` for a period problem. Passes stop early at `deadline` or once a
/// schedule reaches makespan `target`.
pub fn list_schedule(problem: &Problem, fixed: Option<&[usize]>, passes: u32, target: u64, deadline: Instant) -> Option<Schedule> {
    let Objective::Makespan { iterations } = problem.objective else {
        return None;
    };
    let n = problem.tasks.len();
    let copies = n * iterations as usize;
    let arrays_of = |task: usize| -> Vec<usize> { fixed.map_or_else(|| (0..problem.array_count()).collect(), |f| vec![f[task]]) };

    // Unrolled edges: (from copy, to copy, edge).
    let mut predecessors: Vec<Vec<(usize, usize)>> = vec![Vec::new(); copies];
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); copies];
    for (index, edge) in problem.edges.iter().enumerate() {
        for i in 0..iterations as usize {
            let j = i + edge.distance as usize;
            if j >= iterations as usize {
                break;
            }
            predecessors[j * n + edge.to].push((i * n + edge.from, index));
            successors[i * n + edge.from].push(j * n + edge.to);
        }
    }

    // Priority: longest path to the end, own duration included.
    let shortest = |c: usize| arrays_of(c % n).iter().map(|&a| problem.duration(c % n, a)).min().unwrap_or(0);
    let within = crate::graph::topological_order(problem);
    let order: Vec<usize> = (0..iterations as usize).flat_map(|i| within.iter().map(move |&t| i * n + t)).collect();
    let mut priority = vec![0u64; copies];
    for &c in order.iter().rev() {
        let after = successors[c].iter().map(|&s| priority[s]).max().unwrap_or(0);
        priority[c] = shortest(c).saturating_add(after);
    }

    let mut best: Option<Schedule> = None;
    let mut random = 0x5eed_u64;
    let spread = priority.iter().copied().max().unwrap_or(0) / 4 + 1;
    for pass in 0..passes {
        let ranks: Vec<u64> = if pass == 0 {
            priority.clone()
        } else {
            priority
                .iter()
                .map(|&p| {
                    random = random.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    p.saturating_add((random >> 33) % spread)
                })
                .collect()
        };
        let Some(schedule) = one_pass(problem, fixed, iterations, &predecessors, &successors, &ranks) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| schedule.value(problem) < b.value(problem)) {
            best = Some(schedule);
        }
        if best.as_ref().is_some_and(|b| b.value(problem) <= target) || Instant::now() >= deadline {
            break;
        }
    }
    best
}

/// Runs one list-scheduling pass with the given ranks (higher goes first).
fn one_pass(
    problem: &Problem,
    fixed: Option<&[usize]>,
    iterations: u32,
    predecessors: &[Vec<(usize, usize)>],
    successors: &[Vec<usize>],
    priority: &[u64],
) -> Option<Schedule> {
    let n = problem.tasks.len();
    let copies = n * iterations as usize;
    let arrays_of = |task: usize| -> Vec<usize> { fixed.map_or_else(|| (0..problem.array_count()).collect(), |f| vec![f[task]]) };
    let mut waiting: Vec<usize> = predecessors.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..copies).filter(|&c| waiting[c] == 0).collect();
    let mut placed: Vec<Option<Placement>> = vec![None; copies];
    let mut free_at = vec![0u64; problem.array_count()];
    while !ready.is_empty() {
        let pick = (0..ready.len()).max_by_key(|&i| (priority[ready[i]], std::cmp::Reverse(ready[i])))?;
        let c = ready.swap_remove(pick);
        let task = c % n;
        let mut best: Option<(u64, usize, u64)> = None;
        for a in arrays_of(task) {
            let mut start = free_at[a];
            for &(p, edge) in &predecessors[c] {
                let before = placed[p]?;
                let end = before.start.saturating_add(problem.duration(before.task, before.array));
                start = start.max(end.saturating_add(problem.comm(&problem.edges[edge], before.array, a)));
            }
            let finish = start.saturating_add(problem.duration(task, a));
            if best.is_none_or(|(f, _, _)| finish < f) {
                best = Some((finish, a, start));
            }
        }
        let (finish, array, start) = best?;
        if problem.duration(task, array) > 0 {
            free_at[array] = finish;
        }
        placed[c] = Some(Placement { task, iteration: (c / n) as u32, array, start });
        for &s in &successors[c] {
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.push(s);
            }
        }
    }
    let placements = placed.into_iter().collect::<Option<Vec<_>>>()?;
    Some(Schedule { timing: Timing::Makespan { iterations }, placements })
}

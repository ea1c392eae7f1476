//! Standard inter-layer pipelining: contiguous layer stages, stage i on
//! array i.
//!
//! The layers 1..L are cut into S ≤ min(P, L) contiguous stages; stage i runs
//! every task of its layers on array i. The load of stage i is the sum of its
//! tasks' durations on array i, and the partition minimises the largest
//! load. With load(i, a, b) the load of layers a+1..b on array i, dynamic
//! programming over layers and stages finds it exactly:
//!
//! best(0, 0) = 0, best(s, j) = min over k < j of max(best(s − 1, k), load(s − 1, k, j)),
//!
//! and the result is the smallest best(s, L) over s = 1..S (fewest stages on
//! ties, which moves the fewest bytes between arrays). The timing of that
//! fixed assignment then comes from the list heuristics and, with the
//! `solver` feature, from the exact model.

use super::SolveOptions;
use crate::problem::Problem;
use crate::schedule::Schedule;

#[cfg(test)]
mod tests;

/// Builds the standard pipelining schedule of a network problem; `None` for
/// a task-graph problem.
pub fn schedule(problem: &Problem, options: &SolveOptions) -> Option<Schedule> {
    let assignment = stage_assignment(problem)?;
    let heuristic = super::list::schedule_with_assignment(problem, &assignment);
    timing_with_solver(problem, options, heuristic, &assignment)
}

#[cfg(feature = "solver")]
fn timing_with_solver(problem: &Problem, options: &SolveOptions, heuristic: Option<Schedule>, assignment: &[usize]) -> Option<Schedule> {
    let outcome = crate::ilp::solve(problem, options, heuristic.clone(), Some(assignment));
    match outcome.schedule {
        Some(exact) if exact.placements.iter().all(|p| p.array == assignment[p.task]) => {
            match crate::validate::validate(problem, &exact) {
                Ok(()) => super::better(problem, heuristic, Some(exact)),
                Err(violation) => {
                    log::warn!("dropping an invalid exact standard-pipelining schedule of {}: {violation}", problem.name);
                    heuristic
                }
            }
        }
        Some(_) => {
            log::warn!("dropping an exact standard-pipelining schedule of {} that leaves the stage assignment", problem.name);
            heuristic
        }
        None => heuristic,
    }
}

#[cfg(not(feature = "solver"))]
fn timing_with_solver(_problem: &Problem, _options: &SolveOptions, heuristic: Option<Schedule>, _assignment: &[usize]) -> Option<Schedule> {
    heuristic
}

/// Maps every task to its array under the standard stage partition; `None`
/// for a task-graph problem.
pub fn stage_assignment(problem: &Problem) -> Option<Vec<usize>> {
    let stages = layer_stages(problem)?;
    problem.tasks.iter().map(|task| task.layer.map(|layer| stages[layer - 1])).collect()
}

/// Partitions the layers into stages that minimise the largest stage load and
/// returns the stage (and so the array) of layer l at index l − 1. `None` for
/// a task-graph problem or a task without a valid layer.
pub fn layer_stages(problem: &Problem) -> Option<Vec<usize>> {
    let layers = problem.network.as_ref()?.network.layers.len();
    let arrays = problem.array_count();
    if layers == 0 || arrays == 0 {
        return None;
    }

    // prefix[a][j]: load of layers 1..=j on array a.
    let mut layer_loads = vec![vec![0u64; layers]; arrays];
    for (task_index, task) in problem.tasks.iter().enumerate() {
        let layer = task.layer.filter(|&l| (1..=layers).contains(&l))?;
        for (array, loads) in layer_loads.iter_mut().enumerate() {
            loads[layer - 1] = loads[layer - 1].saturating_add(problem.duration(task_index, array));
        }
    }
    let prefix: Vec<Vec<u64>> = layer_loads
        .iter()
        .map(|loads| {
            let mut sums = vec![0u64; layers + 1];
            for (j, &load) in loads.iter().enumerate() {
                sums[j + 1] = sums[j].saturating_add(load);
            }
            sums
        })
        .collect();

    // best[s][j]: smallest largest load of layers 1..=j in s stages on
    // arrays 0..s; cut[s][j]: the layers before the last of those stages.
    let max_stages = arrays.min(layers);
    let mut best = vec![vec![u64::MAX; layers + 1]; max_stages + 1];
    let mut cut = vec![vec![0usize; layers + 1]; max_stages + 1];
    best[0][0] = 0;
    for s in 1..=max_stages {
        for j in s..=layers {
            for k in (s - 1)..j {
                if best[s - 1][k] == u64::MAX {
                    continue;
                }
                let stage_load = prefix[s - 1][j] - prefix[s - 1][k];
                let largest = best[s - 1][k].max(stage_load);
                if largest < best[s][j] {
                    best[s][j] = largest;
                    cut[s][j] = k;
                }
            }
        }
    }
    let stage_count = (1..=max_stages).min_by_key(|&s| (best[s][layers], s))?;

    // Walk the cuts back from the last layer.
    let mut stages = vec![0usize; layers];
    let mut end = layers;
    for s in (1..=stage_count).rev() {
        let begin = cut[s][end];
        for stage in &mut stages[begin..end] {
            *stage = s - 1;
        }
        end = begin;
    }
    Some(stages)
}

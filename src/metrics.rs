//! Metrics of a schedule: objective value, lower bound and gap, array
//! utilization, inter-array traffic, and the comparison with standard
//! pipelining.
//!
//! - `gap` = (value − lower_bound) / value, a fraction; 0 when the value
//!   meets the bound.
//! - `utilization` = busy cycles / (arrays · value). A periodic schedule's
//!   busy cycles are those of one period; a makespan schedule's are those of
//!   all N iterations.
//! - `inter_array_bytes`: bytes per iteration on edges whose two ends run on
//!   different arrays. A makespan schedule sums every bound pair
//!   u^i → v^(i+d) with i + d < N and divides by N.
//! - `speedup` = value(standard) / value(schedule) and `comm_overhead` =
//!   (inter_array_bytes(schedule) − inter_array_bytes(standard)) /
//!   training_bytes, defined only for network problems with a standard
//!   schedule of the same objective.

use crate::problem::Problem;
use crate::schedule::{Schedule, Timing};
use std::collections::HashMap;

/// Metrics of one validated schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Objective value in cycles: the period or the makespan.
    pub value: u64,
    /// Proven lower bound on the objective, in cycles.
    pub lower_bound: u64,
    /// (value − lower_bound) / value, clamped to [0, 1].
    pub gap: f64,
    /// Busy fraction of all arrays over the objective value.
    pub utilization: f64,
    /// Bytes per iteration moved between different arrays.
    pub inter_array_bytes: f64,
    /// Bytes per iteration read and written by all tasks (network problems).
    pub training_bytes: Option<u64>,
    /// Extra inter-array bytes over standard pipelining, as a fraction of
    /// `training_bytes`; negative when the schedule moves fewer bytes.
    pub comm_overhead: Option<f64>,
    /// value(standard) / value(schedule).
    pub speedup: Option<f64>,
}

impl Metrics {
    /// Computes the metrics of `schedule`, which must be valid for
    /// `problem` (see [`crate::validate::validate`]). `standard` is the
    /// standard-pipelining schedule of the same problem, when one exists.
    pub fn compute(problem: &Problem, schedule: &Schedule, lower_bound: u64, standard: Option<&Schedule>) -> Metrics {
        let value = schedule.value(problem);
        let own_bytes = inter_array_bytes(problem, schedule);
        let training_bytes = problem.network.as_ref().map(|context| context.training_bytes);

        // The baseline counts only for network problems, and only when it
        // solves the same objective.
        let baseline = standard.filter(|s| problem.network.is_some() && s.matches_objective(problem.objective));
        let speedup = baseline.and_then(|s| ratio(s.value(problem) as f64, value as f64));
        let comm_overhead = match (baseline, training_bytes) {
            (Some(s), Some(total)) => ratio(own_bytes - inter_array_bytes(problem, s), total as f64),
            _ => None,
        };

        Metrics {
            value,
            lower_bound,
            gap: gap(value, lower_bound),
            utilization: utilization(problem, schedule),
            inter_array_bytes: own_bytes,
            training_bytes,
            comm_overhead,
            speedup,
        }
    }
}

/// (value − lower_bound) / value; 0 when the bound meets or exceeds the value
/// or the value is 0.
pub fn gap(value: u64, lower_bound: u64) -> f64 {
    if value == 0 || lower_bound >= value {
        0.0
    } else {
        (value - lower_bound) as f64 / value as f64
    }
}

/// Busy cycles of all arrays divided by arrays × objective value; 0 for a
/// schedule of value 0.
pub fn utilization(problem: &Problem, schedule: &Schedule) -> f64 {
    let capacity = problem.array_count() as f64 * schedule.value(problem) as f64;
    ratio(schedule.busy_cycles(problem) as f64, capacity).unwrap_or(0.0)
}

/// Bytes per iteration on edges whose ends run on different arrays.
pub fn inter_array_bytes(problem: &Problem, schedule: &Schedule) -> f64 {
    // Array of every task copy, keyed by (task, iteration). Placements need
    // not be in canonical order, so no index arithmetic is used.
    let array_of: HashMap<(usize, u32), usize> =
        schedule.placements.iter().map(|p| ((p.task, p.iteration), p.array)).collect();
    let iterations = match schedule.timing {
        Timing::Periodic { .. } => 1,
        Timing::Makespan { iterations } => iterations,
    };
    let mut total: u128 = 0;
    for edge in &problem.edges {
        // Periodic: every edge is one transfer per iteration between the
        // arrays of its two tasks, whatever its distance.
        let pairs: Vec<(u32, u32)> = match schedule.timing {
            Timing::Periodic { .. } => vec![(0, 0)],
            Timing::Makespan { iterations } => (0..iterations)
                .filter_map(|i| i.checked_add(edge.distance).filter(|&j| j < iterations).map(|j| (i, j)))
                .collect(),
        };
        for (i, j) in pairs {
            let (Some(from), Some(to)) = (array_of.get(&(edge.from, i)), array_of.get(&(edge.to, j))) else {
                continue;
            };
            if from != to {
                total += u128::from(edge.bytes);
            }
        }
    }
    total as f64 / f64::from(iterations.max(1))
}

/// numerator / denominator, or `None` when the denominator is 0.
fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator != 0.0).then(|| numerator / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Edge, NetworkContext, Objective, Task};
    use crate::schedule::Placement;

    /// Tasks a (3 cycles) → b (2 cycles) with 4 bytes, and b → a with
    /// distance 1 and 10 bytes. Task c (4 cycles) has no edges. Two identical
    /// arrays share a free link.
    fn problem(objective: Objective) -> Problem {
        let task = |name: &str, duration: u64| Task {
            name: name.into(),
            layer: None,
            kind: None,
            gemm: None,
            durations: vec![duration, duration],
        };
        Problem {
            name: "t".into(),
            source: "t.yaml".into(),
            arrays: vec![None, None],
            tasks: vec![task("a", 3), task("b", 2), task("c", 4)],
            edges: vec![
                Edge { from: 0, to: 1, distance: 0, bytes: 4 },
                Edge { from: 1, to: 0, distance: 1, bytes: 10 },
            ],
            link: None,
            objective,
            network: None,
        }
    }

    fn with_network(mut problem: Problem, training_bytes: u64) -> Problem {
        let network = crate::model::Network::from_spec(
            std::path::Path::new("m.yaml"),
            &crate::model::ModelSpec::parse(
                std::path::Path::new("m.yaml"),
                "name: m\ninput: [4]\ntimesteps: 1\nbatch: 1\nlayers:\n  - {type: fc, out: 2}\n",
            )
            .unwrap(),
        )
        .unwrap();
        problem.network = Some(NetworkContext { network, training_bytes, delays: vec![1] });
        problem
    }

    fn place(task: usize, iteration: u32, array: usize, start: u64) -> Placement {
        Placement { task, iteration, array, start }
    }

    fn periodic(period: u64, placements: Vec<Placement>) -> Schedule {
        Schedule { timing: Timing::Periodic { period }, placements }
    }

    #[test]
    fn periodic_metrics_by_hand() {
        // Period 5: a 0..3 and b 3..5 on array 0, c 0..4 on array 1. Busy
        // 3 + 2 + 4 = 9 of 2 · 5 = 10 cycles. No edge crosses arrays.
        let p = problem(Objective::Period);
        let s = periodic(5, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0)]);
        crate::validate::validate(&p, &s).unwrap();
        let m = Metrics::compute(&p, &s, 5, None);
        assert_eq!(m.value, 5);
        assert_eq!(m.gap, 0.0);
        assert!((m.utilization - 0.9).abs() < 1e-12);
        assert_eq!(m.inter_array_bytes, 0.0);
        assert_eq!(m.speedup, None);
        assert_eq!(m.comm_overhead, None);
        assert_eq!(m.training_bytes, None);
    }

    #[test]
    fn periodic_crossing_edges_count_once() {
        // a on array 0, b and c on array 1: both edges a → b (4 bytes) and
        // b → a (10 bytes, distance 1) cross, so 14 bytes per iteration.
        // Period 8 with lower bound 6: gap (8 − 6) / 8 = 0.25.
        let p = problem(Objective::Period);
        let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 1, 3), place(2, 0, 1, 5)]);
        crate::validate::validate(&p, &s).unwrap();
        let m = Metrics::compute(&p, &s, 6, None);
        assert_eq!(m.inter_array_bytes, 14.0);
        assert!((m.gap - 0.25).abs() < 1e-12);
        assert!((m.utilization - 9.0 / 16.0).abs() < 1e-12);
    }

    #[test]
    fn makespan_counts_bound_pairs_per_iteration() {
        // Two iterations. Iteration 0: a 0..3 on array 0, b 3..5 and c 5..9
        // on array 1. Iteration 1: a 5..8 and b 8..10 on array 0, c 9..13 on
        // array 1.
        // Bound pairs: a0 → b0 crosses (4 bytes), a1 → b1 does not, b0 → a1
        // crosses (10 bytes). Total 14 over N = 2 iterations: 7 per iteration.
        // Makespan 13, busy 2 · 9 = 18 of 2 · 13 = 26 cycles.
        let p = problem(Objective::Makespan { iterations: 2 });
        let s = Schedule {
            timing: Timing::Makespan { iterations: 2 },
            placements: vec![
                place(0, 0, 0, 0),
                place(1, 0, 1, 3),
                place(2, 0, 1, 5),
                place(0, 1, 0, 5),
                place(1, 1, 0, 8),
                place(2, 1, 1, 9),
            ],
        };
        crate::validate::validate(&p, &s).unwrap();
        let m = Metrics::compute(&p, &s, 10, None);
        assert_eq!(m.value, 13);
        assert_eq!(m.inter_array_bytes, 7.0);
        assert!((m.utilization - 18.0 / 26.0).abs() < 1e-12);
        assert!((m.gap - 3.0 / 13.0).abs() < 1e-12);
    }

    #[test]
    fn speedup_and_overhead_against_standard() {
        // Standard: period 9 with a, b, c all on array 0 (no traffic).
        // Schedule: period 8 with a on array 0 and b, c on array 1, moving
        // 14 bytes per iteration. Speedup 9 / 8; overhead 14 / 1000.
        let p = with_network(problem(Objective::Period), 1000);
        let standard = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 0, 5)]);
        crate::validate::validate(&p, &standard).unwrap();
        let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 1, 3), place(2, 0, 1, 5)]);
        let m = Metrics::compute(&p, &s, 6, Some(&standard));
        assert_eq!(m.training_bytes, Some(1000));
        assert!((m.speedup.unwrap() - 9.0 / 8.0).abs() < 1e-12);
        assert!((m.comm_overhead.unwrap() - 0.014).abs() < 1e-12);
    }

    #[test]
    fn standard_is_ignored_for_task_graphs() {
        let p = problem(Objective::Period);
        let standard = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 0, 5)]);
        let m = Metrics::compute(&p, &standard, 6, Some(&standard));
        assert_eq!(m.speedup, None);
        assert_eq!(m.comm_overhead, None);
    }

    #[test]
    fn gap_edge_cases() {
        assert_eq!(gap(0, 0), 0.0);
        assert_eq!(gap(10, 12), 0.0);
        assert_eq!(gap(10, 5), 0.5);
    }
}

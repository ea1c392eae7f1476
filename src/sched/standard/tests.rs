use super::*;
use crate::problem::{load, Problem};
use crate::validate::validate;
use std::path::Path;

/// The 784-500-500-10 MLP, batch 32 and 4 timesteps (B·T = 128), on
/// `arrays` 128x128 output-stationary arrays with 128 vector lanes and one
/// elementwise operation per weight update.
fn mlp_problem(dir: &Path, arrays: &str, objective: &str) -> Problem {
    let path = dir.join("mlp.yaml");
    let text = format!(
        "name: mlp\n\
         network:\n  name: mlp\n  input: [784]\n  timesteps: 4\n  batch: 32\n  layers:\n    - {{type: fc, out: 500}}\n    - {{type: fc, out: 500}}\n    - {{type: fc, out: 10}}\n\
         arrays: {arrays}\n\
         update_ops_per_weight: 1\n\
         {objective}\n"
    );
    std::fs::write(&path, text).unwrap();
    load(&path, Default::default()).unwrap()
}

const SQUARE_ARRAYS: &str = "{count: COUNT, rows: 128, cols: 128, dataflow: output-stationary}";

fn square_arrays(count: usize) -> String {
    SQUARE_ARRAYS.replace("COUNT", &count.to_string())
}

/// Layer loads by hand. On a 128x128 output-stationary array a GEMM costs
/// ⌈M/128⌉·⌈N/128⌉·(K + 254) cycles, and elementwise work ⌈ops/128⌉:
///
/// | task | GEMM (M, K, N) | GEMM cycles | elementwise ops / 128 | cycles |
/// |---|---|---|---|---|
/// | F1 | 128, 784, 500 | 1·4·1038 = 4152 | (3·784 + 4·500)·128 → 4352 | 8504 |
/// | W1 | 784, 128, 500 | 7·4·382 = 10696 | 0 | 10696 |
/// | U1 | – | – | 392000 → 3063 | 3063 |
/// | F2 | 128, 500, 500 | 1·4·754 = 3016 | (3·500 + 4·500)·128 → 3500 | 6516 |
/// | B2 | 128, 500, 500 | 3016 | (3·500 + 5·500)·128 → 4000 | 7016 |
/// | W2 | 500, 128, 500 | 4·4·382 = 6112 | 0 | 6112 |
/// | U2 | – | – | 250000 → 1954 | 1954 |
/// | F3 | 128, 500, 10 | 1·1·754 = 754 | (3·500 + 4·10 + 5·10)·128 → 1590 | 2344 |
/// | B3 | 128, 10, 500 | 1·4·264 = 1056 | (3·500 + 5·500)·128 → 4000 | 5056 |
/// | W3 | 500, 128, 10 | 4·1·382 = 1528 | 0 | 1528 |
/// | U3 | – | – | 5000 → 40 | 40 |
///
/// Layer loads: 22263, 21598 and 8968.
const MLP_TASK_CYCLES: [(&str, u64); 11] = [
    ("F1", 8504),
    ("W1", 10696),
    ("U1", 3063),
    ("F2", 6516),
    ("B2", 7016),
    ("W2", 6112),
    ("U2", 1954),
    ("F3", 2344),
    ("B3", 5056),
    ("W3", 1528),
    ("U3", 40),
];

#[test]
fn mlp_task_cycles_match_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(dir.path(), &square_arrays(2), "objective: period");
    assert_eq!(p.tasks.len(), MLP_TASK_CYCLES.len());
    for (name, cycles) in MLP_TASK_CYCLES {
        let task = p.task_index(name).unwrap_or_else(|| panic!("no task {name}"));
        assert_eq!(p.tasks[task].durations, vec![cycles; 2], "{name}");
    }
}

#[test]
fn mlp_stages_on_two_arrays() {
    // {1 | 2, 3}: max(22263, 21598 + 8968 = 30566) = 30566;
    // {1, 2 | 3}: max(43861, 8968) = 43861; one stage: 52829.
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(dir.path(), &square_arrays(2), "objective: period");
    assert_eq!(layer_stages(&p), Some(vec![0, 1, 1]));
    let assignment = stage_assignment(&p).unwrap();
    for (name, array) in [("F1", 0), ("U1", 0), ("F2", 1), ("B2", 1), ("U3", 1)] {
        assert_eq!(assignment[p.task_index(name).unwrap()], array, "{name}");
    }
}

#[test]
fn mlp_stages_on_three_arrays() {
    // {1 | 2 | 3}: max(22263, 21598, 8968) = 22263, below the best two-stage
    // partition (30566).
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(dir.path(), &square_arrays(3), "objective: period");
    assert_eq!(layer_stages(&p), Some(vec![0, 1, 2]));
}

#[test]
fn more_arrays_than_layers_use_one_stage_per_layer() {
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(dir.path(), &square_arrays(5), "objective: period");
    assert_eq!(layer_stages(&p), Some(vec![0, 1, 2]));
}

#[test]
fn standard_period_on_three_arrays() {
    // Array 0 runs F1, W1 and U1 for 22263 cycles in every period, so no
    // period of this assignment is shorter. Transfers are free (no link) and
    // every cycle fits: the layer-1 cycle F1 F2 F3 B3 B2 W1 U1 (43195 cycles)
    // has distance 3 under the pipedream delays, and 43195 ≤ 3·22263. The
    // validator confirms that the heuristic reaches 22263.
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(dir.path(), &square_arrays(3), "objective: period");
    let options = SolveOptions { time_limit: std::time::Duration::from_secs(2), ..Default::default() };
    let s = schedule(&p, &options).unwrap();
    validate(&p, &s).unwrap();
    let assignment = stage_assignment(&p).unwrap();
    assert!(s.placements.iter().all(|pl| pl.array == assignment[pl.task]));
    assert_eq!(s.value(&p), 22263);
}

#[test]
fn standard_makespan_respects_stages() {
    let dir = tempfile::tempdir().unwrap();
    let p = mlp_problem(
        dir.path(),
        &square_arrays(2),
        "objective: makespan\niterations: 3\nlink: {latency_cycles: 10, bytes_per_cycle: 64}",
    );
    let options = SolveOptions { time_limit: std::time::Duration::from_secs(2), ..Default::default() };
    let s = schedule(&p, &options).unwrap();
    validate(&p, &s).unwrap();
    let assignment = stage_assignment(&p).unwrap();
    assert!(s.placements.iter().all(|pl| pl.array == assignment[pl.task]));
}

/// The smallest largest load over every split of `layers` loads into at
/// most `arrays` contiguous stages, by enumerating the cut sets.
fn enumerate_best_load(p: &Problem, layers: usize) -> u64 {
    let arrays = p.array_count();
    let load = |array: usize, from: usize, to: usize| -> u64 {
        p.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.layer.is_some_and(|l| l > from && l <= to))
            .map(|(i, _)| p.duration(i, array))
            .sum()
    };
    let mut best = u64::MAX;
    // Bit i of `cuts` set: a stage ends after layer i + 1.
    for cuts in 0u32..(1 << (layers - 1)) {
        let stages = cuts.count_ones() as usize + 1;
        if stages > arrays {
            continue;
        }
        let mut bounds: Vec<usize> = (0..layers - 1).filter(|i| cuts & (1 << i) != 0).map(|i| i + 1).collect();
        bounds.insert(0, 0);
        bounds.push(layers);
        let largest = bounds.windows(2).enumerate().map(|(stage, w)| load(stage, w[0], w[1])).max().unwrap();
        best = best.min(largest);
    }
    best
}

#[test]
fn heterogeneous_stages_match_enumeration() {
    // A conv network on a large and a small array and a weight-stationary
    // one: the dynamic program must agree with brute force.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conv.yaml");
    std::fs::write(
        &path,
        "name: conv\n\
         network:\n  name: conv\n  input: [2, 16, 16]\n  timesteps: 2\n  batch: 4\n  layers:\n    - {type: conv, out: 8, kernel: 3, padding: 1}\n    - {type: pool, kernel: 2}\n    - {type: conv, out: 16, kernel: 3, padding: 1}\n    - {type: pool, kernel: 2}\n    - {type: fc, out: 64}\n    - {type: fc, out: 10}\n\
         arrays:\n  - {count: 1, rows: 32, cols: 32, dataflow: output-stationary}\n  - {count: 1, rows: 8, cols: 8, dataflow: output-stationary}\n  - {count: 1, rows: 16, cols: 16, dataflow: weight-stationary}\n",
    )
    .unwrap();
    let p = load(&path, Default::default()).unwrap();
    assert!(!p.has_identical_arrays());
    let stages = layer_stages(&p).unwrap();
    assert_eq!(stages.len(), 6);
    assert!(stages.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1), "stages not contiguous: {stages:?}");
    assert_eq!(stages[0], 0);

    let assignment = stage_assignment(&p).unwrap();
    let mut loads = vec![0u64; p.array_count()];
    for (task, &array) in assignment.iter().enumerate() {
        loads[array] += p.duration(task, array);
    }
    assert_eq!(loads.into_iter().max().unwrap(), enumerate_best_load(&p, 6));

    let s = schedule(&p, &SolveOptions { time_limit: std::time::Duration::from_secs(2), ..Default::default() }).unwrap();
    validate(&p, &s).unwrap();
}

#[test]
fn task_graph_has_no_standard_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.yaml");
    std::fs::write(&path, "name: g\nprocessors: 2\ntasks:\n  - {id: a, duration: 1}\n").unwrap();
    let p = load(&path, Default::default()).unwrap();
    assert_eq!(stage_assignment(&p), None);
    assert!(schedule(&p, &SolveOptions::default()).is_none());
}

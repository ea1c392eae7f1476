use super::*;
use crate::cost::Link;
use crate::problem::{Edge, Objective, Problem, Task};
use crate::schedule::{Placement, Schedule, Timing};

/// Tasks a (3 cycles) → b (2 cycles), 4 bytes on the edge; b → a with
/// distance 1; c (4 cycles) unconnected; two arrays; link 1 + ⌈bytes/2⌉.
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
            Edge { from: 1, to: 0, distance: 1, bytes: 0 },
        ],
        link: Some(Link { latency_cycles: 1, bytes_per_cycle: 2 }),
        objective,
        network: None,
    }
}

fn place(task: usize, iteration: u32, array: usize, start: u64) -> Placement {
    Placement { task, iteration, array, start }
}

fn periodic(period: u64, placements: Vec<Placement>) -> Schedule {
    Schedule { timing: Timing::Periodic { period }, placements }
}

fn makespan(iterations: u32, placements: Vec<Placement>) -> Schedule {
    Schedule { timing: Timing::Makespan { iterations }, placements }
}

fn rejects(problem: &Problem, schedule: &Schedule, fragment: &str) {
    let error = validate(problem, schedule).expect_err("the schedule should be rejected");
    assert!(error.0.contains(fragment), "message `{error}` lacks `{fragment}`");
}

#[test]
fn valid_periodic_schedule_with_straddle_passes() {
    // Period 5: a 0..3 and b 3..5 fill array 0; c at 3..7 on array 1
    // straddles into 0..2 of the next period, where array 1 is free.
    let p = problem(Objective::Period);
    let s = periodic(5, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 3)]);
    validate(&p, &s).unwrap();
}

#[test]
fn periodic_overlap_modulo_period_is_rejected() {
    // Period 8, a at 0..3 and c at 5..9 on array 0: c covers 5..8 and 0..1
    // modulo 8, hitting a. b on array 1 at 6 meets its precedence rules.
    let p = problem(Objective::Period);
    let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 1, 6), place(2, 0, 0, 5)]);
    rejects(&p, &s, "overlap modulo the period");
}

#[test]
fn periodic_straddle_without_overlap_passes() {
    // Period 8: a at 0..3 and c at 3..7 on array 0; b on array 1 at 3 plus
    // 3 cycles of transfer, ending at 8 when a of the next iteration starts.
    let p = problem(Objective::Period);
    let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 1, 6), place(2, 0, 0, 3)]);
    validate(&p, &s).unwrap();
    // A task straddling the period boundary: c at 6..10 on array 1 under
    // period 8 covers 6..8 and 0..2, clear of b at 3..5.
    let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 6)]);
    validate(&p, &s).unwrap();
}

#[test]
fn periodic_precedence_with_comm_is_rejected() {
    // a on array 0 ends at 3; b on array 1 needs 1 + ⌈4/2⌉ = 3 more cycles.
    let p = problem(Objective::Period);
    let s = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 1, 5), place(2, 0, 1, 0)]);
    rejects(&p, &s, "b starts at 5");
}

#[test]
fn periodic_distance_edge_is_rejected() {
    // b ends at 5; a of the next iteration starts at 0 + 4 < 5.
    let p = problem(Objective::Period);
    let s = periodic(4, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0)]);
    rejects(&p, &s, "a starts at 0 + 1·4");
}

#[test]
fn task_longer_than_period_is_rejected() {
    let p = problem(Objective::Period);
    let s = periodic(3, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0)]);
    rejects(&p, &s, "longer than the period");
}

#[test]
fn zero_period_is_rejected() {
    let p = problem(Objective::Period);
    let s = periodic(0, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0)]);
    rejects(&p, &s, "period is 0");
}

#[test]
fn missing_task_is_rejected() {
    let p = problem(Objective::Period);
    let s = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3)]);
    rejects(&p, &s, "c (iteration 0) is not scheduled");
}

#[test]
fn duplicate_task_is_rejected() {
    let p = problem(Objective::Period);
    let s = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0), place(2, 0, 1, 4)]);
    rejects(&p, &s, "placed twice");
}

#[test]
fn unknown_array_is_rejected() {
    let p = problem(Objective::Period);
    let s = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 2, 0)]);
    rejects(&p, &s, "on array 2");
}

#[test]
fn objective_mismatch_is_rejected() {
    let p = problem(Objective::Makespan { iterations: 1 });
    let s = periodic(9, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0)]);
    rejects(&p, &s, "objective");
}

#[test]
fn valid_makespan_schedule_passes() {
    // Two iterations on two arrays: a0 0..3, b0 3..5, a1 5..8, b1 8..10 on
    // array 0; c0 and c1 on array 1.
    let p = problem(Objective::Makespan { iterations: 2 });
    let s = makespan(
        2,
        vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0), place(0, 1, 0, 5), place(1, 1, 0, 8), place(2, 1, 1, 4)],
    );
    validate(&p, &s).unwrap();
    assert_eq!(s.value(&p), 10);
}

#[test]
fn makespan_distance_edge_binds_next_iteration() {
    // a1 starts at 4, before b0 ends at 5.
    let p = problem(Objective::Makespan { iterations: 2 });
    let s = makespan(
        2,
        vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 1, 0), place(0, 1, 1, 4), place(1, 1, 0, 10), place(2, 1, 1, 20)],
    );
    rejects(&p, &s, "a (iteration 1) starts at 4");
}

#[test]
fn makespan_comm_delay_is_rejected() {
    // b0 on array 1 at 4 < 3 + 3.
    let p = problem(Objective::Makespan { iterations: 1 });
    let s = makespan(1, vec![place(0, 0, 0, 0), place(1, 0, 1, 4), place(2, 0, 0, 3)]);
    rejects(&p, &s, "b (iteration 0) starts at 4");
}

#[test]
fn makespan_overlap_is_rejected() {
    let p = problem(Objective::Makespan { iterations: 1 });
    let s = makespan(1, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 0, 4)]);
    rejects(&p, &s, "overlap on array 0");
}

#[test]
fn zero_duration_task_occupies_nothing() {
    let mut p = problem(Objective::Makespan { iterations: 1 });
    p.tasks[2].durations = vec![0, 0];
    let s = makespan(1, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 0, 1)]);
    validate(&p, &s).unwrap();
}

#[test]
fn periodic_wraparound_overlap_is_rejected() {
    // Period 8 on array 0: a at 0..3, b at 3..5, c at 5..9 ends one cycle
    // into the next period, where a starts again.
    let mut p = problem(Objective::Period);
    p.edges.clear();
    let s = periodic(8, vec![place(0, 0, 0, 0), place(1, 0, 0, 3), place(2, 0, 0, 5)]);
    rejects(&p, &s, "c and a overlap modulo the period 8");
    // Shifted by whole periods, the same occupancy is still rejected.
    let s = periodic(8, vec![place(0, 0, 0, 16), place(1, 0, 0, 11), place(2, 0, 0, 5)]);
    rejects(&p, &s, "overlap modulo the period 8");
}

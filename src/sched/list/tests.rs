use super::*;
use crate::cost::Link;
use crate::graph::basic_lower_bound;
use crate::problem::{Edge, Objective, Problem, Task};
use crate::validate::validate;
use std::time::Instant;

/// A task-graph problem on `arrays` arrays; `durations[t]` lists task t's
/// duration on each array (one entry: the same on all).
fn problem(arrays: usize, durations: &[&[u64]], edges: &[(usize, usize, u32, u64)], link: Option<Link>, objective: Objective) -> Problem {
    let tasks = durations
        .iter()
        .enumerate()
        .map(|(i, d)| Task {
            name: format!("t{i}"),
            layer: None,
            kind: None,
            gemm: None,
            durations: if d.len() == 1 { vec![d[0]; arrays] } else { d.to_vec() },
        })
        .collect();
    Problem {
        name: "test".into(),
        source: "test.yaml".into(),
        arrays: vec![None; arrays],
        tasks,
        edges: Problem::merge_parallel_edges(
            edges.iter().map(|&(from, to, distance, bytes)| Edge { from, to, distance, bytes }).collect(),
        ),
        link,
        objective,
        network: None,
    }
}

/// One latency cycle plus one cycle per byte.
const LINK: Option<Link> = Some(Link { latency_cycles: 1, bytes_per_cycle: 1 });
const ONE_ITERATION: Objective = Objective::Makespan { iterations: 1 };

fn list_value(p: &Problem) -> u64 {
    let s = schedule(p).expect("the list scheduler returns a schedule");
    validate(p, &s).unwrap_or_else(|v| panic!("invalid list schedule: {v}"));
    s.value(p)
}

#[test]
fn fork_splits_when_transfer_is_short() {
    // a (2) feeds b (4) and c (4), one byte each (transfer 2 cycles). On one
    // array: 2 + 4 + 4 = 10. Split: b on a's array at 2..6, c elsewhere at
    // 2 + 2 = 4..8, so 8. Better splits do not exist: c or b must leave
    // a's array (else 10), and then it starts no earlier than 4.
    let p = problem(2, &[&[2], &[4], &[4]], &[(0, 1, 0, 1), (0, 2, 0, 1)], LINK, ONE_ITERATION);
    assert_eq!(list_value(&p), 8);
}

#[test]
fn fork_stays_when_transfer_is_long() {
    // The same fork with 20-byte edges (21 cycles): moving b or c costs at
    // least 2 + 21 + 4 = 27 > 10, so everything stays on one array.
    let p = problem(2, &[&[2], &[4], &[4]], &[(0, 1, 0, 20), (0, 2, 0, 20)], LINK, ONE_ITERATION);
    assert_eq!(list_value(&p), 10);
}

#[test]
fn chain_on_two_arrays_stays_on_one() {
    // a (3) → b (2) → c (4) with 5-byte edges: any split adds 6 cycles, so
    // the critical path 9 is reached only on one array.
    let p = problem(2, &[&[3], &[2], &[4]], &[(0, 1, 0, 5), (1, 2, 0, 5)], LINK, ONE_ITERATION);
    let s = schedule(&p).unwrap();
    validate(&p, &s).unwrap();
    assert_eq!(s.value(&p), 9);
    assert!(s.placements.iter().all(|pl| pl.array == s.placements[0].array));
}

#[test]
fn independent_tasks_stay_within_list_bound() {
    // 3, 3, 2, 2, 2 on 2 arrays: the optimum is 6 (3 + 3 and 2 + 2 + 2);
    // longest-first list scheduling gives 3 | 3, then 2 | 2, then 2 → 7.
    let p = problem(2, &[&[3], &[3], &[2], &[2], &[2]], &[], None, ONE_ITERATION);
    let value = list_value(&p);
    assert!(value >= 6, "below the optimum 6: {value}");
    assert!(value <= 7, "worse than plain list scheduling: {value}");
}

#[test]
fn unrolled_iterations_follow_distance_edges() {
    // a (3) → b (2) and b → a with distance 1, 2 iterations: the copies form
    // the chain a0 b0 a1 b1 of 10 cycles; c (4) in each iteration fits on
    // the other array.
    let p = problem(2, &[&[3], &[2], &[4]], &[(0, 1, 0, 0), (1, 0, 1, 0)], None, Objective::Makespan { iterations: 2 });
    assert_eq!(list_value(&p), 10);
}

#[test]
fn insertion_fills_idle_gap() {
    // a (2 on array 0) → b (2 on array 1) with a 2-cycle transfer leaves
    // array 1 idle during 0..4. c (1 on array 1) has the lowest bottom level
    // and goes last, but fits into that gap: it runs at 0..1 and the
    // makespan is b's end, 6. Appended after b it would end at 7.
    let p = problem(2, &[&[2, 100], &[100, 2], &[100, 1]], &[(0, 1, 0, 1)], LINK, ONE_ITERATION);
    let s = schedule(&p).unwrap();
    validate(&p, &s).unwrap();
    assert_eq!(s.value(&p), 6);
    assert_eq!(s.placement(2, 0).map(|c| (c.array, c.start)), Some((1, 0)));
}

#[test]
fn heterogeneous_arrays_pick_fast_array() {
    // x takes 2 on array 0 and 10 on array 1; y the reverse. Each goes to
    // its fast array: makespan 2.
    let p = problem(2, &[&[2, 10], &[10, 2]], &[], None, ONE_ITERATION);
    assert_eq!(list_value(&p), 2);

    // a (1 | 5) → b (5 | 1) with a one-byte edge (2 cycles): a on array 0
    // ends at 1, b on array 1 starts at 3 and ends at 4; on one array it
    // would end at 6.
    let p = problem(2, &[&[1, 5], &[5, 1]], &[(0, 1, 0, 1)], LINK, ONE_ITERATION);
    assert_eq!(list_value(&p), 4);
}

#[test]
fn period_meets_tight_iteration_bound() {
    // a (3) → b (2), b → a with distance 1, c (4) alone, 2 arrays: the cycle
    // gives the iteration bound 5 and the load bound is ⌈9/2⌉ = 5. a and b
    // on one array (no transfer) and c on the other reach 5.
    let p = problem(2, &[&[3], &[2], &[4]], &[(0, 1, 0, 4), (1, 0, 1, 0)], LINK, Objective::Period);
    assert_eq!(basic_lower_bound(&p), 5);
    assert_eq!(list_value(&p), 5);
}

#[test]
fn period_straddles_boundary_under_cycle() {
    // a (2) → b (3), b → a with distance 2, 2 arrays, free transfers: the
    // iteration bound is ⌈5/2⌉ = 3, as is the longest task. Period 3: a at
    // 0..2 on array 0, b at 2..5 on array 1 (occupying 2..3 and 0..2 modulo
    // 3); b → a is met because 0 + 2·3 ≥ 5.
    let p = problem(2, &[&[2], &[3]], &[(0, 1, 0, 0), (1, 0, 2, 0)], None, Objective::Period);
    assert_eq!(basic_lower_bound(&p), 3);
    assert_eq!(list_value(&p), 3);
}

#[test]
fn period_on_heterogeneous_arrays() {
    // a (1 | 5) → b (5 | 1) with a 2-cycle transfer: a on array 0 and b on
    // array 1 each occupy 1 cycle per period, so period 1 (the lower bound)
    // is reached with b straddling several periods.
    let p = problem(2, &[&[1, 5], &[5, 1]], &[(0, 1, 0, 1)], LINK, Objective::Period);
    assert_eq!(list_value(&p), 1);
}

#[test]
fn assignment_is_respected() {
    for objective in [Objective::Period, Objective::Makespan { iterations: 3 }] {
        let p = random_problem(40, 3, 7, objective);
        let assignment: Vec<usize> = (0..p.tasks.len()).map(|t| (t * 7) % 3).collect();
        let s = schedule_with_assignment(&p, &assignment).expect("a valid assignment has a schedule");
        validate(&p, &s).unwrap();
        for placement in &s.placements {
            assert_eq!(placement.array, assignment[placement.task], "{objective:?}");
        }
    }
}

#[test]
fn assignment_on_one_array_is_serial() {
    // All of 3, 3, 2, 2, 2 forced onto array 1: 12 cycles.
    let p = problem(2, &[&[3], &[3], &[2], &[2], &[2]], &[], None, ONE_ITERATION);
    let s = schedule_with_assignment(&p, &[1; 5]).unwrap();
    validate(&p, &s).unwrap();
    assert_eq!(s.value(&p), 12);
}

#[test]
fn assignment_with_wrong_shape_is_rejected() {
    let p = problem(2, &[&[3], &[3]], &[], None, ONE_ITERATION);
    assert!(schedule_with_assignment(&p, &[0]).is_none());
    assert!(schedule_with_assignment(&p, &[0, 2]).is_none());
}

#[test]
fn loaded_task_graph_file_schedules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("five.yaml");
    std::fs::write(
        &path,
        "name: five\nprocessors: 2\nobjective: makespan\ntasks:\n  - {id: a, duration: 3}\n  - {id: b, duration: 3}\n  - {id: c, duration: 2, after: [a]}\n  - {id: d, duration: 2, after: [b]}\n",
    )
    .unwrap();
    let p = crate::problem::load(&path, Default::default()).unwrap();
    // Two independent chains of 5 on two arrays.
    assert_eq!(list_value(&p), 5);
}

/// A random problem: `n` tasks, each with up to three edges to earlier
/// tasks, a few distance edges back, heterogeneous durations and a link.
fn random_problem(n: usize, arrays: usize, seed: u64, objective: Objective) -> Problem {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |bound: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % bound
    };
    let durations: Vec<Vec<u64>> = (0..n).map(|_| (0..arrays).map(|_| 1 + next(20)).collect()).collect();
    let mut edges = Vec::new();
    for to in 1..n {
        for _ in 0..next(4) {
            let from = next(to as u64) as usize;
            edges.push((from, to, 0, next(16)));
        }
    }
    for _ in 0..n / 10 {
        let from = next(n as u64) as usize;
        let to = next(n as u64) as usize;
        edges.push((from, to, 1 + next(3) as u32, next(16)));
    }
    let refs: Vec<&[u64]> = durations.iter().map(|d| d.as_slice()).collect();
    problem(arrays, &refs, &edges, Some(Link { latency_cycles: 2, bytes_per_cycle: 4 }), objective)
}

#[test]
fn random_problems_give_valid_schedules() {
    for seed in 0..12 {
        for objective in [Objective::Period, Objective::Makespan { iterations: 1 }, Objective::Makespan { iterations: 4 }] {
            let p = random_problem(30 + 5 * seed as usize, 1 + seed as usize % 4, seed, objective);
            let s = schedule(&p).unwrap();
            validate(&p, &s).unwrap_or_else(|v| panic!("seed {seed} {objective:?}: {v}"));
            let value = s.value(&p);
            assert!(value >= basic_lower_bound(&p), "seed {seed} {objective:?}: {value} below the lower bound");
            assert!(value <= sequential_schedule(&p).value(&p), "seed {seed} {objective:?}: worse than sequential");

            let assignment: Vec<usize> = (0..p.tasks.len()).map(|t| (t + seed as usize) % p.array_count()).collect();
            let fixed = schedule_with_assignment(&p, &assignment).unwrap();
            validate(&p, &fixed).unwrap_or_else(|v| panic!("seed {seed} {objective:?} fixed: {v}"));
            assert!(fixed.placements.iter().all(|pl| pl.array == assignment[pl.task]), "seed {seed} {objective:?}");
            assert!(fixed.value(&p) >= basic_lower_bound(&p), "seed {seed} {objective:?}: fixed below the lower bound");
        }
    }
}

#[test]
fn makespan_beats_sequential_on_parallel_graph() {
    // 100 independent tasks of 1 to 20 cycles on 4 identical arrays: a list
    // schedule ends within one task of the load bound (Graham 1966: at most
    // work/P + the longest task).
    let p = random_problem(100, 4, 3, ONE_ITERATION);
    let independent = Problem { edges: Vec::new(), link: None, tasks: p.tasks.iter().map(|t| Task { durations: vec![t.durations[0]; 4], ..t.clone() }).collect(), ..p };
    let value = list_value(&independent);
    let work: u64 = independent.tasks.iter().map(|t| t.durations[0]).sum();
    assert!(value <= work.div_ceil(4) + 20, "{value} exceeds load bound {} plus the longest task", work.div_ceil(4));
}

/// Timing on 1000-task random graphs, the fastest of 5 runs; run with
/// `cargo test --release -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing_on_thousand_tasks() {
    let cases = [
        (ONE_ITERATION, "makespan"),
        (Objective::Makespan { iterations: 10 }, "makespan of 10 iterations"),
        (Objective::Makespan { iterations: 100 }, "makespan of 100 iterations"),
        (Objective::Period, "period"),
    ];
    for (objective, name) in cases {
        for arrays in [2, 4, 8] {
            let p = random_problem(1000, arrays, 42, objective);
            let mut fastest = f64::INFINITY;
            let mut s = None;
            for _ in 0..5 {
                let started = Instant::now();
                s = schedule(&p);
                fastest = fastest.min(started.elapsed().as_secs_f64());
            }
            let s = s.unwrap();
            validate(&p, &s).unwrap();
            println!(
                "{name}, 1000 tasks, {} edges, {arrays} arrays: value {}, lower bound {}, sequential {}, {:.1} ms",
                p.edges.len(),
                s.value(&p),
                basic_lower_bound(&p),
                sequential_schedule(&p).value(&p),
                fastest * 1e3
            );
        }
    }
}

/// Values and times of the list and standard schedulers on every problem
/// file in the folder named by `SPIKEPIPE_SURVEY_DIR`; run with
/// `cargo test --release -- --ignored --nocapture survey`.
#[test]
#[ignore]
fn survey_of_problem_folder() {
    let Ok(folder) = std::env::var("SPIKEPIPE_SURVEY_DIR") else { return };
    let mut paths: Vec<_> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let p = crate::problem::load(path, Default::default()).unwrap();
        let started = Instant::now();
        let s = schedule(&p).unwrap();
        let list_ms = started.elapsed().as_secs_f64() * 1e3;
        validate(&p, &s).unwrap();
        let started = Instant::now();
        let standard = crate::sched::standard::schedule(&p, &Default::default());
        let standard_ms = started.elapsed().as_secs_f64() * 1e3;
        let stage_load = crate::sched::standard::stage_assignment(&p).map(|assignment| {
            let mut loads = vec![0u64; p.array_count()];
            for (task, &array) in assignment.iter().enumerate() {
                loads[array] += p.duration(task, array);
            }
            loads.into_iter().max().unwrap_or(0)
        });
        println!(
            "{}: {} tasks, lower bound {}, list {} ({list_ms:.1} ms), largest stage load {stage_load:?}, standard {:?} ({standard_ms:.1} ms), sequential {}",
            p.name,
            p.tasks.len(),
            basic_lower_bound(&p),
            s.value(&p),
            standard.map(|s| s.value(&p)),
            sequential_schedule(&p).value(&p)
        );
    }
}

#[test]
fn empty_problem_schedules() {
    for objective in [Objective::Period, Objective::Makespan { iterations: 3 }] {
        let p = problem(2, &[], &[], None, objective);
        let s = schedule(&p).unwrap();
        validate(&p, &s).unwrap();
        assert!(s.placements.is_empty());
    }
}

#[test]
fn zero_duration_tasks_schedule() {
    // b takes no time: a (3) → b (0) → c (2) with free transfers is a chain
    // of 5 cycles, and b occupies no array.
    for objective in [ONE_ITERATION, Objective::Makespan { iterations: 2 }, Objective::Period] {
        let p = problem(2, &[&[3], &[0], &[2], &[0]], &[(0, 1, 0, 0), (1, 2, 0, 0), (2, 0, 1, 0)], None, objective);
        let s = schedule(&p).unwrap();
        validate(&p, &s).unwrap_or_else(|v| panic!("{objective:?}: {v}"));
        let expected = match objective {
            Objective::Period => 5,
            Objective::Makespan { iterations } => 5 * u64::from(iterations),
        };
        assert_eq!(s.value(&p), expected, "{objective:?}");
    }
}

#[test]
fn single_array_equals_total_work() {
    let p = random_problem(60, 1, 5, ONE_ITERATION);
    let work: u64 = p.tasks.iter().map(|t| t.durations[0]).sum();
    assert_eq!(list_value(&p), work);
}

#[test]
fn huge_durations_do_not_overflow() {
    // Durations of 2^40 cycles, the largest a problem file accepts.
    let big = 1u64 << 40;
    for objective in [Objective::Period, Objective::Makespan { iterations: 3 }] {
        let p = problem(2, &[&[big], &[big], &[big]], &[(0, 1, 0, 1 << 40), (1, 2, 1, 7)], LINK, objective);
        let s = schedule(&p).unwrap();
        validate(&p, &s).unwrap_or_else(|v| panic!("{objective:?}: {v}"));
        assert!(s.value(&p) >= basic_lower_bound(&p));
    }
}


/// Timing on 5000- and 20000-task random graphs on 4 arrays; run with
/// `cargo test --release -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing_on_large_graphs() {
    for n in [5000usize, 20000] {
        for objective in [ONE_ITERATION, Objective::Period] {
            let p = random_problem(n, 4, 9, objective);
            let started = Instant::now();
            let s = schedule(&p).unwrap();
            let milliseconds = started.elapsed().as_secs_f64() * 1e3;
            validate(&p, &s).unwrap();
            println!("{n} tasks, {objective:?}: value {} in {milliseconds:.0} ms", s.value(&p));
        }
    }
}


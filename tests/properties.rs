//! Property tests: every scheduler's output on random small task graphs and
//! networks passes the independent validator, the ILP is never worse than
//! the list heuristic nor below its own lower bound, and a periodic schedule
//! unrolled over several iterations obeys the makespan rules.
//!
//! Problems are written as YAML and loaded through the same path as files
//! on the command line, so the loader's validation is exercised too.

use proptest::prelude::*;
use spikepipe::problem::{Objective, Problem};
use spikepipe::sched::{self, SchedulerKind, SolveOptions};
use spikepipe::schedule::{Placement, Schedule, Timing};
use std::path::Path;
use std::time::Duration;

/// Cases per solver property: the ILP runs in each, with a time limit of
/// one second, so the file stays well under a minute even when every solve
/// runs to its limit.
const TASK_GRAPH_CASES: u32 = 16;
const NETWORK_CASES: u32 = 12;

fn options() -> SolveOptions {
    SolveOptions { time_limit: Duration::from_secs(1), threads: Some(1), ..SolveOptions::default() }
}

fn load(text: &str) -> Problem {
    let path = Path::new("generated.yaml");
    let spec = spikepipe::problem::parse_problem_spec(path, text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    spikepipe::problem::build(path, &spec).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The objective lines of a problem file.
fn objective_yaml(makespan_iterations: Option<u32>) -> String {
    match makespan_iterations {
        Some(n) => format!("objective: makespan\niterations: {n}\n"),
        None => "objective: period\n".into(),
    }
}

/// A random task graph: edges from a lower to a higher task may have
/// distance 0; edges backwards (or to the same task) get distance 1 to 3, so
/// that no cycle has distance 0.
fn task_graph() -> impl Strategy<Value = String> {
    let tasks = 1usize..=6;
    tasks
        .prop_flat_map(|n| {
            let durations = proptest::collection::vec(0u64..=20, n);
            let edges = proptest::collection::vec((0..n, 0..n, 0u32..=3, 0u64..=64), 0..=2 * n);
            let processors = 1u64..=3;
            let link = proptest::option::of((0u64..=5, 1u64..=16));
            let objective = proptest::option::of(1u32..=3);
            (durations, edges, processors, link, objective)
        })
        .prop_map(|(durations, edges, processors, link, objective)| {
            let mut text = format!("name: random\nprocessors: {processors}\n{}", objective_yaml(objective));
            if let Some((latency, bandwidth)) = link {
                text.push_str(&format!("link: {{latency_cycles: {latency}, bytes_per_cycle: {bandwidth}}}\n"));
            }
            text.push_str("tasks:\n");
            for (id, duration) in durations.iter().enumerate() {
                text.push_str(&format!("  - {{id: t{id}, duration: {duration}}}\n"));
            }
            text.push_str("edges:\n");
            for (from, to, distance, bytes) in edges {
                let distance = if from < to { distance } else { distance.max(1) };
                text.push_str(&format!("  - {{from: t{from}, to: t{to}, distance: {distance}, bytes: {bytes}}}\n"));
            }
            text
        })
}

/// One random layer, given whether its input is still spatial.
#[derive(Debug, Clone)]
enum LayerChoice {
    Fc { out: u64 },
    Conv { out: u64, kernel: u64, padding: u64 },
    Pool { kernel: u64 },
}

/// A random small network on 1 to 3 arrays of possibly different sizes:
/// optional conv and pool layers on an 8x8 input (kernels of at most 3, so
/// every shape is valid), then one or two fc layers.
fn network() -> impl Strategy<Value = String> {
    let spatial = proptest::collection::vec(
        prop_oneof![
            (1u64..=4, 1u64..=3, 0u64..=1).prop_map(|(out, kernel, padding)| LayerChoice::Conv {
                out,
                kernel,
                padding: padding.min(kernel - 1)
            }),
            (2u64..=2).prop_map(|kernel| LayerChoice::Pool { kernel }),
        ],
        0..=2,
    );
    let fc = proptest::collection::vec((1u64..=16).prop_map(|out| LayerChoice::Fc { out }), 1..=2);
    let arrays = proptest::collection::vec((2u64..=16, 2u64..=16, 0usize..3), 1..=3);
    let link = proptest::option::of((0u64..=20, 1u64..=64));
    let objective = proptest::option::of(1u32..=2);
    let delay = prop_oneof![Just("synchronous".to_string()), Just("pipedream".to_string()), (1u32..=3).prop_map(|d| d.to_string())];
    (spatial, fc, arrays, link, objective, delay, 1u64..=4, 1u64..=3).prop_map(
        |(spatial, fc, arrays, link, objective, delay, batch, timesteps)| {
            let input = if spatial.is_empty() { "[12]" } else { "[2, 8, 8]" };
            let mut text = format!(
                "name: random-net\nnetwork:\n  name: net\n  input: {input}\n  timesteps: {timesteps}\n  batch: {batch}\n  layers:\n"
            );
            for layer in spatial.iter().chain(&fc) {
                let line = match layer {
                    LayerChoice::Fc { out } => format!("{{type: fc, out: {out}}}"),
                    LayerChoice::Conv { out, kernel, padding } => {
                        format!("{{type: conv, out: {out}, kernel: {kernel}, padding: {padding}}}")
                    }
                    LayerChoice::Pool { kernel } => format!("{{type: pool, kernel: {kernel}}}"),
                };
                text.push_str(&format!("    - {line}\n"));
            }
            text.push_str("arrays:\n");
            let dataflows = ["output-stationary", "weight-stationary", "input-stationary"];
            for (rows, cols, dataflow) in arrays {
                text.push_str(&format!("  - {{count: 1, rows: {rows}, cols: {cols}, dataflow: {}}}\n", dataflows[dataflow]));
            }
            if let Some((latency, bandwidth)) = link {
                text.push_str(&format!("link: {{latency_cycles: {latency}, bytes_per_cycle: {bandwidth}}}\n"));
            }
            text.push_str(&format!("gradient_delay: {delay}\n{}", objective_yaml(objective)));
            text
        },
    )
}

/// Runs every applicable scheduler and checks the shared properties; returns
/// the schedules by scheduler.
fn check_all_schedulers(problem: &Problem) -> Result<Vec<(SchedulerKind, Schedule)>, TestCaseError> {
    let mut schedules = Vec::new();
    let mut values = std::collections::HashMap::new();
    for kind in SchedulerKind::ALL {
        if !sched::applies(kind, problem) {
            continue;
        }
        let outcome = sched::run(problem, kind, &options(), None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Some(schedule) = outcome.schedule else { continue };
        if let Err(violation) = spikepipe::validate::validate(problem, &schedule) {
            return Err(TestCaseError::fail(format!("{} schedule is invalid: {violation}", kind.name())));
        }
        let value = schedule.value(problem);
        prop_assert!(
            value >= outcome.lower_bound,
            "{}: value {value} is below its lower bound {}",
            kind.name(),
            outcome.lower_bound
        );
        prop_assert!(outcome.lower_bound >= spikepipe::graph::basic_lower_bound(problem) || kind != SchedulerKind::Ilp);
        values.insert(kind, value);
        schedules.push((kind, schedule));
    }
    if let Some(&list) = values.get(&SchedulerKind::List) {
        let ilp = values.get(&SchedulerKind::Ilp).copied();
        prop_assert!(ilp.is_some(), "the ILP found no schedule where the list heuristic did");
        prop_assert!(ilp.unwrap() <= list, "ILP value {} is worse than the list value {list}", ilp.unwrap());
    }
    if let (Some(&standard), Some(&ilp)) = (values.get(&SchedulerKind::Standard), values.get(&SchedulerKind::Ilp)) {
        prop_assert!(ilp <= standard, "ILP value {ilp} is worse than the standard value {standard}");
    }
    Ok(schedules)
}

/// Copy `i` of every task at `start + i · period` on the same array, as a
/// makespan schedule of `iterations` iterations.
fn unroll(schedule: &Schedule, iterations: u32) -> Schedule {
    let Timing::Periodic { period } = schedule.timing else { panic!("not periodic") };
    let mut placements = Vec::new();
    for i in 0..iterations {
        for p in &schedule.placements {
            placements.push(Placement { iteration: i, start: p.start + u64::from(i) * period, ..*p });
        }
    }
    let mut unrolled = Schedule { timing: Timing::Makespan { iterations }, placements };
    unrolled.canonicalize();
    unrolled
}

/// A periodic schedule, unrolled, must obey the makespan rules.
fn check_unrolled(problem: &Problem, schedules: &[(SchedulerKind, Schedule)]) -> Result<(), TestCaseError> {
    if problem.objective != Objective::Period {
        return Ok(());
    }
    for iterations in [2u32, 5] {
        let mut unrolled_problem = problem.clone();
        unrolled_problem.objective = Objective::Makespan { iterations };
        for (kind, schedule) in schedules {
            if let Err(violation) = spikepipe::validate::validate(&unrolled_problem, &unroll(schedule, iterations)) {
                return Err(TestCaseError::fail(format!(
                    "{} schedule unrolled over {iterations} iterations is invalid: {violation}",
                    kind.name()
                )));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(TASK_GRAPH_CASES))]

    #[test]
    fn task_graph_schedules_are_valid(text in task_graph()) {
        let problem = load(&text);
        let schedules = check_all_schedulers(&problem)?;
        check_unrolled(&problem, &schedules)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(NETWORK_CASES))]

    #[test]
    fn network_schedules_are_valid(text in network()) {
        let problem = load(&text);
        let schedules = check_all_schedulers(&problem)?;
        check_unrolled(&problem, &schedules)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The same problem gives the same list schedule on every run.
    #[test]
    fn list_schedule_is_repeatable(text in task_graph()) {
        let problem = load(&text);
        let first = sched::run(&problem, SchedulerKind::List, &options(), None).unwrap().schedule;
        let second = sched::run(&problem, SchedulerKind::List, &options(), None).unwrap().schedule;
        prop_assert_eq!(first, second);
    }

    /// Loading accepts every generated network and gives each task a
    /// duration on every array.
    #[test]
    fn generated_networks_load(text in network()) {
        let problem = load(&text);
        prop_assert!(problem.tasks.iter().all(|t| t.durations.len() == problem.array_count()));
    }
}

/// The unrolling itself must be able to fail: a periodic schedule whose
/// period is too short for one array breaks the overlap rule once unrolled.
#[test]
fn unrolled_overlap_is_detected() {
    let problem = load("name: two\nprocessors: 1\nobjective: period\ntasks:\n  - {id: a, duration: 3}\n  - {id: b, duration: 3}\n");
    let schedule = Schedule {
        timing: Timing::Periodic { period: 4 },
        placements: vec![
            Placement { task: 0, iteration: 0, array: 0, start: 0 },
            Placement { task: 1, iteration: 0, array: 0, start: 3 },
        ],
    };
    // Periodic validation already rejects it: occupancy 6 > period 4.
    assert!(spikepipe::validate::validate(&problem, &schedule).is_err());
    let mut unrolled_problem = problem.clone();
    unrolled_problem.objective = Objective::Makespan { iterations: 2 };
    // b of iteration 0 runs 3..6 and a of iteration 1 runs 4..7.
    assert!(spikepipe::validate::validate(&unrolled_problem, &unroll(&schedule, 2)).is_err());
}

/// Whether some cycle has Σ dur − period · Σ distance > 0, by the textbook
/// Bellman-Ford: n passes over the edges in file order.
fn classic_positive_cycle(problem: &Problem, period: u64) -> bool {
    let n = problem.tasks.len();
    let mut dist = vec![0i128; n];
    for _ in 0..=n {
        let mut changed = false;
        for e in &problem.edges {
            let w = problem.min_duration(e.from) as i128 - period as i128 * i128::from(e.distance);
            if dist[e.from] + w > dist[e.to] {
                dist[e.to] = dist[e.from] + w;
                changed = true;
            }
        }
        if !changed {
            return false;
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The iteration bound equals the smallest integer period at which the
    /// textbook Bellman-Ford finds no positive cycle, searched upwards.
    #[test]
    fn iteration_bound_matches_textbook_search(text in task_graph()) {
        let problem = load(&text);
        let expected = if classic_positive_cycle(&problem, 0) {
            (1..).find(|&period| !classic_positive_cycle(&problem, period)).unwrap()
        } else {
            0
        };
        prop_assert_eq!(spikepipe::graph::iteration_bound(&problem), expected);
    }
}

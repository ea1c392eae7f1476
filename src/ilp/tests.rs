use super::*;
use crate::cost::Link;
use crate::problem::{Edge, LoadOptions, Task};
use std::path::Path;
use std::time::Duration;

/// Builds a task graph on `processors` identical processors from edges
/// (from, to, distance, bytes).
fn graph(processors: usize, durations: &[u64], edges: &[(usize, usize, u32, u64)], link: Option<Link>, objective: Objective) -> Problem {
    Problem {
        name: "test".into(),
        source: "test.yaml".into(),
        arrays: vec![None; processors],
        tasks: durations
            .iter()
            .enumerate()
            .map(|(i, &d)| Task { name: format!("t{i}"), layer: None, kind: None, gemm: None, durations: vec![d; processors] })
            .collect(),
        edges: Problem::merge_parallel_edges(
            edges.iter().map(|&(from, to, distance, bytes)| Edge { from, to, distance, bytes }).collect(),
        ),
        link,
        objective,
        network: None,
    }
}

fn options(seconds: u64) -> SolveOptions {
    SolveOptions { time_limit: Duration::from_secs(seconds), threads: Some(1), ..SolveOptions::default() }
}

/// Runs the ILP and checks what every outcome must meet: a valid schedule,
/// a value not above the warm start's, a lower bound not above the value and
/// not below the basic bound.
fn run(problem: &Problem, incumbent: Option<Schedule>, fixed: Option<&[usize]>, seconds: u64) -> (u64, Outcome) {
    let warm_value = incumbent.as_ref().map(|s| s.value(problem));
    let outcome = solve(problem, &options(seconds), incumbent, fixed);
    let schedule = outcome.schedule.as_ref().expect("the ILP returns a schedule");
    crate::validate::validate(problem, schedule).expect("the ILP schedule is valid");
    let value = schedule.value(problem);
    if let Some(warm) = warm_value {
        assert!(value <= warm, "value {value} is worse than the warm start {warm}");
    }
    assert!(outcome.lower_bound <= value, "lower bound {} above value {value}", outcome.lower_bound);
    assert!(outcome.lower_bound >= crate::graph::basic_lower_bound(problem));
    if let Some(fixed) = fixed {
        assert!(schedule.placements.iter().all(|p| p.array == fixed[p.task]), "a task left its fixed array");
    }
    (value, outcome)
}

fn makespan_schedule(iterations: u32, placements: &[(usize, u32, usize, u64)]) -> Schedule {
    Schedule {
        timing: Timing::Makespan { iterations },
        placements: placements.iter().map(|&(task, iteration, array, start)| Placement { task, iteration, array, start }).collect(),
    }
}

#[test]
fn makespan_beats_list_scheduling() {
    // Tasks 3, 3, 2, 2, 2 on 2 processors. LPT list scheduling puts the 3s on
    // both processors, then the 2s at 3, 3 and 5: makespan 7. The total work
    // 12 gives makespan ≥ 6, and {3, 3} | {2, 2, 2} reaches 6.
    let problem = graph(2, &[3, 3, 2, 2, 2], &[], None, Objective::Makespan { iterations: 1 });
    let lpt = makespan_schedule(1, &[(0, 0, 0, 0), (1, 0, 1, 0), (2, 0, 0, 3), (3, 0, 1, 3), (4, 0, 0, 5)]);
    crate::validate::validate(&problem, &lpt).unwrap();
    assert_eq!(lpt.value(&problem), 7);
    let (value, outcome) = run(&problem, Some(lpt), None, 10);
    assert_eq!(value, 6);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn makespan_scaled_durations_stay_exact() {
    // The instance above with every duration times 10^7: optimum 6·10^7.
    let scale = 10_000_000;
    let problem = graph(2, &[3 * scale, 3 * scale, 2 * scale, 2 * scale, 2 * scale], &[], None, Objective::Makespan { iterations: 1 });
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 6 * scale);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn makespan_pays_for_communication() {
    // a(2) → b(2) and a(2) → c(2) on 2 processors, each edge carrying `bytes`
    // over a link of 0 latency and 1 byte per cycle. All on one processor:
    // 6. Otherwise b or c runs away from a, starts at ≥ 2 + bytes and ends at
    // ≥ 4 + bytes, and the remaining two tasks share a's processor (end ≥ 4).
    // Optimum: min(6, 4 + bytes), for bytes ≥ 1.
    for (bytes, optimum) in [(1, 5), (2, 6), (3, 6)] {
        let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
        let problem = graph(2, &[2, 2, 2], &[(0, 1, 0, bytes), (0, 2, 0, bytes)], link, Objective::Makespan { iterations: 1 });
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(value, optimum, "bytes {bytes}");
        assert_eq!(outcome.status, Status::Optimal, "bytes {bytes}");
    }
}

#[test]
fn makespan_unrolls_iterations() {
    // a(2) → b(3) with b → a at distance 1, 2 iterations, 2 processors, free
    // transfers: the four copies form one chain a0 b0 a1 b1 of length 10, so
    // the optimum is the critical path 10.
    let problem = graph(2, &[2, 3], &[(0, 1, 0, 0), (1, 0, 1, 0)], None, Objective::Makespan { iterations: 2 });
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 10);
    assert_eq!(outcome.status, Status::Optimal);

    // Without the back edge the two iterations may overlap; compare with
    // enumeration.
    let problem = graph(2, &[2, 3], &[(0, 1, 0, 0)], None, Objective::Makespan { iterations: 2 });
    let (value, _) = run(&problem, None, None, 10);
    assert_eq!(value, brute_force_makespan(&problem));
}

#[test]
fn period_needs_a_straddling_task() {
    // Tasks a(1), b(1), x(3), y(3) on 2 processors; edges a → b and b → a at
    // distance 1, each transfer 1 cycle. The load bound gives T ≥ 8/2 = 4.
    // At T = 4 both processors are full, so the split is {a, x} | {b, y} or
    // {a, y} | {b, x}; a and b then run apart, and the cycle a → b → a has
    // 1 + 1 + 1 + 1 = 4 = T, so s(b) = s(a) + 2 exactly. The task boundaries
    // are then {s(a), s(a) + 1} on one processor and {s(a) + 2, s(a) + 3} on
    // the other (mod 4): no common boundary, so some task straddles a period
    // boundary. T = 4 is reached by a 0..1, x 1..4, b 2..3, y 3..6.
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[1, 1, 3, 3], &[(0, 1, 0, 1), (1, 0, 1, 1)], link, Objective::Period);
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 4);
    assert_eq!(outcome.status, Status::Optimal);
    let schedule = outcome.schedule.unwrap();
    let straddles = schedule.placements.iter().any(|p| p.start % 4 + problem.duration(p.task, p.array) > 4);
    assert!(straddles, "some task must straddle the period boundary");
}

#[test]
fn period_scaled_durations_stay_exact() {
    // The straddle instance with every duration and transfer times 10^7.
    let scale = 10_000_000;
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[scale, scale, 3 * scale, 3 * scale], &[(0, 1, 0, scale), (1, 0, 1, scale)], link, Objective::Period);
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 4 * scale);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn period_proves_bound_above_basic_bound() {
    // Tasks 3, 3, 2 on 2 processors: the load bound is ⌈8/2⌉ = 4, but no
    // split puts at most 4 on each processor ({3} | {3, 2} is the best), so
    // the optimum is 5, and the search must prove T = 4 infeasible.
    let problem = graph(2, &[3, 3, 2], &[], None, Objective::Period);
    assert_eq!(crate::graph::basic_lower_bound(&problem), 4);
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 5);
    assert_eq!(outcome.status, Status::Optimal);
    assert_eq!(outcome.lower_bound, 5);
}

#[test]
fn fixed_assignment_is_followed() {
    // Tasks 3, 3, 2, 2, 2 with a fixed assignment: the makespan is the
    // busier processor's load, 6 for {0, 1} | {2, 3, 4} and 7 for
    // {0, 2, 4} | {1, 3}.
    let problem = graph(2, &[3, 3, 2, 2, 2], &[], None, Objective::Makespan { iterations: 1 });
    for (fixed, optimum) in [(vec![0, 0, 1, 1, 1], 6), (vec![0, 1, 0, 1, 0], 7)] {
        let (value, outcome) = run(&problem, None, Some(&fixed), 10);
        assert_eq!(value, optimum);
        assert_eq!(outcome.status, Status::Optimal);
    }

    // a(2) → b(2) forced apart over a 3-cycle transfer: 2 + 3 + 2 = 7, though
    // one processor alone would take 4.
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[2, 2], &[(0, 1, 0, 3)], link, Objective::Makespan { iterations: 1 });
    let (value, outcome) = run(&problem, None, Some(&[0, 1]), 10);
    assert_eq!(value, 7);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn fixed_assignment_period_keeps_straddle() {
    // The straddle instance with {a, x} on 0 and {b, y} on 1: still T = 4.
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[1, 1, 3, 3], &[(0, 1, 0, 1), (1, 0, 1, 1)], link, Objective::Period);
    let (value, outcome) = run(&problem, None, Some(&[0, 1, 0, 1]), 10);
    assert_eq!(value, 4);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn invalid_fixed_assignment_is_infeasible() {
    let problem = graph(2, &[3, 3], &[], None, Objective::Makespan { iterations: 1 });
    for fixed in [vec![0], vec![0, 2]] {
        let outcome = solve(&problem, &options(5), None, Some(&fixed));
        assert_eq!(outcome.status, Status::Infeasible);
        assert!(outcome.schedule.is_none());
    }
}

#[test]
fn warm_start_not_following_assignment_is_ignored() {
    let problem = graph(2, &[3, 3], &[], None, Objective::Makespan { iterations: 1 });
    // Makespan 3 with the tasks apart, but the assignment puts both on 1.
    let apart = makespan_schedule(1, &[(0, 0, 0, 0), (1, 0, 1, 0)]);
    let (value, outcome) = run(&problem, None, Some(&[1, 1]), 5);
    assert_eq!(value, 6);
    assert_eq!(outcome.status, Status::Optimal);
    let outcome = solve(&problem, &options(5), Some(apart), Some(&[1, 1]));
    assert_eq!(outcome.schedule.map(|s| s.value(&problem)), Some(6));
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn invalid_warm_start_is_ignored() {
    // b starts before a ends on the same processor.
    let problem = graph(2, &[3, 3], &[(0, 1, 0, 0)], None, Objective::Makespan { iterations: 1 });
    let overlapping = makespan_schedule(1, &[(0, 0, 0, 0), (1, 0, 0, 1)]);
    assert!(crate::validate::validate(&problem, &overlapping).is_err());
    let outcome = solve(&problem, &options(5), Some(overlapping), None);
    let schedule = outcome.schedule.expect("the ILP returns a schedule");
    crate::validate::validate(&problem, &schedule).unwrap();
    assert_eq!(schedule.value(&problem), 6);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn optimal_warm_start_is_kept() {
    // Makespan 3 equals the load bound ⌈6/2⌉, so there is nothing to improve.
    let problem = graph(2, &[3, 3], &[], None, Objective::Makespan { iterations: 1 });
    let warm = makespan_schedule(1, &[(0, 0, 1, 0), (1, 0, 0, 0)]);
    let (value, outcome) = run(&problem, Some(warm.clone()), None, 5);
    assert_eq!(value, 3);
    assert_eq!(outcome.status, Status::Optimal);
    assert_eq!(outcome.schedule, Some(warm));
}

fn stg_problem(processors: u64) -> Problem {
    let path = Path::new("/work/shared/data/stg/rand0000.stg");
    crate::problem::load(path, LoadOptions { processors: Some(processors) }).expect("rand0000.stg loads")
}

#[test]
fn stg_rand0000_on_two_processors() {
    // 50 tasks of total work 262: the load bound is ⌈262/2⌉ = 131, and the
    // published optimum equals it.
    let problem = stg_problem(2);
    let work: u64 = (0..problem.tasks.len()).map(|t| problem.duration(t, 0)).sum();
    assert_eq!(work, 262);
    let (value, outcome) = run(&problem, None, None, 30);
    assert_eq!(value, 131);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn stg_rand0000_on_four_processors() {
    // Load bound ⌈262/4⌉ = 66, which is also the optimum.
    let problem = stg_problem(4);
    let (value, outcome) = run(&problem, None, None, 30);
    assert_eq!(value, 66);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn yaml_task_graph_solves() {
    // The list-scheduling counterexample, read from a task-graph file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lpt.yaml");
    std::fs::write(
        &path,
        "name: lpt\nprocessors: 2\nobjective: makespan\ntasks:\n  - {id: a, duration: 3}\n  - {id: b, duration: 3}\n  - {id: c, duration: 2}\n  - {id: d, duration: 2}\n  - {id: e, duration: 2}\n",
    )
    .unwrap();
    let problem = crate::problem::load(&path, LoadOptions::default()).unwrap();
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(value, 6);
    assert_eq!(outcome.status, Status::Optimal);
}

// ---------------------------------------------------------------------------
// Enumeration, independent of the model: every assignment and every order of
// the copies on each array, timed by earliest starts.

/// Small deterministic pseudo-random numbers (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

/// Builds a random DAG of `n` tasks, with edges only from lower to higher
/// index (and for period problems one edge back at distance 1).
fn random_graph(seed: u64, n: usize, processors: usize, objective: Objective) -> Problem {
    let mut random = Lcg(seed);
    let durations: Vec<u64> = (0..n).map(|_| 1 + random.below(6)).collect();
    let mut edges = Vec::new();
    for to in 1..n {
        for from in 0..to {
            if random.below(3) == 0 {
                edges.push((from, to, 0, random.below(4)));
            }
        }
    }
    if objective == Objective::Period && n > 1 && random.below(2) == 0 {
        edges.push((n - 1, 0, 1, random.below(3)));
    }
    let link = Some(Link { latency_cycles: random.below(2), bytes_per_cycle: 1 });
    graph(processors, &durations, &edges, link, objective)
}

/// Earliest starts of copies meeting `arcs` (s(to) ≥ s(from) + w), by
/// repeated relaxation; `None` on a cycle.
fn relax(nodes: usize, arcs: &[(usize, usize, i64)]) -> Option<Vec<i64>> {
    let mut start = vec![0i64; nodes];
    for _ in 0..=nodes {
        let mut changed = false;
        for &(from, to, weight) in arcs {
            if start[from] + weight > start[to] {
                start[to] = start[from] + weight;
                changed = true;
            }
        }
        if !changed {
            return Some(start);
        }
    }
    None
}

fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            all.push(tail);
        }
    }
    all
}

fn brute_force_makespan(problem: &Problem) -> u64 {
    let Objective::Makespan { iterations } = problem.objective else { panic!("makespan problem expected") };
    let n = problem.tasks.len();
    let copies = n * iterations as usize;
    let processors = problem.array_count();
    let mut best = u64::MAX;
    for code in 0..processors.pow(copies as u32) {
        let arrays: Vec<usize> = (0..copies).map(|c| code / processors.pow(c as u32) % processors).collect();
        let mut arcs = Vec::new();
        for edge in &problem.edges {
            for i in 0..iterations as usize {
                let j = i + edge.distance as usize;
                if j < iterations as usize {
                    let (from, to) = (i * n + edge.from, j * n + edge.to);
                    let comm = problem.comm(edge, arrays[from], arrays[to]);
                    arcs.push((from, to, (problem.duration(edge.from, arrays[from]) + comm) as i64));
                }
            }
        }
        let groups: Vec<Vec<usize>> = (0..processors).map(|a| (0..copies).filter(|&c| arrays[c] == a).collect()).collect();
        let orders: Vec<Vec<Vec<usize>>> = groups.iter().map(|g| permutations(g)).collect();
        let mut index = vec![0usize; processors];
        loop {
            let mut all = arcs.clone();
            for (a, order) in orders.iter().enumerate() {
                for pair in order[index[a]].windows(2) {
                    all.push((pair[0], pair[1], problem.duration(pair[0] % n, a) as i64));
                }
            }
            if let Some(start) = relax(copies, &all) {
                let end = (0..copies).map(|c| start[c] as u64 + problem.duration(c % n, arrays[c])).max().unwrap_or(0);
                best = best.min(end);
            }
            // Next combination of per-array orders.
            let mut a = 0;
            while a < processors {
                index[a] += 1;
                if index[a] < orders[a].len() {
                    break;
                }
                index[a] = 0;
                a += 1;
            }
            if a == processors {
                break;
            }
        }
    }
    best
}

/// Checks whether some assignment and residues r(v) ∈ [0, T) admit a
/// schedule at period T. Residues decide the array rule. The edges then ask
/// for integers q with q(v) ≥ q(u) + ⌈(r(u) + dur(u) + comm − r(v))/T⌉ − d,
/// which exist exactly when that graph has no positive cycle.
fn brute_force_period_feasible(problem: &Problem, period: u64) -> bool {
    let n = problem.tasks.len();
    let processors = problem.array_count();
    let t = period as i64;
    for code in 0..processors.pow(n as u32) {
        let arrays: Vec<usize> = (0..n).map(|v| code / processors.pow(v as u32) % processors).collect();
        if (0..n).any(|v| problem.duration(v, arrays[v]) > period) {
            continue;
        }
        for residues in 0..period.pow(n as u32) {
            let r: Vec<i64> = (0..n).map(|v| (residues / period.pow(v as u32) % period) as i64).collect();
            let overlap = (0..n).any(|u| {
                (u + 1..n).any(|v| {
                    let (du, dv) = (problem.duration(u, arrays[u]) as i64, problem.duration(v, arrays[v]) as i64);
                    let offset = (r[u] - r[v]).rem_euclid(t);
                    arrays[u] == arrays[v] && du > 0 && dv > 0 && (offset < dv || offset > t - du)
                })
            });
            if overlap {
                continue;
            }
            let arcs: Vec<(usize, usize, i64)> = problem
                .edges
                .iter()
                .map(|e| {
                    let need = r[e.from] + problem.duration(e.from, arrays[e.from]) as i64
                        + problem.comm(e, arrays[e.from], arrays[e.to]) as i64
                        - r[e.to];
                    (e.from, e.to, need.div_euclid(t) + i64::from(need.rem_euclid(t) > 0) - i64::from(e.distance))
                })
                .collect();
            if relax(n, &arcs).is_some() {
                return true;
            }
        }
    }
    false
}

#[test]
fn makespan_matches_enumeration() {
    for seed in 0..6 {
        let problem = random_graph(seed, 5, 2, Objective::Makespan { iterations: 1 });
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert_eq!(value, brute_force_makespan(&problem), "seed {seed}");
    }
    for seed in 10..13 {
        let problem = random_graph(seed, 3, 2, Objective::Makespan { iterations: 2 });
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert_eq!(value, brute_force_makespan(&problem), "seed {seed}");
    }
}

#[test]
fn period_matches_enumeration() {
    for seed in 20..26 {
        let problem = random_graph(seed, 4, 2, Objective::Period);
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert!(brute_force_period_feasible(&problem, value), "seed {seed}: enumeration finds no schedule at {value}");
        assert!(value == 1 || !brute_force_period_feasible(&problem, value - 1), "seed {seed}: enumeration finds {}", value - 1);
    }
}

#[test]
fn sequential_schedule_is_valid() {
    for seed in 30..40 {
        for objective in [Objective::Period, Objective::Makespan { iterations: 3 }] {
            let problem = random_graph(seed, 6, 3, objective);
            let schedule = sequential_schedule(&problem, None).expect("a sequential schedule exists");
            crate::validate::validate(&problem, &schedule).unwrap();
            let fixed: Vec<usize> = (0..6).map(|t| t % 3).collect();
            let schedule = sequential_schedule(&problem, Some(&fixed)).expect("a sequential schedule exists");
            crate::validate::validate(&problem, &schedule).unwrap();
        }
    }
}

/// Loads a small convolutional network problem on two array groups of
/// different sizes, with a link.
fn network_problem(objective: &str) -> Problem {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.yaml");
    let text = format!(
        "name: net\nnetwork:\n  name: small\n  input: [1, 16, 16]\n  timesteps: 4\n  batch: 8\n  layers:\n    - {{type: conv, out: 8, kernel: 3, padding: 1}}\n    - {{type: pool, kernel: 2}}\n    - {{type: conv, out: 16, kernel: 3, padding: 1}}\n    - {{type: fc, out: 10}}\narrays:\n  - {{count: 2, rows: 16, cols: 16, dataflow: output-stationary}}\n  - {{count: 1, rows: 32, cols: 32, dataflow: weight-stationary}}\nlink: {{latency_cycles: 200, bytes_per_cycle: 16}}\n{objective}\n"
    );
    std::fs::write(&path, text).unwrap();
    crate::problem::load(&path, LoadOptions::default()).unwrap()
}

#[test]
fn network_period_is_valid_and_bounded() {
    let problem = network_problem("objective: period");
    let warm = sequential_schedule(&problem, None).unwrap();
    let (value, outcome) = run(&problem, Some(warm.clone()), None, 4);
    eprintln!("period {value} (sequential {}), bound {}, {:?}", warm.value(&problem), outcome.lower_bound, outcome.status);
    assert!(value < warm.value(&problem), "the ILP should beat running one task at a time");
}

#[test]
fn network_makespan_is_valid_and_bounded() {
    let problem = network_problem("objective: makespan\niterations: 2");
    let warm = sequential_schedule(&problem, None).unwrap();
    let (value, outcome) = run(&problem, Some(warm.clone()), None, 4);
    eprintln!("makespan {value} (sequential {}), bound {}, {:?}", warm.value(&problem), outcome.lower_bound, outcome.status);
    assert!(value < warm.value(&problem), "the ILP should beat running one task at a time");
}

/// Gives every task a random duration on each array, 1 to 6 cycles, so that
/// the arrays differ.
fn heterogeneous(mut problem: Problem, seed: u64) -> Problem {
    let mut random = Lcg(seed);
    for task in &mut problem.tasks {
        for duration in &mut task.durations {
            *duration = 1 + random.below(6);
        }
    }
    problem
}

#[test]
fn heterogeneous_makespan_matches_enumeration() {
    for seed in 40..44 {
        let problem = heterogeneous(random_graph(seed, 5, 2, Objective::Makespan { iterations: 1 }), seed);
        assert!(!problem.has_identical_arrays());
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert_eq!(value, brute_force_makespan(&problem), "seed {seed}");
    }
}

#[test]
fn heterogeneous_period_matches_enumeration() {
    for seed in 50..54 {
        let problem = heterogeneous(random_graph(seed, 4, 2, Objective::Period), seed);
        let (value, outcome) = run(&problem, None, None, 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert!(brute_force_period_feasible(&problem, value), "seed {seed}: enumeration finds no schedule at {value}");
        assert!(value == 1 || !brute_force_period_feasible(&problem, value - 1), "seed {seed}: enumeration finds {}", value - 1);
    }
}

#[test]
fn fixed_assignment_matches_enumeration() {
    // With every task on its fixed array, enumeration over that one
    // assignment's orders gives the optimum.
    for seed in 60..64 {
        let problem = heterogeneous(random_graph(seed, 5, 2, Objective::Makespan { iterations: 1 }), seed);
        let fixed: Vec<usize> = (0..5).map(|t| (t + seed as usize) % 2).collect();
        let mut pinned = problem.clone();
        for (task, &array) in pinned.tasks.iter_mut().zip(&fixed) {
            // A prohibitive duration elsewhere keeps enumeration on `fixed`.
            task.durations[1 - array] = 1000;
        }
        let (value, outcome) = run(&problem, None, Some(&fixed), 10);
        assert_eq!(outcome.status, Status::Optimal, "seed {seed}");
        assert_eq!(value, brute_force_makespan(&pinned), "seed {seed}");
    }
}

// ---------------------------------------------------------------------------
// Load bounds, checked against enumeration of every assignment.

/// The smallest busiest-array load over all assignments of `copies` copies
/// of every task, by enumeration.
fn brute_force_load(problem: &Problem, copies: usize) -> u64 {
    let n = problem.tasks.len();
    let items = n * copies;
    let processors = problem.array_count();
    (0..processors.pow(items as u32))
        .map(|code| {
            let mut load = vec![0u64; processors];
            for item in 0..items {
                let array = code / processors.pow(item as u32) % processors;
                load[array] += problem.duration(item % n, array);
            }
            load.into_iter().max().unwrap_or(0)
        })
        .min()
        .unwrap_or(0)
}

#[test]
fn load_bound_equals_enumerated_packing() {
    // The model's optimum is the best packing, on identical and on
    // heterogeneous arrays, for one and for two copies of every task.
    for seed in 70..76 {
        let identical = random_graph(seed, 5, 2, Objective::Period);
        let mixed = heterogeneous(random_graph(seed, 5, 3, Objective::Period), seed);
        for problem in [identical, mixed] {
            for copies in [1u32, 2] {
                if copies == 2 && problem.array_count() == 3 {
                    continue;
                }
                let load = bounds::load_bound(&problem, copies, &options(5), 5.0).expect("the load model solves");
                assert_eq!(load.bound, brute_force_load(&problem, copies as usize), "seed {seed}, {copies} copies");
            }
        }
    }
}

#[test]
fn load_bound_is_below_enumerated_optima() {
    // The load bound never exceeds the optimum of either objective.
    for seed in 80..84 {
        let problem = heterogeneous(random_graph(seed, 4, 2, Objective::Period), seed);
        let bound = bounds::load_bound(&problem, 1, &options(5), 5.0).unwrap().bound;
        let optimum = (1..).find(|&t| brute_force_period_feasible(&problem, t)).unwrap();
        assert!(bound <= optimum, "seed {seed}: period bound {bound} above the optimum {optimum}");
        assert!(bound >= crate::graph::basic_lower_bound(&problem).min(optimum) || bound >= brute_force_load(&problem, 1));
    }
    for seed in 84..88 {
        let problem = heterogeneous(random_graph(seed, 3, 2, Objective::Makespan { iterations: 2 }), seed);
        let bound = bounds::load_bound(&problem, 2, &options(5), 5.0).unwrap().bound;
        let optimum = brute_force_makespan(&problem);
        assert!(bound <= optimum, "seed {seed}: makespan bound {bound} above the optimum {optimum}");
    }
}

#[test]
fn load_bound_beats_the_average_load() {
    // Tasks 3, 3, 2 on 2 processors: ⌈8/2⌉ = 4, but some processor gets two
    // tasks, at least 3 + 2 = 5.
    let problem = graph(2, &[3, 3, 2], &[], None, Objective::Period);
    assert_eq!(crate::graph::basic_lower_bound(&problem), 4);
    assert_eq!(bounds::load_bound(&problem, 1, &options(5), 5.0).unwrap().bound, 5);
}

#[test]
fn packings_respect_the_period_and_differ() {
    // Tasks 3, 3, 2, 2, 2 on 2 processors at T = 6: the packings put
    // {3, 3} on one processor and {2, 2, 2} on the other; with free
    // transfers each one found must load both processors with at most 6.
    let problem = graph(2, &[3, 3, 2, 2, 2], &[], None, Objective::Period);
    let found = bounds::packings(&problem, 6, 4, &options(5), 5.0);
    assert!(!found.is_empty());
    for (index, assignment) in found.iter().enumerate() {
        for a in 0..2 {
            let load: u64 = (0..5).filter(|&t| assignment[t] == a).map(|t| problem.duration(t, a)).sum();
            assert!(load <= 6, "packing {index} loads array {a} with {load}");
        }
        assert!(!found[..index].contains(assignment), "packing {index} repeats");
    }
    // Below the load bound no packing exists.
    assert!(bounds::packings(&problem, 5, 4, &options(5), 5.0).is_empty());
}

// ---------------------------------------------------------------------------
// Statuses.

#[test]
fn mip_gap_stops_early_with_a_feasible_status() {
    // The LPT schedule (7) is within 50% of the load bound 6, so a gap of
    // 0.5 accepts it, so the status is feasible, not optimal.
    let problem = graph(2, &[3, 3, 2, 2, 2], &[], None, Objective::Makespan { iterations: 1 });
    let lpt = makespan_schedule(1, &[(0, 0, 0, 0), (1, 0, 1, 0), (2, 0, 0, 3), (3, 0, 1, 3), (4, 0, 0, 5)]);
    let gap = SolveOptions { mip_gap: 0.5, ..options(5) };
    let outcome = solve(&problem, &gap, Some(lpt.clone()), None);
    let value = outcome.schedule.as_ref().unwrap().value(&problem);
    if value > outcome.lower_bound {
        assert_eq!(outcome.status, Status::Feasible);
    } else {
        assert_eq!(outcome.status, Status::Optimal);
    }
    // With a zero gap the same start is improved to the proven optimum.
    let outcome = solve(&problem, &options(5), Some(lpt), None);
    assert_eq!(outcome.status, Status::Optimal);
    assert_eq!(outcome.schedule.unwrap().value(&problem), 6);
}

#[test]
fn period_gap_stops_the_search() {
    // Tasks 3, 3, 2 on 2 processors, period: optimum 5, and a sequential
    // start of period 8. With gap 0.9 any value v with v − 5 ≤ 0.9·v is
    // accepted. The status is feasible exactly while value > bound.
    let problem = graph(2, &[3, 3, 2], &[], None, Objective::Period);
    let sequential = sequential_schedule(&problem, None).unwrap();
    let gap = SolveOptions { mip_gap: 0.9, ..options(5) };
    let outcome = solve(&problem, &gap, Some(sequential), None);
    let value = outcome.schedule.as_ref().unwrap().value(&problem);
    assert_eq!(outcome.status == Status::Optimal, value <= outcome.lower_bound);
    assert!(value >= 5);
}

#[test]
fn progress_stays_hidden_off_a_terminal() {
    // Tests run with stderr captured or piped, so the spinner never draws;
    // a disabled spinner never does either.
    assert!(!progress::Progress::start(false, "test").is_enabled());
    let shown = progress::Progress::start(true, "test");
    assert_eq!(shown.is_enabled(), std::io::IsTerminal::is_terminal(&std::io::stderr()));
}

// ---------------------------------------------------------------------------
// Model export: HiGHS reads the written file back and solves it.

/// Reads a model file with HiGHS, solves it, and returns the model status
/// and objective value.
fn solve_written(path: &Path) -> (highs_sys::HighsInt, f64) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let output_flag = std::ffi::CString::new("output_flag").unwrap();
    let threads = std::ffi::CString::new("threads").unwrap();
    // SAFETY: a fresh HiGHS instance used only here and destroyed at the end;
    // every string outlives its call.
    unsafe {
        let highs = highs_sys::Highs_create();
        highs_sys::Highs_setBoolOptionValue(highs, output_flag.as_ptr(), 0);
        highs_sys::Highs_setIntOptionValue(highs, threads.as_ptr(), 1);
        assert_ne!(highs_sys::Highs_readModel(highs, name.as_ptr()), highs_sys::STATUS_ERROR, "HiGHS reads {}", path.display());
        highs_sys::Highs_run(highs);
        let status = highs_sys::Highs_getModelStatus(highs);
        let objective = highs_sys::Highs_getObjectiveValue(highs);
        highs_sys::Highs_destroy(highs);
        (status, objective)
    }
}

#[test]
fn exported_period_model_decides_the_same_periods() {
    // The straddle instance: optimum 4 (proof above), so the model at T = 4
    // is feasible and at T = 3 infeasible, in both file formats.
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[1, 1, 3, 3], &[(0, 1, 0, 1), (1, 0, 1, 1)], link, Objective::Period);
    let dir = tempfile::tempdir().unwrap();
    for extension in ["lp", "mps"] {
        let path = dir.path().join(format!("model.{extension}"));
        period::write_model(&problem, 4, None, &path).unwrap();
        assert_eq!(solve_written(&path).0, highs_sys::MODEL_STATUS_OPTIMAL, "{extension} at T = 4");
        period::write_model(&problem, 3, None, &path).unwrap();
        assert_eq!(solve_written(&path).0, highs_sys::MODEL_STATUS_INFEASIBLE, "{extension} at T = 3");
    }
    let text = std::fs::read_to_string(dir.path().join("model.lp")).unwrap();
    assert!(text.contains("r_t0"), "the LP file names the residue columns");
    assert!(text.contains("x_t2_a"), "the LP file names the assignment columns");
    // Only the model file is left: the temporary name was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn exported_makespan_model_has_the_ilp_optimum() {
    // The LPT instance: optimum 6. The model is in units of the horizon H,
    // so its optimum times H is the makespan.
    let problem = graph(2, &[3, 3, 2, 2, 2], &[(0, 2, 0, 0)], None, Objective::Makespan { iterations: 1 });
    let (value, outcome) = run(&problem, None, None, 10);
    assert_eq!(outcome.status, Status::Optimal);
    let horizon = 9;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.lp");
    makespan::write_model(&problem, 1, None, horizon, crate::graph::basic_lower_bound(&problem), &path).unwrap();
    let (status, objective) = solve_written(&path);
    assert_eq!(status, highs_sys::MODEL_STATUS_OPTIMAL);
    assert!((objective * horizon as f64 - value as f64).abs() < 1e-6, "file optimum {} vs ILP {value}", objective * horizon as f64);
    assert!(makespan::write_model(&problem, 1, None, horizon, 0, &dir.path().join("model.txt")).is_err());
}

// ---------------------------------------------------------------------------
// The cycle bound with transfers.

#[test]
fn transfer_cycle_bound_counts_two_transfers() {
    // a(3) → b(3) at distance 0 and b → a at distance 2, each transfer 1
    // cycle, 2 processors. The iteration bound and the load bound are 3. At
    // T = 3 the cycle (work 6) cannot share one processor, so both
    // transfers count: 2·T ≥ 6 + 2, T ≥ 4. T = 4 is reached by a at 0 on
    // processor 0 and b at 4 on processor 1 (b → a: 0 + 8 ≥ 7 + 1).
    let link = Some(Link { latency_cycles: 0, bytes_per_cycle: 1 });
    let problem = graph(2, &[3, 3], &[(0, 1, 0, 1), (1, 0, 2, 1)], link, Objective::Period);
    assert_eq!(crate::graph::iteration_bound(&problem), 3);
    assert_eq!(crate::graph::transfer_cycle_bound(&problem), 4);
    let (value, outcome) = run(&problem, None, None, 5);
    assert_eq!(value, 4);
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn transfer_cycle_bound_is_below_enumerated_optima() {
    // Random graphs with back edges of distance 1 to 2 and transfers: the
    // bound never exceeds the smallest period that enumeration finds.
    for seed in 90..100 {
        let mut problem = random_graph(seed, 4, 2, Objective::Period);
        let mut random = Lcg(seed);
        problem.edges.push(crate::problem::Edge { from: 3, to: 1, distance: 1 + random.below(2) as u32, bytes: random.below(4) });
        problem.edges = Problem::merge_parallel_edges(problem.edges.clone());
        let bound = crate::graph::transfer_cycle_bound(&problem);
        let optimum = (1..).find(|&t| brute_force_period_feasible(&problem, t)).unwrap();
        assert!(bound <= optimum, "seed {seed}: cycle bound {bound} above the optimum {optimum}");
    }
}

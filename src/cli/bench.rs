//! `spikepipe bench`: the ILP against an independent CP-SAT reference on a
//! fixed, seeded suite, written as a Markdown table.
//!
//! The suite has four parts:
//! - the bundled problems;
//! - problems/rand0000.stg on 2, 3, 4 and 8 processors;
//! - generated task graphs on 2 to 16 processors, with 20, 50, 100 and 200
//!   tasks for makespan and 10, 20 and 40 tasks with distances for period;
//! - the three networks on 3, 6, 9 and 16 arrays. The reference
//! (scripts/reference_cpsat.py, embedded in the binary) runs in a virtual
//! environment that the command creates with `python3 -m venv` and `pip
//! install ortools` unless `--python` names an interpreter that has them.
//! Each reference schedule is checked by the product's validator. Both
//! solvers get one thread and the same time limit per instance.
//!
//! Run from the repository root: the suite reads problems/ and models/.

#[cfg(feature = "solver")]
use super::display;
use super::CliError;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// The whole suite (about 20 minutes on 2 cores).
    Standard,
    /// A few small instances, to try the command.
    Quick,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Instance set to run.
    #[arg(long, value_enum, default_value = "standard")]
    suite: Suite,
    /// Markdown file to write; the default replaces the committed results
    /// page.
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Python interpreter with ortools (default: a virtual environment in
    /// target/bench-venv, created on first use by installing ortools from
    /// PyPI).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Skip the CP-SAT reference.
    #[arg(long)]
    no_reference: bool,
    /// Multiply every per-instance time limit by this factor.
    #[arg(long, default_value_t = 1.0)]
    limit_scale: f64,
    /// Also write every generated task graph as a task-graph YAML file here.
    #[arg(long)]
    write_instances: Option<PathBuf>,
}

#[cfg(not(feature = "solver"))]
pub fn run(_args: &BenchArgs, _quiet: bool) -> Result<i32, CliError> {
    Err(CliError::Usage("the benchmark needs the ILP; rebuild with the solver feature".into()))
}

#[cfg(feature = "solver")]
pub fn run(args: &BenchArgs, quiet: bool) -> Result<i32, CliError> {
    if !(args.limit_scale.is_finite() && args.limit_scale > 0.0) {
        return Err(CliError::Usage(format!("--limit-scale {} is invalid; give a positive factor", args.limit_scale)));
    }
    let instances = suite::instances(args.suite)?;
    if let Some(dir) = &args.write_instances {
        suite::write_generated(&instances, dir)?;
    }
    let python = if args.no_reference { None } else { Some(reference::python(args.python.as_deref())?) };
    let scratch = tempfile_dir()?;
    let mut rows = Vec::new();
    for instance in &instances {
        let limit = instance.seconds * args.limit_scale;
        let ours = suite::run_ilp(&instance.problem, limit);
        let theirs = python.as_ref().map(|python| reference::run(python, &scratch, &instance.problem, limit));
        if !quiet {
            eprintln!(
                "{:<28} ilp {} {} ({:.2} s){}",
                instance.label,
                ours.status,
                ours.value.map_or("-".into(), |v| v.to_string()),
                ours.seconds,
                theirs.as_ref().map_or(String::new(), |r| format!(
                    "  reference {} {} ({:.2} s)",
                    r.status,
                    r.value.map_or("-".into(), |v| v.to_string()),
                    r.seconds
                ))
            );
        }
        rows.push(report::Row { instance, ours, theirs });
    }
    let heuristics = suite::heuristic_timings();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let text = report::markdown(&rows, &heuristics, &command, limit_note(args));
    crate::report::write_atomic(&args.out, text.as_bytes())
        .map_err(|error| CliError::Usage(format!("{}: {error}; choose a writable path", display(&args.out))))?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(0)
}

#[cfg(feature = "solver")]
fn limit_note(args: &BenchArgs) -> String {
    format!("per-instance limits scaled by {}", args.limit_scale)
}

/// Creates a scratch directory for problem and result files.
#[cfg(feature = "solver")]
fn tempfile_dir() -> Result<PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("spikepipe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|error| CliError::Usage(format!("{}: {error}", dir.display())))?;
    Ok(dir)
}

/// The result of one solver on one instance.
#[cfg(feature = "solver")]
#[derive(Debug, Clone)]
pub struct RunResult {
    pub value: Option<u64>,
    pub bound: Option<u64>,
    pub status: String,
    pub seconds: f64,
    /// Whether the schedule passed the product's validator.
    pub valid: bool,
}

#[cfg(feature = "solver")]
impl RunResult {
    fn proven(&self) -> bool {
        self.status == "optimal" && self.valid
    }
}

#[cfg(feature = "solver")]
mod suite {
    use super::{CliError, RunResult, Suite};
    use crate::cost::Link;
    use crate::problem::{Edge, LoadOptions, Objective, Problem, Task};
    use crate::sched::{SchedulerKind, SolveOptions};
    use std::path::Path;
    use std::time::{Duration, Instant};

    /// One benchmark instance.
    pub struct Instance {
        pub label: String,
        pub problem: Problem,
        /// Time limit of each solver, before scaling.
        pub seconds: f64,
    }

    fn load(path: &Path, processors: Option<u64>) -> Result<Problem, CliError> {
        Ok(crate::problem::load(path, LoadOptions { processors })?)
    }

    /// Builds the instances of `suite`, in a fixed order.
    pub fn instances(suite: Suite) -> Result<Vec<Instance>, CliError> {
        let mut all = Vec::new();
        let quick = suite == Suite::Quick;
        let push = |all: &mut Vec<Instance>, label: String, problem: Problem, seconds: f64| all.push(Instance { label, problem, seconds });

        // The bundled problems.
        let mut files: Vec<_> = std::fs::read_dir("problems")
            .map_err(|error| CliError::Usage(format!("problems: {error}; run the benchmark from the repository root")))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for path in files {
            let label = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            if quick && !label.starts_with("tg-") && label != "mnist-mlp-2" {
                continue;
            }
            let problem = load(&path, None)?;
            push(&mut all, label, problem, 10.0);
        }

        // The STG instance on several processor counts.
        for processors in if quick { vec![2] } else { vec![2, 3, 4, 8] } {
            let problem = load(Path::new("problems/rand0000.stg"), Some(processors))?;
            push(&mut all, format!("rand0000.stg-{processors}"), problem, 10.0);
        }

        // Generated task graphs.
        let makespan: &[(usize, &[usize], f64)] =
            if quick { &[(20, &[2], 5.0)] } else { &[(20, &[2, 4], 10.0), (50, &[4, 8], 10.0), (100, &[8, 16], 20.0), (200, &[4, 16], 60.0)] };
        for &(tasks, processors, seconds) in makespan {
            for &p in processors {
                let free = tasks >= 100;
                let problem = generated(1000 + tasks as u64, tasks, p, Objective::Makespan { iterations: 1 }, !free);
                push(&mut all, format!("gen-makespan-{tasks}-{p}"), problem, seconds);
            }
        }
        let period: &[(usize, &[usize])] = if quick { &[(10, &[2])] } else { &[(10, &[2, 3]), (20, &[4, 6]), (40, &[8, 16])] };
        for &(tasks, processors) in period {
            for &p in processors {
                let problem = generated(2000 + tasks as u64, tasks, p, Objective::Period, true);
                push(&mut all, format!("gen-period-{tasks}-{p}"), problem, 10.0);
            }
        }

        // The networks on more array counts than the bundled problems.
        if !quick {
            let dir = std::env::temp_dir().join(format!("spikepipe-bench-nets-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|error| CliError::Usage(format!("{}: {error}", dir.display())))?;
            for model in ["mnist-mlp", "nmnist-cnn", "dvs-gesture-cnn"] {
                let model_path = std::fs::canonicalize(format!("models/{model}.yaml"))
                    .map_err(|error| CliError::Usage(format!("models/{model}.yaml: {error}; run from the repository root")))?;
                for arrays in [3, 6, 9, 16] {
                    let path = dir.join(format!("{model}-{arrays}.yaml"));
                    let text = format!(
                        "name: {model}-{arrays}\nnetwork: {}\narrays: {{count: {arrays}, rows: 128, cols: 128, dataflow: weight-stationary, vector_lanes: 128}}\nlink: {{latency_cycles: 100, bytes_per_cycle: 32}}\ngradient_delay: pipedream\nobjective: period\n",
                        model_path.display()
                    );
                    std::fs::write(&path, text).map_err(|error| CliError::Usage(format!("{}: {error}", path.display())))?;
                    let problem = load(&path, None)?;
                    push(&mut all, format!("{model}-{arrays}"), problem, 10.0);
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        Ok(all)
    }

    /// Small deterministic pseudo-random numbers (64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % bound.max(1)
        }
    }

    /// Builds a seeded layered task graph of `tasks` tasks on `processors`
    /// identical processors: durations 1 to 50, each task after one to three
    /// tasks of the previous two layers. Period graphs also get edges back
    /// from the last layers to the first at distance 1 to 3, as weight
    /// updates feed later forward passes. With `comm`, edges carry 0 to 64
    /// bytes over a link of latency 2 and 4 bytes per cycle.
    pub fn generated(seed: u64, tasks: usize, processors: usize, objective: Objective, comm: bool) -> Problem {
        let mut random = Lcg(seed);
        let width = ((tasks as f64).sqrt().ceil() as usize).max(1);
        let layer = |t: usize| t / width;
        let durations: Vec<u64> = (0..tasks).map(|_| 1 + random.below(50)).collect();
        let mut edges = Vec::new();
        for to in width.min(tasks)..tasks {
            let first = (layer(to).saturating_sub(2)) * width;
            let last = layer(to) * width;
            for _ in 0..1 + random.below(3) {
                let from = first + random.below((last - first) as u64) as usize;
                edges.push(Edge { from, to, distance: 0, bytes: if comm { random.below(65) } else { 0 } });
            }
        }
        if objective == Objective::Period {
            for _ in 0..(tasks / 5).max(1) {
                let from = tasks - 1 - random.below(width.min(tasks) as u64) as usize;
                let to = random.below(width.min(tasks) as u64) as usize;
                edges.push(Edge { from, to, distance: 1 + random.below(3) as u32, bytes: if comm { random.below(65) } else { 0 } });
            }
        }
        Problem {
            name: format!("generated-{tasks}"),
            source: "generated".into(),
            arrays: vec![None; processors],
            tasks: durations
                .iter()
                .enumerate()
                .map(|(i, &d)| Task { name: format!("t{i}"), layer: None, kind: None, gemm: None, durations: vec![d; processors] })
                .collect(),
            edges: Problem::merge_parallel_edges(edges),
            link: comm.then_some(Link { latency_cycles: 2, bytes_per_cycle: 4 }),
            objective,
            network: None,
        }
    }

    /// Writes every generated instance to `dir` as a task-graph YAML file
    /// named after its label.
    pub fn write_generated(instances: &[Instance], dir: &Path) -> Result<(), CliError> {
        let failed = |error: std::io::Error| CliError::Usage(format!("{}: {error}; choose a writable directory", dir.display()));
        std::fs::create_dir_all(dir).map_err(failed)?;
        for instance in instances.iter().filter(|i| i.label.starts_with("gen-")) {
            let problem = &instance.problem;
            let mut text = format!("name: {}\nprocessors: {}\n", instance.label, problem.array_count());
            match problem.objective {
                Objective::Period => text.push_str("objective: period\n"),
                Objective::Makespan { iterations } => text.push_str(&format!("objective: makespan\niterations: {iterations}\n")),
            }
            if let Some(link) = &problem.link {
                text.push_str(&format!("link: {{latency_cycles: {}, bytes_per_cycle: {}}}\n", link.latency_cycles, link.bytes_per_cycle));
            }
            text.push_str("tasks:\n");
            for task in &problem.tasks {
                text.push_str(&format!("  - {{id: {}, duration: {}}}\n", task.name, task.durations[0]));
            }
            text.push_str("edges:\n");
            for edge in &problem.edges {
                let (from, to) = (&problem.tasks[edge.from].name, &problem.tasks[edge.to].name);
                text.push_str(&format!("  - {{from: {from}, to: {to}, distance: {}, bytes: {}}}\n", edge.distance, edge.bytes));
            }
            std::fs::write(dir.join(format!("{}.yaml", instance.label)), text).map_err(failed)?;
        }
        Ok(())
    }

    /// Runs the ILP scheduler (heuristic warm start included) on one thread.
    pub fn run_ilp(problem: &Problem, seconds: f64) -> RunResult {
        let options = SolveOptions { time_limit: Duration::from_secs_f64(seconds), threads: Some(1), ..SolveOptions::default() };
        let failed = RunResult { value: None, bound: None, status: "error".into(), seconds: 0.0, valid: false };
        let Ok(outcome) = crate::sched::run(problem, SchedulerKind::Ilp, &options, None) else {
            return failed;
        };
        let valid = outcome.schedule.as_ref().is_some_and(|s| crate::validate::validate(problem, s).is_ok());
        RunResult {
            value: outcome.schedule.as_ref().map(|s| s.value(problem)),
            bound: Some(outcome.lower_bound),
            status: outcome.status.name().into(),
            seconds: outcome.seconds,
            valid,
        }
    }

    /// Milliseconds of the list heuristics on generated 1000-task graphs
    /// (median of three runs): (description, milliseconds).
    pub fn heuristic_timings() -> Vec<(String, f64)> {
        let mut timings = Vec::new();
        for (objective, label) in [(Objective::Makespan { iterations: 1 }, "makespan"), (Objective::Period, "period")] {
            let problem = generated(3000, 1000, 8, objective, true);
            let mut runs: Vec<f64> = (0..3)
                .map(|_| {
                    let started = Instant::now();
                    let _ = crate::sched::list::schedule(&problem);
                    started.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            timings.push((format!("list, {label}, 1000 tasks, 8 processors"), runs[1]));
        }
        timings
    }
}

#[cfg(feature = "solver")]
mod reference {
    use super::{CliError, RunResult};
    use crate::problem::{Objective, Problem};
    use crate::schedule::{Placement, Schedule, Timing};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The reference solver, embedded so that the benchmark runs from any
    /// build of the binary.
    const SCRIPT: &str = include_str!("../../scripts/reference_cpsat.py");

    /// Finds or creates an interpreter with ortools.
    pub fn python(given: Option<&Path>) -> Result<PathBuf, CliError> {
        let has_ortools = |python: &Path| {
            Command::new(python).args(["-c", "import ortools.sat.python.cp_model"]).output().is_ok_and(|o| o.status.success())
        };
        if let Some(python) = given {
            if has_ortools(python) {
                return Ok(python.to_path_buf());
            }
            return Err(CliError::Usage(format!("{}: cannot import ortools; install it with pip or drop --python", python.display())));
        }
        let venv = PathBuf::from("target/bench-venv");
        let python = venv.join("bin/python");
        if has_ortools(&python) {
            return Ok(python);
        }
        log::warn!("creating {} with ortools (one time)", venv.display());
        let created = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success());
        let installed = created
            && Command::new(venv.join("bin/pip")).args(["install", "--quiet", "ortools"]).status().is_ok_and(|s| s.success());
        if installed && has_ortools(&python) {
            Ok(python)
        } else {
            Err(CliError::Usage(format!(
                "could not set up {} with ortools; give --python with an interpreter that has it, or --no-reference",
                venv.display()
            )))
        }
    }

    /// Solves `problem` with the reference within `seconds` and checks its
    /// schedule with the validator.
    pub fn run(python: &Path, scratch: &Path, problem: &Problem, seconds: f64) -> RunResult {
        let failed = |status: &str| RunResult { value: None, bound: None, status: status.into(), seconds: 0.0, valid: false };
        let script = scratch.join("reference_cpsat.py");
        let input = scratch.join("problem.json");
        let output = scratch.join("result.json");
        let _ = std::fs::remove_file(&output);
        if std::fs::write(&script, SCRIPT).is_err() || std::fs::write(&input, super::super::export::problem_json(problem)).is_err() {
            return failed("error");
        }
        let ran = Command::new(python)
            .arg(&script)
            .arg(&input)
            .arg(&output)
            .args(["--time-limit", &format!("{seconds}"), "--threads", "1"])
            .output();
        match ran {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                log::warn!("the reference failed: {}", String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or(""));
                return failed("error");
            }
            Err(error) => {
                log::warn!("the reference did not start: {error}");
                return failed("error");
            }
        }
        let Ok(text) = std::fs::read_to_string(&output) else { return failed("error") };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return failed("error") };
        let status = json["status"].as_str().unwrap_or("error").to_string();
        let seconds = json["seconds"].as_f64().unwrap_or(0.0);
        let mut placements: Vec<Placement> = json["schedule"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        Some(Placement {
                            task: usize::try_from(p["task"].as_u64()?).ok()?,
                            iteration: u32::try_from(p["iteration"].as_u64()?).ok()?,
                            array: usize::try_from(p["array"].as_u64()?).ok()?,
                            start: p["start"].as_u64()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        placements.sort_by_key(|p| (p.iteration, p.task));
        let value = json["value"].as_u64();
        let timing = match problem.objective {
            Objective::Period => Timing::Periodic { period: value.unwrap_or(0) },
            Objective::Makespan { iterations } => Timing::Makespan { iterations },
        };
        let schedule = Schedule { timing, placements };
        let valid = value.is_some() && crate::validate::validate(problem, &schedule).is_ok();
        if value.is_some() && !valid {
            log::warn!("the reference schedule of {} fails the validator", problem.name);
        }
        let value = value.filter(|&v| valid && v == schedule.value(problem));
        RunResult { value, bound: json["bound"].as_u64(), status, seconds, valid }
    }
}

#[cfg(feature = "solver")]
mod report {
    use super::suite::Instance;
    use super::RunResult;

    pub struct Row<'a> {
        pub instance: &'a Instance,
        pub ours: RunResult,
        pub theirs: Option<RunResult>,
    }

    fn gap(result: &RunResult) -> String {
        match (result.value, result.bound) {
            (Some(v), Some(b)) if v > 0 => format!("{:.2}%", 100.0 * v.saturating_sub(b) as f64 / v as f64),
            _ => "-".into(),
        }
    }

    fn cells(result: Option<&RunResult>) -> Vec<String> {
        match result {
            None => vec!["-".into(); 5],
            Some(r) => vec![
                r.value.map_or("-".into(), |v| v.to_string()),
                r.bound.map_or("-".into(), |b| b.to_string()),
                gap(r),
                if r.value.is_some() && !r.valid { format!("{} (invalid)", r.status) } else { r.status.clone() },
                format!("{:.2}", r.seconds),
            ],
        }
    }

    fn median(mut values: Vec<f64>) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 })
    }

    fn machine() -> String {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| text.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
            .unwrap_or_else(|| "unknown CPU".into());
        format!("{cores} cores (nproc), {cpu}")
    }

    /// Renders the table, the summary against the targets, and the
    /// heuristic timings.
    pub fn markdown(rows: &[Row], heuristics: &[(String, f64)], command: &str, limits: String) -> String {
        let mut text = String::from("# Benchmarks: the ILP against a CP-SAT reference\n\n");
        text.push_str(&format!(
            "Regenerate with (from the repository root, after `cargo build --release`):\n\n```\nnice -n 10 {command}\n```\n\nMachine: {}. Both solvers run on one thread with the same per-instance time limit ({limits}). The ILP column includes the list heuristics that give its warm start. The reference is OR-Tools CP-SAT (scripts/reference_cpsat.py); its schedules pass through the product's validator, and an invalid one is marked. Ratio: ILP seconds / reference seconds.\n\n",
            machine()
        ));
        text.push_str("| instance | objective | tasks | arrays | ILP value | ILP bound | ILP gap | ILP status | ILP s | ref value | ref bound | ref gap | ref status | ref s | ratio |\n");
        text.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        let mut mismatches = Vec::new();
        for row in rows {
            let problem = &row.instance.problem;
            let mut line = vec![
                row.instance.label.clone(),
                problem.objective.name().to_string(),
                problem.tasks.len().to_string(),
                problem.array_count().to_string(),
            ];
            line.extend(cells(Some(&row.ours)));
            line.extend(cells(row.theirs.as_ref()));
            let ratio = row.theirs.as_ref().filter(|r| r.seconds > 0.0).map_or("-".into(), |r| format!("{:.2}", row.ours.seconds / r.seconds));
            line.push(ratio);
            text.push_str(&format!("| {} |\n", line.join(" | ")));
            if let Some(theirs) = &row.theirs {
                // A proven optimum on one side must equal the other's value
                // when both prove it, and must not beat the other's bound.
                let contradicts = |a: &RunResult, b: &RunResult| match (a.value, b.bound) {
                    (Some(v), Some(bound)) if a.valid && b.status != "error" => v < bound && b.status != "infeasible",
                    _ => false,
                };
                let both = row.ours.proven() && theirs.proven() && row.ours.value != theirs.value;
                if both || contradicts(&row.ours, theirs) || contradicts(theirs, &row.ours) {
                    mismatches.push(row.instance.label.clone());
                }
            }
        }

        // Summary against the targets.
        text.push_str("\n## Summary\n\n");
        let both: Vec<&Row> = rows.iter().filter(|r| r.ours.proven() && r.theirs.as_ref().is_some_and(RunResult::proven)).collect();
        let agree = both.iter().filter(|r| r.theirs.as_ref().map(|t| t.value) == Some(r.ours.value)).count();
        text.push_str(&format!("- Instances: {}. ILP proven optimal: {}. Reference proven optimal: {}.\n", rows.len(),
            rows.iter().filter(|r| r.ours.proven()).count(),
            rows.iter().filter(|r| r.theirs.as_ref().is_some_and(RunResult::proven)).count()));
        text.push_str(&format!("- Proven by both: {}; same optimum on {} of them.\n", both.len(), agree));
        if mismatches.is_empty() {
            text.push_str("- No contradiction: no value below the other side's proven bound.\n");
        } else {
            text.push_str(&format!("- Contradictions (value below the other's bound, or different optima): {}.\n", mismatches.join(", ")));
        }
        let ours_both = median(both.iter().map(|r| r.ours.seconds).collect());
        let theirs_both = median(both.iter().filter_map(|r| r.theirs.as_ref().map(|t| t.seconds)).collect());
        if let (Some(a), Some(b)) = (ours_both, theirs_both) {
            text.push_str(&format!("- Median seconds on the instances both prove: ILP {a:.2}, reference {b:.2} (ratio {:.2}; target ≤ 0.5).\n", a / b.max(1e-9)));
        }
        let paper: Vec<&Row> = rows.iter().filter(|r| r.instance.problem.tasks.len() <= 30 && r.instance.problem.array_count() <= 9).collect();
        let paper_proven = paper.iter().filter(|r| r.ours.proven()).count();
        let paper_median = median(paper.iter().map(|r| r.ours.seconds).collect()).unwrap_or(0.0);
        let paper_max = paper.iter().map(|r| r.ours.seconds).fold(0.0, f64::max);
        text.push_str(&format!(
            "- Paper scale (≤ 30 tasks, ≤ 9 arrays): {} instances, {} proven optimal by the ILP; median {:.2} s, longest {:.2} s (targets: all proven, median ≤ 1 s, none over 5 s).\n",
            paper.len(), paper_proven, paper_median, paper_max
        ));
        for row in rows.iter().filter(|r| r.instance.problem.tasks.len() >= 200) {
            text.push_str(&format!("- {}: ILP gap {} after {:.1} s (target ≤ 1% in 60 s).\n", row.instance.label, gap(&row.ours), row.ours.seconds));
        }
        text.push_str("\n## Heuristics\n\n");
        for (label, ms) in heuristics {
            text.push_str(&format!("- {label}: {ms:.1} ms (median of 3; target < 50 ms).\n"));
        }
        text
    }
}

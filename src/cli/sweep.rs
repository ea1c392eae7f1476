//! `spikepipe sweep`: build one problem per model, array count, delay policy
//! and tiling (plus problem files as written), solve them in parallel,
//! validate every schedule, and write the table, plots and report.

use super::solve::run_schedulers;
use super::{format_table, CliError, SolverArgs};
use crate::sched::SchedulerKind;
use crate::sweep::output::{format_percent, format_speedup, to_csv, write_atomic};
use crate::sweep::report::RunInfo;
use crate::sweep::{self, Grid, Hardware, Scenario, SweepRow, TilingChoice};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Model files (swept over the grid) and problem files (solved as written).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Array counts: integers and inclusive ranges, such as 2..16 or 2,4,8.
    #[arg(long, default_value = "2,4,8")]
    arrays: String,
    /// Gradient delay policies: synchronous, pipedream, integers, or per-layer lists such as [3,2,1].
    #[arg(long, default_value = "pipedream")]
    delays: String,
    /// Network-wide tilings: none, time:N, channels:N (comma-separated).
    #[arg(long, default_value = "none")]
    tiling: String,
    /// Schedulers to run: standard, list, ilp (comma-separated).
    #[arg(long, default_value = "standard,list,ilp")]
    schedulers: String,
    /// Rows of each systolic array.
    #[arg(long, default_value_t = 128)]
    rows: u64,
    /// Columns of each systolic array.
    #[arg(long, default_value_t = 128)]
    cols: u64,
    /// Dataflow of the arrays: weight-stationary, output-stationary or input-stationary.
    #[arg(long, default_value = "weight-stationary")]
    dataflow: String,
    /// Vector lanes per array [default: the column count].
    #[arg(long)]
    vector_lanes: Option<u64>,
    /// Link latency between two arrays, in cycles.
    #[arg(long, default_value_t = 100)]
    latency: u64,
    /// Link bandwidth between two arrays, in bytes per cycle.
    #[arg(long, default_value_t = 32)]
    bandwidth: u64,
    /// Make transfers between arrays free (ignores --latency and --bandwidth).
    #[arg(long)]
    free_link: bool,
    /// Override the models' batch size.
    #[arg(long)]
    batch: Option<u64>,
    /// Override the models' timestep count.
    #[arg(long)]
    timesteps: Option<u64>,
    /// Objective of the built problems: period or makespan.
    #[arg(long, value_enum)]
    objective: Option<super::ObjectiveChoice>,
    /// Iterations unrolled for the makespan objective (implies makespan).
    #[arg(long)]
    iterations: Option<u64>,
    #[command(flatten)]
    solver: SolverArgs,
    /// Scenarios solved at once [default: the number of logical cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// Write every run as a CSV table to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Write the results report (Markdown) to this file.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Write the plots (PNG) into this directory.
    #[arg(long)]
    plots: Option<PathBuf>,
}

fn parse_schedulers(text: &str) -> Result<Vec<SchedulerKind>, CliError> {
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let kind = match name {
            "standard" => SchedulerKind::Standard,
            "list" => SchedulerKind::List,
            "ilp" => SchedulerKind::Ilp,
            other => {
                return Err(CliError::Usage(format!("--schedulers: unknown scheduler `{other}`; use standard, list or ilp")))
            }
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(CliError::Usage("--schedulers is empty; give standard, list or ilp".into()));
    }
    Ok(kinds)
}

impl SweepArgs {
    fn grid(&self) -> Result<Grid, CliError> {
        let usage = |flag: &str, message: String| CliError::Usage(format!("{flag}: {message}"));
        let array_counts = sweep::parse_array_counts(&self.arrays).map_err(|e| usage("--arrays", e))?;
        let delays = sweep::parse_delay_policies(&self.delays).map_err(|e| usage("--delays", e))?;
        let tilings = sweep::split_list(&self.tiling)
            .iter()
            .map(|t| t.parse::<TilingChoice>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| usage("--tiling", e))?;
        if tilings.is_empty() {
            return Err(usage("--tiling", "is empty; give none, time:N or channels:N".into()));
        }
        let limit = crate::model::MAX_DIMENSION;
        for (flag, value) in [("--rows", Some(self.rows)), ("--cols", Some(self.cols)), ("--vector-lanes", self.vector_lanes)] {
            if let Some(value) = value.filter(|&v| v == 0 || v > limit) {
                return Err(CliError::Usage(format!("{flag} {value} is invalid; give an integer from 1 to {limit}")));
            }
        }
        if !["weight-stationary", "output-stationary", "input-stationary", "ws", "os", "is"].contains(&self.dataflow.as_str()) {
            return Err(usage(
                "--dataflow",
                format!("unknown dataflow `{}`; use weight-stationary, output-stationary or input-stationary", self.dataflow),
            ));
        }
        if self.bandwidth == 0 && !self.free_link {
            return Err(CliError::Usage("--bandwidth 0 is invalid; give at least 1 byte per cycle, or use --free-link".into()));
        }
        let link = (!self.free_link).then_some(crate::problem::LinkSpec {
            latency_cycles: self.latency,
            bytes_per_cycle: self.bandwidth,
        });
        let (objective, iterations) = match (self.objective, self.iterations) {
            (Some(super::ObjectiveChoice::Period), Some(_)) => {
                return Err(CliError::Usage("--iterations applies only to --objective makespan; drop one of them".into()))
            }
            (Some(super::ObjectiveChoice::Period), None) => (Some("period".to_string()), None),
            (Some(super::ObjectiveChoice::Makespan), iterations) | (None, iterations @ Some(_)) => {
                (Some("makespan".to_string()), iterations)
            }
            (None, None) => (None, None),
        };
        Ok(Grid {
            array_counts,
            delays,
            tilings,
            hardware: Hardware {
                rows: self.rows,
                cols: self.cols,
                dataflow: self.dataflow.clone(),
                vector_lanes: self.vector_lanes.unwrap_or(self.cols),
                link,
            },
            batch: self.batch,
            timesteps: self.timesteps,
            objective,
            iterations,
        })
    }
}

/// The command line as typed, with the program named `spikepipe`.
fn command_line() -> String {
    let mut words: Vec<String> = std::env::args().skip(1).collect();
    words.insert(0, "spikepipe".into());
    words
        .iter()
        .map(|w| if w.contains([' ', '[', ']', '*']) { format!("'{w}'") } else { w.clone() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `target` relative to directory `base`, for links inside the report.
fn relative_path(base: &Path, target: &Path) -> String {
    let base = if base.as_os_str().is_empty() { Path::new(".") } else { base };
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (base, target) = (absolute(base), absolute(target));
    let base: Vec<Component> = base.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&target_parts).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..base.len() {
        relative.push("..");
    }
    for part in &target_parts[common..] {
        relative.push(part);
    }
    relative.to_string_lossy().replace('\\', "/")
}

fn progress_bar(count: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(count as u64);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} scenarios {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Solves one scenario with every applicable scheduler; a failed run becomes
/// an `error` row and is logged.
fn solve_scenario(scenario: &Scenario, kinds: &[SchedulerKind], options: &crate::sched::SolveOptions) -> Vec<SweepRow> {
    let kinds = sweep::applicable(kinds, &scenario.problem);
    match run_schedulers(&scenario.problem, &kinds, options) {
        Ok((runs, _)) => runs.iter().map(|run| SweepRow::from_run(scenario, &run.outcome, run.metrics.as_ref())).collect(),
        Err(error) => {
            log::error!("{}: {error}", scenario.problem.name);
            kinds.iter().map(|&kind| SweepRow::failed(scenario, kind)).collect()
        }
    }
}

pub fn run(args: &SweepArgs, verbose: u8, quiet: bool) -> Result<i32, CliError> {
    let grid = args.grid()?;
    let kinds = parse_schedulers(&args.schedulers)?;
    let jobs = match args.jobs {
        Some(0) => return Err(CliError::Usage("--jobs 0 is invalid; give at least 1".into())),
        Some(jobs) => jobs,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut options = args.solver.options(verbose, false)?;
    if jobs > 1 && options.threads.is_none() {
        // Parallel scenarios already fill the cores.
        options.threads = Some(1);
    }

    // Build every problem first, so that bad input fails before any solve.
    let scenarios = sweep::build_scenarios(&args.files, &grid)?;
    if !quiet {
        eprintln!("sweep: {} scenarios, {} parallel job(s)", scenarios.len(), jobs);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start {jobs} worker threads: {e}")))?;
    let bar = progress_bar(scenarios.len(), quiet);
    let started = Instant::now();
    let rows: Vec<SweepRow> = pool.install(|| {
        scenarios
            .par_iter()
            .map(|scenario| {
                bar.set_message(scenario.problem.name.clone());
                let rows = solve_scenario(scenario, &kinds, &options);
                bar.inc(1);
                rows
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    bar.finish_and_clear();
    let wall_seconds = started.elapsed().as_secs_f64();

    super::emit(&format_table(&summary_rows(&rows)))?;
    let timing = Timing { jobs, solver_threads: options.threads, time_limit: options.time_limit.as_secs_f64(), wall_seconds };
    write_outputs(args, &grid, &rows, &timing, quiet)?;

    let missing: Vec<String> =
        rows.iter().filter(|r| !r.has_schedule()).map(|r| format!("{} ({}: {})", r.problem, r.scheduler, r.status)).collect();
    if missing.is_empty() {
        Ok(0)
    } else {
        log::error!("no schedule for {}", missing.join(", "));
        Ok(crate::error::EXIT_NO_SCHEDULE)
    }
}

/// How the solves of a sweep ran, for the report.
struct Timing {
    jobs: usize,
    solver_threads: Option<u32>,
    time_limit: f64,
    wall_seconds: f64,
}

fn write_outputs(args: &SweepArgs, grid: &Grid, rows: &[SweepRow], timing: &Timing, quiet: bool) -> Result<(), CliError> {
    let write_error = |path: &Path, e: std::io::Error| CliError::Usage(format!("{}: cannot write: {e}", path.display()));
    if let Some(path) = &args.csv {
        write_atomic(path, to_csv(rows).as_bytes()).map_err(|e| write_error(path, e))?;
        if !quiet {
            eprintln!("table written to {}", path.display());
        }
    }
    let report_dir = args.markdown.as_ref().map(|p| p.parent().unwrap_or(Path::new("")).to_path_buf());
    let mut plots = Vec::new();
    let mut plot_error = None;
    if let Some(dir) = &args.plots {
        match sweep::plot::draw_all(rows, dir) {
            Ok(written) => {
                if !quiet {
                    eprintln!("{} plots written to {}", written.len(), dir.display());
                }
                plots = written;
            }
            // The report is still worth writing without plots.
            Err(message) => plot_error = Some(message),
        }
    }
    if let Some(path) = &args.markdown {
        let base = report_dir.unwrap_or_default();
        let info = RunInfo {
            command: command_line(),
            hardware: grid.hardware.describe(),
            time_limit_seconds: timing.time_limit,
            jobs: timing.jobs,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            solver_threads: timing.solver_threads,
            wall_seconds: timing.wall_seconds,
            plots: plots.iter().map(|(name, file)| (name.clone(), relative_path(&base, file))).collect(),
            csv: args.csv.as_ref().map(|c| relative_path(&base, c)),
        };
        write_atomic(path, sweep::report::render(rows, &info).as_bytes()).map_err(|e| write_error(path, e))?;
        if !quiet {
            eprintln!("report written to {}", path.display());
        }
    }
    match plot_error {
        Some(message) => Err(CliError::Usage(message)),
        None => Ok(()),
    }
}

fn summary_rows(rows: &[SweepRow]) -> Vec<Vec<String>> {
    let mut table = vec![[
        "problem", "arrays", "sizes", "delays", "tiling", "scheduler", "value", "lower bound", "speedup", "utilization", "comm overhead",
        "status", "seconds",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for row in rows {
        table.push(vec![
            row.problem.clone(),
            row.arrays.to_string(),
            row.array_sizes.clone(),
            row.delays.clone(),
            row.tiling.clone(),
            row.scheduler.clone(),
            row.value.map_or("-".into(), |v| v.to_string()),
            row.lower_bound.map_or("-".into(), |v| v.to_string()),
            format_speedup(row.speedup),
            format_percent(row.utilization, 1),
            format_percent(row.comm_overhead, 3),
            row.status.clone(),
            format!("{:.2}", row.seconds),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::relative_path;
    use std::path::Path;

    #[test]
    fn relative_path_from_report_directory() {
        assert_eq!(relative_path(Path::new("docs"), Path::new("docs/plots/a.png")), "plots/a.png");
        assert_eq!(relative_path(Path::new(""), Path::new("results.csv")), "results.csv");
        assert_eq!(relative_path(Path::new("docs"), Path::new("out/a.png")), "../out/a.png");
    }
}

//! Command-line interface: raw arguments (clap) are turned into validated
//! problems and options once, then each subcommand runs its pipeline.

mod bench;
mod check;
mod export;
mod solve;
mod sweep;
mod tasks;
mod train;

use crate::error::{InputError, OutputError, SolverError, EXIT_BAD_INPUT, EXIT_NO_SCHEDULE};
use crate::problem::{LoadOptions, Objective, Problem};
use crate::sched::{SchedulerKind, SolveOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A failed command: bad input or usage (exit 2), or a run that found no
/// valid schedule or a violation (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NoSchedule(String),
    #[error("{0}")]
    Solver(#[from] SolverError),
    #[error("{0}")]
    Output(#[from] OutputError),
}

impl CliError {
    pub fn exit_status(&self) -> i32 {
        match self {
            CliError::Input(_) | CliError::Usage(_) | CliError::Output(_) => EXIT_BAD_INPUT,
            CliError::Solver(SolverError::NotApplicable { .. }) => EXIT_BAD_INPUT,
            // A failed solver found no schedule.
            CliError::NoSchedule(_) | CliError::Solver(SolverError::Failed { .. }) => EXIT_NO_SCHEDULE,
        }
    }
}

#[derive(Debug, Parser)]
#[command(name = "spikepipe", version, about = "Pipelined multiprocessor scheduling of spiking neural network training on systolic arrays")]
struct Cli {
    /// Print more diagnostics (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Print only results and errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Schedule one problem and print the result.
    Solve(solve::SolveArgs),
    /// Run every applicable scheduler on each problem: one table, Gantt PNGs.
    Compare(solve::CompareArgs),
    /// List the training tasks of a problem with their shapes and cycles.
    Tasks(tasks::TasksArgs),
    /// Validate the schedules of a `solve --json` result against a problem.
    Check(check::CheckArgs),
    /// Train a network on bundled data with delayed gradients.
    Train(crate::train::command::TrainArgs),
    /// Solve models over array counts, delays and tilings; write tables, plots and a report.
    Sweep(Box<sweep::SweepArgs>),
    /// Write the ILP model (.lp, .mps) or the problem as JSON (.json).
    Export(export::ExportArgs),
    /// Benchmark the ILP against a CP-SAT reference on a fixed suite.
    Bench(bench::BenchArgs),
}

/// Which scheduler `solve` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchedulerChoice {
    Ilp,
    List,
    Standard,
    All,
}

impl SchedulerChoice {
    fn kinds(self) -> Vec<SchedulerKind> {
        match self {
            SchedulerChoice::Ilp => vec![SchedulerKind::Ilp],
            SchedulerChoice::List => vec![SchedulerKind::List],
            SchedulerChoice::Standard => vec![SchedulerKind::Standard],
            SchedulerChoice::All => SchedulerKind::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveChoice {
    Period,
    Makespan,
}

/// Options that pick and adjust the problem to solve.
#[derive(Debug, Clone, Args)]
pub struct ProblemArgs {
    /// Override the problem's objective.
    #[arg(long, value_enum)]
    objective: Option<ObjectiveChoice>,
    /// Iterations unrolled for the makespan objective (implies makespan).
    #[arg(long, allow_negative_numbers = true)]
    iterations: Option<u64>,
    /// Identical processors for a bare .stg file (ignored for YAML problems).
    #[arg(long)]
    processors: Option<u64>,
}

/// Options of the solver runs.
#[derive(Debug, Clone, Args)]
pub struct SolverArgs {
    /// Time limit in seconds for one scheduler on one problem.
    #[arg(long, default_value_t = 60.0, allow_negative_numbers = true)]
    time_limit: f64,
    /// Solver threads (default: chosen by HiGHS).
    #[arg(long)]
    threads: Option<u32>,
    /// Relative MIP gap at which the ILP may stop (0 asks for a proof).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    mip_gap: f64,
}

impl SolverArgs {
    fn options(&self, verbose: u8, progress: bool) -> Result<SolveOptions, CliError> {
        if !(self.time_limit.is_finite() && self.time_limit > 0.0 && self.time_limit <= 1e7) {
            return Err(CliError::Usage(format!(
                "--time-limit {:?} is invalid; give a positive number of seconds, at most 1e7",
                self.time_limit
            )));
        }
        if !(self.mip_gap.is_finite() && (0.0..1.0).contains(&self.mip_gap)) {
            return Err(CliError::Usage(format!("--mip-gap {:?} is invalid; give a fraction from 0 up to 1", self.mip_gap)));
        }
        if self.threads == Some(0) {
            return Err(CliError::Usage("--threads 0 is invalid; give at least 1".into()));
        }
        Ok(SolveOptions {
            time_limit: Duration::from_secs_f64(self.time_limit),
            threads: self.threads,
            mip_gap: self.mip_gap,
            verbose: verbose >= 2,
            progress,
        })
    }
}

/// Loads a problem file and applies the command-line overrides.
pub fn load_problem(path: &Path, args: &ProblemArgs) -> Result<Problem, CliError> {
    let is_stg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("stg"));
    if args.processors.is_some() && !is_stg {
        log::warn!("--processors applies only to .stg files; {} sets its own arrays", path.display());
    }
    let mut problem = crate::problem::load(path, LoadOptions { processors: args.processors })?;
    let objective = match (args.objective, args.iterations) {
        (None, None) => return Ok(problem),
        (Some(ObjectiveChoice::Period), Some(_)) => {
            return Err(CliError::Usage("--iterations applies only to --objective makespan; drop one of them".into()))
        }
        (Some(ObjectiveChoice::Period), None) => Objective::Period,
        (_, iterations) => {
            let current = match problem.objective {
                Objective::Makespan { iterations } => u64::from(iterations),
                Objective::Period => 1,
            };
            let iterations = iterations.unwrap_or(current);
            let copies = (problem.tasks.len() as u64).saturating_mul(iterations);
            if iterations == 0 || iterations > crate::problem::load::MAX_ITERATIONS || copies > crate::problem::load::MAX_TASKS as u64 {
                return Err(CliError::Usage(format!(
                    "--iterations {iterations} is invalid; give 1 to {} with at most {} task copies in all",
                    crate::problem::load::MAX_ITERATIONS,
                    crate::problem::load::MAX_TASKS
                )));
            }
            Objective::Makespan { iterations: iterations as u32 }
        }
    };
    problem.objective = objective;
    Ok(problem)
}

/// Parses the command line and runs it; returns the exit status.
pub fn main() -> Result<i32, CliError> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match error.kind() {
            clap::error::ErrorKind::DisplayHelp
            | clap::error::ErrorKind::DisplayVersion
            | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => error.exit(),
            _ => {
                // clap's message spans several lines (the error, the values
                // it expected, a tip, the usage); keep all but the usage on
                // one line.
                let text = error.render().to_string();
                let parts: Vec<&str> = text
                    .lines()
                    .take_while(|line| !line.starts_with("Usage:"))
                    .map(|line| line.trim().trim_start_matches("error: "))
                    .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
                    .collect();
                let message = parts.join(" ");
                return Err(CliError::Usage(format!("{message}; see spikepipe --help")));
            }
        },
    };
    let level = if cli.quiet {
        log::LevelFilter::Error
    } else {
        match cli.verbose {
            0 => log::LevelFilter::Warn,
            1 => log::LevelFilter::Info,
            _ => log::LevelFilter::Debug,
        }
    };
    // The highs crate warns on every run stopped by its time limit; the
    // schedulers report that themselves.
    let highs_level = if cli.verbose >= 2 { log::LevelFilter::Debug } else { log::LevelFilter::Error };
    env_logger::Builder::new()
        .filter_level(level)
        .filter_module("highs", highs_level.min(level))
        .format_timestamp(None)
        .format_target(false)
        .init();
    match cli.command {
        Command::Solve(args) => solve::run_solve(&args, cli.verbose, cli.quiet),
        Command::Compare(args) => solve::run_compare(&args, cli.verbose, cli.quiet),
        Command::Tasks(args) => tasks::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Train(args) => train::run(&args, cli.quiet),
        Command::Sweep(args) => sweep::run(&args, cli.verbose, cli.quiet),
        Command::Export(args) => export::run(&args),
        Command::Bench(args) => bench::run(&args, cli.quiet),
    }
}

/// Writes results to standard output. A closed pipe (the reader stopped
/// early, as `head` does) ends the output quietly; any other write failure
/// is an error instead of a panic.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    use std::io::Write;

    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Output(OutputError { path: PathBuf::from("standard output"), content: "results", source: e }))
        }
        _ => Ok(()),
    }
}

/// A path given on the command line, for messages.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Default directory of Gantt charts.
pub fn default_plot_dir() -> PathBuf {
    PathBuf::from("plots")
}

/// Aligns rows of cells into a plain-text table; the first row is the header.
pub(crate) fn format_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for (index, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("{cell:<w$}")).collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
        if index == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            text.push_str(&rule.join("  "));
            text.push('\n');
        }
    }
    text
}

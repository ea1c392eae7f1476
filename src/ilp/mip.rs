//! One mixed-integer model and its HiGHS run: columns with their warm-start
//! values, the solver options, and what the run proved.
//!
//! The model is written with good_lp, converted to a `highs::Model`, and run
//! directly so that the dual bound (`mip_dual_bound`) and the exact status are
//! available. Columns are numbered in creation order, which is also the column
//! order of the HiGHS model and of the solution vector.

use good_lp::solvers::highs::highs;
use good_lp::{Constraint, Expression, ProblemVariables, SolverModel, Variable, VariableDefinition};
use highs::{HighsModelStatus, HighsSolutionStatus};

/// A model column: the good_lp variable and its index in the solution vector.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub var: Variable,
    pub index: usize,
}

/// Solver settings of one run.
#[derive(Debug, Clone)]
pub struct MipSettings {
    /// Seconds the run may take.
    pub time_limit: f64,
    pub threads: Option<u32>,
    /// Relative gap at which HiGHS may stop (0 requires a proof).
    pub rel_gap: f64,
    /// Absolute gap at which HiGHS may stop, in objective units.
    pub abs_gap: f64,
    pub verbose: bool,
}

/// The proof status of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MipStatus {
    /// The solver finished: optimal within the gaps.
    Optimal,
    /// The solver proved that no solution exists.
    Infeasible,
    /// The run stopped early (time limit or a solver failure).
    Stopped,
}

/// The outcome of one run.
#[derive(Debug, Clone)]
pub struct MipResult {
    pub status: MipStatus,
    /// Column values of the best solution found, if any.
    pub values: Option<Vec<f64>>,
    /// Proven lower bound on the minimised objective, if the solver gave one.
    pub dual_bound: Option<f64>,
}

/// A minimisation model under construction.
pub struct MipModel {
    variables: ProblemVariables,
    warm_start: Vec<f64>,
    /// Column names for written models (empty: HiGHS's defaults).
    names: Vec<Option<String>>,
    constraints: Vec<Constraint>,
    integer_columns: usize,
}

/// Absolute gap just below 1 cycle: objectives are integers, so a gap under
/// 1 proves integral optimality without chasing the last fraction.
pub const INTEGRAL_GAP: f64 = 0.999;

/// Fixed seed so that runs are repeatable.
const RANDOM_SEED: i32 = 12345;

impl MipModel {
    pub fn new() -> Self {
        MipModel { variables: ProblemVariables::new(), warm_start: Vec::new(), names: Vec::new(), constraints: Vec::new(), integer_columns: 0 }
    }

    /// Adds a column whose warm-start value is `start`.
    pub fn add(&mut self, definition: VariableDefinition, start: f64) -> Column {
        let index = self.warm_start.len();
        self.warm_start.push(start);
        self.names.push(None);
        self.integer_columns += usize::from(definition.is_integer());
        Column { var: self.variables.add(definition), index }
    }

    pub fn constrain(&mut self, constraint: Constraint) {
        self.constraints.push(constraint);
    }

    pub fn column_count(&self) -> usize {
        self.warm_start.len()
    }

    pub fn row_count(&self) -> usize {
        self.constraints.len()
    }

    /// Names a column in written models.
    pub fn name(&mut self, column: Column, name: String) {
        self.names[column.index] = Some(name);
    }

    /// Hands the model to HiGHS: the columns, rows and objective, without
    /// options. Leaves the warm start and names in `self`.
    fn to_highs(&mut self, objective: Expression) -> Result<highs::Model, String> {
        let variables = std::mem::take(&mut self.variables);
        let mut problem = highs(variables.minimise(objective));
        for constraint in std::mem::take(&mut self.constraints) {
            problem.add_constraint(constraint);
        }
        problem.try_into_inner().map_err(|error| format!("HiGHS rejected the model: {error}"))
    }

    /// Writes the model minimising `objective` to `path`, as LP or MPS by
    /// the file's extension, with the column names set by `name`. HiGHS
    /// writes to a temporary file in the same directory, which is then
    /// renamed, so `path` never contains a partial model.
    pub fn write(mut self, objective: Expression, path: &std::path::Path) -> Result<(), String> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(extension, "lp" | "mps") {
            return Err(format!("{}: the model file must end in .lp or .mps", path.display()));
        }
        let mut model = self.to_highs(objective)?;
        model.make_quiet();
        let pointer = model.as_mut_ptr();
        for (index, name) in self.names.iter().enumerate() {
            let Some(name) = name else { continue };
            let Ok(name) = std::ffi::CString::new(name.as_str()) else { continue };
            let column = highs_sys::HighsInt::try_from(index).map_err(|_| "too many columns to name".to_string())?;
            // SAFETY: `pointer` is the live HiGHS instance owned by `model`,
            // `column` is below its column count, and `name` outlives the call.
            let status = unsafe { highs_sys::Highs_passColName(pointer, column, name.as_ptr()) };
            if status == highs_sys::STATUS_ERROR {
                return Err(format!("HiGHS rejected the column name {name:?}"));
            }
        }
        let directory = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("model");
        let temporary = directory.join(format!(".{file_name}.{}.tmp.{extension}", std::process::id()));
        let temporary_name = std::ffi::CString::new(temporary.to_string_lossy().as_bytes())
            .map_err(|_| format!("{}: the path contains a NUL byte", path.display()))?;
        // SAFETY: as above; `temporary_name` outlives the call.
        let status = unsafe { highs_sys::Highs_writeModel(pointer, temporary_name.as_ptr()) };
        if status == highs_sys::STATUS_ERROR || !temporary.exists() {
            let _ = std::fs::remove_file(&temporary);
            return Err(format!("{}: HiGHS could not write the model", path.display()));
        }
        std::fs::rename(&temporary, path).map_err(|error| {
            let _ = std::fs::remove_file(&temporary);
            format!("{}: {error}", path.display())
        })
    }

    /// Minimises `objective` with HiGHS, handing it the warm-start values of
    /// every column when `use_warm_start` is set.
    pub fn minimise(mut self, objective: Expression, settings: &MipSettings, use_warm_start: bool) -> MipResult {
        let stopped = MipResult { status: MipStatus::Stopped, values: None, dual_bound: None };
        let mut model = match self.to_highs(objective) {
            Ok(model) => model,
            Err(error) => {
                log::warn!("{error}");
                return stopped;
            }
        };
        if !settings.verbose {
            model.make_quiet();
        }
        let options: [(&str, OptionValue); 6] = [
            ("time_limit", OptionValue::Float(settings.time_limit.max(0.0))),
            ("mip_rel_gap", OptionValue::Float(settings.rel_gap.max(0.0))),
            ("mip_abs_gap", OptionValue::Float(settings.abs_gap.max(0.0))),
            ("random_seed", OptionValue::Int(RANDOM_SEED)),
            ("output_flag", OptionValue::Bool(settings.verbose)),
            ("log_to_console", OptionValue::Bool(settings.verbose)),
        ];
        for (name, value) in options {
            let result = match value {
                OptionValue::Float(v) => model.try_set_option(name, v),
                OptionValue::Int(v) => model.try_set_option(name, v),
                OptionValue::Bool(v) => model.try_set_option(name, v),
            };
            if result.is_err() {
                log::warn!("HiGHS rejected the option {name}");
            }
        }
        if let Some(threads) = settings.threads.filter(|&t| t > 0) {
            if model.try_set_option("threads", i32::try_from(threads).unwrap_or(i32::MAX)).is_err() {
                log::warn!("HiGHS rejected the option threads = {threads}");
            }
        }
        if use_warm_start && model.try_set_solution(Some(&self.warm_start), None, None, None).is_err() {
            log::warn!("HiGHS rejected the warm start");
        }

        let solved = match model.try_solve() {
            Ok(solved) => solved,
            Err(error) => {
                log::warn!("HiGHS failed: {error:?}");
                return stopped;
            }
        };
        let status = match solved.status() {
            HighsModelStatus::Optimal => MipStatus::Optimal,
            // Every column is bounded, so "unbounded or infeasible" is infeasible.
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => MipStatus::Infeasible,
            other => {
                log::debug!("HiGHS stopped with status {other:?}");
                MipStatus::Stopped
            }
        };
        let has_solution = matches!(solved.int_info_value(c"primal_solution_status"), Ok(v) if v == HighsSolutionStatus::Feasible as i64);
        let values = has_solution.then(|| solved.get_solution().columns().to_vec());
        // A model without integer columns is a linear program, whose optimal
        // objective is itself the bound; HiGHS sets `mip_dual_bound` only for MIPs.
        let dual_bound = if self.integer_columns == 0 {
            (status == MipStatus::Optimal).then(|| solved.objective_value())
        } else {
            solved.double_info_value(c"mip_dual_bound").ok().filter(|b| b.is_finite())
        };
        MipResult { status, values, dual_bound }
    }
}

enum OptionValue {
    Float(f64),
    Int(i32),
    Bool(bool),
}

/// Rounds a solver's dual bound up to a proven integer lower bound, after an
/// allowance for floating-point error (1e-6 absolute or 1e-9 relative).
pub fn integer_bound(dual_bound: f64) -> u64 {
    let allowance = (dual_bound.abs() * 1e-9).max(1e-6);
    let bound = (dual_bound - allowance).ceil();
    if bound <= 0.0 {
        0
    } else if bound >= u64::MAX as f64 {
        u64::MAX
    } else {
        bound as u64
    }
}

/// Names of the tasks usable in LP and MPS files: letters, digits, `_` and
/// `.` kept, anything else replaced by `_`. When two names would collide,
/// every task is named `t` and its index instead.
pub fn column_names(problem: &crate::problem::Problem) -> Vec<String> {
    let clean: Vec<String> = problem
        .tasks
        .iter()
        .map(|task| task.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c } else { '_' }).collect())
        .collect();
    let unique: std::collections::HashSet<&String> = clean.iter().collect();
    if unique.len() == clean.len() && clean.iter().all(|n| !n.is_empty()) {
        clean
    } else {
        (0..problem.tasks.len()).map(|t| format!("t{t}")).collect()
    }
}

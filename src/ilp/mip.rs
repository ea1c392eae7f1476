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
        MipModel { variables: ProblemVariables::new(), warm_start: Vec::new(), constraints: Vec::new(), integer_columns: 0 }
    }

    /// Adds a column whose warm-start value is `start`.
    pub fn add(&mut self, definition: VariableDefinition, start: f64) -> Column {
        let index = self.warm_start.len();
        self.warm_start.push(start);
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

    /// Minimises `objective` with HiGHS, handing it the warm-start values of
    /// every column when `use_warm_start` is set.
    pub fn minimise(self, objective: Expression, settings: &MipSettings, use_warm_start: bool) -> MipResult {
        let stopped = MipResult { status: MipStatus::Stopped, values: None, dual_bound: None };
        let mut problem = highs(self.variables.minimise(objective));
        for constraint in self.constraints {
            problem.add_constraint(constraint);
        }
        let mut model = match problem.try_into_inner() {
            Ok(model) => model,
            Err(error) => {
                log::warn!("HiGHS rejected the model: {error}");
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

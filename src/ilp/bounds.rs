//! Load bounds: the smallest busiest-array load over all assignments, and the
//! assignments (packings) that reach a given load.
//!
//! Period T: each array runs each of its tasks once per period and at most
//! one at a time modulo T, so Σ_{v on a} dur_v(a) ≤ T for every array a.
//! Makespan of N iterations: the copies on array a run one at a time within
//! [0, C], so Σ_{copies on a} dur(a) ≤ C. Both objectives are thus at least
//! the optimum of the assignment problem (R||Cmax; P||Cmax on identical
//! arrays) over the items (tasks for period, task copies for makespan):
//! - x[i,a] ∈ {0,1}, Σ_a x[i,a] = 1 (see `assignment`);
//! - L ≥ Σ_i dur_i(a)·x[i,a] for every array a;
//! - minimise L.
//!
//! The solver's dual bound on L, rounded up, is a valid lower bound even when
//! the run stops early. On identical arrays items are taken in order of
//! decreasing duration and item k may use arrays ≤ k (see `assignment`).
//!
//! `packings` lists assignments with every load at most a target T,
//! preferring ones that cut few transfers:
//! - x as above, L replaced by the constant T in the load rows;
//! - z[e] ≥ x[u,a] − x[v,a] for every edge e = u → v with a transfer κ_e > 0
//!   and every array a: z[e] = 1 when u and v run apart;
//! - minimise Σ_e κ_e·z[e] / T;
//! - after each packing x*, the row Σ_{x*[i,a] = 1} x[i,a] ≤ items − 1
//!   excludes it from the next run.

use super::assignment::{allowed_arrays, Assignment};
use super::mip::{integer_bound, MipModel, MipSettings, MipStatus};
use crate::problem::Problem;
use crate::sched::SolveOptions;
use good_lp::{variable, Expression};

/// Above this many items the assignment model is not built; the caller keeps
/// ⌈work / P⌉.
const MAX_ITEMS: usize = 2000;

/// The result of the load-bound model.
pub struct LoadBound {
    /// Proven: every assignment has a busiest array with at least this load.
    pub bound: u64,
    /// An assignment of the tasks (period) whose busiest load is the
    /// smallest found, if any.
    pub assignment: Option<Vec<usize>>,
}

/// Items in order of decreasing shortest duration, so that the symmetry rule
/// (item k on arrays ≤ k) fixes the largest items first.
fn item_order(problem: &Problem, copies: usize) -> Vec<usize> {
    let n = problem.tasks.len();
    let mut items: Vec<usize> = (0..n * copies).collect();
    items.sort_by_key(|&i| (std::cmp::Reverse(problem.min_duration(i % n)), i));
    items
}

/// Solves the assignment model over `copies` copies of every task within
/// `seconds`. Returns `None` when the model is too large or the run gives no
/// bound.
pub fn load_bound(problem: &Problem, copies: u32, options: &SolveOptions, seconds: f64) -> Option<LoadBound> {
    let n = problem.tasks.len();
    let copies = copies as usize;
    if n == 0 || n * copies > MAX_ITEMS || seconds < 0.01 {
        return None;
    }
    let order = item_order(problem, copies);
    let symmetric = problem.has_identical_arrays();
    let allowed = allowed_arrays(order.len(), problem.array_count(), |k| order[k] % n, None, symmetric, |_, _| true);
    // Loads are measured in units of the largest total work on one array, so
    // coefficients stay within [0, 1].
    let unit = (0..problem.array_count())
        .map(|a| (0..n).map(|t| problem.duration(t, a)).fold(0u64, u64::saturating_add))
        .max()
        .unwrap_or(1)
        .saturating_mul(copies as u64)
        .max(1) as f64;
    let mut model = MipModel::new();
    let x = Assignment::new(&mut model, &allowed, &[]);
    let load = model.add(variable().min(0.0).max(1.0), 1.0);
    for a in 0..problem.array_count() {
        let used: Expression = (0..order.len())
            .filter(|&k| x.allows(k, a))
            .map(|k| problem.duration(order[k] % n, a) as f64 / unit * x.x(k, a))
            .sum();
        model.constrain((Expression::from(load.var) - used).geq(0.0));
    }
    let settings = MipSettings {
        time_limit: seconds,
        threads: options.threads,
        rel_gap: 0.0,
        abs_gap: 0.999 / unit,
        verbose: options.verbose,
    };
    let result = model.minimise(Expression::from(load.var), &settings, false);
    let bound = integer_bound(result.dual_bound? * unit);
    let assignment = (copies == 1).then_some(()).and(result.values).map(|values| {
        let by_item = x.decode(&values);
        let mut arrays = vec![0; n];
        for (k, &array) in by_item.iter().enumerate() {
            arrays[order[k]] = array;
        }
        arrays
    });
    Some(LoadBound { bound, assignment })
}

/// Lists up to `count` task assignments whose loads are all at most
/// `period`, fewest transfer cycles first, within `seconds` in all.
pub fn packings(problem: &Problem, period: u64, count: usize, options: &SolveOptions, seconds: f64) -> Vec<Vec<usize>> {
    let n = problem.tasks.len();
    let started = std::time::Instant::now();
    let mut found: Vec<Vec<usize>> = Vec::new();
    if n == 0 || n > MAX_ITEMS {
        return found;
    }
    let t = period.max(1) as f64;
    while found.len() < count {
        let left = seconds - started.elapsed().as_secs_f64();
        if left < 0.01 {
            break;
        }
        let allowed: Vec<Vec<usize>> = (0..n)
            .map(|v| (0..problem.array_count()).filter(|&a| problem.duration(v, a) <= period).collect())
            .collect();
        if allowed.iter().any(Vec::is_empty) {
            break;
        }
        let mut model = MipModel::new();
        let x = Assignment::new(&mut model, &allowed, &[]);
        for a in 0..problem.array_count() {
            let used: Expression = (0..n).filter(|&v| x.allows(v, a)).map(|v| problem.duration(v, a) as f64 / t * x.x(v, a)).sum();
            model.constrain(used.leq(1.0));
        }
        let mut cost = Expression::from(0.0);
        for edge in problem.edges.iter().filter(|e| e.from != e.to) {
            let comm = problem.remote_comm(edge);
            if comm == 0 {
                continue;
            }
            let split = model.add(variable().min(0.0).max(1.0), 0.0);
            for a in 0..problem.array_count() {
                if x.allows(edge.from, a) || x.allows(edge.to, a) {
                    model.constrain((Expression::from(split.var) - x.x(edge.from, a) + x.x(edge.to, a)).geq(0.0));
                }
            }
            cost += comm as f64 / t * split.var;
        }
        for previous in &found {
            let same: Expression = previous.iter().enumerate().map(|(v, &a)| x.x(v, a)).sum();
            model.constrain(same.leq(n as f64 - 1.0));
        }
        let settings = MipSettings {
            time_limit: left,
            threads: options.threads,
            rel_gap: 0.0,
            abs_gap: 0.999 / t,
            verbose: options.verbose,
        };
        let result = model.minimise(cost, &settings, false);
        if result.status == MipStatus::Infeasible {
            break;
        }
        let Some(values) = result.values else {
            break;
        };
        let arrays = x.decode(&values);
        if found.contains(&arrays) {
            break;
        }
        found.push(arrays);
    }
    found
}

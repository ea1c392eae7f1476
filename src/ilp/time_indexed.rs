//! A time-indexed makespan model for identical arrays with free transfers
//! and short horizons, where it is far stronger than the big-M model.
//!
//! With integer durations some optimal schedule has integer starts (the
//! earliest starts of its assignment and order are longest paths over
//! integer weights), so starts can be enumerated. For copy c with window
//! [est(c), lst(c)] (see `makespan`) and horizon H:
//! - z[c,t] ∈ {0,1}: c starts at t, for t in the window; Σ_t z[c,t] = 1;
//! - edge c → c': c' started by τ implies c started by τ − dur(c):
//!   Σ_{t ≤ τ} z[c',t] ≤ Σ_{t ≤ τ − dur(c)} z[c,t] for every τ in c''s window;
//! - capacity: for every instant τ < H, the copies running at τ number at most
//!   P: Σ_c Σ_{τ − dur(c) < t ≤ τ} z[c,t] ≤ P;
//! - C ∈ [low, H], C ≥ Σ_t (t + dur(c))·z[c,t] for copies without successors;
//! - objective: minimise C.
//!
//! The model does not pick arrays. On identical arrays, intervals with at
//! most P running at any instant get arrays greedily in order of start
//! (interval graph colouring). Transfers are free, so that choice does not
//! affect timing.

use super::mip::{Column, MipModel, MipSettings, MipStatus};
use crate::problem::Problem;
use good_lp::{variable, Expression};

/// Above this many start columns the model is not built.
const MAX_COLUMNS: u64 = 50_000;
/// Above this many capacity-row entries the model is not built.
const MAX_CAPACITY_ENTRIES: u64 = 2_000_000;

/// Checks that the time-indexed model applies: identical arrays, no transfer
/// costs, no fixed assignment, and a model within the size limits at
/// `horizon`. `duration[c]` is copy c's duration.
pub fn applies(problem: &Problem, fixed: Option<&[usize]>, duration: &[u64], est: &[u64], lst: &[u64], horizon: u64) -> bool {
    let free_transfers = problem.edges.iter().all(|e| problem.remote_comm(e) == 0);
    if fixed.is_some() || !free_transfers || !problem.has_identical_arrays() || horizon > MAX_COLUMNS {
        return false;
    }
    let mut columns = 0u64;
    let mut entries = 0u64;
    for c in 0..est.len() {
        let window = lst[c].saturating_sub(est[c]) + 1;
        columns = columns.saturating_add(window);
        entries = entries.saturating_add(window.saturating_mul(duration[c]));
    }
    columns <= MAX_COLUMNS && entries <= MAX_CAPACITY_ENTRIES
}

/// The result of one run of the model.
pub struct TimeIndexed {
    pub status: MipStatus,
    /// Integer starts per copy, if a solution was found.
    pub starts: Option<Vec<u64>>,
    pub dual_bound: Option<f64>,
}

/// The copies to schedule, with their start windows.
pub struct Instance<'a> {
    /// Duration of each copy.
    pub duration: &'a [u64],
    /// Unrolled edges as (copy, successor copy).
    pub edges: &'a [(usize, usize)],
    pub est: &'a [u64],
    pub lst: &'a [u64],
    pub processors: usize,
}

/// Minimises the makespan over schedules within the windows and `horizon`,
/// knowing it is at least `low`.
pub fn minimise(instance: &Instance, horizon: u64, low: u64, settings: &MipSettings) -> TimeIndexed {
    let Instance { duration, edges, est, lst, processors } = *instance;
    let copies = duration.len();
    let mut model = MipModel::new();
    // z[c][k] is the start at est[c] + k.
    let z: Vec<Vec<Column>> = (0..copies)
        .map(|c| (est[c]..=lst[c]).map(|_| model.add(variable().binary(), 0.0)).collect())
        .collect();
    for columns in &z {
        let sum: Expression = columns.iter().map(|c| c.var).sum();
        model.constrain(sum.eq(1.0));
    }

    // Σ_{t ≤ τ} z[c,t] as an expression (empty sums are 0).
    let started_by = |c: usize, tau: i128| -> Expression {
        let last = tau.min(i128::from(lst[c])) - i128::from(est[c]);
        if last < 0 {
            return Expression::from(0.0);
        }
        z[c][..=last as usize].iter().map(|col| col.var).sum()
    };
    let mut has_successor = vec![false; copies];
    for &(from, to) in edges.iter() {
        has_successor[from] = true;
        for tau in est[to]..=lst[to] {
            let before = i128::from(tau) - i128::from(duration[from]);
            model.constrain((started_by(to, i128::from(tau)) - started_by(from, before)).leq(0.0));
        }
    }

    // Capacity at every instant: z[c,t] counts at τ = t .. t + dur(c) − 1.
    let mut running: Vec<Vec<good_lp::Variable>> = vec![Vec::new(); horizon as usize];
    for c in (0..copies).filter(|&c| duration[c] > 0) {
        for (k, column) in z[c].iter().enumerate() {
            let start = est[c] + k as u64;
            for tau in start..(start + duration[c]).min(horizon) {
                running[tau as usize].push(column.var);
            }
        }
    }
    for at_tau in running.into_iter().filter(|v| v.len() > processors) {
        let sum: Expression = at_tau.into_iter().sum();
        model.constrain(sum.leq(processors as f64));
    }

    let makespan = model.add(variable().min(low as f64).max(horizon as f64), horizon as f64);
    for c in (0..copies).filter(|&c| !has_successor[c]) {
        let end: Expression = z[c].iter().enumerate().map(|(k, col)| (est[c] + k as u64 + duration[c]) as f64 * col.var).sum();
        model.constrain((Expression::from(makespan.var) - end).geq(0.0));
    }

    let result = model.minimise(Expression::from(makespan.var), settings, false);
    let starts = result.values.map(|values| {
        (0..copies)
            .map(|c| {
                let best = (0..z[c].len()).max_by(|&a, &b| values[z[c][a].index].total_cmp(&values[z[c][b].index])).unwrap_or(0);
                est[c] + best as u64
            })
            .collect()
    });
    TimeIndexed { status: result.status, starts, dual_bound: result.dual_bound }
}

/// Arrays for intervals [start, start + duration) with at most `processors`
/// running at once: each interval, in order of start, takes the lowest
/// numbered array free at its start. `None` if some instant has too many.
pub fn assign_arrays(starts: &[u64], duration: &[u64], processors: usize) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_by_key(|&c| (starts[c], c));
    let mut free_at = vec![0u64; processors];
    let mut arrays = vec![0usize; starts.len()];
    for c in order {
        if duration[c] == 0 {
            continue;
        }
        let array = (0..processors).find(|&a| free_at[a] <= starts[c])?;
        free_at[array] = starts[c] + duration[c];
        arrays[c] = array;
    }
    Some(arrays)
}

//! The period objective: a search over the integer period T with one
//! feasibility model per probed T.
//!
//! Feasibility is monotone in T. A valid schedule s at period T' maps to
//! s'(v) = s(v) + ⌊s(v)/T'⌋·(T − T') at any T ≥ T': write s(v) = q·T' + r with
//! 0 ≤ r < T', then s'(v) = q·T + r.
//! - Two tasks on one array: δ = r(u) − r(v) ∈ (−T', T'). If δ ≥ 0, its
//!   residue is δ under both periods. Otherwise it moves from δ + T' up to
//!   δ + T. A residue in [dur(v), T' − dur(u)] thus lands in
//!   [dur(v), T − dur(u)].
//! - An edge u → v of distance d: the old rule reads
//!   T'·(q(v) + d − q(u)) + r(v) − r(u) ≥ dur(u) + comm ≥ 0, which forces
//!   q(v) + d − q(u) ≥ 0 because r(v) − r(u) < T'. The new slack is the old
//!   one plus (T − T')·(q(v) + d − q(u)) ≥ 0.
//! - Every dur ≤ T' ≤ T.
//!
//! Hence "feasible at T" is monotone, and a search between the lower bound
//! and the warm start's period is exact: an infeasible probe at T proves
//! every period ≤ T infeasible, and a feasible probe gives a schedule. A
//! probe that times out proves nothing, so the search then moves up without
//! raising the proven bound.
//!
//! The probes come in this order:
//! 1. T = the lower bound (the largest of the load bound of `bounds`, the
//!    iteration bound and the transfer cycle bound of `crate::graph`). A
//!    short run of the full model comes first. If it decides nothing, the
//!    assignments of up to `PACKINGS` packings with loads ≤ T are tried,
//!    each with the assignment fixed, and a feasible one proves T optimal.
//!    Then the full model runs again with more time.
//! 2. T = the start's period − 1, so that an optimal start is proven with
//!    one more probe.
//! 3. Bisection between the proven bound and the best period found.
//!
//! After each feasible probe, `compact` shortens the period while the
//! probe's assignment and modulo order still admit a schedule.
//!
//! The model at fixed T, for tasks v and arrays a:
//! - x[v,a] ∈ {0,1} for arrays with dur_v(a) ≤ T (longer ones are forbidden);
//! - s(v) = T·q[v] + r[v] with q[v] ∈ {0..Q} and r[v] ∈ [0, T − 1];
//! - y[u,v] ∈ {0,1} for tasks u < v that may share an array;
//! - Σ_a x[v,a] = 1;
//! - edge u → v of distance d, transfer κ, every array a:
//!   T·q[v] + r[v] + d·T ≥ T·q[u] + r[u] + dur(u) + κ·(x[u,a] − x[v,a]);
//! - both on array a (dur_u(a), dur_v(a) > 0), with B = 2 − x[u,a] − x[v,a]:
//!   r[u] − r[v] ≥ dur_v(a) − T·(1 − y) − (dur_v(a) + T − 1)·B and
//!   r[u] − r[v] ≤ T·y − dur_u(a) + (dur_u(a) + T − 1)·B.
//!   With B = 0, y = 1 puts r[u] − r[v] in [dur_v(a), T − dur_u(a)] and y = 0
//!   puts r[u] − r[v] + T there: exactly the rule that (s(u) − s(v)) mod T
//!   lies in [dur(v), T − dur(u)]. With B ≥ 1 both rows hold for any
//!   r[u] − r[v] ∈ [−(T − 1), T − 1], which is why those big-M values suffice.
//!   A task may straddle the period boundary: only residues are constrained.
//!
//! The model is solved in units of one period: every time above is divided
//! by T, so r ∈ [0, 1 − 1/T] and the coefficients stay near 1 even when T is
//! 10^8 cycles. Starts are multiplied back and re-timed exactly.
//!
//! Bound Q: fix r, x and y of a feasible solution. Each edge then requires
//! q[v] ≥ q[u] + w with integer w = ⌈(r[u] + dur(u) + κ − r[v])/T⌉ − d ≤
//! 2 + ⌈κ/T⌉, because r < T and dur ≤ T. The smallest non-negative q are
//! longest paths over at most n − 1 edges, so
//! Q = 2·(n − 1) + Σ_edges ⌈κ/T⌉ keeps at least one solution.

use super::assignment::{allowed_arrays, Assignment};
use super::mip::{Column, MipModel, MipSettings, MipStatus};
use super::retime::{periods_between, retime_periodic, ModuloOrder};
use super::Search;
use crate::problem::Problem;
use crate::sched::SolveOptions;
use crate::schedule::Schedule;
use good_lp::{variable, Expression};
use std::time::Instant;

/// Above this many tasks the model would have over 200,000 pairs, so the
/// warm start is returned.
const MAX_TASKS: usize = 630;

/// The result of one probe at a fixed period.
enum Probe {
    Feasible(Schedule),
    Infeasible,
    Unknown,
}

/// Searches the smallest period from `lower_bound` up to the period of
/// `incumbent` (valid, period objective), until `deadline`.
pub fn solve(
    problem: &Problem,
    options: &SolveOptions,
    deadline: Instant,
    incumbent: Schedule,
    fixed: Option<&[usize]>,
    lower_bound: u64,
    progress: &super::progress::Progress,
) -> Search {
    let mut best = incumbent;
    let mut proven = lower_bound;
    if problem.tasks.len() > MAX_TASKS {
        log::warn!("the period model would have {} tasks (above {MAX_TASKS}); keeping the heuristic schedule", problem.tasks.len());
        return Search { lower_bound: proven.min(best.value(problem)), schedule: best };
    }
    // Periods below `low` are proven infeasible or timed out.
    let mut low = lower_bound;
    let mut first_probe = true;
    let mut below_start_tried = false;
    while low < best.value(problem) {
        let high = best.value(problem);
        if gap_reached(high, proven, options.mip_gap) {
            break;
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.as_secs_f64() < 0.01 {
            break;
        }
        // Probe the lower bound first, because it is often the optimum.
        // Then probe just below the start, because the heuristics are often
        // optimal or close. Then bisect.
        let period = if first_probe {
            low
        } else if !below_start_tried {
            below_start_tried = true;
            high - 1
        } else {
            low + (high - low) / 2
        };
        progress.set(format!("period {period}: trying (best {high}, bound {proven})"));
        // At the lower bound, a short run of the full model often decides
        // it. Otherwise try the assignments of the best packings: with the
        // assignment fixed, the model keeps only the order on each array,
        // and a feasible one proves the bound optimal.
        if first_probe && fixed.is_none() {
            let quick = (remaining.as_secs_f64() / 10.0).min(QUICK_PROBE_SECONDS);
            match probe(problem, period, None, options, quick) {
                Probe::Feasible(schedule) => {
                    best = schedule;
                    break;
                }
                Probe::Infeasible => {
                    proven = proven.max(period + 1);
                    low = period + 1;
                    first_probe = false;
                    continue;
                }
                Probe::Unknown => {}
            }
            let budget = deadline.saturating_duration_since(Instant::now()).as_secs_f64() / 4.0;
            if let Some(schedule) = try_packings(problem, period, options, budget) {
                best = schedule;
                break;
            }
        }
        first_probe = false;
        // A probe stops as soon as it decides its period, so each may use a
        // third of the time left: bisection steps that timed out are the
        // expensive ones, and an even split over all steps starves every probe.
        let budget = deadline.saturating_duration_since(Instant::now()).as_secs_f64() / 3.0;
        let outcome = probe(problem, period, fixed, options, budget);
        log::debug!(
            "period probe at {period} ({budget:.2} s): {}",
            match &outcome {
                Probe::Feasible(_) => "feasible",
                Probe::Infeasible => "infeasible",
                Probe::Unknown => "unknown",
            }
        );
        match outcome {
            Probe::Feasible(schedule) => best = schedule,
            // Feasibility is monotone (see above), so an infeasible period
            // proves every smaller one infeasible.
            Probe::Infeasible => {
                proven = proven.max(period + 1);
                low = low.max(period + 1);
            }
            // Nothing is proven. After the probe just below the start, the
            // bisection goes on between the same ends; otherwise the search
            // moves above the undecided period without raising the bound.
            Probe::Unknown if period == high - 1 && period > low => {}
            Probe::Unknown => low = period + 1,
        }
    }
    Search { lower_bound: proven.min(best.value(problem)), schedule: best }
}

/// Checks whether the relative gap (value − bound) / value is within
/// `mip_gap`. A zero `mip_gap` is met only by value ≤ bound.
pub fn gap_reached(value: u64, bound: u64, mip_gap: f64) -> bool {
    value <= bound || (mip_gap > 0.0 && (value - bound) as f64 <= mip_gap * value as f64)
}

/// Packings tried at the lower bound before the full model.
const PACKINGS: usize = 6;

/// Seconds of the first, short run of the full model at the lower bound.
const QUICK_PROBE_SECONDS: f64 = 0.5;

/// Tries the assignments of up to `PACKINGS` packings with loads at most
/// `period`, each with the assignment fixed, within `seconds`; returns the
/// first schedule found.
fn try_packings(problem: &Problem, period: u64, options: &SolveOptions, seconds: f64) -> Option<Schedule> {
    let started = Instant::now();
    let assignments = super::bounds::packings(problem, period, PACKINGS, options, seconds / 3.0);
    let count = assignments.len();
    for (index, assignment) in assignments.into_iter().enumerate() {
        let left = seconds - started.elapsed().as_secs_f64();
        if left < 0.01 {
            break;
        }
        let budget = left / (count - index) as f64;
        match probe(problem, period, Some(&assignment), options, budget) {
            Probe::Feasible(schedule) => {
                log::debug!("packing {} of {count} reaches period {period}", index + 1);
                return Some(schedule);
            }
            Probe::Infeasible => log::debug!("packing {} of {count} admits no order at period {period}", index + 1),
            Probe::Unknown => log::debug!("packing {} of {count} undecided at period {period}", index + 1),
        }
    }
    None
}

/// The feasibility model at one period, with the columns that decode it.
struct PeriodModel {
    model: MipModel,
    x: Assignment,
    q: Vec<Column>,
    r: Vec<Column>,
    /// Pairs (u, v) with a y column, in column order.
    pairs: Vec<(usize, usize)>,
    y: Vec<Column>,
}

/// Builds the feasibility model at `period`; `None` when some task fits on
/// no allowed array.
fn build(problem: &Problem, period: u64, fixed: Option<&[usize]>) -> Option<PeriodModel> {
    let n = problem.tasks.len();
    // Times are measured in periods (see the module documentation).
    let t = period as f64;
    let scaled = |cycles: u64| cycles as f64 / t;
    let symmetric = fixed.is_none() && problem.has_identical_arrays();
    let allowed = allowed_arrays(n, problem.array_count(), |v| v, fixed, symmetric, |v, a| problem.duration(v, a) <= period);
    if allowed.iter().any(Vec::is_empty) {
        return None;
    }

    let mut model = MipModel::new();
    let x = Assignment::new(&mut model, &allowed, &[]);
    let comm_periods: u64 = problem.edges.iter().map(|e| problem.remote_comm(e).div_ceil(period)).sum();
    let max_q = 2 * (n as u64 - 1) + comm_periods;
    let q: Vec<_> = (0..n).map(|_| model.add(variable().integer().min(0.0).max(max_q as f64), 0.0)).collect();
    let r: Vec<_> = (0..n).map(|_| model.add(variable().min(0.0).max(1.0 - 1.0 / t), 0.0)).collect();
    let start = |v: usize| Expression::from(q[v].var) + r[v].var;

    // Dependencies.
    for edge in &problem.edges {
        let (u, v) = (edge.from, edge.to);
        let gap = start(v) + edge.distance as f64 - start(u) - x.duration(u, |a| problem.duration(u, a)) / t;
        x.constrain_transfer(&mut model, u, v, gap, scaled(problem.remote_comm(edge)));
    }

    // Loads: each array's tasks fit in one period (see `bounds`). Implied
    // for integer x by the pair rows, these rows give the relaxation the
    // load bound.
    for a in 0..problem.array_count() {
        let used: Expression = (0..n).filter(|&v| x.allows(v, a)).map(|v| scaled(problem.duration(v, a)) * x.x(v, a)).sum();
        model.constrain(used.leq(1.0));
    }

    // Occupancy modulo the period.
    let mut pairs = Vec::new();
    let mut ys = Vec::new();
    for u in 0..n {
        for v in u + 1..n {
            let shared: Vec<usize> = x
                .arrays(u)
                .filter(|&a| x.allows(v, a) && problem.duration(u, a) > 0 && problem.duration(v, a) > 0)
                .collect();
            if shared.is_empty() {
                continue;
            }
            let y = model.add(variable().binary(), 0.0);
            for a in shared {
                let (du, dv) = (scaled(problem.duration(u, a)), scaled(problem.duration(v, a)));
                let apart = 2.0 - x.x(u, a) - x.x(v, a);
                let offset = Expression::from(r[u].var) - r[v].var;
                let release = 1.0 - 1.0 / t;
                model.constrain((offset.clone() - dv + (1.0 - y.var) + (dv + release) * apart.clone()).geq(0.0));
                model.constrain((offset + du - y.var - (du + release) * apart).leq(0.0));
            }
            pairs.push((u, v));
            ys.push(y);
        }
    }
    log::debug!("period model at T = {period}: {} columns, {} rows", model.column_count(), model.row_count());

    Some(PeriodModel { model, x, q, r, pairs, y: ys })
}

/// Writes the feasibility model at `period` to `path` (LP or MPS by its
/// extension) with readable column names. Times are in units of the
/// period, as in the solved model; the objective is 0.
pub fn write_model(problem: &Problem, period: u64, fixed: Option<&[usize]>, path: &std::path::Path) -> Result<(), String> {
    if problem.tasks.len() > MAX_TASKS {
        return Err(format!("the period model would have more than {MAX_TASKS} tasks"));
    }
    let Some(mut built) = build(problem, period, fixed) else {
        return Err(format!("some task is longer than the period {period} on every array it may use"));
    };
    let names = super::mip::column_names(problem);
    built.x.name_columns(&mut built.model, |v, a| format!("x_{}_a{a}", names[v]));
    for v in 0..problem.tasks.len() {
        built.model.name(built.q[v], format!("q_{}", names[v]));
        built.model.name(built.r[v], format!("r_{}", names[v]));
    }
    for (&(u, v), &y) in built.pairs.iter().zip(&built.y) {
        built.model.name(y, format!("y_{}_{}", names[u], names[v]));
    }
    built.model.write(Expression::from(0.0), path)
}

/// Builds and solves the feasibility model at `period`, then re-times its
/// decisions exactly.
fn probe(problem: &Problem, period: u64, fixed: Option<&[usize]>, options: &SolveOptions, seconds: f64) -> Probe {
    let n = problem.tasks.len();
    let t = period as f64;
    let Some(PeriodModel { model, x, q, r, pairs, .. }) = build(problem, period, fixed) else {
        return Probe::Infeasible;
    };
    let settings = MipSettings { time_limit: seconds, threads: options.threads, rel_gap: 0.0, abs_gap: 0.0, verbose: options.verbose };
    let result = model.minimise(Expression::from(0.0), &settings, false);
    if result.status == MipStatus::Infeasible {
        return Probe::Infeasible;
    }
    let Some(values) = result.values else {
        return Probe::Unknown;
    };

    // Keep the assignment and the modulo order; re-time in integers.
    let arrays = x.decode(&values);
    let starts: Vec<f64> = (0..n).map(|v| t * (values[q[v].index].round() + values[r[v].index])).collect();
    let orders: Vec<ModuloOrder> = pairs
        .iter()
        .filter(|&&(u, v)| {
            arrays[u] == arrays[v] && problem.duration(u, arrays[u]) > 0 && problem.duration(v, arrays[v]) > 0
        })
        .map(|&(u, v)| ModuloOrder {
            first: u,
            second: v,
            periods: periods_between(starts[u], starts[v], problem.duration(u, arrays[u]), problem.duration(v, arrays[v]), period),
        })
        .collect();
    let Some(schedule) = retime_periodic(problem, period, &arrays, &orders) else {
        log::warn!("the solver's modulo order at period {period} admits no exact schedule");
        return Probe::Unknown;
    };
    match crate::validate::validate(problem, &schedule) {
        Ok(()) => Probe::Feasible(compact(problem, &arrays, &orders, schedule)),
        Err(violation) => {
            log::error!("re-timed ILP schedule at period {period} is invalid: {violation}");
            Probe::Unknown
        }
    }
}

/// Shortens the period of `schedule` while its assignment and modulo order
/// still admit a valid schedule: a bisection over the period, re-timing and
/// validating each candidate. Feasibility of one fixed order need not be
/// monotone in T, so this may miss a shorter period, but every schedule it
/// returns has passed the validator.
fn compact(problem: &Problem, arrays: &[usize], orders: &[ModuloOrder], schedule: Schedule) -> Schedule {
    let mut best = schedule;
    let (mut low, mut high) = (1u64, best.value(problem));
    while low < high {
        let mid = low + (high - low) / 2;
        let candidate = retime_periodic(problem, mid, arrays, orders).filter(|s| crate::validate::validate(problem, s).is_ok());
        match candidate {
            Some(shorter) => {
                high = mid;
                best = shorter;
            }
            None => low = mid + 1,
        }
    }
    best
}

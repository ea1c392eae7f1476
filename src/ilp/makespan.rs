//! The makespan model over N unrolled iterations.
//!
//! Items are task copies c = i·n + t (copy i of task t). An edge u → v of
//! distance d binds copy i of u to copy i + d of v when i + d < N. Each model
//! has a horizon H and looks only for schedules of makespan ≤ H: the lower
//! bound when probing it, else the best makespan found so far.
//!
//! Columns:
//! - x[c,a] ∈ {0,1}: copy c runs on array a (see `assignment`);
//! - s[c] ∈ [est(c), H − tail(c)]: start of c. Here est(c) is the longest
//!   path into c and tail(c) the longest path out of c including c, both with
//!   each task's shortest duration and free transfers, so every schedule of
//!   makespan ≤ H meets these windows;
//! - y[c,c'] ∈ {0,1} for copies c < c' that may share an array: 1 when c runs
//!   before c';
//! - C ∈ [lower bound, H]: the makespan.
//!
//! Rows, with dur(c) = Σ_a dur_t(a)·x[c,a]:
//! - Σ_a x[c,a] = 1;
//! - edge c → c' with transfer κ: s[c'] ≥ s[c] + dur(c) + κ·(x[c,a] − x[c',a])
//!   for every array a. The largest right-hand side over a adds κ exactly when
//!   the copies run on different arrays; with κ = 0 one row suffices;
//! - C ≥ s[c] + dur(c) for copies without successors;
//! - C ≥ Σ_c dur_c(a)·x[c,a] for every array a: the copies on a run one at a
//!   time within [0, C]. Implied by the others for integer x, these rows give
//!   the relaxation the load bound;
//! - for every array a where both copies may run with positive durations:
//!   s[c'] ≥ s[c] + dur_c(a) − M1·(1 − y) − M1·(2 − x[c,a] − x[c',a]) and
//!   s[c] ≥ s[c'] + dur_c'(a) − M2·y − M2·(2 − x[c,a] − x[c',a]), with
//!   M1 = (H − tail(c)) + dur_c(a) − est(c') ≥ s[c] + dur_c(a) − s[c'] on the
//!   windows, and M2 likewise, so a row is void whenever y or x releases it.
//!   When M1 ≤ 0 or M2 ≤ 0 the windows already keep the copies apart on a.
//!
//! Pairs joined by a dependency path need no y: the path orders them.
//! Objective: minimise C.
//!
//! The model is solved in units of the horizon: every time above is divided
//! by H, so the coefficients stay within [0, 1] even at 10^8 cycles. The
//! absolute gap is scaled alike, and the dual bound is multiplied back before
//! it is rounded up. Only the assignment and order are kept (see `retime`).
//!
//! On identical arrays with free transfers and a short horizon the
//! time-indexed model of `time_indexed` is used instead: its relaxation is
//! much tighter than these big-M rows.

use super::assignment::{allowed_arrays, relabel_by_first_use, Assignment};
use super::mip::{integer_bound, MipModel, MipSettings, MipStatus, INTEGRAL_GAP};
use super::retime::retime_makespan;
use super::time_indexed;
use super::Search;
use crate::problem::Problem;
use crate::sched::SolveOptions;
use crate::schedule::Schedule;
use good_lp::{variable, Expression};
use std::time::Instant;

/// Above this many disjunctive pairs the model is not built (HiGHS would
/// spend the time limit on the root node) and the warm start is returned.
const MAX_PAIRS: usize = 200_000;

/// Above this many task copies the model is not built either: the pair
/// count grows with its square.
const MAX_COPIES: usize = 4000;

/// The unrolled dependency graph of N iterations.
struct Unrolled {
    tasks: usize,
    copies: usize,
    /// Per copy: (successor copy, edge index).
    successors: Vec<Vec<(usize, usize)>>,
    /// Copies in an order where every edge goes forward: by iteration, then
    /// topologically within an iteration (edges of distance ≥ 1 go to later
    /// iterations).
    order: Vec<usize>,
}

impl Unrolled {
    fn new(problem: &Problem, iterations: u32) -> Self {
        let n = problem.tasks.len();
        let copies = n * iterations as usize;
        let mut successors = vec![Vec::new(); copies];
        for (index, edge) in problem.edges.iter().enumerate() {
            for i in 0..iterations as usize {
                let j = i + edge.distance as usize;
                if j >= iterations as usize {
                    break;
                }
                successors[i * n + edge.from].push((j * n + edge.to, index));
            }
        }
        let within = crate::graph::topological_order(problem);
        let order = (0..iterations as usize).flat_map(|i| within.iter().map(move |&t| i * n + t)).collect();
        Unrolled { tasks: n, copies, successors, order }
    }

    /// Earliest starts with the given shortest durations and free transfers.
    fn earliest_starts(&self, shortest: &[u64]) -> Vec<u64> {
        let mut est = vec![0u64; self.copies];
        for &c in &self.order {
            for &(next, _) in &self.successors[c] {
                est[next] = est[next].max(est[c] + shortest[c]);
            }
        }
        est
    }

    /// Longest path out of each copy, the copy's own duration included.
    fn tails(&self, shortest: &[u64]) -> Vec<u64> {
        let mut tail = vec![0u64; self.copies];
        for &c in self.order.iter().rev() {
            let after = self.successors[c].iter().map(|&(next, _)| tail[next]).max().unwrap_or(0);
            tail[c] = shortest[c] + after;
        }
        tail
    }

    /// Computes, as bit rows, which copies each copy reaches by a path.
    fn reachability(&self) -> Vec<Vec<u64>> {
        let words = self.copies.div_ceil(64);
        let mut reach = vec![vec![0u64; words]; self.copies];
        for &c in self.order.iter().rev() {
            let mut row = vec![0u64; words];
            for &(next, _) in &self.successors[c] {
                row[next / 64] |= 1 << (next % 64);
                for (word, other) in row.iter_mut().zip(&reach[next]) {
                    *word |= other;
                }
            }
            reach[c] = row;
        }
        reach
    }
}

fn reaches(reach: &[Vec<u64>], from: usize, to: usize) -> bool {
    reach[from][to / 64] >> (to % 64) & 1 == 1
}

/// The result of one model at one horizon.
struct Probe {
    /// The best schedule found, re-timed and validated.
    schedule: Option<Schedule>,
    /// A proven lower bound on the optimum over all schedules.
    bound: u64,
}

/// The parts of the model that do not depend on the horizon.
struct Context<'a> {
    problem: &'a Problem,
    iterations: u32,
    options: &'a SolveOptions,
    unrolled: Unrolled,
    allowed: Vec<Vec<usize>>,
    fixed: Option<&'a [usize]>,
    symmetric: bool,
    est: Vec<u64>,
    tail: Vec<u64>,
}

/// Improves `incumbent` (valid, makespan objective) until `deadline`, in three
/// steps:
/// 1. ask for a schedule of makespan `lower_bound` (a quarter of the time):
///    with the horizon at the bound the windows are tightest and the model
///    smallest, and on task graphs the bound is often the optimum;
/// 2. bisect the horizon between the proven bound and the best value, each
///    model stopping at its first schedule within its horizon, until a
///    probe is undecided;
/// 3. minimise the makespan for the rest of the time, with the horizon at
///    the best value found and that schedule as the warm start, so that the
///    solver's local search starts from it.
///
/// Where the time-indexed model applies (see `time_indexed`), it replaces the
/// big-M model in both steps. It takes no warm start, so step 2 then looks
/// strictly below the best value, and infeasibility proves that value optimal.
pub fn solve(
    problem: &Problem,
    iterations: u32,
    options: &SolveOptions,
    deadline: Instant,
    incumbent: Schedule,
    fixed: Option<&[usize]>,
    lower_bound: u64,
    progress: &super::progress::Progress,
) -> Search {
    let n = problem.tasks.len();
    if incumbent.value(problem) <= lower_bound {
        return Search { schedule: incumbent, lower_bound };
    }
    if n * iterations as usize > MAX_COPIES {
        log::warn!("the makespan model would have {} task copies (above {MAX_COPIES}); keeping the heuristic schedule", n * iterations as usize);
        return Search { schedule: incumbent, lower_bound };
    }
    let context = Context::new(problem, iterations, options, fixed);
    let critical_path = context.critical_path();

    let mut best = incumbent;
    let mut proven = lower_bound.max(critical_path);
    let remaining = || deadline.saturating_duration_since(Instant::now()).as_secs_f64();

    if proven < best.value(problem) && !super::period::gap_reached(best.value(problem), proven, options.mip_gap) {
        progress.set(format!("makespan {proven}: trying the bound (best {})", best.value(problem)));
        let probe = context.probe(proven, proven, None, remaining() / 4.0, false);
        log::debug!("probe at the lower bound {proven}: bound {}, found {:?}", probe.bound, probe.schedule.as_ref().map(|s| s.value(problem)));
        proven = proven.max(probe.bound);
        if let Some(schedule) = probe.schedule.filter(|s| s.value(problem) < best.value(problem)) {
            best = schedule;
        }
    }
    // Bisect the horizon between the bound and the best value: a model with
    // a tight horizon has narrow windows and few pairs, so it is often
    // decided in a fraction of a second. The loop stops at the first
    // undecided probe.
    while proven < best.value(problem) && remaining() > 0.01 && !super::period::gap_reached(best.value(problem), proven, options.mip_gap) {
        let horizon = proven + (best.value(problem) - proven) / 2;
        progress.set(format!("makespan {horizon}: trying (best {}, bound {proven})", best.value(problem)));
        let probe = context.probe(horizon, proven, None, remaining() / 4.0, true);
        log::debug!("probe at horizon {horizon}: bound {}, found {:?}", probe.bound, probe.schedule.as_ref().map(|s| s.value(problem)));
        let decided = probe.bound > horizon || probe.schedule.is_some();
        proven = proven.max(probe.bound);
        if let Some(schedule) = probe.schedule.filter(|s| s.value(problem) < best.value(problem)) {
            best = schedule;
        }
        if !decided {
            break;
        }
    }
    if proven < best.value(problem) && remaining() > 0.01 && !super::period::gap_reached(best.value(problem), proven, options.mip_gap) {
        progress.set(format!("makespan: best {}, bound {proven}", best.value(problem)));
        // The time-indexed model cannot take a warm start, so it looks
        // strictly below the best value instead.
        let below = best.value(problem) - 1;
        let probe = if context.time_indexed_applies(below) {
            context.probe(below, proven, None, remaining(), false)
        } else {
            context.probe(best.value(problem), proven, Some(&best), remaining(), false)
        };
        proven = proven.max(probe.bound);
        if let Some(schedule) = probe.schedule.filter(|s| s.value(problem) < best.value(problem)) {
            best = schedule;
        }
    }
    Search { lower_bound: proven.min(best.value(problem)), schedule: best }
}

impl<'a> Context<'a> {
    fn new(problem: &'a Problem, iterations: u32, options: &'a SolveOptions, fixed: Option<&'a [usize]>) -> Self {
        let n = problem.tasks.len();
    let unrolled = Unrolled::new(problem, iterations);
    let symmetric = fixed.is_none() && problem.has_identical_arrays();
    let allowed = allowed_arrays(unrolled.copies, problem.array_count(), |c| c % n, fixed, symmetric, |_, _| true);
    let shortest: Vec<u64> = (0..unrolled.copies)
        .map(|c| allowed[c].iter().map(|&a| problem.duration(c % n, a)).min().unwrap_or(0))
        .collect();
    let est = unrolled.earliest_starts(&shortest);
    let tail = unrolled.tails(&shortest);
        Context { problem, iterations, options, unrolled, allowed, fixed, symmetric, est, tail }
    }

    /// Computes the longest path through the unrolled copies with shortest durations.
    fn critical_path(&self) -> u64 {
        (0..self.unrolled.copies).map(|c| self.est[c] + self.tail[c]).max().unwrap_or(0)
    }
}

/// The big-M model at one horizon, with the columns that decode it.
struct BigM {
    model: MipModel,
    x: Assignment,
    s: Vec<super::mip::Column>,
    makespan: super::mip::Column,
}

/// Writes the big-M model over N = `iterations` iterations with horizon
/// `horizon` and makespan at least `low` to `path` (LP or MPS by its
/// extension), with readable column names. Times are in units of the
/// horizon, as in the solved model.
pub fn write_model(problem: &Problem, iterations: u32, fixed: Option<&[usize]>, horizon: u64, low: u64, path: &std::path::Path) -> Result<(), String> {
    let options = SolveOptions::default();
    if problem.tasks.len() * iterations as usize > MAX_COPIES {
        return Err(format!("the makespan model would have more than {MAX_COPIES} task copies"));
    }
    let context = Context::new(problem, iterations, &options, fixed);
    let low = low.max(context.critical_path()).min(horizon);
    let Some(mut big_m) = context.big_m(horizon, low, None) else {
        return Err(format!("the makespan model would have more than {MAX_PAIRS} disjunctive pairs"));
    };
    let n = problem.tasks.len();
    let names = super::mip::column_names(problem);
    let copy_name = |c: usize| format!("{}_i{}", names[c % n], c / n);
    big_m.x.name_columns(&mut big_m.model, |c, a| format!("x_{}_a{a}", copy_name(c)));
    for (c, column) in big_m.s.iter().enumerate() {
        big_m.model.name(*column, format!("s_{}", copy_name(c)));
    }
    big_m.model.name(big_m.makespan, "makespan".into());
    let objective = Expression::from(big_m.makespan.var);
    big_m.model.write(objective, path)
}

impl Context<'_> {
    /// Minimises the makespan over schedules with makespan at most
    /// `horizon`, knowing it is at least `low`, from the `warm` schedule
    /// (whose makespan must be at most `horizon`).
    fn probe(&self, horizon: u64, low: u64, warm: Option<&Schedule>, seconds: f64, first_solution: bool) -> Probe {
        let nothing = Probe { schedule: None, bound: low };
        if seconds < 0.01 {
            return nothing;
        }
        let mut settings = MipSettings {
            time_limit: seconds,
            threads: self.options.threads,
            // A relative gap of 1 stops at the first solution.
            rel_gap: if first_solution { 1.0 } else { self.options.mip_gap },
            abs_gap: INTEGRAL_GAP,
            verbose: self.options.verbose,
        };
        if warm.is_none() && self.time_indexed_applies(horizon) {
            return self.probe_time_indexed(horizon, low, &settings);
        }
        // Times are measured in units of the horizon (see the module
        // documentation), and so is the gap.
        let unit = horizon.max(1) as f64;
        settings.abs_gap = INTEGRAL_GAP / unit;
        let Some(BigM { model, x, s, makespan }) = self.big_m(horizon, low, warm) else {
            return nothing;
        };

        // Solve, then re-time the solver's assignment and order exactly.
        let result = model.minimise(Expression::from(makespan.var), &settings, warm.is_some());
        // Every schedule of makespan ≤ horizon has makespan ≥ the dual bound,
        // so the optimum is at least min(dual bound, horizon + 1).
        let beyond = horizon.saturating_add(1);
        let bound = match result.status {
            MipStatus::Infeasible if warm.is_some() => {
                log::warn!("HiGHS reported the makespan model infeasible although the warm start is feasible");
                return nothing;
            }
            MipStatus::Infeasible => beyond,
            _ => result.dual_bound.map_or(low, |dual| integer_bound(dual * unit).min(beyond).max(low)),
        };
        let schedule = result.values.and_then(|values| self.retime(&x, &s, &values, unit));
        Probe { schedule, bound }
    }

    /// Builds the big-M model over schedules of makespan at most `horizon`
    /// and at least `low`, with the `warm` schedule as its start values.
    /// `None` above `MAX_PAIRS` pairs.
    fn big_m(&self, horizon: u64, low: u64, warm: Option<&Schedule>) -> Option<BigM> {
        let (problem, unrolled) = (self.problem, &self.unrolled);
        let n = unrolled.tasks;
        let unit = horizon.max(1) as f64;
        let lst: Vec<u64> = self.tail.iter().map(|&t| horizon.saturating_sub(t)).collect();
        let Some(pairs) = conflicting_pairs(problem, unrolled, &self.allowed, &self.est, &lst) else {
            log::warn!("the makespan model would have more than {MAX_PAIRS} disjunctive pairs; keeping the heuristic schedule");
            return None;
        };

        // The warm start, with arrays relabelled to meet the symmetry rows.
        let (warm_arrays, warm_start) = match warm {
            Some(schedule) => {
                let arrays: Vec<usize> = (0..unrolled.copies).map(|c| placement_of(schedule, c, n).array).collect();
                let arrays = if self.symmetric { relabel_by_first_use(&arrays, problem.array_count()) } else { arrays };
                (arrays, (0..unrolled.copies).map(|c| placement_of(schedule, c, n).start).collect())
            }
            None => (Vec::new(), self.est.clone()),
        };

        let mut model = MipModel::new();
        let x = Assignment::new(&mut model, &self.allowed, &warm_arrays);
        let s: Vec<_> = (0..unrolled.copies)
            .map(|c| model.add(variable().min(self.est[c] as f64 / unit).max(lst[c] as f64 / unit), warm_start[c] as f64 / unit))
            .collect();
        let makespan = model.add(variable().min(low as f64 / unit).max(1.0), 1.0);
        let duration = |c: usize| x.duration(c, |a| problem.duration(c % n, a)) / unit;

        add_precedence_rows(&mut model, problem, unrolled, &x, &s, unit);
        for (c, successors) in unrolled.successors.iter().enumerate() {
            if successors.is_empty() {
                model.constrain((Expression::from(makespan.var) - s[c].var - duration(c)).geq(0.0));
            }
        }
        for a in 0..problem.array_count() {
            let load: Expression = (0..unrolled.copies)
                .filter(|&c| x.allows(c, a))
                .map(|c| problem.duration(c % n, a) as f64 / unit * x.x(c, a))
                .sum();
            model.constrain((Expression::from(makespan.var) - load).geq(0.0));
        }
        for pair in &pairs {
            let before = warm_start[pair.first] <= warm_start[pair.second];
            let y = model.add(variable().binary(), f64::from(u8::from(before)));
            for &(array, m1, m2) in &pair.arrays {
                let apart = 2.0 - x.x(pair.first, array) - x.x(pair.second, array);
                let first = problem.duration(pair.first % n, array) as f64 / unit;
                let second = problem.duration(pair.second % n, array) as f64 / unit;
                let (m1, m2) = (m1 as f64 / unit, m2 as f64 / unit);
                model.constrain(
                    (Expression::from(s[pair.second].var) - s[pair.first].var - first + m1 * (1.0 - y.var) + m1 * apart.clone())
                        .geq(0.0),
                );
                model.constrain((Expression::from(s[pair.first].var) - s[pair.second].var - second + m2 * y.var + m2 * apart).geq(0.0));
            }
        }
        log::debug!(
            "makespan model at horizon {horizon}: {} columns, {} rows, {} pairs",
            model.column_count(),
            model.row_count(),
            pairs.len()
        );

        Some(BigM { model, x, s, makespan })
    }

    /// Durations of the copies on array 0 (all arrays when identical).
    fn first_array_durations(&self) -> Vec<u64> {
        let n = self.unrolled.tasks;
        (0..self.unrolled.copies).map(|c| self.problem.duration(c % n, 0)).collect()
    }

    fn time_indexed_applies(&self, horizon: u64) -> bool {
        let lst: Vec<u64> = self.tail.iter().map(|&t| horizon.saturating_sub(t)).collect();
        self.fixed.is_none()
            && time_indexed::applies(self.problem, self.fixed, &self.first_array_durations(), &self.est, &lst, horizon)
    }

    /// `probe` with the time-indexed model; arrays are given greedily.
    fn probe_time_indexed(&self, horizon: u64, low: u64, settings: &MipSettings) -> Probe {
        let problem = self.problem;
        let duration = self.first_array_durations();
        let lst: Vec<u64> = self.tail.iter().map(|&t| horizon.saturating_sub(t)).collect();
        let edges: Vec<(usize, usize)> = (0..self.unrolled.copies)
            .flat_map(|c| self.unrolled.successors[c].iter().map(move |&(next, _)| (c, next)))
            .collect();
        let instance =
            time_indexed::Instance { duration: &duration, edges: &edges, est: &self.est, lst: &lst, processors: problem.array_count() };
        let result = time_indexed::minimise(&instance, horizon, low, settings);
        let beyond = horizon.saturating_add(1);
        let bound = match result.status {
            MipStatus::Infeasible => beyond,
            _ => result.dual_bound.map_or(low, |dual| integer_bound(dual).min(beyond).max(low)),
        };
        let schedule = result.starts.and_then(|starts| {
            let arrays = time_indexed::assign_arrays(&starts, &duration, problem.array_count())?;
            let mut sequences = vec![Vec::new(); problem.array_count()];
            let mut order: Vec<usize> = (0..self.unrolled.copies).filter(|&c| duration[c] > 0).collect();
            order.sort_by_key(|&c| (starts[c], c));
            for c in order {
                sequences[arrays[c]].push(c);
            }
            self.checked(retime_makespan(problem, self.iterations, &arrays, &sequences))
        });
        Probe { schedule, bound }
    }

    /// Passes on a re-timed schedule that exists and passes the validator.
    fn checked(&self, schedule: Option<Schedule>) -> Option<Schedule> {
        let Some(schedule) = schedule else {
            log::warn!("the solver's order on the arrays contradicts the dependencies");
            return None;
        };
        match crate::validate::validate(self.problem, &schedule) {
            Ok(()) => Some(schedule),
            Err(violation) => {
                log::error!("re-timed ILP schedule is invalid: {violation}");
                None
            }
        }
    }

    /// Re-times the solver's assignment and per-array order exactly.
    fn retime(&self, x: &Assignment, s: &[super::mip::Column], values: &[f64], unit: f64) -> Option<Schedule> {
        let problem = self.problem;
        let n = self.unrolled.tasks;
        let arrays = x.decode(values);
        let middle = |c: usize| values[s[c].index] * unit + problem.duration(c % n, arrays[c]) as f64 / 2.0;
        let mut sequences = vec![Vec::new(); problem.array_count()];
        for c in 0..self.unrolled.copies {
            if problem.duration(c % n, arrays[c]) > 0 {
                sequences[arrays[c]].push(c);
            }
        }
        for sequence in &mut sequences {
            sequence.sort_by(|&a, &b| middle(a).total_cmp(&middle(b)).then(a.cmp(&b)));
        }
        self.checked(retime_makespan(problem, self.iterations, &arrays, &sequences))
    }
}

/// Looks up the placement of copy c = i·n + t.
fn placement_of(schedule: &Schedule, copy: usize, n: usize) -> crate::schedule::Placement {
    *schedule
        .placement(copy % n, (copy / n) as u32)
        .expect("a valid makespan schedule places every copy")
}

/// Adds the rows s[c'] ≥ s[c] + dur(c) + κ·(x[c,a] − x[c',a]) of every
/// unrolled edge, times in units of `unit` cycles.
fn add_precedence_rows(model: &mut MipModel, problem: &Problem, unrolled: &Unrolled, x: &Assignment, s: &[super::mip::Column], unit: f64) {
    let n = unrolled.tasks;
    for c in 0..unrolled.copies {
        let duration = x.duration(c, |a| problem.duration(c % n, a)) / unit;
        for &(next, edge) in &unrolled.successors[c] {
            let gap = Expression::from(s[next].var) - s[c].var - duration.clone();
            let comm = problem.remote_comm(&problem.edges[edge]) as f64 / unit;
            x.constrain_transfer(model, c, next, gap, comm);
        }
    }
}

/// Two copies that may overlap on some arrays: (array, M1, M2) per array.
struct Pair {
    first: usize,
    second: usize,
    arrays: Vec<(usize, u64, u64)>,
}

/// Lists the pairs of copies not ordered by a path that may run on one array
/// with positive durations and overlapping time windows. Returns `None`
/// beyond `MAX_PAIRS` pairs.
fn conflicting_pairs(problem: &Problem, unrolled: &Unrolled, allowed: &[Vec<usize>], est: &[u64], lst: &[u64]) -> Option<Vec<Pair>> {
    let n = unrolled.tasks;
    let reach = unrolled.reachability();
    let mut pairs = Vec::new();
    for first in 0..unrolled.copies {
        for second in first + 1..unrolled.copies {
            if reaches(&reach, first, second) || reaches(&reach, second, first) {
                continue;
            }
            let mut arrays = Vec::new();
            for &a in &allowed[first] {
                if !allowed[second].contains(&a) {
                    continue;
                }
                let (d1, d2) = (problem.duration(first % n, a), problem.duration(second % n, a));
                if d1 == 0 || d2 == 0 {
                    continue;
                }
                let m1 = (lst[first] + d1).saturating_sub(est[second]);
                let m2 = (lst[second] + d2).saturating_sub(est[first]);
                if m1 > 0 && m2 > 0 {
                    arrays.push((a, m1, m2));
                }
            }
            if !arrays.is_empty() {
                if pairs.len() == MAX_PAIRS {
                    return None;
                }
                pairs.push(Pair { first, second, arrays });
            }
        }
    }
    Some(pairs)
}

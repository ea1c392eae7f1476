//! The dependency graph of a problem: checks on its cycles, topological
//! order within an iteration, and the graph-based lower bounds.
//!
//! Every cycle of a valid problem has a positive total distance, so the edges
//! of distance 0 form a DAG: one iteration's tasks in dependency order. The
//! **iteration bound** is the maximum over cycles C of
//! Σ_{v∈C} dur(v) / Σ_{e∈C} distance(e): no periodic schedule can start
//! iterations faster (Reiter 1968; Renfors and Neuvo 1981).

use crate::problem::{Objective, Problem};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// The graph of the distance-0 edges, nodes in task order.
fn zero_distance_graph(problem: &Problem) -> DiGraph<usize, ()> {
    let mut graph = DiGraph::with_capacity(problem.tasks.len(), problem.edges.len());
    for task in 0..problem.tasks.len() {
        graph.add_node(task);
    }
    for edge in problem.edges.iter().filter(|e| e.distance == 0) {
        graph.add_edge(NodeIndex::new(edge.from), NodeIndex::new(edge.to), ());
    }
    graph
}

/// Rejects a cycle whose distances sum to zero: its tasks would each have to
/// wait for the others within one iteration. The message names the tasks on
/// one such cycle, in order.
pub fn check_zero_distance_cycles(problem: &Problem) -> Result<(), String> {
    let graph = zero_distance_graph(problem);
    for component in tarjan_scc(&graph) {
        let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let cycle = find_cycle(&graph, &component);
        let names: Vec<&str> = cycle.iter().map(|&t| problem.tasks[t].name.as_str()).collect();
        let first = names[0];
        return Err(format!(
            "dependency cycle with total distance 0: {} → {first}; give one of its edges a distance of at least 1",
            names.join(" → ")
        ));
    }
    Ok(())
}

/// A cycle through the lowest-numbered task of a strongly connected component.
fn find_cycle(graph: &DiGraph<usize, ()>, component: &[NodeIndex]) -> Vec<usize> {
    let inside: std::collections::HashSet<NodeIndex> = component.iter().copied().collect();
    let start = *component.iter().min().expect("a component is never empty");
    // Breadth-first search from `start` back to `start` within the component.
    let mut parent: std::collections::HashMap<NodeIndex, NodeIndex> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.neighbors(node) {
            if !inside.contains(&next) {
                continue;
            }
            if next == start {
                let mut cycle = vec![graph[node]];
                let mut at = node;
                while at != start {
                    at = parent[&at];
                    cycle.push(graph[at]);
                }
                cycle.reverse();
                return cycle;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(next) {
                e.insert(node);
                queue.push_back(next);
            }
        }
    }
    vec![graph[start]]
}

/// Task indices in an order where every distance-0 edge goes forward.
/// Requires a problem without zero-distance cycles.
pub fn topological_order(problem: &Problem) -> Vec<usize> {
    let graph = zero_distance_graph(problem);
    toposort(&graph, None)
        .map(|order| order.into_iter().map(|n| graph[n]).collect())
        .unwrap_or_else(|_| (0..problem.tasks.len()).collect())
}

/// Whether some cycle has Σ dur − period · Σ distance > 0 (durations are each
/// task's shortest), found by Bellman-Ford on longest paths.
fn has_cycle_longer_than(problem: &Problem, period: u64) -> bool {
    let n = problem.tasks.len();
    let weights: Vec<i128> = problem
        .edges
        .iter()
        .map(|e| problem.min_duration(e.from) as i128 - period as i128 * i128::from(e.distance))
        .collect();
    let mut dist = vec![0i128; n];
    for _ in 0..n {
        let mut changed = false;
        for (edge, &w) in problem.edges.iter().zip(&weights) {
            let candidate = dist[edge.from] + w;
            if candidate > dist[edge.to] {
                dist[edge.to] = candidate;
                changed = true;
            }
        }
        if !changed {
            return false;
        }
    }
    true
}

/// The iteration bound, rounded up: the smallest integer period that no cycle
/// forbids. 0 when the graph has no cycle.
pub fn iteration_bound(problem: &Problem) -> u64 {
    let work: u64 = (0..problem.tasks.len()).map(|t| problem.min_duration(t)).sum();
    if !has_cycle_longer_than(problem, 0) {
        return 0;
    }
    // Every cycle has distance at least 1 and duration at most `work`, so
    // `work` is never exceeded; search the smallest feasible integer period.
    let (mut low, mut high) = (0u64, work.max(1));
    while low < high {
        let mid = low + (high - low) / 2;
        if has_cycle_longer_than(problem, mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

/// Longest path of one iteration through distance-0 edges with each task's
/// shortest duration and free transfers; also the makespan of `iterations`
/// unrolled copies is at least the longest path through the unrolled graph.
pub fn critical_path(problem: &Problem, iterations: u32) -> u64 {
    let order = topological_order(problem);
    let n = problem.tasks.len();
    // finish[i][v]: earliest end of copy i of task v.
    let mut finish = vec![vec![0u64; n]; iterations as usize];
    let mut incoming: Vec<Vec<&crate::problem::Edge>> = vec![Vec::new(); n];
    for edge in &problem.edges {
        incoming[edge.to].push(edge);
    }
    let mut longest = 0;
    for i in 0..iterations as usize {
        for &v in &order {
            let mut start = 0;
            for edge in &incoming[v] {
                let d = edge.distance as usize;
                if d <= i {
                    start = start.max(finish[i - d][edge.from]);
                }
            }
            finish[i][v] = start + problem.min_duration(v);
            longest = longest.max(finish[i][v]);
        }
    }
    longest
}

/// Lower bound on the objective, as specified: for period the largest of the
/// load bound ⌈Σ min dur / P⌉, the longest task and the iteration bound; for
/// makespan the larger of the critical path and ⌈N · Σ min dur / P⌉.
pub fn basic_lower_bound(problem: &Problem) -> u64 {
    let p = problem.array_count() as u64;
    let work: u64 = (0..problem.tasks.len()).map(|t| problem.min_duration(t)).sum();
    match problem.objective {
        Objective::Period => {
            let longest = (0..problem.tasks.len()).map(|t| problem.min_duration(t)).max().unwrap_or(0);
            work.div_ceil(p).max(longest).max(iteration_bound(problem)).max(1)
        }
        Objective::Makespan { iterations } => {
            critical_path(problem, iterations).max((work * u64::from(iterations)).div_ceil(p))
        }
    }
}

/// Most simple cycles `transfer_cycle_bound` enumerates before giving up.
const MAX_CYCLES: usize = 100_000;

/// Computes a period bound from the transfers that long cycles must make.
///
/// Take a simple cycle C with tasks v_0 … v_{k−1}, shortest durations
/// S = Σ min dur(v_i), total distance D, and transfer κ_i on the edge
/// v_i → v_{i+1}. Adding the edge rules along C gives T·D ≥ S + Σ κ_i over
/// the edges whose ends run on different arrays (the cut edges). The tasks
/// between two consecutive cut edges run on one array, so their durations
/// sum to at most T. Hence a period T is possible only if
/// - no edge is cut and S ≤ T (one array runs all of C) and S ≤ T·D, or
/// - some cut set splits C into runs of total duration ≤ T each, with
///   Σ κ over the cut ≤ T·D − S.
///
/// The cheapest such cut for a given T comes from a dynamic program over
/// the runs (`cheapest_cut`), and both conditions only get easier as T
/// grows, so each cycle's smallest possible T is found by bisection. The
/// bound is the largest over all simple cycles, or 0 when there are more
/// than `MAX_CYCLES` of them.
pub fn transfer_cycle_bound(problem: &Problem) -> u64 {
    let mut bound = 0u64;
    let complete = for_each_cycle(problem, |edges| {
        bound = bound.max(cycle_bound(problem, edges, bound));
    });
    if complete {
        bound
    } else {
        0
    }
}

/// Calls `visit` with the edge indices of every simple cycle, each once.
/// Returns false when it stopped after `MAX_CYCLES` cycles.
fn for_each_cycle(problem: &Problem, mut visit: impl FnMut(&[usize])) -> bool {
    let n = problem.tasks.len();
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (index, edge) in problem.edges.iter().enumerate() {
        outgoing[edge.from].push(index);
    }
    let mut cycles = 0usize;
    // Every simple cycle once: from its lowest task `root`, through tasks
    // above `root` only.
    for root in 0..n {
        let mut on_path = vec![false; n];
        let mut path_edges: Vec<usize> = Vec::new();
        // Stack of (task, next outgoing position).
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        on_path[root] = true;
        while let Some(&mut (task, ref mut position)) = stack.last_mut() {
            if *position == outgoing[task].len() {
                on_path[task] = false;
                stack.pop();
                path_edges.pop();
                continue;
            }
            let edge_index = outgoing[task][*position];
            *position += 1;
            let next = problem.edges[edge_index].to;
            if next == root {
                cycles += 1;
                if cycles > MAX_CYCLES {
                    return false;
                }
                path_edges.push(edge_index);
                visit(&path_edges);
                path_edges.pop();
            } else if next > root && !on_path[next] {
                on_path[next] = true;
                path_edges.push(edge_index);
                stack.push((next, 0));
            }
        }
    }
    true
}

/// Computes the smallest period that one simple cycle (given by its edges in
/// order) allows, or any value ≤ `known` when that cannot exceed `known`
/// (see `transfer_cycle_bound`).
fn cycle_bound(problem: &Problem, edges: &[usize], known: u64) -> u64 {
    let durations: Vec<u64> = edges.iter().map(|&i| problem.min_duration(problem.edges[i].from)).collect();
    let transfers: Vec<u64> = edges.iter().map(|&i| problem.remote_comm(&problem.edges[i])).collect();
    let work = durations.iter().fold(0u64, |sum, &d| sum.saturating_add(d));
    let distance: u64 = edges.iter().map(|&i| u64::from(problem.edges[i].distance)).sum();
    if distance == 0 {
        return 0;
    }
    let longest = durations.iter().copied().max().unwrap_or(0);
    let all_cut = work.saturating_add(transfers.iter().fold(0u64, |sum, &c| sum.saturating_add(c))).div_ceil(distance);
    // Feasible for sure: one array holding the cycle, or every edge cut.
    let high = work.div_ceil(distance).max(longest).max(work.min(all_cut));
    if high <= known {
        return known;
    }
    let possible = |period: u64| {
        let slack = u128::from(period) * u128::from(distance);
        if work <= period && u128::from(work) <= slack {
            return true;
        }
        u128::from(work) <= slack
            && cheapest_cut(&durations, &transfers, period).is_some_and(|cost| u128::from(work) + u128::from(cost) <= slack)
    };
    let (mut low, mut high) = (known.max(work.div_ceil(distance)).max(longest), high);
    if low >= high {
        return high.max(known);
    }
    while low < high {
        let mid = low + (high - low) / 2;
        if possible(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low
}

/// Computes the smallest total transfer of a cut of the cycle with at least
/// one cut edge whose runs (maximal paths of uncut edges) each have total
/// duration ≤ `period`. Task i of the cycle has `durations[i]` and its edge
/// to task i + 1 (mod k) has `transfers[i]`. `None` when no cut qualifies.
fn cheapest_cut(durations: &[u64], transfers: &[u64], period: u64) -> Option<u64> {
    let k = durations.len();
    let mut best: Option<u64> = None;
    // Fix the first cut edge j; the runs then tile the path
    // v_{j+1}, …, v_{j+k} (indices mod k), which ends at edge j.
    for j in 0..k {
        let task = |position: usize| (j + 1 + position) % k;
        // cost[i]: cheapest cut of the first i tasks of the path with a
        // cut after task i − 1.
        let mut cost: Vec<Option<u64>> = vec![None; k + 1];
        cost[0] = Some(0);
        for end in 1..=k {
            let cut_after = transfers[task(end - 1)];
            let mut run = 0u64;
            let mut cheapest: Option<u64> = None;
            for first in (0..end).rev() {
                run = run.saturating_add(durations[task(first)]);
                if run > period {
                    break;
                }
                if let Some(before) = cost[first] {
                    let total = before.saturating_add(cut_after);
                    cheapest = Some(cheapest.map_or(total, |c| c.min(total)));
                }
            }
            cost[end] = cheapest;
        }
        if let Some(total) = cost[k] {
            best = Some(best.map_or(total, |b| b.min(total)));
        }
    }
    best
}

//! The dependency graph of a problem: checks on its cycles, topological
//! order within an iteration, and the graph-based lower bounds.
//!
//! Every cycle of a valid problem has a positive total distance, so the edges
//! of distance 0 form a DAG: one iteration's tasks in dependency order. The
//! **iteration bound** is the maximum over cycles C of
//! Σ_{v∈C} dur(v) / Σ_{e∈C} distance(e): no periodic schedule can start
//! iterations faster (Reiter 1968; Renfors and Neuvo 1981).

use crate::error::GraphError;
use crate::problem::{Objective, Problem};
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// Builds the graph of the distance-0 edges, with nodes in task order.
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
pub fn check_zero_distance_cycles(problem: &Problem) -> Result<(), GraphError> {
    let graph = zero_distance_graph(problem);
    for component in tarjan_scc(&graph) {
        let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let cycle = find_cycle(&graph, &component);
        let tasks = cycle.iter().map(|&t| problem.tasks[t].name.clone()).collect();
        return Err(GraphError::ZeroDistanceCycle { tasks });
    }
    Ok(())
}

/// Finds a cycle through the lowest-numbered task of a strongly connected
/// component.
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

/// Tests whether some cycle has Σ dur − period · Σ distance > 0 (durations
/// are each task's shortest), by Bellman-Ford on longest paths.
///
/// Edges are relaxed in the topological order of their source in the
/// distance-0 graph, so one pass follows a whole run of distance-0 edges plus
/// the edge with a distance after it. Without a positive cycle, a longest
/// path is simple and so uses each of the B edges with a distance at most
/// once: B + 1 passes settle it and pass B + 2 changes nothing. A pass
/// without change proves that no positive cycle exists. This bounds the
/// passes by B + 2 instead of the task count, which keeps large period
/// problems with few delayed edges fast.
fn has_cycle_longer_than(problem: &Problem, period: u64) -> bool {
    let n = problem.tasks.len();
    let graph = zero_distance_graph(problem);
    let (edges, passes): (Vec<&crate::problem::Edge>, usize) = match toposort(&graph, None) {
        Ok(order) => {
            let mut position = vec![0usize; n];
            for (index, node) in order.into_iter().enumerate() {
                position[graph[node]] = index;
            }
            let mut edges: Vec<&crate::problem::Edge> = problem.edges.iter().collect();
            edges.sort_by_key(|e| position[e.from]);
            let delayed = edges.iter().filter(|e| e.distance > 0).count();
            (edges, (delayed + 2).min(n + 1))
        }
        // A zero-distance cycle (never in a loaded problem): the classic
        // bound of n + 1 passes.
        Err(_) => (problem.edges.iter().collect(), n + 1),
    };
    let weights: Vec<i128> = edges
        .iter()
        .map(|e| problem.min_duration(e.from) as i128 - period as i128 * i128::from(e.distance))
        .collect();
    let mut dist = vec![0i128; n];
    // The edge source that last raised each task's distance.
    let mut parent = vec![usize::MAX; n];
    for _ in 0..passes {
        let mut changed = false;
        for (edge, &w) in edges.iter().zip(&weights) {
            let candidate = dist[edge.from] + w;
            if candidate > dist[edge.to] {
                dist[edge.to] = candidate;
                parent[edge.to] = edge.from;
                changed = true;
            }
        }
        if !changed {
            return false;
        }
        if has_parent_cycle(&parent) {
            return true;
        }
    }
    true
}

/// Tests whether the parent pointers form a cycle. Each pointer was set by a
/// strict increase of its task's distance, so a cycle among them has
/// positive weight, and finding one ends the search early.
fn has_parent_cycle(parent: &[usize]) -> bool {
    // 0: unvisited, 1: on the current walk, 2: done.
    let mut state = vec![0u8; parent.len()];
    for start in 0..parent.len() {
        let mut node = start;
        while node != usize::MAX && state[node] == 0 {
            state[node] = 1;
            node = parent[node];
        }
        if node != usize::MAX && state[node] == 1 {
            return true;
        }
        let mut node = start;
        while node != usize::MAX && state[node] == 1 {
            state[node] = 2;
            node = parent[node];
        }
    }
    false
}

/// Σ over tasks of their shortest duration. Problem loading caps durations at
/// 2^40 and tasks at 100,000 (< 2^17), so the sum stays below 2^57; the
/// addition saturates for problems built by other means.
pub fn total_work(problem: &Problem) -> u64 {
    (0..problem.tasks.len()).fold(0u64, |sum, t| sum.saturating_add(problem.min_duration(t)))
}

/// Computes the iteration bound, rounded up: the smallest integer period that
/// no cycle forbids, or 0 when the graph has no cycle.
pub fn iteration_bound(problem: &Problem) -> u64 {
    let work = total_work(problem);
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

/// Computes the longest path through `iterations` unrolled copies of the
/// graph, with each task's shortest duration and free transfers. No makespan
/// schedule of that many iterations is shorter.
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
            // At most the sum of all copies' durations: below 2^57 for a
            // loaded problem (at most 100,000 copies of at most 2^40).
            finish[i][v] = start.saturating_add(problem.min_duration(v));
            longest = longest.max(finish[i][v]);
        }
    }
    longest
}

/// Computes the basic lower bound on the objective. For period it is the
/// largest of the load bound ⌈Σ min dur / P⌉, the longest task and the
/// iteration bound. For makespan it is the larger of the critical path and
/// ⌈N · Σ min dur / P⌉.
pub fn basic_lower_bound(problem: &Problem) -> u64 {
    let p = (problem.array_count() as u64).max(1);
    let work = total_work(problem);
    match problem.objective {
        Objective::Period => {
            let longest = (0..problem.tasks.len()).map(|t| problem.min_duration(t)).max().unwrap_or(0);
            work.div_ceil(p).max(longest).max(iteration_bound(problem)).max(1)
        }
        Objective::Makespan { iterations } => {
            critical_path(problem, iterations).max(work.saturating_mul(u64::from(iterations)).div_ceil(p))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Edge, Task};

    fn problem(durations: &[u64], edges: &[(usize, usize, u32)]) -> Problem {
        Problem {
            name: "g".into(),
            source: "g.yaml".into(),
            arrays: vec![None, None],
            tasks: durations
                .iter()
                .enumerate()
                .map(|(i, &d)| Task { name: format!("t{i}"), layer: None, kind: None, gemm: None, durations: vec![d, d] })
                .collect(),
            edges: edges.iter().map(|&(from, to, distance)| Edge { from, to, distance, bytes: 0 }).collect(),
            link: None,
            objective: Objective::Period,
            network: None,
        }
    }

    #[test]
    fn iteration_bound_takes_worst_cycle() {
        // Cycle t0 → t1 → t0 of 3 + 4 cycles over distance 2: ⌈7/2⌉ = 4.
        assert_eq!(iteration_bound(&problem(&[3, 4], &[(0, 1, 0), (1, 0, 2)])), 4);
        // A self loop of 5 cycles at distance 1 dominates.
        assert_eq!(iteration_bound(&problem(&[3, 4, 5], &[(0, 1, 0), (1, 0, 2), (2, 2, 1)])), 5);
        // No cycle: no bound.
        assert_eq!(iteration_bound(&problem(&[3, 4], &[(0, 1, 0)])), 0);
    }

    #[test]
    fn iteration_bound_on_long_ring() {
        // A ring of 2000 tasks of 1 cycle each closed by one edge of
        // distance 3: ⌈2000/3⌉ = 667.
        let n = 2000;
        let mut edges: Vec<(usize, usize, u32)> = (0..n - 1).map(|i| (i, i + 1, 0)).collect();
        edges.push((n - 1, 0, 3));
        assert_eq!(iteration_bound(&problem(&vec![1; n], &edges)), 667);
    }

    #[test]
    fn zero_distance_cycle_is_named_from_lowest_task() {
        let message = check_zero_distance_cycles(&problem(&[1, 1, 1], &[(2, 1, 0), (1, 0, 0), (0, 2, 0)])).unwrap_err().to_string();
        assert!(message.contains("t0 → t2 → t1 → t0"), "{message}");
    }

    #[test]
    fn critical_path_spans_iterations() {
        // t0 (3) → t1 (4) with t1 → t0 at distance 1: two iterations chain
        // into 3 + 4 + 3 + 4 = 14.
        assert_eq!(critical_path(&problem(&[3, 4], &[(0, 1, 0), (1, 0, 1)]), 2), 14);
    }
}

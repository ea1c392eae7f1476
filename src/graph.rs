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
///
/// Bellman-Ford needs up to n passes to expose a positive cycle through the
/// distances alone, but a cycle in the predecessor graph is always a
/// positive cycle (Cherkassky and Goldberg, "Negative-cycle detection
/// algorithms", Math. Programming 85, 1999, for the shortest-path mirror
/// image), and one appears as soon as the cycle is relaxed. Checking for it
/// after every pass usually ends the search after a few passes.
fn has_cycle_longer_than(problem: &Problem, edges: &[crate::problem::Edge], period: u64) -> bool {
    let n = problem.tasks.len();
    let weights: Vec<i128> = edges
        .iter()
        .map(|e| problem.min_duration(e.from) as i128 - period as i128 * i128::from(e.distance))
        .collect();
    let mut dist = vec![0i128; n];
    let mut parent = vec![usize::MAX; n];
    for _ in 0..n {
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

/// Whether following `parent` links from some node returns to a node on the
/// same walk.
fn has_parent_cycle(parent: &[usize]) -> bool {
    // 0: not visited, 1: on the current walk, 2: finished.
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

/// The iteration bound, rounded up: the smallest integer period that no cycle
/// forbids. 0 when the graph has no cycle.
pub fn iteration_bound(problem: &Problem) -> u64 {
    let work: u64 = (0..problem.tasks.len()).map(|t| problem.min_duration(t)).sum();
    // Relaxing edges in dependency order settles every distance-0 chain in
    // one pass, so passes are only needed for the edges with a distance.
    let mut position = vec![0; problem.tasks.len()];
    for (index, task) in topological_order(problem).into_iter().enumerate() {
        position[task] = index;
    }
    let mut edges = problem.edges.clone();
    edges.sort_by_key(|e| position[e.from]);
    if !has_cycle_longer_than(problem, &edges, 0) {
        return 0;
    }
    // Every cycle has distance at least 1 and duration at most `work`, so
    // `work` is never exceeded; search the smallest feasible integer period.
    let (mut low, mut high) = (0u64, work.max(1));
    while low < high {
        let mid = low + (high - low) / 2;
        if has_cycle_longer_than(problem, &edges, mid) {
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
        let message = check_zero_distance_cycles(&problem(&[1, 1, 1], &[(2, 1, 0), (1, 0, 0), (0, 2, 0)])).unwrap_err();
        assert!(message.contains("t0 → t2 → t1 → t0"), "{message}");
    }

    #[test]
    fn critical_path_spans_iterations() {
        // t0 (3) → t1 (4) with t1 → t0 at distance 1: two iterations chain
        // into 3 + 4 + 3 + 4 = 14.
        assert_eq!(critical_path(&problem(&[3, 4], &[(0, 1, 0), (1, 0, 1)]), 2), 14);
    }
}

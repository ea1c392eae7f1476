#!/usr/bin/env python3
"""Independent reference solver for spikepipe problems, with OR-Tools CP-SAT.

Reads a problem written by `spikepipe export FILE -o problem.json` and writes
the best schedule found, with its value, proven bound and status, as JSON:
{"value", "bound", "status", "seconds", "schedule": [{task, iteration, array,
start}]}. The validity rules are those of the product specification
(section 5), modelled here without reusing the product's formulation:

Makespan over N iterations, copy c = (i, t):
  - one array per copy (ExactlyOne over presence literals p[c,a]);
  - per array, NoOverlap of optional fixed-size intervals [s_c, s_c + dur);
  - edge u -> v with distance d binds (i, u) to (i + d, v) when i + d < N:
    s_v >= s_u + dur_u, and s_v >= s_u + dur_u + comm when u is on array a
    and v is not (one enforced row per array);
  - minimise the largest end.

Period T (searched from the lower bound upwards by bisection; each probe is
a feasibility model at a fixed T):
  - s_v = T*q_v + r_v with 0 <= r_v < T;
  - per array, NoOverlap of the optional intervals [r_v, r_v + dur) and
    [r_v + T, r_v + T + dur): two arcs of a circle of length T overlap exactly
    when some of these shifted copies overlap on the line;
  - edge u -> v with distance d: s_v + d*T >= s_u + dur_u (+ comm when apart).

Duration-0 tasks occupy nothing. Transfers cost `comm` cycles only between
different arrays.
"""

import argparse
import json
import math
import sys
import time

from ortools.sat.python import cp_model


def status_name(status):
    return {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(status, "timeout")


def solver_for(seconds, threads, seed):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    return solver


def solve_makespan(problem, seconds, threads, seed):
    n = len(problem["tasks"])
    arrays = problem["arrays"]
    iterations = problem["iterations"]
    durations = [t["durations"] for t in problem["tasks"]]
    copies = [(i, t) for i in range(iterations) for t in range(n)]
    horizon = sum(max(durations[t]) for _, t in copies)
    horizon += sum(e["comm"] for e in problem["edges"]) * iterations
    model = cp_model.CpModel()
    start, end, present = {}, {}, {}
    per_array = [[] for _ in range(arrays)]
    for c in copies:
        _, t = c
        start[c] = model.NewIntVar(0, horizon, f"s{c}")
        literals = []
        for a in range(arrays):
            p = model.NewBoolVar(f"p{c}_{a}")
            present[c, a] = p
            literals.append(p)
            if durations[t][a] > 0:
                per_array[a].append(model.NewOptionalFixedSizeIntervalVar(start[c], durations[t][a], p, f"i{c}_{a}"))
        model.AddExactlyOne(literals)
        end[c] = model.NewIntVar(0, horizon, f"e{c}")
        model.Add(end[c] == start[c] + sum(durations[t][a] * present[c, a] for a in range(arrays)))
    for a in range(arrays):
        model.AddNoOverlap(per_array[a])
    for e in problem["edges"]:
        for i in range(iterations - e["distance"]):
            u, v = (i, e["from"]), (i + e["distance"], e["to"])
            model.Add(start[v] >= end[u])
            if e["comm"] > 0 and u != v:
                for a in range(arrays):
                    model.Add(start[v] >= end[u] + e["comm"]).OnlyEnforceIf([present[u, a], present[v, a].Not()])
    makespan = model.NewIntVar(0, horizon, "makespan")
    model.AddMaxEquality(makespan, [end[c] for c in copies])
    model.Minimize(makespan)
    solver = solver_for(seconds, threads, seed)
    status = solver.Solve(model)
    result = {"status": status_name(status), "value": None, "bound": None, "schedule": []}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result["value"] = solver.Value(makespan)
        result["bound"] = math.ceil(solver.BestObjectiveBound() - 1e-6)
        for (i, t) in copies:
            array = next(a for a in range(arrays) if solver.Value(present[(i, t), a]))
            result["schedule"].append({"task": t, "iteration": i, "array": array, "start": solver.Value(start[(i, t)])})
    elif status == cp_model.INFEASIBLE:
        result["bound"] = None
    else:
        result["bound"] = math.ceil(solver.BestObjectiveBound() - 1e-6) if solver.BestObjectiveBound() > -1e18 else None
    return result


def period_probe(problem, period, seconds, threads, seed):
    """Feasibility at a fixed period: (status, schedule or None)."""
    n = len(problem["tasks"])
    arrays = problem["arrays"]
    durations = [t["durations"] for t in problem["tasks"]]
    edges = problem["edges"]
    # Whole periods between starts stay within this many (generous).
    most = 2 * n + 2 + sum(-(-e["comm"] // period) for e in edges)
    model = cp_model.CpModel()
    q = [model.NewIntVar(0, most, f"q{v}") for v in range(n)]
    r = [model.NewIntVar(0, period - 1, f"r{v}") for v in range(n)]
    present = {}
    per_array = [[] for _ in range(arrays)]
    for v in range(n):
        literals = []
        for a in range(arrays):
            p = model.NewBoolVar(f"p{v}_{a}")
            present[v, a] = p
            if durations[v][a] > period:
                model.Add(p == 0)
                continue
            literals.append(p)
            if durations[v][a] > 0:
                per_array[a].append(model.NewOptionalFixedSizeIntervalVar(r[v], durations[v][a], p, f"i{v}_{a}"))
                shifted = model.NewIntVar(period, 2 * period - 1, f"rt{v}_{a}")
                model.Add(shifted == r[v] + period)
                per_array[a].append(model.NewOptionalFixedSizeIntervalVar(shifted, durations[v][a], p, f"j{v}_{a}"))
        if not literals:
            return "infeasible", None
        model.AddExactlyOne(literals)
    for a in range(arrays):
        model.AddNoOverlap(per_array[a])

    def start(v):
        return period * q[v] + r[v]

    def duration(v):
        return sum(durations[v][a] * present[v, a] for a in range(arrays))

    for e in edges:
        u, v, d = e["from"], e["to"], e["distance"]
        model.Add(start(v) + d * period >= start(u) + duration(u))
        if e["comm"] > 0 and u != v:
            for a in range(arrays):
                model.Add(start(v) + d * period >= start(u) + duration(u) + e["comm"]).OnlyEnforceIf(
                    [present[u, a], present[v, a].Not()]
                )
    solver = solver_for(seconds, threads, seed)
    status = solver.Solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        schedule = []
        for v in range(n):
            array = next(a for a in range(arrays) if solver.Value(present[v, a]))
            schedule.append({"task": v, "iteration": 0, "array": array, "start": period * solver.Value(q[v]) + solver.Value(r[v])})
        return "feasible", schedule
    if status == cp_model.INFEASIBLE:
        return "infeasible", None
    return "unknown", None


def solve_period(problem, seconds, threads, seed):
    started = time.monotonic()
    n = len(problem["tasks"])
    arrays = problem["arrays"]
    durations = [t["durations"] for t in problem["tasks"]]
    shortest = [min(d) for d in durations]
    low = max(1, max(shortest, default=0), -(-sum(shortest) // arrays))
    # All tasks on the best single array, one after another in one period:
    # feasible, because every edge of distance 0 goes forward in a
    # topological order and every other edge has a whole period of slack.
    best_array = min(range(arrays), key=lambda a: sum(d[a] for d in durations))
    order = topological_order(problem)
    high = max(1, sum(d[best_array] for d in durations))
    best = []
    clock = 0
    for v in order:
        best.append({"task": v, "iteration": 0, "array": best_array, "start": clock})
        clock += durations[v][best_array]
    best.sort(key=lambda p: p["task"])
    proven = low
    first = True
    while low < high:
        left = seconds - (time.monotonic() - started)
        if left < 0.01:
            break
        period = low if first else low + (high - low) // 2
        first = False
        status, schedule = period_probe(problem, period, left / 3, threads, seed)
        if status == "feasible":
            high, best = period, schedule
        elif status == "infeasible":
            low = proven = period + 1
        else:
            low = period + 1
    status = "optimal" if proven >= high else "feasible"
    return {"status": status, "value": high, "bound": min(proven, high), "schedule": best}


def topological_order(problem):
    n = len(problem["tasks"])
    indegree = [0] * n
    successors = [[] for _ in range(n)]
    for e in problem["edges"]:
        if e["distance"] == 0:
            successors[e["from"]].append(e["to"])
            indegree[e["to"]] += 1
    ready = [v for v in range(n) if indegree[v] == 0]
    order = []
    while ready:
        v = ready.pop()
        order.append(v)
        for w in successors[v]:
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    return order


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", help="JSON written by spikepipe export")
    parser.add_argument("result", help="where to write the result JSON")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open(args.problem) as f:
        problem = json.load(f)
    started = time.monotonic()
    if problem["objective"] == "period":
        result = solve_period(problem, args.time_limit, args.threads, args.seed)
    else:
        result = solve_makespan(problem, args.time_limit, args.threads, args.seed)
    result["seconds"] = time.monotonic() - started
    with open(args.result, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())

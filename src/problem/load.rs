//! Reading problem files: YAML problems of both kinds and Kasahara STG files.

use super::spec::{ProblemSpec, TaskGraphSpec, NETWORK_KEYS, TASK_GRAPH_KEYS};
use super::{stg, Edge, Objective, Problem, Task};
use crate::error::InputError;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::Path;

/// Largest accepted input file.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Largest accepted task duration or edge size, so that sums of up to a
/// million of them stay far below `u64::MAX`.
pub const MAX_VALUE: u64 = 1 << 40;
/// Largest accepted number of arrays or processors.
pub const MAX_ARRAYS: u64 = 1024;
/// Largest accepted number of tasks.
pub const MAX_TASKS: usize = 100_000;
/// Largest accepted makespan unrolling.
pub const MAX_ITERATIONS: u64 = 10_000;

/// Reads a UTF-8 text file with a clear error for missing, unreadable,
/// directory or oversized paths. The read stops after [`MAX_FILE_BYTES`]
/// bytes, so that a device such as `/dev/zero`, whose size the file system
/// reports as 0, cannot exhaust memory.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    use std::io::Read;

    let cannot_read = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::new(path, "file not found; check the path"),
        std::io::ErrorKind::PermissionDenied => {
            InputError::new(path, "permission denied; make the file readable or give another path")
        }
        _ => InputError::new(path, format!("cannot read the file ({e}); check the path")),
    };
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    if metadata.is_dir() {
        return Err(InputError::new(path, "is a directory, not a file; give the path of a file"));
    }
    let too_large =
        || InputError::new(path, format!("file is larger than the supported maximum of {MAX_FILE_BYTES} bytes; give a smaller file"));
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        InputError::new(
            path,
            format!("is not UTF-8 text (invalid byte at offset {}); save the file as UTF-8", e.utf8_error().valid_up_to()),
        )
    })
}

/// Parses YAML text into `T`, keeping line and column of errors.
pub fn parse_yaml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, InputError> {
    if is_blank_yaml(text) {
        return Err(InputError::new(path, "file is empty or only comments; write the problem as a YAML mapping"));
    }
    serde_yaml::from_str(text).map_err(|e| InputError::from_yaml(path, &e))
}

fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
    })
}

/// Options from the command line that a problem file may lack.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Processors for a bare `.stg` file.
    pub processors: Option<u64>,
}

/// Reads and validates a problem file: a YAML problem of either kind or a
/// bare `.stg` file (which needs `options.processors`).
pub fn load(path: &Path, options: LoadOptions) -> Result<Problem, InputError> {
    let text = read_text(path)?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("stg")) {
        let processors = options.processors.ok_or_else(|| {
            InputError::new(path, "an STG file needs the processor count; add --processors P")
        })?;
        stg_problem(path, &text, processors)
    } else {
        build(path, &parse_problem_spec(path, &text)?)
    }
}

/// Builds the makespan problem (one iteration, free transfers) of STG text
/// on `processors` identical processors, named after the file.
pub fn stg_problem(path: &Path, text: &str, processors: u64) -> Result<Problem, InputError> {
    let processors = check_processors(path, processors)?;
    let graph = stg::parse(path, text)?;
    let name = path.file_stem().map_or("stg".into(), |s| s.to_string_lossy().into_owned());
    let problem = task_graph_problem(path, name, processors, Objective::Makespan { iterations: 1 }, None, graph.tasks, graph.edges)?;
    check_cycles(path, problem)
}

/// Validates a parsed YAML problem. Files that `spec` names (a model path or
/// an STG file) are read relative to `path`; [`ProblemSpec::references_files`]
/// tells whether there are any.
pub fn build(path: &Path, spec: &ProblemSpec) -> Result<Problem, InputError> {
    let problem = match spec {
        ProblemSpec::Network(spec) => super::network::build_network_problem(path, spec)?,
        ProblemSpec::TaskGraph(spec) => build_task_graph(path, spec)?,
    };
    check_cycles(path, problem)
}

fn check_cycles(path: &Path, problem: Problem) -> Result<Problem, InputError> {
    crate::graph::check_zero_distance_cycles(&problem).map_err(|error| InputError::new(path, error.to_string()))?;
    Ok(problem)
}

/// Parses a YAML problem file, telling the two kinds apart by their keys.
pub fn parse_problem_spec(path: &Path, text: &str) -> Result<ProblemSpec, InputError> {
    let TopLevelKeys(keys) = parse_yaml(path, text)?;
    let has = |key: &str| keys.iter().any(|k| k == key);
    if has("network") {
        Ok(ProblemSpec::Network(parse_yaml(path, text)?))
    } else if has("tasks") || has("stg") {
        Ok(ProblemSpec::TaskGraph(parse_yaml(path, text)?))
    } else if has("layers") && has("input") {
        Err(InputError::new(
            path,
            "this is a model file, not a problem file; write a problem that names it under `network:` and lists the `arrays`",
        ))
    } else {
        let unknown: Vec<String> = keys
            .iter()
            .filter(|k| !NETWORK_KEYS.contains(&k.as_str()) && !TASK_GRAPH_KEYS.contains(&k.as_str()))
            .map(|k| {
                let known: Vec<&str> = NETWORK_KEYS.iter().chain(TASK_GRAPH_KEYS).copied().collect();
                match crate::error::closest_name(k, &known) {
                    Some(close) => format!("`{k}` (did you mean `{close}`?)"),
                    None => format!("`{k}`"),
                }
            })
            .collect();
        let hint = if unknown.is_empty() { String::new() } else { format!(" (unknown keys: {})", unknown.join(", ")) };
        Err(InputError::new(
            path,
            format!("the problem has neither `network` nor `tasks` nor `stg`{hint}; add one of them"),
        ))
    }
}

/// The string keys of a top-level YAML mapping, values skipped. Unlike a
/// `serde_yaml::Value`, skipping accepts every scalar (integers beyond 64
/// bits too), so that the typed parse reports such values with their field.
struct TopLevelKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for TopLevelKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, IgnoredAny, MapAccess, Visitor};

        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = TopLevelKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML mapping with `name` and `network`, `tasks` or `stg`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevelKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<KeyName>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.extend(key.0);
                }
                Ok(TopLevelKeys(keys))
            }
        }

        /// A mapping key: its text when it is a string.
        struct KeyName(Option<String>);
        impl<'de> serde::Deserialize<'de> for KeyName {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct KeyVisitor;
                impl<'de> Visitor<'de> for KeyVisitor {
                    type Value = KeyName;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a key")
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                        Ok(KeyName(Some(v.to_string())))
                    }
                    fn visit_bool<E: de::Error>(self, _: bool) -> Result<KeyName, E> {
                        Ok(KeyName(None))
                    }
                    fn visit_i64<E: de::Error>(self, _: i64) -> Result<KeyName, E> {
                        Ok(KeyName(None))
                    }
                    fn visit_u64<E: de::Error>(self, _: u64) -> Result<KeyName, E> {
                        Ok(KeyName(None))
                    }
                    fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyName, E> {
                        Ok(KeyName(None))
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<KeyName, E> {
                        Ok(KeyName(None))
                    }
                }
                deserializer.deserialize_any(KeyVisitor)
            }
        }

        deserializer.deserialize_map(KeysVisitor)
    }
}

/// Parses `period` or `makespan` with its iteration count.
pub fn parse_objective(path: &Path, objective: Option<&str>, iterations: Option<u64>) -> Result<Objective, InputError> {
    match objective.unwrap_or(if iterations.is_some() { "makespan" } else { "period" }) {
        "period" => match iterations {
            Some(_) => Err(InputError::new(path, "`iterations` applies only to objective makespan; remove it or set `objective: makespan`")),
            None => Ok(Objective::Period),
        },
        "makespan" => {
            let iterations = iterations.unwrap_or(1);
            if iterations == 0 || iterations > MAX_ITERATIONS {
                return Err(InputError::new(
                    path,
                    format!("`iterations` is {iterations}; give an integer from 1 to {MAX_ITERATIONS}"),
                ));
            }
            Ok(Objective::Makespan { iterations: iterations as u32 })
        }
        other => Err(InputError::new(path, format!("unknown objective `{other}`; use period or makespan"))),
    }
}

pub(super) fn check_processors(path: &Path, processors: u64) -> Result<usize, InputError> {
    if processors == 0 || processors > MAX_ARRAYS {
        return Err(InputError::new(
            path,
            format!("processor count is {processors}; give an integer from 1 to {MAX_ARRAYS}"),
        ));
    }
    Ok(processors as usize)
}

/// A task of a task graph before validation: its id and duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTask {
    pub id: String,
    pub duration: u64,
}

/// An edge of a task graph before validation, by task index.
pub type RawEdge = Edge;

fn build_task_graph(path: &Path, spec: &TaskGraphSpec) -> Result<Problem, InputError> {
    let objective = parse_objective(path, spec.objective.as_deref(), spec.iterations)?;
    let link = spec.link.map(|l| super::network::check_link(path, l)).transpose()?;
    let processors = spec
        .processors
        .ok_or_else(|| InputError::new(path, "missing `processors`; give the number of identical processors"))?;
    let processors = check_processors(path, processors)?;

    if let Some(stg_file) = &spec.stg {
        if spec.tasks.is_some() || spec.edges.is_some() {
            return Err(InputError::new(path, "give either `stg` or `tasks`/`edges`, not both"));
        }
        let stg_path = path.parent().unwrap_or(Path::new(".")).join(stg_file);
        let text = read_text(&stg_path).map_err(|e| super::network::referenced_file_error(path, "stg", stg_file, e))?;
        let graph = stg::parse(&stg_path, &text)?;
        return task_graph_problem(path, spec.name.clone(), processors, objective, link, graph.tasks, graph.edges);
    }

    let task_specs = spec.tasks.as_deref().unwrap_or_default();
    let mut index = HashMap::new();
    let mut tasks = Vec::with_capacity(task_specs.len());
    for task in task_specs {
        if index.insert(task.id.0.clone(), tasks.len()).is_some() {
            return Err(InputError::new(path, format!("task id `{}` appears twice; give every task its own id", task.id.0)));
        }
        tasks.push(RawTask { id: task.id.0.clone(), duration: task.duration });
    }
    let lookup = |id: &str, context: &str| -> Result<usize, InputError> {
        index.get(id).copied().ok_or_else(|| {
            InputError::new(path, format!("{context} names unknown task `{id}`; define it under `tasks`"))
        })
    };
    let mut edges = Vec::new();
    for task in task_specs {
        let to = index[&task.id.0];
        for before in &task.after {
            let from = lookup(&before.0, &format!("`after` of task `{}`", task.id.0))?;
            edges.push(Edge { from, to, distance: 0, bytes: 0 });
        }
    }
    for edge in spec.edges.as_deref().unwrap_or_default() {
        let from = lookup(&edge.from.0, "edge `from`")?;
        let to = lookup(&edge.to.0, "edge `to`")?;
        if edge.distance > u64::from(crate::workload::delay_limit()) {
            return Err(InputError::new(
                path,
                format!("edge {} → {} has distance {}, above the supported maximum {}", edge.from.0, edge.to.0, edge.distance, crate::workload::delay_limit()),
            ));
        }
        edges.push(Edge { from, to, distance: edge.distance as u32, bytes: edge.bytes });
    }
    task_graph_problem(path, spec.name.clone(), processors, objective, link, tasks, edges)
}

/// Assembles and checks a task-graph problem on identical processors.
pub(super) fn task_graph_problem(
    path: &Path,
    name: String,
    processors: usize,
    objective: Objective,
    link: Option<crate::cost::Link>,
    tasks: Vec<RawTask>,
    edges: Vec<RawEdge>,
) -> Result<Problem, InputError> {
    if tasks.is_empty() {
        return Err(InputError::new(path, "the problem has no tasks; list at least one"));
    }
    if tasks.len() > MAX_TASKS {
        return Err(InputError::new(path, format!("{} tasks exceed the supported maximum of {MAX_TASKS}", tasks.len())));
    }
    if let Objective::Makespan { iterations } = objective {
        if tasks.len() as u64 * u64::from(iterations) > MAX_TASKS as u64 {
            return Err(InputError::new(
                path,
                format!("{} tasks x {iterations} iterations exceed the supported maximum of {MAX_TASKS} task copies; lower `iterations`", tasks.len()),
            ));
        }
    }
    for task in &tasks {
        if task.duration > MAX_VALUE {
            return Err(InputError::new(
                path,
                format!("task `{}` has duration {}, above the supported maximum {MAX_VALUE}", task.id, task.duration),
            ));
        }
    }
    for edge in &edges {
        if edge.bytes > MAX_VALUE {
            return Err(InputError::new(
                path,
                format!("edge {} → {} carries {} bytes, above the supported maximum {MAX_VALUE}", tasks[edge.from].id, tasks[edge.to].id, edge.bytes),
            ));
        }
    }
    Ok(Problem {
        name,
        source: path.to_path_buf(),
        arrays: vec![None; processors],
        tasks: tasks
            .into_iter()
            .map(|t| Task { name: t.id, layer: None, kind: None, gemm: None, durations: vec![t.duration; processors] })
            .collect(),
        edges: Problem::merge_parallel_edges(edges),
        link,
        objective,
        network: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine levels of nine-fold aliases: 9^9 nodes when expanded.
    fn alias_bomb() -> String {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        text
    }

    #[test]
    fn alias_expansion_stops_at_repetition_limit() {
        // A parse that expands every alias (into a generic YAML value) stops
        // at serde_norway's repetition limit, with a message that says why.
        let started = std::time::Instant::now();
        let error = parse_yaml::<serde_yaml::Value>(Path::new("bomb.yaml"), &alias_bomb()).unwrap_err();
        assert!(error.message.contains("repetition limit exceeded"), "{error}");
        assert!(error.message.contains("anchors"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn alias_bomb_in_problem_is_rejected_without_expansion() {
        let text = format!("name: n\nprocessors: 1\ntasks: [{{id: a, duration: 1}}]\n{}", alias_bomb());
        let error = parse_problem_spec(Path::new("bomb.yaml"), &text).unwrap_err();
        assert!(error.message.contains("unknown field `a0`"), "{error}");
    }

    #[test]
    fn integer_beyond_u64_names_its_field() {
        let text = "name: n\nprocessors: 1\ntasks: [{id: a, duration: 123456789012345678901234567890}]\n";
        let error = parse_problem_spec(Path::new("p.yaml"), text).unwrap_err();
        assert!(error.message.starts_with("tasks[0].duration: 123456789012345678901234567890 is too large"), "{error}");
    }
}

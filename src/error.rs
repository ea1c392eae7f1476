//! Error types shared by the input layers: one located, one-line message per
//! problem found in a file, and the exit statuses of the command line.

use std::fmt;
use std::path::{Path, PathBuf};

/// Exit status for bad input or usage.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit status when no valid schedule exists, none was found in time, or
/// `check` found a violation.
pub const EXIT_NO_SCHEDULE: i32 = 1;

/// An invalid or unreadable input file: the file, the position where known,
/// and a message that names the value and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: PathBuf,
    /// 1-based line and column, where the parser knows them.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl InputError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        InputError { path: path.to_path_buf(), location: None, message: one_line(&message.into()) }
    }

    pub fn at(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        InputError {
            path: path.to_path_buf(),
            location: Some((line, column)),
            message: one_line(&message.into()),
        }
    }

    /// Converts a YAML parse or type error, keeping its position and dropping
    /// serde's own "at line L column C" suffix, which the prefix repeats.
    /// Unknown fields get the closest valid name, and the parser's limits
    /// get a fix.
    pub fn from_yaml(path: &Path, error: &serde_yaml::Error) -> Self {
        let mut message = error.to_string();
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        let message = explain_yaml_message(message);
        match error.location() {
            Some(location) => InputError::at(path, location.line(), location.column(), message),
            None => InputError::new(path, message),
        }
    }

    /// Converts a JSON parse or type error, keeping its position.
    pub fn from_json(path: &Path, error: &serde_json::Error) -> Self {
        let mut message = error.to_string();
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        let message = match error.classify() {
            serde_json::error::Category::Eof => {
                format!("the JSON ends early ({message}); the file is truncated, so write it again")
            }
            serde_json::error::Category::Syntax => format!("invalid JSON ({message}); fix the syntax"),
            _ => message,
        };
        if error.line() == 0 {
            InputError::new(path, message)
        } else {
            // serde_json counts columns from 1, except 0 at the start of a line.
            InputError::at(path, error.line(), error.column().max(1), message)
        }
    }
}

/// Adds the fix to serde_norway messages that lack one.
fn explain_yaml_message(message: String) -> String {
    if message.contains("repetition limit exceeded") {
        return "YAML aliases expand to too many nodes (repetition limit exceeded); write the values out instead of repeating anchors (&name, *name)".into();
    }
    if message.contains("recursion limit exceeded") {
        return "YAML nesting is too deep (recursion limit exceeded); problem and model files nest only a few levels".into();
    }
    if let Some(suggestion) = closest_field(&message) {
        return format!("{message}; did you mean `{suggestion}`?");
    }
    if message.contains("missing field") {
        return format!("{message}; add it");
    }
    let data_error = ["invalid type", "invalid value", "invalid length", "unknown field", "unknown variant", "duplicate field", ";"];
    if !data_error.iter().any(|marker| message.contains(marker)) {
        // What remains comes from the YAML scanner and parser.
        return format!(
            "{message}; fix the YAML syntax here (a tab in the indentation, an unclosed bracket or quote, or a missing space after a colon are common causes)"
        );
    }
    message
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or "expected
/// `a` or `b`"), the expected field closest to `x` when it is a likely typo.
fn closest_field(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let (unknown, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    closest_name(unknown, &candidates).map(str::to_string)
}

/// Finds the candidate closest to `unknown` when it reads as a typo of it: at
/// most one edit per three characters (at least one), or a prefix either way.
pub fn closest_name<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let (distance, best) = candidates.iter().map(|c| (edit_distance(unknown, c), *c)).min()?;
    (distance <= (unknown.chars().count() / 3).max(1) || best.starts_with(unknown) || unknown.starts_with(best))
        .then_some(best)
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((line, column)) => write!(f, "{}:{}:{}: {}", self.path.display(), line, column, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// A defect of the dependency graph that makes every schedule impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// A cycle whose edges all have distance 0: each task on it would wait
    /// for the others within one iteration. `tasks` lists it in order.
    #[error("dependency cycle with total distance 0: {} → {}; give one of its edges a distance of at least 1", tasks.join(" → "), tasks.first().map_or("", String::as_str))]
    ZeroDistanceCycle { tasks: Vec<String> },
}

/// A scheduler that could not run: it does not apply to the problem, or its
/// solver failed. A failed solver never yields a schedule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolverError {
    #[error("the {scheduler} scheduler does not apply to task-graph problems; use ilp or list")]
    NotApplicable { scheduler: &'static str },
    /// The MILP solver returned an error status or a solution that cannot be
    /// read back as a schedule.
    #[error("{problem}: the {scheduler} solver failed ({reason}); rerun with -vv to see the solver log, or use --scheduler list")]
    Failed { scheduler: &'static str, problem: String, reason: String },
}

/// A result file (JSON, PNG, CSV) that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write the {content} ({source}); check the free space and that the destination is writable", path.display())]
pub struct OutputError {
    pub path: PathBuf,
    /// What the output contains: "results", "Gantt chart", ...
    pub content: &'static str,
    pub source: std::io::Error,
}

/// Folds a message onto one line, so that every error stays one line long.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

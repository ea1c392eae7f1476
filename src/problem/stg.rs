//! Kasahara Standard Task Graph (STG) files.
//!
//! The format (Tobita and Kasahara, "A standard task graph set for fair
//! evaluation of multiprocessor scheduling algorithms", J. Scheduling 2002):
//! the first number is the task count n; then n + 2 task lines follow, each
//! with the task number, its processing time, its predecessor count and the
//! predecessor numbers. Task 0 is a dummy entry and task n + 1 a dummy exit,
//! both of processing time 0. Text after the last task line, and lines
//! starting with `#`, are comments.

use super::load::{RawEdge, RawTask};
use crate::error::InputError;
use std::path::Path;

/// Tasks and edges of an STG file, dummy entry and exit removed when their
/// processing time is 0 (they then constrain nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StgGraph {
    pub tasks: Vec<RawTask>,
    pub edges: Vec<RawEdge>,
}

/// Parses STG text; `path` names the file in error messages.
pub fn parse(path: &Path, text: &str) -> Result<StgGraph, InputError> {
    // Numbers with their 1-based line and column, up to the last task line.
    let mut numbers = Vec::new();
    for (line_index, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("");
        let mut column = 0;
        for token in content.split_whitespace() {
            let offset = content[column..].find(token).map_or(column, |o| column + o);
            column = offset + token.len();
            numbers.push((token, line_index + 1, offset + 1));
        }
    }
    let mut cursor = numbers.into_iter();
    // The task count once read, for the message of a file that ends early.
    let mut declared: Option<u64> = None;
    let mut next = |what: &str, declared: Option<u64>| -> Result<(u64, usize, usize), InputError> {
        let (token, line, column) = cursor.next().ok_or_else(|| {
            let expected = match declared {
                Some(n) => format!(
                    "; the task count {n} asks for {} task lines (tasks 0 to {}, with the dummy entry and exit), so the file is truncated or the count is too large",
                    n.saturating_add(2),
                    n.saturating_add(1)
                ),
                None => "; the STG file is truncated".into(),
            };
            InputError::new(path, format!("file ends early: {what} is missing{expected}"))
        })?;
        let value = token.parse::<u64>().map_err(|_| {
            InputError::at(path, line, column, format!("{what} is `{token}`; expected a non-negative integer"))
        })?;
        Ok((value, line, column))
    };

    let (n, line, column) = next("the task count", declared)?;
    if n == 0 || n > super::load::MAX_TASKS as u64 {
        return Err(InputError::at(
            path,
            line,
            column,
            format!("task count is {n}; give an integer from 1 to {}", super::load::MAX_TASKS),
        ));
    }
    declared = Some(n);
    let total = n as usize + 2;
    let mut durations = Vec::with_capacity(total);
    let mut predecessors = Vec::with_capacity(total);
    for expected in 0..total {
        let (number, line, column) = next(&format!("the number of task {expected}"), declared)?;
        if number != expected as u64 {
            return Err(InputError::at(
                path,
                line,
                column,
                format!("task line {expected} has task number {number}; STG tasks must be numbered 0 to {} in order", n + 1),
            ));
        }
        let (duration, line, column) = next(&format!("the processing time of task {expected}"), declared)?;
        if duration > super::load::MAX_VALUE {
            return Err(InputError::at(path, line, column, format!("processing time {duration} is above the supported maximum {}", super::load::MAX_VALUE)));
        }
        let (count, line, column) = next(&format!("the predecessor count of task {expected}"), declared)?;
        if count > expected as u64 {
            return Err(InputError::at(
                path,
                line,
                column,
                format!("task {expected} lists {count} predecessors, but only tasks 0 to {} come before it", expected.saturating_sub(1)),
            ));
        }
        let mut preds = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let (pred, line, column) = next(&format!("a predecessor of task {expected}"), declared)?;
            if pred >= expected as u64 {
                return Err(InputError::at(
                    path,
                    line,
                    column,
                    format!("task {expected} has predecessor {pred}; predecessors must have smaller numbers"),
                ));
            }
            preds.push(pred as usize);
        }
        durations.push(duration);
        predecessors.push(preds);
    }

    // Drop the dummy entry and exit when they take no time.
    let keep: Vec<bool> = (0..total).map(|i| !((i == 0 || i == total - 1) && durations[i] == 0)).collect();
    let mut new_index = vec![usize::MAX; total];
    let mut tasks = Vec::new();
    for i in 0..total {
        if keep[i] {
            new_index[i] = tasks.len();
            tasks.push(RawTask { id: i.to_string(), duration: durations[i] });
        }
    }
    let mut edges = Vec::new();
    for (to, preds) in predecessors.iter().enumerate() {
        for &from in preds {
            if keep[from] && keep[to] {
                edges.push(RawEdge { from: new_index[from], to: new_index[to], distance: 0, bytes: 0 });
            }
        }
    }
    Ok(StgGraph { tasks, edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_small_graph_and_drops_dummies() {
        let text = "2\n0 0 0\n1 5 1 0\n2 3 1 1\n3 0 1 2\n# comment\n";
        let graph = parse(Path::new("g.stg"), text).unwrap();
        assert_eq!(graph.tasks.len(), 2);
        assert_eq!(graph.tasks[0], RawTask { id: "1".into(), duration: 5 });
        assert_eq!(graph.edges, vec![RawEdge { from: 0, to: 1, distance: 0, bytes: 0 }]);
    }

    #[test]
    fn truncated_file_is_rejected() {
        let error = parse(Path::new("g.stg"), "3\n0 0 0\n1 5 1 0\n").unwrap_err();
        assert!(error.message.contains("truncated"), "{error}");
    }

    #[test]
    fn forward_predecessor_is_rejected_with_position() {
        let error = parse(Path::new("g.stg"), "1\n0 0 0\n1 5 1 2\n2 0 1 1\n").unwrap_err();
        assert_eq!(error.location, Some((3, 7)));
    }
}

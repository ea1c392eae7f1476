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
    pub fn from_yaml(path: &Path, error: &serde_yaml::Error) -> Self {
        let mut message = error.to_string();
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        match error.location() {
            Some(location) => InputError::at(path, location.line(), location.column(), message),
            None => InputError::new(path, message),
        }
    }
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

/// Folds a message onto one line, so that every error stays one line long.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

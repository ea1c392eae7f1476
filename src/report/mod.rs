//! Reports of scheduler runs: the JSON result format ([`json`]), the text
//! comparison table ([`table`]), and atomic file writing shared by every
//! output file.

pub mod json;
pub mod table;

pub use json::{parse_results, result_record, to_json, to_schedule, ResultRecord, ScheduledTask};
pub use table::comparison_table;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` so that readers see either the old file or the
/// complete new one: the bytes go to a temporary file in the same directory,
/// which is flushed to disk and then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = temporary_path(path, "")?;
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    commit_temporary(&temporary, path)
}

/// Builds a hidden name in `path`'s directory for a temporary copy of
/// `path`, unique to this process: `.NAME.tmp-PID` followed by `suffix` (for
/// example `.png`, for writers that choose the format by extension).
pub(crate) fn temporary_path(path: &Path, suffix: &str) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file path", path.display()))
    })?;
    let temporary = format!(".{}.tmp-{}{suffix}", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(temporary))
}

/// Renames a finished temporary file over `path`, and on Unix flushes the
/// directory so that the rename itself survives a crash. Removes the
/// temporary file when the rename fails.
pub(crate) fn commit_temporary(temporary: &Path, path: &Path) -> io::Result<()> {
    if let Err(error) = fs::rename(temporary, path) {
        let _ = fs::remove_file(temporary);
        return Err(error);
    }
    #[cfg(unix)]
    {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // A directory that cannot be opened for the flush (some file
        // systems) still contains the renamed file, so the error is ignored.
        if let Ok(handle) = File::open(directory) {
            let _ = handle.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("result.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(directory.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
    }

    #[test]
    fn write_atomic_reports_missing_directory() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("missing").join("result.json");
        assert!(write_atomic(&path, b"x").is_err());
    }
}

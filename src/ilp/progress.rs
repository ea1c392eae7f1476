//! A spinner on stderr for solves longer than a second: elapsed time and what
//! the search is doing (the period being tried, or the best value and bound).
//!
//! It appears only when `SolveOptions::progress` is set and stderr is a
//! terminal, so piped output and `--json` runs stay clean. A watcher thread
//! waits one second before drawing it, so quick solves never show it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Delay before the spinner appears.
const DELAY: Duration = Duration::from_secs(1);

/// The spinner of one solve; it disappears when dropped.
pub struct Progress {
    bar: Option<ProgressBar>,
    stop: Option<Sender<()>>,
    watcher: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts a hidden spinner that shows after `DELAY`, or one that never
    /// shows when `enabled` is false or stderr is not a terminal.
    pub fn start(enabled: bool, label: &str) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None, stop: None, watcher: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {prefix}: {wide_msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        let (stop, stopped) = channel::<()>();
        let shown = bar.clone();
        let watcher = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(DELAY) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
                // Wait for the end of the solve (or a dropped sender).
                let _ = stopped.recv();
            }
        });
        Progress { bar: Some(bar), stop: Some(stop), watcher: Some(watcher) }
    }

    /// Creates a spinner that never shows.
    pub fn hidden() -> Self {
        Progress { bar: None, stop: None, watcher: None }
    }

    /// Replaces the message after the elapsed time.
    pub fn set(&self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// Checks whether the spinner may be drawn (for tests).
    pub fn is_enabled(&self) -> bool {
        self.bar.is_some()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

//! `spikepipe train`: train a network with delayed gradients and report test
//! accuracy per delay policy.

use super::CliError;
use crate::train::command::TrainArgs;
use crate::train::TrainProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub fn run(args: &TrainArgs, quiet: bool) -> Result<i32, CliError> {
    let show = !quiet && !args.json;
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |label: &str, event: TrainProgress| match event {
        TrainProgress::Step { epoch, done, total } if show && terminal => {
            let current = bar.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} samples, {elapsed}")
                        .expect("the template is valid")
                        .progress_chars("=> "),
                );
                bar
            });
            current.set_prefix(format!("{label} epoch {epoch}"));
            current.set_position(done as u64);
        }
        TrainProgress::Epoch(report) if show => {
            if let Some(finished) = bar.take() {
                finished.finish_and_clear();
            }
            eprintln!(
                "{label} epoch {}: train loss {:.4}, test accuracy {:.2}% ({:.1} s)",
                report.epoch,
                report.train_loss,
                100.0 * report.test_accuracy,
                report.seconds
            );
        }
        _ => {}
    };
    let report = crate::train::command::run(args, &mut progress).map_err(|e| CliError::Usage(e.to_string()))?;
    if args.json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&report).expect("training reports serialize")))?;
    } else {
        super::emit(&report.to_string())?;
    }
    Ok(0)
}

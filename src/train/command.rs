//! The `train` subcommand: its arguments and the function that runs them and
//! prints the report (a table, or JSON with `--json`) on stdout.

use super::{DatasetName, TrainConfig, TrainError, TrainReport};
use crate::workload::DelayPolicy;
use std::path::PathBuf;

/// Arguments of `spikepipe train`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// Model file (YAML) whose input fits the dataset and whose last layer
    /// has 10 outputs.
    pub model: PathBuf,
    /// Bundled dataset: digits (8x8, 1,437 train / 360 test) or mnist
    /// (28x28, 8,000 train / 2,000 test).
    #[arg(long, value_parser = parse_dataset)]
    pub dataset: DatasetName,
    /// Gradient delay policy: synchronous, pipedream, an integer of at least
    /// 1, or one integer per weighted layer separated by commas (input to
    /// output). Repeat the flag to train once per policy.
    #[arg(long, value_parser = parse_policy)]
    pub delay: Vec<DelayPolicy>,
    /// Several delay policies, trained in turn after those of --delay:
    /// separated by commas with per-layer lists in brackets
    /// ("synchronous,pipedream,[6,4,2]"), as `sweep` takes them, or by
    /// semicolons ("synchronous;pipedream;6,4,2").
    #[arg(long, value_parser = parse_policies)]
    pub delays: Option<PolicyList>,
    /// Passes over the training set.
    #[arg(long, default_value_t = 1)]
    pub epochs: u32,
    /// Seed of weight initialisation, shuffling and spike encoding.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Minibatch size (default: the model's batch).
    #[arg(long)]
    pub batch: Option<u64>,
    /// Timesteps per sample (default: the model's timesteps).
    #[arg(long)]
    pub timesteps: Option<u64>,
    /// Adam learning rate.
    #[arg(long, default_value_t = super::DEFAULT_LEARNING_RATE)]
    pub learning_rate: f64,
    /// Scale of the initial weights: each is drawn uniformly with variance
    /// gain² / fan-in.
    #[arg(long, default_value_t = super::DEFAULT_INIT_GAIN)]
    pub init_gain: f64,
    /// Train on the first N training samples only.
    #[arg(long)]
    pub train_limit: Option<usize>,
    /// Evaluate on the first N test samples only.
    #[arg(long)]
    pub test_limit: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Delay policies given in one `--delays` value.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyList(pub Vec<DelayPolicy>);

fn parse_dataset(text: &str) -> Result<DatasetName, String> {
    text.parse()
}

fn parse_policy(text: &str) -> Result<DelayPolicy, String> {
    match DelayPolicy::parse_list(&format!("{text};"))?.as_slice() {
        [policy] => Ok(policy.clone()),
        _ => Err(format!("`{text}` names several policies; give one per --delay, or use --delays")),
    }
}

fn parse_policies(text: &str) -> Result<PolicyList, String> {
    DelayPolicy::parse_list(text).map(PolicyList)
}

impl TrainArgs {
    /// Builds the training configuration of these arguments, which
    /// `run_training` validates.
    pub fn config(&self) -> TrainConfig {
        let mut policies = self.delay.clone();
        if let Some(list) = &self.delays {
            policies.extend(list.0.iter().cloned());
        }
        if policies.is_empty() {
            policies.push(DelayPolicy::Named("synchronous".into()));
        }
        let mut config = TrainConfig::new(self.model.clone(), self.dataset);
        config.policies = policies;
        config.epochs = self.epochs;
        config.seed = self.seed;
        config.batch = self.batch;
        config.timesteps = self.timesteps;
        config.learning_rate = self.learning_rate;
        config.init_gain = self.init_gain;
        config.train_limit = self.train_limit;
        config.test_limit = self.test_limit;
        config
    }
}

/// Runs `spikepipe train` with `progress` receiving each step and epoch;
/// the caller prints the report.
pub fn run(args: &TrainArgs, progress: &mut dyn FnMut(&str, super::TrainProgress)) -> Result<TrainReport, TrainError> {
    super::run_training_with_progress(&args.config(), progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        train: TrainArgs,
    }

    fn parse(line: &str) -> Result<TrainArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("train").chain(line.split(' '))).map(|c| c.train)
    }

    #[test]
    fn policies_from_both_flags_in_order() {
        let args = parse("m.yaml --dataset digits --delay pipedream --delays synchronous;6,4,2 --epochs 2").unwrap();
        assert_eq!(
            args.config().policies,
            vec![DelayPolicy::Named("pipedream".into()), DelayPolicy::Named("synchronous".into()), DelayPolicy::PerLayer(vec![6, 4, 2])]
        );
        assert_eq!(args.config().epochs, 2);
    }

    #[test]
    fn synchronous_by_default() {
        let args = parse("m.yaml --dataset mnist").unwrap();
        assert_eq!(args.config().policies, vec![DelayPolicy::Named("synchronous".into())]);
    }

    #[test]
    fn unknown_policy_and_dataset_rejected() {
        let error = parse("m.yaml --dataset digits --delay pipedrem").unwrap_err().to_string();
        assert!(error.contains("unknown delay policy `pipedrem`"), "{error}");
        let error = parse("m.yaml --dataset cifar").unwrap_err().to_string();
        assert!(error.contains("unknown dataset `cifar`"), "{error}");
    }
}

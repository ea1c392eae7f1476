//! Delayed gradients with weight stashing, as a pipelined schedule runs them.
//!
//! Let version j of a layer's weights be the initial weights after the
//! updates of iterations 0..j−1. With gradient delay d, the forward pass of
//! iteration i uses version max(0, i − d + 1): it includes the updates of
//! iterations up to i − d. The backward and weight-gradient passes of
//! iteration i use that same version (weight stashing), and the update of
//! iteration i applies its gradient to the newest version, making version
//! i + 1. With d = 1 the forward pass of iteration i uses version i, which
//! includes every earlier update, as in ordinary synchronous training.

use ndarray::Array2;
use std::collections::VecDeque;

/// The weight versions of one layer that forward passes may still need.
#[derive(Debug, Clone)]
pub struct WeightHistory {
    delay: usize,
    /// Version numbers with their weights, oldest first; the last is the
    /// newest (the master copy that updates apply to).
    versions: VecDeque<(usize, Array2<f64>)>,
}

impl WeightHistory {
    /// Starts with version 0; `delay` ≥ 1.
    pub fn new(initial: Array2<f64>, delay: usize) -> WeightHistory {
        assert!(delay >= 1, "gradient delays start at 1");
        WeightHistory { delay, versions: VecDeque::from([(0, initial)]) }
    }

    /// Number of the version iteration `iteration` reads.
    pub fn version_for(&self, iteration: usize) -> usize {
        (iteration + 1).saturating_sub(self.delay)
    }

    /// Returns the weights that the forward, backward and weight-gradient
    /// passes of `iteration` use. Iterations must run in order.
    pub fn weights_for(&self, iteration: usize) -> &Array2<f64> {
        let needed = self.version_for(iteration);
        let (_, weights) = self
            .versions
            .iter()
            .find(|(number, _)| *number == needed)
            .expect("weight version still stashed: iterations run in order");
        weights
    }

    /// Returns the newest weights.
    pub fn newest(&self) -> &Array2<f64> {
        &self.versions.back().expect("history is never empty").1
    }

    /// Records the update of `iteration` (made by `update` on a copy of the
    /// newest weights) and drops versions no later iteration reads.
    pub fn update(&mut self, iteration: usize, update: impl FnOnce(&mut Array2<f64>)) {
        let mut next = self.newest().clone();
        update(&mut next);
        self.versions.push_back((iteration + 1, next));
        let oldest_needed = self.version_for(iteration + 1);
        while self.versions.front().is_some_and(|(number, _)| *number < oldest_needed) {
            self.versions.pop_front();
        }
    }

    /// Versions currently stashed.
    pub fn stashed(&self) -> usize {
        self.versions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn delay_two_reads_one_version_back() {
        let mut history = WeightHistory::new(array![[0.0]], 2);
        // Iterations 0 and 1 both read version 0.
        assert_eq!(history.weights_for(0)[[0, 0]], 0.0);
        history.update(0, |w| w[[0, 0]] = 1.0);
        assert_eq!(history.weights_for(1)[[0, 0]], 0.0);
        history.update(1, |w| w[[0, 0]] += 10.0);
        // Iteration 2 uses iteration 0's update, not iteration 1's.
        assert_eq!(history.weights_for(2)[[0, 0]], 1.0);
        // The update of iteration 1 applied to the newest weights.
        assert_eq!(history.newest()[[0, 0]], 11.0);
        assert_eq!(history.stashed(), 2);
    }

    #[test]
    fn delay_one_keeps_only_newest() {
        let mut history = WeightHistory::new(array![[0.0]], 1);
        for i in 0..5 {
            assert_eq!(history.weights_for(i)[[0, 0]], i as f64);
            history.update(i, |w| w[[0, 0]] += 1.0);
            assert_eq!(history.stashed(), 1);
        }
    }
}

//! The Adam optimiser (Kingma and Ba, "Adam: A Method for Stochastic
//! Optimization", ICLR 2015) for one weight matrix, with bias-corrected
//! first and second moment estimates.

use ndarray::{Array2, Zip};

/// Adam hyperparameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamSettings {
    pub learning_rate: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
}

impl Default for AdamSettings {
    fn default() -> Self {
        AdamSettings { learning_rate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

/// Moment estimates of one weight matrix.
#[derive(Debug, Clone)]
pub struct Adam {
    settings: AdamSettings,
    first: Array2<f64>,
    second: Array2<f64>,
    steps: i32,
}

impl Adam {
    pub fn new(settings: AdamSettings, shape: (usize, usize)) -> Adam {
        Adam { settings, first: Array2::zeros(shape), second: Array2::zeros(shape), steps: 0 }
    }

    /// Applies one step with `gradient` to `weights`.
    pub fn step(&mut self, weights: &mut Array2<f64>, gradient: &Array2<f64>) {
        let AdamSettings { learning_rate, beta1, beta2, epsilon } = self.settings;
        self.steps = self.steps.saturating_add(1);
        let first_correction = 1.0 - beta1.powi(self.steps);
        let second_correction = 1.0 - beta2.powi(self.steps);
        Zip::from(weights).and(&mut self.first).and(&mut self.second).and(gradient).for_each(|w, m, v, &g| {
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            let m_hat = *m / first_correction;
            let v_hat = *v / second_correction;
            *w -= learning_rate * m_hat / (v_hat.sqrt() + epsilon);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn first_step_moves_by_learning_rate() {
        // After one step m̂ = g and v̂ = g², so every weight moves by
        // lr·g/(|g| + ε), almost exactly lr against the gradient's sign.
        let mut adam = Adam::new(AdamSettings::default(), (1, 2));
        let mut weights = array![[1.0, 1.0]];
        adam.step(&mut weights, &array![[0.5, -2.0]]);
        assert!((weights[[0, 0]] - (1.0 - 1e-3)).abs() < 1e-10);
        assert!((weights[[0, 1]] - (1.0 + 1e-3)).abs() < 1e-10);
    }

    #[test]
    fn minimises_quadratic() {
        let settings = AdamSettings { learning_rate: 0.05, ..AdamSettings::default() };
        let mut adam = Adam::new(settings, (1, 1));
        let mut weights = array![[3.0]];
        for _ in 0..2000 {
            let gradient = weights.mapv(|w| 2.0 * (w - 1.0));
            adam.step(&mut weights, &gradient);
        }
        assert!((weights[[0, 0]] - 1.0).abs() < 1e-3, "{weights}");
    }
}

//! Rate coding of images into input spikes (Bernoulli coding): at every
//! timestep, pixel x of a sample spikes with probability x / max_value,
//! independently of other pixels and timesteps. The draws of one sample come
//! from a stream keyed by the seed, the epoch and the sample's index, so the
//! spikes of a sample do not depend on the batch it lands in.

use super::data::Split;
use super::rng::{Purpose, SplitMix};
use ndarray::Array2;

/// Spikes of the samples `indices` of `split` over `timesteps` steps:
/// row `t * batch + b` contains sample `indices[b]` at timestep t.
pub fn encode_batch(
    split: &Split,
    indices: &[usize],
    features: usize,
    max_value: u16,
    timesteps: usize,
    stream: (u64, Purpose, u64),
) -> Array2<f64> {
    let (seed, purpose, epoch) = stream;
    let batch = indices.len();
    let mut spikes = Array2::<f64>::zeros((timesteps * batch, features));
    let scale = 1.0 / max_value as f64;
    for (b, &sample) in indices.iter().enumerate() {
        let pixels = &split.pixels[sample * features..(sample + 1) * features];
        let mut random = SplitMix::keyed(seed, purpose, &[epoch, sample as u64]);
        for t in 0..timesteps {
            let mut row = spikes.row_mut(t * batch + b);
            for (spike, &pixel) in row.iter_mut().zip(pixels) {
                if random.next_f64() < pixel as f64 * scale {
                    *spike = 1.0;
                }
            }
        }
    }
    spikes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spike_rate_follows_pixel_value() {
        let split = Split { pixels: vec![0, 8, 16, 4], labels: vec![0] };
        let spikes = encode_batch(&split, &[0], 4, 16, 4000, (9, Purpose::TrainSpikes, 0));
        let rates: Vec<f64> = (0..4).map(|i| spikes.column(i).sum() / 4000.0).collect();
        assert_eq!(rates[0], 0.0);
        assert_eq!(rates[2], 1.0);
        assert!((rates[1] - 0.5).abs() < 0.03, "{rates:?}");
        assert!((rates[3] - 0.25).abs() < 0.03, "{rates:?}");
    }

    #[test]
    fn sample_spikes_independent_of_batch() {
        let split = Split { pixels: (0..32).map(|i| (i % 16) as u8).collect(), labels: vec![0, 1] };
        let alone = encode_batch(&split, &[1], 16, 16, 3, (5, Purpose::TrainSpikes, 2));
        let together = encode_batch(&split, &[0, 1], 16, 16, 3, (5, Purpose::TrainSpikes, 2));
        for t in 0..3 {
            assert_eq!(alone.row(t), together.row(t * 2 + 1));
        }
    }
}

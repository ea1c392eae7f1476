//! Seeded random numbers for the trainer: SplitMix64 streams keyed by the
//! run's seed and a purpose (weight initialisation, shuffling, spike
//! encoding). Every random draw depends only on the seed and on what it is
//! for, never on time, thread count or the order of other draws.
//!
//! SplitMix64 is the generator of Steele, Lea and Flood, "Fast splittable
//! pseudorandom number generators" (OOPSLA 2014): a 64-bit counter advanced
//! by the golden-ratio constant and passed through a mixing function.

/// Purposes of random streams; each gets its own key so streams never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Weights = 1,
    Shuffle = 2,
    TrainSpikes = 3,
    TestSpikes = 4,
}

/// Mixes 64 bits bijectively (the SplitMix64 finaliser).
pub fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct SplitMix {
    state: u64,
}

impl SplitMix {
    /// Starts the stream of `purpose` for `seed`, further keyed by `keys`
    /// (for example the epoch and the sample index).
    pub fn keyed(seed: u64, purpose: Purpose, keys: &[u64]) -> SplitMix {
        let mut state = mix(seed ^ mix(purpose as u64));
        for &key in keys {
            state = mix(state ^ key);
        }
        SplitMix { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Draws a uniform value in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Draws a uniform integer in [0, bound), 0 < bound ≤ 2^32, by Lemire's
    /// multiply-shift. Its bias is below bound / 2^32, negligible for the
    /// dataset sizes used here.
    pub fn below(&mut self, bound: usize) -> usize {
        (((self.next_u64() >> 32) * bound as u64) >> 32) as usize
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_for_same_key() {
        let mut a = SplitMix::keyed(7, Purpose::Shuffle, &[3]);
        let mut b = SplitMix::keyed(7, Purpose::Shuffle, &[3]);
        let mut c = SplitMix::keyed(7, Purpose::Shuffle, &[4]);
        let first: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let other: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(first, other);
    }

    #[test]
    fn uniform_mean_near_half() {
        let mut stream = SplitMix::keyed(1, Purpose::Weights, &[]);
        let mean = (0..100_000).map(|_| stream.next_f64()).sum::<f64>() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut items: Vec<usize> = (0..50).collect();
        SplitMix::keyed(2, Purpose::Shuffle, &[0]).shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}

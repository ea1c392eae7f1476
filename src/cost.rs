//! Cost model: cycles of a task on a systolic array and of a transfer on the
//! link between two arrays.
//!
//! GEMM cycles follow the analytical model of SCALE-Sim v2 (Samajdar et al.,
//! "A Systematic Methodology for Characterizing Scalability of DNN
//! Accelerators using SCALE-Sim", ISPASS 2020): an (M x K)·(K x N) product is
//! cut into folds that fit the R x C array, and each fold costs its fill,
//! compute and drain cycles.
//!
//! | dataflow | folds | cycles per fold |
//! |---|---|---|
//! | output-stationary | ⌈M/R⌉·⌈N/C⌉ | K + R + C − 2 |
//! | weight-stationary | ⌈K/R⌉·⌈N/C⌉ | 2R + C + M − 2 |
//! | input-stationary | ⌈K/R⌉·⌈M/C⌉ | 2R + C + N − 2 |
//!
//! Elementwise work runs on the array's vector unit at `vector_lanes`
//! operations per cycle.

use serde::{Deserialize, Serialize};

/// Which operand stays in the processing elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dataflow {
    OutputStationary,
    WeightStationary,
    InputStationary,
}

impl Dataflow {
    pub fn name(&self) -> &'static str {
        match self {
            Dataflow::OutputStationary => "output-stationary",
            Dataflow::WeightStationary => "weight-stationary",
            Dataflow::InputStationary => "input-stationary",
        }
    }
}

/// One systolic array: `rows` x `cols` multiply-accumulate cells and a vector
/// unit of `vector_lanes` lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArraySpec {
    pub rows: u64,
    pub cols: u64,
    pub dataflow: Dataflow,
    pub vector_lanes: u64,
}

/// A matrix product (M x K)·(K x N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gemm {
    pub m: u64,
    pub k: u64,
    pub n: u64,
}

impl Gemm {
    pub fn macs(&self) -> u64 {
        self.m * self.k * self.n
    }
}

fn div_ceil(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

impl ArraySpec {
    /// Cycles of one GEMM; 0 for an empty product.
    pub fn gemm_cycles(&self, gemm: Gemm) -> u64 {
        let Gemm { m, k, n } = gemm;
        if m == 0 || k == 0 || n == 0 {
            return 0;
        }
        let (r, c) = (self.rows, self.cols);
        let (folds, per_fold) = match self.dataflow {
            Dataflow::OutputStationary => (div_ceil(m, r) * div_ceil(n, c), k + r + c - 2),
            Dataflow::WeightStationary => (div_ceil(k, r) * div_ceil(n, c), 2 * r + c + m - 2),
            Dataflow::InputStationary => (div_ceil(k, r) * div_ceil(m, c), 2 * r + c + n - 2),
        };
        // Saturates instead of wrapping; problem building rejects durations
        // above its supported maximum.
        folds.saturating_mul(per_fold)
    }

    /// Cycles of `ops` elementwise operations on the vector unit.
    pub fn elementwise_cycles(&self, ops: u64) -> u64 {
        div_ceil(ops, self.vector_lanes)
    }

    /// Cycles of a task: its GEMM (if any) plus its elementwise work.
    pub fn task_cycles(&self, gemm: Option<Gemm>, elementwise_ops: u64) -> u64 {
        gemm.map_or(0, |g| self.gemm_cycles(g)).saturating_add(self.elementwise_cycles(elementwise_ops))
    }
}

/// The link between two different arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub latency_cycles: u64,
    pub bytes_per_cycle: u64,
}

impl Link {
    /// Cycles to move `bytes` between two different arrays; 0 bytes cost
    /// nothing.
    pub fn transfer_cycles(&self, bytes: u64) -> u64 {
        if bytes == 0 {
            0
        } else {
            self.latency_cycles.saturating_add(div_ceil(bytes, self.bytes_per_cycle))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(rows: u64, cols: u64, dataflow: Dataflow) -> ArraySpec {
        ArraySpec { rows, cols, dataflow, vector_lanes: 16 }
    }

    #[test]
    fn output_stationary_gemm_cycles() {
        // M=100, K=50, N=70 on 32x16: folds ⌈100/32⌉·⌈70/16⌉ = 4·5 = 20,
        // each 50 + 32 + 16 − 2 = 96 cycles.
        let a = array(32, 16, Dataflow::OutputStationary);
        assert_eq!(a.gemm_cycles(Gemm { m: 100, k: 50, n: 70 }), 20 * 96);
    }

    #[test]
    fn weight_stationary_gemm_cycles() {
        // folds ⌈50/32⌉·⌈70/16⌉ = 2·5 = 10, each 64 + 16 + 100 − 2 = 178.
        let a = array(32, 16, Dataflow::WeightStationary);
        assert_eq!(a.gemm_cycles(Gemm { m: 100, k: 50, n: 70 }), 1780);
    }

    #[test]
    fn input_stationary_gemm_cycles() {
        // folds ⌈50/32⌉·⌈100/16⌉ = 2·7 = 14, each 64 + 16 + 70 − 2 = 148.
        let a = array(32, 16, Dataflow::InputStationary);
        assert_eq!(a.gemm_cycles(Gemm { m: 100, k: 50, n: 70 }), 14 * 148);
    }

    #[test]
    fn gemm_exactly_one_fold() {
        // 128x128 weight-stationary, K=N=128, M=1600: one fold of
        // 256 + 128 + 1600 − 2 = 1982 cycles.
        let a = array(128, 128, Dataflow::WeightStationary);
        assert_eq!(a.gemm_cycles(Gemm { m: 1600, k: 128, n: 128 }), 1982);
    }

    #[test]
    fn elementwise_cycles_round_up() {
        let a = array(4, 4, Dataflow::OutputStationary);
        assert_eq!(a.elementwise_cycles(0), 0);
        assert_eq!(a.elementwise_cycles(16), 1);
        assert_eq!(a.elementwise_cycles(17), 2);
        assert_eq!(a.task_cycles(Some(Gemm { m: 4, k: 4, n: 4 }), 17), 10 + 2);
    }

    #[test]
    fn transfer_cycles_add_latency() {
        let link = Link { latency_cycles: 100, bytes_per_cycle: 32 };
        assert_eq!(link.transfer_cycles(0), 0);
        assert_eq!(link.transfer_cycles(1), 101);
        assert_eq!(link.transfer_cycles(64), 102);
        assert_eq!(link.transfer_cycles(65), 103);
    }
}

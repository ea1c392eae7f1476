//! Operation counts of one training iteration, per layer and task kind, for
//! the cross-check with the cost model of the workload.
//!
//! The trainer records every GEMM it runs as its M·K·N multiply-accumulates,
//! and every elementwise kernel as the number of elements it touched times
//! the operations per element that the cost model assigns to that kernel:
//!
//! | kernel | task | ops per element |
//! |---|---|---|
//! | synapse filter, forward | F | 3 per input element |
//! | neuron (v, spike, reset) | F | 4 per output element |
//! | surrogate gradient and reset path | F of the last layer, else B of the layer above | 5 per output element |
//! | synapse filter, backward | B | 3 per input element |
//! | max pool, forward | F | 1 per window position, k² per output element |
//! | max pool, backward | B | 1 per input element |
//! | Adam | U | `ADAM_OPS_PER_WEIGHT` per weight |
//!
//! The element counts come from the sizes of the arrays each kernel actually
//! processed, so a kernel that skipped or repeated work would show up. The
//! softmax cross-entropy on spike counts works on batch x classes values once
//! per iteration, not per timestep. The cost model has no term for it, so it
//! is recorded apart, under [`OpCounts::loss_elements`].

use crate::workload::TaskKind;
use std::collections::BTreeMap;

/// Operations of one Adam step per weight, as the cost model's default
/// `update_ops_per_weight`.
pub const ADAM_OPS_PER_WEIGHT: u64 = 10;

/// Work of one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TaskOps {
    pub macs: u64,
    pub elementwise_ops: u64,
}

/// Work of one iteration, keyed by (1-based layer, task kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub tasks: BTreeMap<(usize, TaskKind), TaskOps>,
    /// Values the loss read (batch x classes).
    pub loss_elements: u64,
}

impl OpCounts {
    pub fn gemm(&mut self, layer: usize, kind: TaskKind, m: usize, k: usize, n: usize) {
        let entry = self.tasks.entry((layer, kind)).or_default();
        entry.macs += (m * k * n) as u64;
    }

    pub fn elementwise(&mut self, layer: usize, kind: TaskKind, elements: usize, ops_per_element: u64) {
        let entry = self.tasks.entry((layer, kind)).or_default();
        entry.elementwise_ops += elements as u64 * ops_per_element;
    }

    pub fn get(&self, layer: usize, kind: TaskKind) -> TaskOps {
        self.tasks.get(&(layer, kind)).copied().unwrap_or_default()
    }
}

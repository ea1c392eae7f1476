//! Spatial kernels of the layers: im2col for convolutions, the gather that
//! turns the backward pass of a convolution into a dense (transposed)
//! convolution over the input grid, and max pooling.
//!
//! Feature maps are stored channels-last: the features of one sample at one
//! timestep are laid out in height, width, channel order, and a tensor has
//! one row per (timestep, sample). A convolution weight matrix has one row
//! per output channel and one column per (kernel row, kernel column, input
//! channel).

use ndarray::{Array2, ArrayView2};

/// Sizes of a convolution or pooling layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub in_channels: usize,
    pub in_height: usize,
    pub in_width: usize,
    pub out_channels: usize,
    pub out_height: usize,
    pub out_width: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
}

impl Geometry {
    pub fn input_features(&self) -> usize {
        self.in_channels * self.in_height * self.in_width
    }

    pub fn output_features(&self) -> usize {
        self.out_channels * self.out_height * self.out_width
    }

    /// Columns of an im2col row: kernel² x input channels.
    pub fn patch(&self) -> usize {
        self.kernel * self.kernel * self.in_channels
    }

    /// Input coordinate seen by output coordinate `out` at kernel offset
    /// `offset`, or None when it falls in the padding.
    fn input_coordinate(&self, out: usize, offset: usize, size: usize) -> Option<usize> {
        let position = (out * self.stride + offset).checked_sub(self.padding)?;
        (position < size).then_some(position)
    }
}

/// Unfolds every receptive field: row (r, oh, ow) of the result contains the
/// patch of input row r that output position (oh, ow) sees, zeros in the
/// padding. Shape [rows · Ho · Wo, k² · C_in].
pub fn im2col(g: &Geometry, input: ArrayView2<f64>) -> Array2<f64> {
    let rows = input.nrows();
    let positions = g.out_height * g.out_width;
    let patch = g.patch();
    let mut columns = Array2::<f64>::zeros((rows * positions, patch));
    let c = g.in_channels;
    for r in 0..rows {
        let sample = input.row(r);
        let sample = sample.as_slice().expect("feature rows are contiguous");
        for oh in 0..g.out_height {
            for ow in 0..g.out_width {
                let mut row = columns.row_mut((r * g.out_height + oh) * g.out_width + ow);
                let row = row.as_slice_mut().expect("fresh array is contiguous");
                for i in 0..g.kernel {
                    let Some(h) = g.input_coordinate(oh, i, g.in_height) else { continue };
                    for j in 0..g.kernel {
                        let Some(w) = g.input_coordinate(ow, j, g.in_width) else { continue };
                        let from = (h * g.in_width + w) * c;
                        let to = (i * g.kernel + j) * c;
                        row[to..to + c].copy_from_slice(&sample[from..from + c]);
                    }
                }
            }
        }
    }
    columns
}

/// Gathers the output gradient for the backward pass of a convolution as a
/// dense convolution over the input grid: row (r, h, w), column (i, j, co)
/// contains the gradient of output (oh, ow, co) whose kernel offset (i, j) reads
/// input (h, w), or zero where no output does (stride gaps and borders).
/// Shape [rows · H · W, k² · C_out].
pub fn transposed_columns(g: &Geometry, grad_output: ArrayView2<f64>) -> Array2<f64> {
    let rows = grad_output.nrows();
    let positions = g.in_height * g.in_width;
    let co = g.out_channels;
    let mut columns = Array2::<f64>::zeros((rows * positions, g.kernel * g.kernel * co));
    // Output coordinate whose offset `offset` reads input coordinate `input`.
    let output_coordinate = |input: usize, offset: usize, size: usize| -> Option<usize> {
        let shifted = (input + g.padding).checked_sub(offset)?;
        (shifted % g.stride == 0 && shifted / g.stride < size).then_some(shifted / g.stride)
    };
    for r in 0..rows {
        let sample = grad_output.row(r);
        let sample = sample.as_slice().expect("gradient rows are contiguous");
        for h in 0..g.in_height {
            for w in 0..g.in_width {
                let mut row = columns.row_mut((r * g.in_height + h) * g.in_width + w);
                let row = row.as_slice_mut().expect("fresh array is contiguous");
                for i in 0..g.kernel {
                    let Some(oh) = output_coordinate(h, i, g.out_height) else { continue };
                    for j in 0..g.kernel {
                        let Some(ow) = output_coordinate(w, j, g.out_width) else { continue };
                        let from = (oh * g.out_width + ow) * co;
                        let to = (i * g.kernel + j) * co;
                        row[to..to + co].copy_from_slice(&sample[from..from + co]);
                    }
                }
            }
        }
    }
    columns
}

/// Rearranges a convolution weight matrix [C_out, (i, j, C_in)] into the
/// matrix [(i, j, C_out), C_in] that multiplies [`transposed_columns`].
pub fn transposed_weights(g: &Geometry, weights: ArrayView2<f64>) -> Array2<f64> {
    let (ci, co) = (g.in_channels, g.out_channels);
    let taps = g.kernel * g.kernel;
    let mut out = Array2::<f64>::zeros((taps * co, ci));
    for tap in 0..taps {
        for o in 0..co {
            for i in 0..ci {
                out[[tap * co + o, i]] = weights[[o, tap * ci + i]];
            }
        }
    }
    out
}

/// Output of a max pool and, per output element, the input feature index
/// that won (the first maximum in window order).
#[derive(Debug, Clone)]
pub struct PoolTrace {
    pub output: Array2<f64>,
    pub winners: Vec<usize>,
}

/// Max pooling; positions in the padding never win. Returns the trace and
/// the number of window positions examined (padding included).
pub fn max_pool(g: &Geometry, input: ArrayView2<f64>) -> (PoolTrace, usize) {
    let rows = input.nrows();
    let c = g.in_channels;
    let mut output = Array2::<f64>::zeros((rows, g.output_features()));
    let mut winners = vec![0usize; rows * g.output_features()];
    let mut examined = 0usize;
    for r in 0..rows {
        let sample = input.row(r);
        for oh in 0..g.out_height {
            for ow in 0..g.out_width {
                for ch in 0..c {
                    let mut best = f64::NEG_INFINITY;
                    let mut winner = usize::MAX;
                    for i in 0..g.kernel {
                        for j in 0..g.kernel {
                            examined += 1;
                            let (Some(h), Some(w)) =
                                (g.input_coordinate(oh, i, g.in_height), g.input_coordinate(ow, j, g.in_width))
                            else {
                                continue;
                            };
                            let index = (h * g.in_width + w) * c + ch;
                            if sample[index] > best {
                                best = sample[index];
                                winner = index;
                            }
                        }
                    }
                    // Padding is smaller than the kernel, so every window
                    // contains at least one input position.
                    let out = (oh * g.out_width + ow) * c + ch;
                    output[[r, out]] = best;
                    winners[r * g.output_features() + out] = winner;
                }
            }
        }
    }
    (PoolTrace { output, winners }, examined)
}

/// Routes the output gradient of a max pool to the winning inputs.
pub fn max_pool_backward(g: &Geometry, trace: &PoolTrace, grad_output: ArrayView2<f64>) -> Array2<f64> {
    let rows = grad_output.nrows();
    let mut grad_input = Array2::<f64>::zeros((rows, g.input_features()));
    let outputs = g.output_features();
    for r in 0..rows {
        for out in 0..outputs {
            grad_input[[r, trace.winners[r * outputs + out]]] += grad_output[[r, out]];
        }
    }
    grad_input
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn geometry(size: usize, kernel: usize, stride: usize, padding: usize) -> Geometry {
        let out = (size + 2 * padding - kernel) / stride + 1;
        Geometry {
            in_channels: 1,
            in_height: size,
            in_width: size,
            out_channels: 1,
            out_height: out,
            out_width: out,
            kernel,
            stride,
            padding,
        }
    }

    #[test]
    fn im2col_pads_with_zeros() {
        // 2x2 input, 2x2 kernel, padding 1: output (0, 0) sees only input (0, 0)
        // at its bottom-right tap.
        let g = geometry(2, 2, 1, 1);
        let input = array![[1.0, 2.0, 3.0, 4.0]];
        let columns = im2col(&g, input.view());
        assert_eq!(columns.dim(), (9, 4));
        assert_eq!(columns.row(0).to_vec(), vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(columns.row(4).to_vec(), vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn transposed_gather_is_adjoint_of_im2col() {
        // For one output channel with weights all 1, the convolution is the
        // row sums of im2col, and the backward gather must be its adjoint:
        // <conv(x), y> = <x, conv_backward(y)>, here with stride 2.
        let g = geometry(5, 3, 2, 1);
        let x = Array2::from_shape_fn((1, 25), |(_, i)| (i as f64 * 0.37).sin());
        let y = Array2::from_shape_fn((1, g.output_features()), |(_, i)| (i as f64 * 0.91).cos());
        let weights = Array2::from_elem((1, 9), 1.0);
        let conv = im2col(&g, x.view()).dot(&weights.t());
        let lhs: f64 = conv.iter().zip(y.iter()).map(|(a, b)| a * b).sum();
        let back = transposed_columns(&g, y.view()).dot(&transposed_weights(&g, weights.view()));
        let rhs: f64 = back.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
    }

    #[test]
    fn max_pool_routes_gradient_to_winner() {
        let g = geometry(2, 2, 2, 0);
        let input = array![[0.5, 3.0, 1.0, 3.0]];
        let (trace, examined) = max_pool(&g, input.view());
        assert_eq!(examined, 4);
        assert_eq!(trace.output[[0, 0]], 3.0);
        let grad = max_pool_backward(&g, &trace, array![[2.0]].view());
        // The first maximum in window order wins a tie.
        assert_eq!(grad.row(0).to_vec(), vec![0.0, 2.0, 0.0, 0.0]);
    }
}

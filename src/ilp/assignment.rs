//! Assignment columns x[v,a] = 1 when item v (a task or a task copy) runs on
//! array a, with Σ_a x[v,a] = 1 over the arrays allowed for v.
//!
//! An item with one allowed array gets no column: x[v,a] is the constant 1
//! there and 0 elsewhere, so a fixed assignment leaves only timing decisions.
//!
//! Symmetry on identical arrays: relabelling arrays in the order in which
//! items 0, 1, 2, ... first use them turns any schedule into one where item k
//! runs on an array numbered at most k (items 0..k use at most k + 1 arrays),
//! so restricting x[k,a] to a ≤ k loses no schedule.

use super::mip::{Column, MipModel};
use good_lp::{variable, Expression};

/// The assignment columns of a model.
pub struct Assignment {
    /// Per item, its allowed arrays with the column (none when fixed).
    choices: Vec<Vec<(usize, Option<Column>)>>,
}

impl Assignment {
    /// Adds the columns and the rows Σ_a x[v,a] = 1. `allowed[v]` must not be
    /// empty; `warm_start[v]` is v's array in the warm start.
    pub fn new(model: &mut MipModel, allowed: &[Vec<usize>], warm_start: &[usize]) -> Self {
        let mut choices = Vec::with_capacity(allowed.len());
        for (item, arrays) in allowed.iter().enumerate() {
            if arrays.len() == 1 {
                choices.push(vec![(arrays[0], None)]);
                continue;
            }
            let columns: Vec<(usize, Option<Column>)> = arrays
                .iter()
                .map(|&a| (a, Some(model.add(variable().binary(), f64::from(u8::from(warm_start.get(item) == Some(&a)))))))
                .collect();
            let sum: Expression = columns.iter().filter_map(|(_, c)| c.map(|c| c.var)).sum();
            model.constrain(sum.eq(1));
            choices.push(columns);
        }
        Assignment { choices }
    }

    /// Names every column `name(item, array)` in written models.
    pub fn name_columns(&self, model: &mut MipModel, name: impl Fn(usize, usize) -> String) {
        for (item, arrays) in self.choices.iter().enumerate() {
            for &(array, column) in arrays {
                if let Some(column) = column {
                    model.name(column, name(item, array));
                }
            }
        }
    }

    /// x[item, array] as an expression: a column, or the constant 0 or 1.
    pub fn x(&self, item: usize, array: usize) -> Expression {
        match self.choices[item].iter().find(|(a, _)| *a == array) {
            Some((_, Some(column))) => Expression::from(column.var),
            Some((_, None)) => Expression::from(1.0),
            None => Expression::from(0.0),
        }
    }

    /// Arrays that `item` may use.
    pub fn arrays(&self, item: usize) -> impl Iterator<Item = usize> + '_ {
        self.choices[item].iter().map(|(a, _)| *a)
    }

    pub fn allows(&self, item: usize, array: usize) -> bool {
        self.choices[item].iter().any(|(a, _)| *a == array)
    }

    /// Σ_a duration(a) · x[item, a]: the item's duration on its array.
    pub fn duration(&self, item: usize, duration: impl Fn(usize) -> u64) -> Expression {
        self.choices[item]
            .iter()
            .map(|&(a, column)| match column {
                Some(column) => duration(a) as f64 * column.var,
                None => Expression::from(duration(a) as f64),
            })
            .sum()
    }

    /// Adds `gap ≥ comm` when items `from` and `to` run on different arrays
    /// and `gap ≥ 0` when they share one, where `gap` is the consumer's start
    /// minus the producer's end. For each array a that either may use,
    /// gap ≥ comm · (x[from, a] − x[to, a]) is the transfer when `from` runs
    /// on a and `to` does not, and at most 0 otherwise, so one such row per
    /// array states the rule exactly.
    pub fn constrain_transfer(&self, model: &mut MipModel, from: usize, to: usize, gap: Expression, comm: f64) {
        if comm == 0.0 || from == to {
            model.constrain(gap.geq(0.0));
            return;
        }
        let mut arrays: Vec<usize> = self.arrays(from).chain(self.arrays(to)).collect();
        arrays.sort_unstable();
        arrays.dedup();
        for a in arrays {
            model.constrain((gap.clone() - comm * (self.x(from, a) - self.x(to, a))).geq(0.0));
        }
    }

    /// Reads each item's array from a solution: the allowed array with the
    /// largest x.
    pub fn decode(&self, values: &[f64]) -> Vec<usize> {
        self.choices
            .iter()
            .map(|arrays| {
                let mut best = arrays[0];
                for &choice in &arrays[1..] {
                    let value = |c: (usize, Option<Column>)| c.1.map_or(1.0, |c| values[c.index]);
                    if value(choice) > value(best) {
                        best = choice;
                    }
                }
                best.0
            })
            .collect()
    }
}

/// Renumbers arrays in the order of their first use by items 0, 1, 2, ...;
/// valid on identical arrays, and then item k lands on an array ≤ k.
pub fn relabel_by_first_use(arrays: &[usize], array_count: usize) -> Vec<usize> {
    let mut label = vec![usize::MAX; array_count];
    let mut next = 0;
    arrays
        .iter()
        .map(|&a| {
            if label[a] == usize::MAX {
                label[a] = next;
                next += 1;
            }
            label[a]
        })
        .collect()
}

/// Lists the arrays each item may use: `fixed[task]` when given, else every
/// array that `fits` (with `break_symmetry`, only arrays ≤ the item's index).
/// `task_of` maps an item to its task.
pub fn allowed_arrays(
    items: usize,
    array_count: usize,
    task_of: impl Fn(usize) -> usize,
    fixed: Option<&[usize]>,
    break_symmetry: bool,
    fits: impl Fn(usize, usize) -> bool,
) -> Vec<Vec<usize>> {
    (0..items)
        .map(|item| {
            let task = task_of(item);
            match fixed {
                Some(fixed) => vec![fixed[task]].into_iter().filter(|&a| fits(task, a)).collect(),
                None => {
                    let last = if break_symmetry { item.min(array_count - 1) } else { array_count - 1 };
                    (0..=last).filter(|&a| fits(task, a)).collect()
                }
            }
        })
        .collect()
}

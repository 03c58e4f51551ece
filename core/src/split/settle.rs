//! Settling up: the fewest transfers that bring every balance in a group to zero.

/// Up to this many members with a non-zero balance, [`settle_up`] finds the true minimum
/// number of transfers; beyond it, it falls back to a greedy plan of at most one transfer
/// fewer than the number of such members.
pub const EXACT_SETTLE_LIMIT: usize = 16;

/// One payment of the plan: `from` pays `to` `amount` minor units (always more than zero).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer<K> {
    pub from: K,
    pub to: K,
    pub amount: i64,
}

/// Proposes the transfers that settle `balances` (positive: is owed; negative: owes).
///
/// The balances must add up to zero, which every ledger of splits and settlements does by
/// construction; `None` means they do not, and nothing sensible can be proposed.
///
/// The minimum number of transfers is the number of members minus the largest number of
/// groups the members can be cut into that each add up to zero: each such group settles
/// among itself in one transfer fewer than its size, and no plan does better. Finding that
/// cut is a search over subsets, exact up to [`EXACT_SETTLE_LIMIT`] members.
pub fn settle_up<K: Clone>(balances: &[(K, i64)]) -> Option<Vec<Transfer<K>>> {
    let open: Vec<(usize, i64)> = balances
        .iter()
        .enumerate()
        .filter(|(_, (_, b))| *b != 0)
        .map(|(i, (_, b))| (i, *b))
        .collect();
    if open.iter().map(|&(_, b)| i128::from(b)).sum::<i128>() != 0 {
        return None;
    }
    let groups = if open.len() <= EXACT_SETTLE_LIMIT {
        zero_sum_groups(&open)
    } else {
        vec![open]
    };
    let mut plan = Vec::new();
    for group in groups {
        for (from, to, amount) in greedy(&group) {
            plan.push(Transfer {
                from: balances[from].0.clone(),
                to: balances[to].0.clone(),
                amount,
            });
        }
    }
    Some(plan)
}

/// Cuts the members into as many zero-sum groups as possible.
///
/// `best[mask]` is the largest number of zero-sum prefixes over all orderings of the members
/// in `mask`; the prefixes of the best ordering of everyone mark the groups.
fn zero_sum_groups(open: &[(usize, i64)]) -> Vec<Vec<(usize, i64)>> {
    let n = open.len();
    if n == 0 {
        return Vec::new();
    }
    let full = (1usize << n) - 1;
    let mut sum = vec![0i128; full + 1];
    let mut best = vec![0u8; full + 1];
    let mut last = vec![0u8; full + 1];
    for mask in 1..=full {
        let low = mask.trailing_zeros() as usize;
        sum[mask] = sum[mask & (mask - 1)] + i128::from(open[low].1);
        let mut top: Option<(u8, u8)> = None;
        let mut bits = mask;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let candidate = best[mask ^ (1 << i)];
            if top.is_none_or(|t| candidate > t.0) {
                top = Some((candidate, i as u8));
            }
        }
        let top = top.unwrap_or((0, low as u8));
        best[mask] = top.0 + u8::from(sum[mask] == 0);
        last[mask] = top.1;
    }
    // Walk the best ordering backwards; cut wherever the prefix adds up to zero.
    let mut groups = Vec::new();
    let mut current = Vec::new();
    let mut mask = full;
    while mask != 0 {
        if sum[mask] == 0 && !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
        let i = usize::from(last[mask]);
        current.push(open[i]);
        mask ^= 1 << i;
    }
    groups.push(current);
    groups
}

/// Settles one zero-sum group: the largest debtor pays the largest creditor until all are
/// square. Each transfer clears at least one member and the last clears two, so a group of
/// `k` needs at most `k - 1` transfers.
fn greedy(group: &[(usize, i64)]) -> Vec<(usize, usize, i64)> {
    let mut left: Vec<(usize, i64)> = group.to_vec();
    let mut transfers = Vec::new();
    loop {
        let creditor = left
            .iter()
            .enumerate()
            .filter(|(_, m)| m.1 > 0)
            .max_by(|a, b| a.1.1.cmp(&b.1.1).then(b.1.0.cmp(&a.1.0)))
            .map(|(k, _)| k);
        let debtor = left
            .iter()
            .enumerate()
            .filter(|(_, m)| m.1 < 0)
            .min_by(|a, b| a.1.1.cmp(&b.1.1).then(a.1.0.cmp(&b.1.0)))
            .map(|(k, _)| k);
        let (Some(c), Some(d)) = (creditor, debtor) else {
            return transfers;
        };
        let amount = left[c].1.min(-left[d].1);
        transfers.push((left[d].0, left[c].0, amount));
        left[c].1 -= amount;
        left[d].1 += amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(balances: &[(usize, i64)], plan: &[Transfer<usize>]) -> Vec<i64> {
        let mut after: Vec<i64> = balances.iter().map(|b| b.1).collect();
        for t in plan {
            after[t.from] += t.amount;
            after[t.to] -= t.amount;
        }
        after
    }

    /// The minimum by exhaustive search over who pays whom: slow, obviously right.
    fn brute_force_minimum(debts: &mut Vec<i64>, start: usize) -> usize {
        let mut start = start;
        while start < debts.len() && debts[start] == 0 {
            start += 1;
        }
        if start == debts.len() {
            return 0;
        }
        let mut best = usize::MAX;
        for j in start + 1..debts.len() {
            if (debts[j] > 0) != (debts[start] > 0) && debts[j] != 0 {
                debts[j] += debts[start];
                best = best.min(1 + brute_force_minimum(debts, start + 1));
                debts[j] -= debts[start];
            }
        }
        best
    }

    fn zero_sum(raw: Vec<i64>) -> Vec<(usize, i64)> {
        let mut v = raw;
        let total: i64 = v.iter().sum();
        v.push(-total);
        v.into_iter().enumerate().collect()
    }

    #[test]
    fn a_flat_of_three_settles_in_two_transfers() {
        // Ann paid 90 for three; Ben and Cat owe her 30 each.
        let plan = settle_up(&[("ann", 6000), ("ben", -3000), ("cat", -3000)]).unwrap();
        assert_eq!(
            plan,
            vec![
                Transfer {
                    from: "ben",
                    to: "ann",
                    amount: 3000
                },
                Transfer {
                    from: "cat",
                    to: "ann",
                    amount: 3000
                },
            ]
        );
    }

    #[test]
    fn pairs_that_cancel_settle_among_themselves() {
        // Greedy alone would pair 5 with -4 and need three transfers; two suffice.
        let balances = [(0, 5), (1, -5), (2, 4), (3, -4)];
        let plan = settle_up(&balances).unwrap();
        assert_eq!(plan.len(), 2);
        assert!(apply(&balances, &plan).iter().all(|&b| b == 0));
    }

    #[test]
    fn unbalanced_input_is_refused_and_square_input_needs_nothing() {
        assert_eq!(settle_up(&[(0, 5), (1, -4)]), None);
        assert_eq!(settle_up::<usize>(&[(0, 0), (1, 0)]), Some(vec![]));
        assert_eq!(settle_up::<usize>(&[]), Some(vec![]));
    }

    proptest! {
        #[test]
        fn the_plan_settles_everyone_with_the_fewest_transfers(
            raw in prop::collection::vec(prop_oneof![-50i64..=50, -100_000i64..=100_000], 1..8),
        ) {
            let balances = zero_sum(raw);
            let plan = settle_up(&balances).unwrap();
            prop_assert!(plan.iter().all(|t| t.amount > 0 && t.from != t.to));
            prop_assert!(apply(&balances, &plan).iter().all(|&b| b == 0));
            let mut debts: Vec<i64> = balances.iter().map(|b| b.1).collect();
            prop_assert_eq!(plan.len(), brute_force_minimum(&mut debts, 0));
        }

        #[test]
        fn large_groups_still_settle_within_the_greedy_bound(
            raw in prop::collection::vec(-1_000_000i64..=1_000_000, 15..40),
        ) {
            let balances = zero_sum(raw);
            let plan = settle_up(&balances).unwrap();
            let open = balances.iter().filter(|b| b.1 != 0).count();
            prop_assert!(apply(&balances, &plan).iter().all(|&b| b == 0));
            prop_assert!(plan.len() < open.max(1));
        }
    }
}

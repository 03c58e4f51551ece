//! Dividing a total among participants by weights or fixed amounts, exactly.

use thiserror::Error;

/// How one participant takes part in a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portion {
    /// A relative weight: equal splits give everyone 1, "@ann 2x" gives 2, and a percentage
    /// is a weight in basis points (the caller checks that percentages add up to 100).
    Weight(u64),
    /// A fixed amount in minor units ("@ann 30"); it comes off the top before weights share
    /// what is left.
    Exact(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SplitError {
    #[error("a split needs at least one person to share it")]
    NoParticipants,
    #[error("the amount to split must be more than zero")]
    NotPositive,
    #[error("the exact amounts add up to more than the total")]
    ExactExceedsTotal,
    #[error("the exact amounts leave something over, but nobody shares the rest")]
    RemainderUnassigned,
    #[error("every share is zero, so nobody would pay anything")]
    ZeroWeights,
    #[error("an exact share can't be negative")]
    NegativeExact,
}

/// Splits `total` minor units among `portions`, in their order; the result has one share each.
///
/// Exact portions are taken as given; the rest is divided by weight, rounding every share
/// down, and the minor units left over go one each to the largest fractional remainders.
/// Remainder ties are broken in member order starting from `tie_start` (taken modulo the
/// number of participants): callers pass something that varies per entry (its sequence
/// number), so the odd cent of a three-way split does not always land on the same person,
/// while the same entry always splits the same way.
pub fn allocate(
    total: i64,
    portions: &[Portion],
    tie_start: usize,
) -> Result<Vec<i64>, SplitError> {
    if portions.is_empty() {
        return Err(SplitError::NoParticipants);
    }
    if total <= 0 {
        return Err(SplitError::NotPositive);
    }
    let mut shares = vec![0i64; portions.len()];
    let mut exact_sum: i128 = 0;
    let mut weight_sum: u128 = 0;
    for (i, p) in portions.iter().enumerate() {
        match *p {
            Portion::Exact(a) if a < 0 => return Err(SplitError::NegativeExact),
            Portion::Exact(a) => {
                shares[i] = a;
                exact_sum += i128::from(a);
            }
            Portion::Weight(w) => weight_sum += u128::from(w),
        }
    }
    if exact_sum > i128::from(total) {
        return Err(SplitError::ExactExceedsTotal);
    }
    let rest = i128::from(total) - exact_sum;
    if rest == 0 {
        return Ok(shares);
    }
    let weighted: Vec<(usize, u64)> = portions
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Portion::Weight(w) => Some((i, *w)),
            Portion::Exact(_) => None,
        })
        .collect();
    if weighted.is_empty() {
        return Err(SplitError::RemainderUnassigned);
    }
    if weight_sum == 0 {
        return Err(SplitError::ZeroWeights);
    }
    // rest < 2^63 and weights < 2^64, so the products fit in u128 comfortably.
    let rest = rest as u128;
    let mut given: u128 = 0;
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weighted.len());
    for &(i, w) in &weighted {
        let product = rest * u128::from(w);
        let base = product / weight_sum;
        given += base;
        // base <= rest < 2^63, so it fits.
        shares[i] = base as i64;
        remainders.push((product % weight_sum, i));
    }
    let n = portions.len();
    let start = tie_start % n;
    let rotated = |i: usize| (i + n - start) % n;
    // Largest remainder first; equal remainders in member order from `start`.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(rotated(a.1).cmp(&rotated(b.1))));
    let leftover = (rest - given) as usize; // fewer than the number of weighted participants
    for &(_, i) in remainders.iter().take(leftover) {
        shares[i] += 1;
    }
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn equal(n: usize) -> Vec<Portion> {
        vec![Portion::Weight(1); n]
    }

    #[test]
    fn three_way_split_of_a_hundred_gives_the_odd_cent_to_the_tie_start() {
        assert_eq!(
            allocate(10_000, &equal(3), 0).unwrap(),
            vec![3334, 3333, 3333]
        );
        assert_eq!(
            allocate(10_000, &equal(3), 1).unwrap(),
            vec![3333, 3334, 3333]
        );
        assert_eq!(
            allocate(10_000, &equal(3), 5).unwrap(),
            vec![3333, 3333, 3334]
        );
    }

    #[test]
    fn shares_by_weight_favour_the_largest_remainder() {
        // 100 split 2:1 → 66.67 / 33.33: the larger fraction (0.67) takes the cent.
        assert_eq!(
            allocate(10_000, &[Portion::Weight(2), Portion::Weight(1)], 1).unwrap(),
            vec![6667, 3333]
        );
    }

    #[test]
    fn exact_amounts_leave_the_rest_to_the_weighted() {
        let portions = [
            Portion::Weight(1),
            Portion::Exact(3000),
            Portion::Exact(2000),
        ];
        assert_eq!(
            allocate(9000, &portions, 0).unwrap(),
            vec![4000, 3000, 2000]
        );
    }

    #[test]
    fn percentages_are_basis_point_weights() {
        let portions = [
            Portion::Weight(5000),
            Portion::Weight(2500),
            Portion::Weight(2500),
        ];
        // 499.5, 249.75, 249.75: the two larger fractions take the two left-over cents.
        assert_eq!(allocate(999, &portions, 0).unwrap(), vec![499, 250, 250]);
    }

    #[test]
    fn impossible_splits_are_refused() {
        assert_eq!(allocate(100, &[], 0), Err(SplitError::NoParticipants));
        assert_eq!(allocate(0, &equal(2), 0), Err(SplitError::NotPositive));
        assert_eq!(
            allocate(100, &[Portion::Exact(80), Portion::Exact(30)], 0),
            Err(SplitError::ExactExceedsTotal)
        );
        assert_eq!(
            allocate(100, &[Portion::Exact(80), Portion::Exact(10)], 0),
            Err(SplitError::RemainderUnassigned)
        );
        assert_eq!(
            allocate(100, &[Portion::Weight(0), Portion::Weight(0)], 0),
            Err(SplitError::ZeroWeights)
        );
    }

    fn portion() -> impl Strategy<Value = Portion> {
        prop_oneof![
            4 => (0u64..=10_000).prop_map(Portion::Weight),
            1 => (0i64..=5_000).prop_map(Portion::Exact),
        ]
    }

    proptest! {
        // Totals from one cent to the largest accepted amount; one to thirty participants.
        #[test]
        fn shares_sum_to_the_total_and_are_never_negative(
            total in prop_oneof![1i64..=10_000, 1i64..=100_000_000_000_000],
            portions in prop::collection::vec(portion(), 1..30),
            tie in 0usize..64,
        ) {
            match allocate(total, &portions, tie) {
                Ok(shares) => {
                    prop_assert_eq!(shares.len(), portions.len());
                    prop_assert_eq!(shares.iter().map(|&s| i128::from(s)).sum::<i128>(), i128::from(total));
                    prop_assert!(shares.iter().all(|&s| s >= 0));
                    for (s, p) in shares.iter().zip(&portions) {
                        if let Portion::Exact(a) = p { prop_assert_eq!(s, a); }
                    }
                    prop_assert_eq!(allocate(total, &portions, tie).unwrap(), shares);
                }
                Err(e) => {
                    let exact: i64 = portions.iter().map(|p| match p { Portion::Exact(a) => *a, _ => 0 }).sum();
                    let weights: u64 = portions.iter().map(|p| match p { Portion::Weight(w) => *w, _ => 0 }).sum();
                    let has_weighted = portions.iter().any(|p| matches!(p, Portion::Weight(_)));
                    let expected = if exact > total { SplitError::ExactExceedsTotal }
                        else if !has_weighted { SplitError::RemainderUnassigned }
                        else { prop_assert_eq!(weights, 0); SplitError::ZeroWeights };
                    prop_assert_eq!(e, expected);
                }
            }
        }

        /// Each weighted share is within one minor unit of its exact proportion.
        #[test]
        fn weighted_shares_are_within_a_unit_of_the_exact_proportion(
            total in 1i64..=100_000_000_000_000,
            weights in prop::collection::vec(1u64..=1_000, 1..20),
            tie in 0usize..64,
        ) {
            let portions: Vec<Portion> = weights.iter().map(|&w| Portion::Weight(w)).collect();
            let shares = allocate(total, &portions, tie).unwrap();
            let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
            for (s, &w) in shares.iter().zip(&weights) {
                let floor = i128::from(total) * i128::from(w) / sum;
                prop_assert!(i128::from(*s) == floor || i128::from(*s) == floor + 1);
            }
        }

        /// In an equal split the odd units go to consecutive members from the tie start,
        /// so across entries they rotate rather than always landing on the same person.
        #[test]
        fn equal_split_leftovers_rotate_with_the_tie_start(
            total in 1i64..=1_000_000, n in 1usize..12, tie in 0usize..64,
        ) {
            let shares = allocate(total, &equal(n), tie).unwrap();
            let base = total / n as i64;
            let extra = (total % n as i64) as usize;
            for k in 0..n {
                let i = (tie + k) % n;
                prop_assert_eq!(shares[i], base + i64::from(k < extra));
            }
        }
    }
}

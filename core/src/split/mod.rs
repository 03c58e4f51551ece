//! Shared expenses: dividing an amount among members to the minor unit, and settling up.
//!
//! Everything here is pure arithmetic on integer minor units, so the guarantees the group
//! features promise (shares add up to the amount, balances add up to zero, the fewest
//! transfers) are proven once, by property tests, away from storage and chat.

mod allocate;
mod plan;
mod settle;

pub use allocate::{Portion, SplitError, allocate};
pub use plan::{MAX_PARTICIPANTS, Mode, Plan, PlanError, Value, Weight};
pub use settle::{EXACT_SETTLE_LIMIT, Transfer, settle_up};

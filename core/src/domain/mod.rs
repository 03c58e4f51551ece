//! The small validated values every service speaks in.

mod category;
mod ids;
mod kinds;
pub mod text;

pub use category::{CategoryName, CategoryNameError};
pub use ids::{AccountId, BudgetId, CategoryId, LedgerId, TransactionId};
pub use kinds::{ChatKind, DateOrder, LedgerKind, Platform, Role, Timezone, TransactionKind};

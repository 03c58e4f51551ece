//! One finding: what the numbers say, the figure behind it, a suggestion, and how much it matters.

use crate::conversation::Text;
use crate::money::{Currency, Money};

/// What a finding is about. The order is the tie-break when two findings weigh the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// A budget already spent past its limit.
    BudgetExceeded,
    /// A budget this month's pace will overrun.
    BudgetPace,
    /// The month's spending against the previous months' average.
    SpendingPace,
    /// A month (or the year so far) with more going out than coming in.
    Loss,
    /// One transaction far above what its category usually sees.
    Unusual,
    /// A category that grew or shrank against its usual level.
    CategoryChange,
    /// The savings rate and where it is heading.
    SavingsRate,
    /// Payments that come back every week or month, with their yearly cost.
    Recurring,
    /// What the quarter and the year so far saved or lost.
    PeriodResult,
}

impl FindingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingKind::BudgetExceeded => "budget_exceeded",
            FindingKind::BudgetPace => "budget_pace",
            FindingKind::SpendingPace => "spending_pace",
            FindingKind::Loss => "loss",
            FindingKind::Unusual => "unusual",
            FindingKind::CategoryChange => "category_change",
            FindingKind::SavingsRate => "savings_rate",
            FindingKind::Recurring => "recurring",
            FindingKind::PeriodResult => "period_result",
        }
    }
}

/// A finding, ready to show as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub currency: Currency,
    /// The headline figure (the projection, the overrun, the yearly cost…), exact.
    pub figure: Money,
    /// Higher matters more: a weight per kind plus the money at stake as a share of a usual
    /// month's spending, so findings in different currencies rank on the same scale.
    pub score: i64,
    /// The observation with its figure, then a concrete suggestion.
    pub text: Text,
}

impl Finding {
    pub(crate) fn new(
        kind: FindingKind,
        figure: Money,
        weight: i64,
        stake: i64,
        text: Text,
    ) -> Finding {
        Finding {
            kind,
            currency: figure.currency(),
            figure,
            // The stake is capped so that one enormous figure cannot bury everything else.
            score: weight + stake.clamp(0, 100),
            text,
        }
    }

    pub fn plain(&self) -> String {
        self.text.to_plain()
    }
}

//! The API's fixed words (transaction kinds, budget periods, granularities), as OpenAPI enums.
//!
//! The handlers read these as text and answer 422 naming the field for anything else (with a few
//! friendly aliases such as `monthly`); these types only tell clients the accepted values.

use utoipa::ToSchema;

/// `expense` or `income`.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Kind {
    Expense,
    Income,
}

/// How often a budget's limit starts over.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Period {
    Week,
    Month,
    Year,
}

/// The size of the periods in savings analytics.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Granularity {
    Month,
    Quarter,
    Year,
}

/// Whose ledger it is.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum LedgerKind {
    Personal,
    Group,
}

/// What a chart shows.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ChartKind {
    Categories,
    Monthly,
    Category,
    Budget,
    Members,
}

/// How a chart is drawn: a PNG image or an SVG document.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ChartFormat {
    Png,
    Svg,
}

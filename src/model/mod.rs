//! The model: plain serde types for a unit's declaration. It depends on nothing else in
//! this crate; reading, validation, writing and rollup all take or give these types.

mod date;
mod declaration;
mod finding;
pub mod framework;
mod money;
mod source;
mod target;
mod target_grammar;

pub use date::{days_in_month, is_leap, Date, DateParseError, EXCEL_1904_OFFSET};
pub use declaration::{
    BudgetLine, Declaration, Funds, Goals, Indicator, Narrative, Project, ProjectHeader,
};
pub use finding::{Finding, Location, Severity};
pub use money::{decimal_str, group_thousands, opt_decimal_str, Money, MoneyUnit, StatedAmount};
pub use source::{
    a1, column_name, BudgetColumn, CellAt, CellKind, CellRef, CellSource, CoverField, FieldPath,
    FundField, HeaderField, IndicatorColumn, ProjectField, Section, SourceMap,
};
pub use target::{Op, Target, TargetKind};

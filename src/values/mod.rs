//! Reading values as people type them into forms: money text (万元, 大写, full-width digits), dates, numbers as Excel shows them, and label normalization.

mod number;

pub use number::decimal_from_f64;

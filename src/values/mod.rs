//! Reading values as people type them into forms: money text (万元, 大写, full-width digits), dates, numbers as Excel shows them, and label normalization.

mod date_text;
mod money_text;
mod number;
mod text;

pub use date_text::{
    date_from_serial, date_from_serial_in, parse_date_text, DateTextError, DateTextErrorKind,
};
pub use money_text::{
    format_daxie, parse_money_text, MoneyTextError, MoneyTextErrorKind, ParsedMoney,
};
pub use number::decimal_from_f64;
pub(crate) use text::{clean_str, normalize_label_into};
pub use text::{clean_text, normalize_label, quote_short, to_halfwidth, QUOTE_CHARS};
pub(crate) use text::{halfwidth_char, is_blank, may_begin_whitespace};

//! jixiao (绩效): read, check, fix and roll up the Excel forms of Chinese public-sector
//! performance budgeting (财政项目支出绩效目标申报表).
//!
//! The [`model`] is the centre; reading, validation, writing and rollup each take or give it.

pub mod model;
pub mod validate;
pub mod values;

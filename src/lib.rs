//! jixiao (绩效): read, check, fix and roll up the Excel forms of Chinese public-sector
//! performance budgeting (财政项目支出绩效目标申报表).
//!
//! The [`model`] is the centre; reading, validation, writing and rollup each take or give it.

pub mod layout;
pub mod model;
pub mod output;
pub mod validate;
pub mod values;
pub mod write;

mod error;
pub use error::{Error, Result};
pub mod cli;
pub mod corpus;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod read;
pub mod rollup;
pub mod template;

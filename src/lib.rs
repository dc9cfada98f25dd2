//! jixiao (绩效): read, check, fix and roll up the Excel forms of Chinese public-sector
//! performance budgeting (财政项目支出绩效目标申报表).
//!
//! The [`model`] is the centre; [`read`], [`validate`], [`write`], [`fix`] and [`rollup`]
//! each take or give it, [`import`] builds it from a published disclosure's text, and
//! [`layout`] is the one description of the form that both the reader and the writer use.
//! [`cli`] holds the commands behind the `jixiao` binary.
//!
//! ```
//! let read = jixiao::read::read_workbook("samples/songjiang-kcb-2024.xlsx").unwrap();
//! let findings = jixiao::validate::validate(&read.declaration, &read.sources);
//! assert_eq!(read.declaration.projects_total().unwrap().wan_string(), "1,743.86万元");
//! assert!(findings.iter().any(|f| f.code == "B002" && f.location.cell.as_deref() == Some("E15")));
//! ```

pub mod cli;
pub mod corpus;
pub mod fix;
pub mod import;
pub mod layout;
pub mod model;
pub mod output;
pub mod read;
pub mod report_html;
pub mod rollup;
pub mod serve;
pub mod template;
pub mod validate;
pub mod values;
pub mod waiver;
pub mod write;

#[doc(hidden)]
pub mod fuzzing;

mod error;
pub use error::{Error, Result};

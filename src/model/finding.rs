//! Findings: what a check found, where, and what to do. Data, so reports can be text,
//! JSON, a sheet or a CSV.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A reviewer would question it.
    Warning,
    /// Broken arithmetic or missing required data.
    Error,
}

impl Severity {
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a finding is: file, sheet and cell (or range such as `D5:D12`), and the project.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// 0-based project index in the declaration, when the finding is about one project.
    /// In JSON it is numbered from 1, as the text and the CSVs' 项目序号 number projects.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "project_from_one"
    )]
    pub project: Option<usize>,
}

/// `Location::project` as JSON writes it: 1 for the first project.
mod project_from_one {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(p: &Option<usize>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(i) => s.serialize_some(&(i + 1)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
        match Option::<usize>::deserialize(d)? {
            Some(0) => Err(serde::de::Error::custom("project numbers start at 1")),
            Some(n) => Ok(Some(n - 1)),
            None => Ok(None),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, " 工作表「{s}」")?;
        }
        if let Some(c) = &self.cell {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// One thing found in a declaration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, e.g. `F001` (see docs/rules.md).
    pub code: String,
    pub severity: Severity,
    pub location: Location,
    /// Plain Chinese for finance staff: what is wrong, the numbers, what to do.
    pub message: String,
    /// The same in English (`--lang en`).
    pub message_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// 已豁免: the reason a reviewer accepted this finding (a waiver file's 理由). A waived
    /// finding is still listed but does not count for the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

impl Finding {
    /// An error that has not been waived.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error && self.waived.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_projects_from_one() {
        let l = Location {
            file: "a.xlsx".into(),
            project: Some(0),
            ..Location::default()
        };
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, r#"{"file":"a.xlsx","project":1}"#);
        assert_eq!(serde_json::from_str::<Location>(&json).unwrap(), l);
        assert!(serde_json::from_str::<Location>(r#"{"file":"a","project":0}"#).is_err());
        let none = Location::default();
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"file":""}"#);
    }
}

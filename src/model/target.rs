//! 指标值 (indicator target values): kept as written, plus their parsed form.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Comparison operator of a quantitative target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// ≥
    Ge,
    /// ≤
    Le,
    /// =
    Eq,
    /// ＞
    Gt,
    /// ＜
    Lt,
}

impl Op {
    /// The symbol forms use: `≥ ≤ = ＞ ＜`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Le => "≤",
            Op::Eq => "=",
            Op::Gt => "＞",
            Op::Lt => "＜",
        }
    }
}

/// What a 指标值 says, once parsed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TargetKind {
    /// `≥85.00(%)`: operator, number, unit (in brackets or trailing).
    Quantitative {
        op: Op,
        #[serde(with = "super::money::decimal_str")]
        value: Decimal,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// `2024年12月31日前`, `2024年底前`: a date by which something is done.
    Deadline {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        year: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        month: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        day: Option<u8>,
    },
    /// A grade or a word: `优`, `完成`, `有效`, `及时`.
    Qualitative,
    /// Text that looks numeric but does not follow any known pattern.
    Unparsed,
}

/// An indicator value: the text exactly as written, and what it was parsed as.
///
/// The text is the source of truth: deserializing reparses it, so a JSON model may give
/// just the string.
///
/// ```
/// use jixiao::model::{Op, Target, TargetKind};
/// let t = Target::parse("≥85.00(%)");
/// assert_eq!(t.text(), "≥85.00(%)");
/// match t.kind() {
///     TargetKind::Quantitative { op, value, unit } => {
///         assert_eq!(*op, Op::Ge);
///         assert_eq!(value.to_string(), "85.00");
///         assert_eq!(unit.as_deref(), Some("%"));
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    text: String,
    kind: TargetKind,
}

impl Target {
    /// Parses a 指标值 as written. Never fails: what matches no pattern is `Unparsed`
    /// (when it contains digits) or `Qualitative`.
    pub fn parse(text: &str) -> Target {
        Target {
            text: text.to_string(),
            kind: parse_kind(text),
        }
    }

    /// [`parse`](Self::parse) for text already owned, which is kept without a copy.
    pub fn parse_owned(text: String) -> Target {
        let kind = parse_kind(&text);
        Target { text, kind }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> &TargetKind {
        &self.kind
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            text: &'a str,
            #[serde(flatten)]
            kind: &'a TargetKind,
        }
        Repr {
            text: &self.text,
            kind: &self.kind,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Full { text: String },
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Text(t) | Repr::Full { text: t } => Target::parse_owned(t),
        })
    }
}

fn parse_kind(text: &str) -> TargetKind {
    crate::model::target_grammar::parse(text)
}

//! Temporary stand-ins until the full parsers land (removed at merge).
use crate::model::{Date, Money, MoneyUnit};
use rust_decimal::Decimal;

#[derive(Debug)]
pub struct ParsedMoney {
    pub money: Money,
    pub unit: MoneyUnit,
    pub value: Decimal,
}
#[derive(Debug)]
pub struct MoneyTextError(pub String);
impl std::fmt::Display for MoneyTextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "「{}」不是金额", self.0)
    }
}
pub fn parse_money_text(s: &str) -> Result<ParsedMoney, MoneyTextError> {
    let t: String = crate::values::to_halfwidth(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    let (t, unit) = if let Some(x) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) {
        (x.to_string(), MoneyUnit::Wan)
    } else {
        (t.trim_end_matches('元').to_string(), MoneyUnit::Yuan)
    };
    let value: Decimal = t.parse().map_err(|_| MoneyTextError(s.to_string()))?;
    let money = match unit {
        MoneyUnit::Wan => Money::from_wan(value),
        MoneyUnit::Yuan => Money::from_yuan(value),
    };
    Ok(ParsedMoney { money, unit, value })
}
#[derive(Debug)]
pub struct DateTextError(pub String);
impl std::fmt::Display for DateTextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "「{}」不是有效日期", self.0)
    }
}
pub fn parse_date_text(s: &str) -> Result<Date, DateTextError> {
    let t: String = crate::values::to_halfwidth(s)
        .replace(['年', '月', '/', '.'], "-")
        .replace('日', "");
    let t = t.split_whitespace().next().unwrap_or("").to_string();
    let mut p = t.split('-');
    let y = p.next().and_then(|x| x.parse().ok());
    let m = p.next().and_then(|x| x.parse().ok());
    let d = p.next().and_then(|x| x.parse().ok());
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => Date::new(y, m, d).ok_or_else(|| DateTextError(s.into())),
        _ => Err(DateTextError(s.into())),
    }
}
pub fn date_from_serial(x: f64) -> Option<Date> {
    if !x.is_finite() {
        return None;
    }
    Date::from_excel_serial(x.floor() as i64)
}

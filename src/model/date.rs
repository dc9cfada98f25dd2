//! Calendar dates without a time zone, and their Excel serial numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A real calendar date (proleptic Gregorian). Only valid dates can be built.
///
/// ```
/// use jixiao::model::Date;
/// let d = Date::new(2024, 12, 31).unwrap();
/// assert_eq!(d.to_string(), "2024-12-31");
/// assert_eq!(d.excel_serial(), 45657);
/// assert_eq!(Date::from_excel_serial(45292), Date::new(2024, 1, 1));
/// assert!(Date::new(2024, 2, 30).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Excel's day 0 in the 1900 system is 1899-12-31, but it counts a 1900-02-29 that never
/// was, so from 1900-03-01 on serial = days since 1899-12-30.
const EXCEL_EPOCH_OFFSET: i64 = 25_569; // serial of 1970-01-01

/// A workbook saved on Excel's 1904 date system (Excel for Mac before 2011, or by choice)
/// counts from 1904-01-01 = 0: its serials are this many days lower than the 1900 system's
/// for the same date.
pub const EXCEL_1904_OFFSET: i64 = 1_462;

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || month == 0 || month > 12 || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// The Excel (1900 system) serial number of this date.
    pub fn excel_serial(self) -> i64 {
        let s = days_from_civil(self.year, self.month, self.day) + EXCEL_EPOCH_OFFSET;
        // Dates before 1900-03-01 sit one lower because of the phantom 1900-02-29.
        if s < 61 {
            s - 1
        } else {
            s
        }
    }

    /// Days from 1899-12-30 to this date: what a serial must have added to count in the
    /// 1900 system when a workbook counts from this date instead (an OpenDocument
    /// `table:null-date`; [`EXCEL_1904_OFFSET`] for Excel's 1904 system).
    pub fn days_since_1899_12_30(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) + EXCEL_EPOCH_OFFSET
    }

    /// The date of an Excel serial (the fractional part, a time of day, is ignored).
    /// Serials below 1 and the phantom 1900-02-29 (60) give `None`.
    pub fn from_excel_serial(serial: i64) -> Option<Date> {
        if !(1..=2_958_465).contains(&serial) || serial == 60 {
            return None;
        }
        let s = if serial < 60 { serial + 1 } else { serial };
        let (y, m, d) = civil_from_days(s - EXCEL_EPOCH_OFFSET);
        Date::new(y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateParseError(pub String);

impl fmt::Display for DateParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} 不是有效日期（应为 YYYY-MM-DD）", self.0)
    }
}

impl std::error::Error for DateParseError {}

impl FromStr for Date {
    type Err = DateParseError;
    /// ISO form `YYYY-MM-DD` only; the reader accepts the many forms people type.
    fn from_str(s: &str) -> Result<Date, DateParseError> {
        let err = || DateParseError(s.to_string());
        let mut parts = s.trim().splitn(3, '-');
        let y = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let m = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let d = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Date::new(y, m, d).ok_or_else(err)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_1904_system_and_null_dates() {
        assert_eq!(
            Date::new(1904, 1, 1).unwrap().days_since_1899_12_30(),
            EXCEL_1904_OFFSET
        );
        assert_eq!(Date::new(1899, 12, 30).unwrap().days_since_1899_12_30(), 0);
        // 2024-01-01 is 45292 in the 1900 system and 43830 in the 1904 system.
        assert_eq!(
            Date::from_excel_serial(43_830 + EXCEL_1904_OFFSET),
            Date::new(2024, 1, 1)
        );
    }

    #[test]
    fn serial_round_trip() {
        for serial in [1, 59, 61, 45292, 45657, 2_958_465] {
            let d = Date::from_excel_serial(serial).unwrap();
            assert_eq!(d.excel_serial(), serial, "{d}");
        }
        assert_eq!(Date::from_excel_serial(1), Date::new(1900, 1, 1));
        assert_eq!(Date::from_excel_serial(61), Date::new(1900, 3, 1));
        assert_eq!(Date::from_excel_serial(60), None);
        assert_eq!(Date::from_excel_serial(0), None);
    }

    #[test]
    fn parse_iso() {
        assert_eq!(
            "2024-01-01".parse::<Date>().unwrap(),
            Date::new(2024, 1, 1).unwrap()
        );
        assert!("2024-02-30".parse::<Date>().is_err());
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
    }
}

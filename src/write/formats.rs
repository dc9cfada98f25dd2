//! Cell formats. Every format uses a CJK font so Excel, WPS and LibreOffice render the
//! labels the same; input cells are unlocked, labels locked.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// Font that ships with every Chinese Windows and WPS install.
pub const FONT: &str = "宋体";
/// Fill of cells `fix` changed.
pub const MARK_COLOR: u32 = 0xFFEB9C;
pub const LABEL_COLOR: u32 = 0xF2F2F2;

pub const MONEY_FORMAT: &str = "#,##0.00";
/// A derived money figure: as [`MONEY_FORMAT`], but zero prints blank (the empty third
/// section), so a blank form's totals print empty rather than 0.00; the cell still holds
/// its formula and cached result.
pub const MONEY_FORMULA_FORMAT: &str = "#,##0.00;-#,##0.00;";
/// Footer of every printed sheet: 第 1 页 共 3 页.
pub const PAGE_FOOTER: &str = "&C第 &P 页 共 &N 页";
pub const DATE_FORMAT: &str = "yyyy-mm-dd";

/// What kind of cell a format is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Title,
    Subtitle,
    /// Fixed label, locked, shaded.
    Label,
    /// A section heading of the narrative (一、项目概述 …).
    Heading,
    /// Free text the user fills.
    Text,
    /// Long wrapped text (narrative, goals).
    LongText,
    Money,
    Date,
    Integer,
    /// A derived money figure (formula), locked.
    MoneyFormula,
    /// A derived text figure (formula), locked.
    TextFormula,
    Link,
}

/// Builds the format for a style, with the mark fill when the cell was changed by `fix`.
pub fn format(style: Style, marked: bool) -> Format {
    let base = Format::new()
        .set_font_name(FONT)
        .set_font_size(11)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter);
    let f = match style {
        Style::Title => Format::new()
            .set_font_name(FONT)
            .set_font_size(16)
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        Style::Subtitle => Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_align(FormatAlign::Center),
        Style::Label => base
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(LABEL_COLOR)),
        Style::Heading => Format::new()
            .set_font_name(FONT)
            .set_font_size(12)
            .set_bold()
            .set_align(FormatAlign::VerticalCenter),
        Style::Text => base.set_text_wrap().set_unlocked(),
        Style::LongText => base
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_align(FormatAlign::Left)
            .set_unlocked(),
        Style::Money => base.set_num_format(MONEY_FORMAT).set_unlocked(),
        Style::Date => base
            .set_num_format(DATE_FORMAT)
            .set_align(FormatAlign::Left)
            .set_unlocked(),
        Style::Integer => base
            .set_num_format("0")
            .set_align(FormatAlign::Left)
            .set_unlocked(),
        Style::MoneyFormula => base.set_num_format(MONEY_FORMULA_FORMAT),
        Style::TextFormula => base.set_text_wrap(),
        Style::Link => base
            .set_text_wrap()
            .set_font_color(Color::Blue)
            .set_underline(rust_xlsxwriter::FormatUnderline::Single),
    };
    if marked {
        f.set_background_color(Color::RGB(MARK_COLOR))
    } else {
        f
    }
}

/// Display width of text in Excel character units (a CJK character is two).
pub fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 })
        .sum()
}

/// Row height in points that shows `text` wrapped in a cell `width` characters wide.
///
/// The column unit is a digit of the default 11 pt font; a CJK character at 11 pt is about
/// 2.1 of them, and line breaking (no punctuation at a line start, whole Latin words) leaves
/// lines a little short, so text is counted 5 % wider than [`text_width`]. A line takes
/// 17 pt: 宋体 needs about 14.5, the Noto Sans CJK that LibreOffice falls back to 16.6.
pub fn wrapped_height(text: &str, width: f64) -> f64 {
    let per_line = width.max(4.0) - 1.0;
    let lines: f64 = text
        .split('\n')
        .map(|l| (text_width(l) as f64 * 1.05 / per_line).ceil().max(1.0))
        .sum();
    (lines.max(1.0) * 17.0 + 4.0).min(409.0)
}

/// A label as it should print in a cell `width` characters wide: when it does not fit on
/// one line, broken before its bracketed unit (`项目资金\n（元）`), never inside a word.
/// The reader ignores line breaks in labels.
pub fn print_label(text: &str, width: f64) -> std::borrow::Cow<'_, str> {
    let fits = text_width(text) as f64 * 1.05 <= width.max(4.0) - 1.0;
    match text.find(['（', '(']) {
        Some(at) if at > 0 && !fits && !text.contains('\n') => {
            format!("{}\n{}", &text[..at], &text[at..]).into()
        }
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{FORM_COLUMN_WIDTHS, INDICATOR_COLUMNS};

    #[test]
    fn standard_level2_names_fit_their_column_on_one_line() {
        let width = FORM_COLUMN_WIDTHS[INDICATOR_COLUMNS[1].at.col as usize];
        for name in crate::model::framework::level2_names() {
            assert_eq!(wrapped_height(name, width), 21.0, "{name}");
        }
    }

    #[test]
    fn labels_break_before_their_unit_only_when_too_wide() {
        assert_eq!(print_label("项目资金（元）", 14.0), "项目资金\n（元）");
        assert_eq!(print_label("项目资金（元）", 20.0), "项目资金（元）");
        assert_eq!(print_label("计划开始日期", 10.0), "计划开始日期");
        assert_eq!(
            print_label("项目预算资金合计（万元）", 18.0),
            "项目预算资金合计\n（万元）"
        );
    }

    #[test]
    fn long_text_gets_a_line_per_wrap() {
        // 178 characters in the 56-unit 项目总目标 span: LibreOffice shows 7 lines.
        let text = "召".repeat(178);
        assert_eq!(wrapped_height(&text, 56.0), 7.0 * 17.0 + 4.0);
        // Explicit line breaks each start a line.
        assert_eq!(wrapped_height("一\n二\n三", 20.0), 3.0 * 17.0 + 4.0);
        assert_eq!(wrapped_height("", 20.0), 21.0);
    }
}

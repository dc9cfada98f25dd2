//! Cell formats. Every format uses a CJK font so Excel, WPS and LibreOffice render the
//! labels the same; input cells are unlocked, labels locked.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// Font that ships with every Chinese Windows and WPS install.
pub const FONT: &str = "宋体";
/// Fill of cells `fix` changed.
pub const MARK_COLOR: u32 = 0xFFEB9C;
pub const LABEL_COLOR: u32 = 0xF2F2F2;

pub const MONEY_FORMAT: &str = "#,##0.00";
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
        Style::MoneyFormula => base.set_num_format(MONEY_FORMAT),
        Style::TextFormula => base.set_text_wrap(),
        Style::Link => base
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
pub fn wrapped_height(text: &str, width: f64) -> f64 {
    let per_line = (width.max(4.0) - 1.0) as usize;
    let lines: usize = text
        .split('\n')
        .map(|l| text_width(l).div_ceil(per_line).max(1))
        .sum();
    (lines.max(1) as f64 * 15.0 + 4.0).min(409.0)
}

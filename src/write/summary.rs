//! The 单位汇总 sheet: cover figures as the unit states them, and a list of projects whose
//! names and totals are formulas into the project sheets (with cached results).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Formula, XlsxError};

use super::formats::{format, wrapped_height, Style};
use super::project::ProjectCells;
use super::Sheet;
use crate::layout;
use crate::model::{
    a1, CellKind, CellRef, CellSource, CoverField, Declaration, FieldPath, Money, MoneyUnit,
};

fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

pub(super) fn write_summary(
    sheet: &mut Sheet<'_>,
    decl: &Declaration,
    projects: &[(String, ProjectCells)],
) -> Result<(), XlsxError> {
    for (i, w) in layout::SUMMARY_COLUMN_WIDTHS.iter().enumerate() {
        sheet.ws.set_column_width(i as u16, *w)?;
    }
    let last_col = layout::SUMMARY_COLUMN_WIDTHS.len() as u16 - 1;
    sheet.ws.merge_range(
        0,
        0,
        0,
        last_col,
        layout::SUMMARY_TITLE,
        &format(Style::Title, false),
    )?;
    sheet.ws.set_row_height(0, 30)?;
    let subtitle = match decl.year {
        Some(y) => format!("（{y}年度）"),
        None => "（    年度）".to_string(),
    };
    sheet.ws.merge_range(
        1,
        0,
        1,
        last_col,
        &subtitle,
        &format(Style::Subtitle, false),
    )?;

    for f in &layout::COVER_FIELDS {
        let label = match (f.key, decl.stated_total) {
            (CoverField::StatedTotal, Some(s)) if s.unit == MoneyUnit::Yuan => {
                "项目预算资金合计（元）"
            }
            _ => f.label,
        };
        sheet.label(f.row, f.label_at, label)?;
        // Column A is narrow for the longer labels: let them wrap onto a second line.
        let label_h = wrapped_height(label, span_width(f.label_at));
        sheet.ws.set_row_height(f.row, label_h)?;
        let path = Some(FieldPath::Cover(f.key));
        let marked = sheet.marks.contains_key(&FieldPath::Cover(f.key));
        match f.key {
            CoverField::Unit => sheet.put(
                f.row,
                f.value_at,
                super::project::Value::Text(decl.unit.as_deref()),
                path,
                false,
            )?,
            CoverField::SummaryText => {
                sheet.put(
                    f.row,
                    f.value_at,
                    super::project::Value::Text(decl.summary_text.as_deref()),
                    path,
                    true,
                )?;
                let w: f64 = layout::SUMMARY_COLUMN_WIDTHS[1..].iter().sum();
                let h = wrapped_height(decl.summary_text.as_deref().unwrap_or(""), w)
                    .max(30.0)
                    .max(label_h);
                sheet.ws.set_row_height(f.row, h)?;
            }
            CoverField::Year | CoverField::StatedCount | CoverField::StatedTotal => {
                let (number, style): (Option<f64>, Style) = match f.key {
                    CoverField::Year => (decl.year.map(f64::from), Style::Integer),
                    CoverField::StatedCount => {
                        (decl.stated_project_count.map(f64::from), Style::Integer)
                    }
                    _ => (
                        decl.stated_total.and_then(|s| s.value.to_f64()),
                        Style::Money,
                    ),
                };
                let fmt = format(style, marked);
                let (r, c) = (f.row, f.value_at.col);
                let kept = sheet.keep_text.get(&FieldPath::Cover(f.key)).cloned();
                match (number, &kept) {
                    (Some(n), _) => sheet.ws.write_number_with_format(r, c, n, &fmt)?,
                    (None, Some(text)) => sheet.ws.write_string_with_format(
                        r,
                        c,
                        text,
                        &format(Style::Text, !sheet.clean),
                    )?,
                    (None, None) => sheet.ws.write_blank(r, c, &fmt)?,
                };
                if let Some(note) = sheet.marks.get(&FieldPath::Cover(f.key)) {
                    sheet.ws.insert_note(
                        r,
                        c,
                        &rust_xlsxwriter::Note::new(super::cell_text(note)).set_author("jixiao"),
                    )?;
                }
                let raw = match f.key {
                    CoverField::Year => decl.year.map(|y| y.to_string()),
                    CoverField::StatedCount => decl.stated_project_count.map(|n| n.to_string()),
                    _ => decl.stated_total.map(|s| s.value.to_string()),
                }
                .or(kept);
                sheet.map.insert(
                    FieldPath::Cover(f.key),
                    CellSource {
                        cell: CellRef::new(sheet.name.clone(), r, c),
                        kind: if number.is_some() {
                            CellKind::Number
                        } else if raw.is_some() {
                            CellKind::Text
                        } else {
                            CellKind::Empty
                        },
                        raw,
                    },
                );
            }
        }
    }

    // Project list: derived, so formulas only (the reader takes projects from their sheets).
    let head = layout::SUMMARY_LIST_ROW;
    let mut head_h: f64 = 0.0;
    for (i, h) in layout::SUMMARY_LIST_HEADERS.iter().enumerate() {
        let at = layout::Span {
            col: i as u16,
            width: 1,
        };
        sheet.label(head, at, h)?;
        head_h = head_h.max(wrapped_height(h, span_width(at)));
    }
    sheet.ws.set_row_height(head, head_h)?;
    // An empty cached result would otherwise be written as the number 0, which readers that
    // do not recalculate (LibreOffice by default, previews) show as 项目名称 "0". Every
    // numeric formula here sets its result explicitly.
    sheet.ws.set_formula_result_default("");
    let text_fmt = format(Style::TextFormula, false);
    let money_fmt = format(Style::MoneyFormula, false);
    // Shrunk to fit rather than wrapped: LibreOffice does not wrap a linked cell, so a
    // long sheet name would print cut off.
    let link_fmt = format(Style::Link, false).unset_text_wrap().set_shrink();
    let seq_fmt = format(Style::TextFormula, false);
    let mut row = head + 1;
    for (i, (name, cells)) in projects.iter().enumerate() {
        let p = &decl.projects[i];
        let q = quoted(name);
        sheet
            .ws
            .write_number_with_format(row, 0, (i + 1) as f64, &seq_fmt)?;
        let name_ref = format!("{q}!{}", abs(cells.name));
        let f = Formula::new(format!("=IF({name_ref}=\"\",\"\",{name_ref})"))
            .set_result(p.header.name.clone().unwrap_or_default());
        sheet.ws.write_formula_with_format(row, 1, f, &text_fmt)?;
        let total = p.funds.total.map(|m| m.yuan()).unwrap_or_default();
        let annual = p.funds.annual_total.map(|m| m.yuan()).unwrap_or_default();
        let f = Formula::new(format!("=N({q}!{})", abs(cells.total)))
            .set_result(total.normalize().to_string());
        sheet.ws.write_formula_with_format(row, 2, f, &money_fmt)?;
        let f = Formula::new(format!("=N({q}!{})", abs(cells.annual_total)))
            .set_result(annual.normalize().to_string());
        sheet.ws.write_formula_with_format(row, 3, f, &money_fmt)?;
        let wan = (total / Decimal::from(10_000)).round_dp(2);
        let f = Formula::new(format!("=ROUND(C{}/10000,2)", row + 1))
            .set_result(wan.normalize().to_string());
        sheet.ws.write_formula_with_format(row, 4, f, &money_fmt)?;
        sheet.ws.write_url_with_format(
            row,
            5,
            rust_xlsxwriter::Url::new(format!("internal:{q}!A1")).set_text(name),
            &link_fmt,
        )?;
        let h = wrapped_height(
            p.header.name.as_deref().unwrap_or(""),
            layout::SUMMARY_COLUMN_WIDTHS[1],
        );
        sheet.ws.set_row_height(row, h)?;
        row += 1;
    }
    // 合计 row.
    sheet.label(row, layout::Span { col: 0, width: 2 }, "合计")?;
    let (first, last) = (head + 2, row);
    let total = decl.projects_total().map(Money::yuan);
    let annual = Money::checked_sum(decl.projects.iter().filter_map(|p| p.funds.annual_total))
        .map(Money::yuan);
    for (col, value) in [(2u16, total), (3, annual)] {
        let c = crate::model::column_name(col);
        let f = Formula::new(format!("=SUM({c}{first}:{c}{last})"))
            .set_result(super::sum_result(value));
        sheet
            .ws
            .write_formula_with_format(row, col, f, &money_fmt)?;
    }
    let f = Formula::new(format!("=ROUND(C{}/10000,2)", row + 1)).set_result(super::sum_result(
        total.map(|t| (t / Decimal::from(10_000)).round_dp(2)),
    ));
    sheet.ws.write_formula_with_format(row, 4, f, &money_fmt)?;
    sheet.ws.write_blank(row, 5, &money_fmt)?;
    super::project::print_setup(sheet.ws)?;
    Ok(())
}

/// Total width of a span of the summary sheet in character units.
fn span_width(at: layout::Span) -> f64 {
    layout::SUMMARY_COLUMN_WIDTHS[at.col as usize..=at.last() as usize]
        .iter()
        .sum()
}

fn abs((row, col): (u32, u16)) -> String {
    let a = a1(row, col);
    let split = a.find(|c: char| c.is_ascii_digit()).unwrap_or(a.len());
    format!("${}${}", &a[..split], &a[split..])
}

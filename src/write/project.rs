//! One project sheet: the 项目经费情况说明 block, the 年度预算安排 table and the
//! 财政项目支出绩效目标申报表, placed from [`crate::layout`].

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, ExcelDateTime, Formula, Worksheet, XlsxError,
};

use super::formats::{format, print_label, wrapped_height, Style};
use super::Sheet;
use crate::layout::{self, LabeledField, Span};
use crate::model::{
    BudgetColumn, CellKind, CellRef, CellSource, Date, FieldPath, IndicatorColumn, Money, Project,
    ProjectField, Section,
};

/// Where the writer put the figures the summary sheet refers to.
pub struct ProjectCells {
    pub name: (u32, u16),
    pub total: (u32, u16),
    pub annual_total: (u32, u16),
}

/// What a value cell holds.
pub enum Value<'a> {
    Text(Option<&'a str>),
    Money(Option<Money>),
    Date(Option<Date>),
}

impl<'a> Sheet<'a> {
    fn path(&self, field: ProjectField) -> FieldPath {
        FieldPath::project(self.project, field)
    }

    /// Writes a value into `span` on `row`, merged when wider than one column, records
    /// its location, and marks it when `fix` changed it.
    pub(super) fn put(
        &mut self,
        row: u32,
        at: Span,
        value: Value<'_>,
        path: Option<FieldPath>,
        long: bool,
    ) -> Result<(), XlsxError> {
        let marked = path.and_then(|p| self.marks.get(&p)).is_some();
        let style = match (&value, long) {
            (Value::Money(_), _) => Style::Money,
            (Value::Date(_), _) => Style::Date,
            (Value::Text(_), true) => Style::LongText,
            (Value::Text(_), false) => Style::Text,
        };
        let fmt = format(style, marked);
        if at.width > 1 {
            self.ws.merge_range(row, at.col, row, at.last(), "", &fmt)?;
        }
        let (kind, raw) = match value {
            Value::Text(Some(t)) => {
                self.ws.write_string_with_format(row, at.col, t, &fmt)?;
                (CellKind::Text, Some(t.to_string()))
            }
            Value::Money(Some(m)) => {
                let f = m.yuan().to_f64().unwrap_or(0.0);
                self.ws.write_number_with_format(row, at.col, f, &fmt)?;
                (CellKind::Number, Some(m.plain()))
            }
            Value::Date(Some(d)) => {
                let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month(), d.day())?;
                self.ws.write_datetime_with_format(row, at.col, &dt, &fmt)?;
                (CellKind::Date, Some(d.to_string()))
            }
            _ => match path.and_then(|p| self.keep_text.get(&p)) {
                Some(kept) => {
                    let fmt = format(Style::Text, !self.clean);
                    self.ws.write_string_with_format(row, at.col, kept, &fmt)?;
                    (CellKind::Text, Some(kept.clone()))
                }
                None => {
                    if at.width == 1 {
                        self.ws.write_blank(row, at.col, &fmt)?;
                    }
                    (CellKind::Empty, None)
                }
            },
        };
        if let Some(p) = path {
            if let Some(note) = self.marks.get(&p) {
                self.ws.insert_note(
                    row,
                    at.col,
                    &rust_xlsxwriter::Note::new(super::cell_text(note)).set_author("jixiao"),
                )?;
            }
            self.map.insert(
                p,
                CellSource {
                    cell: CellRef::new(self.name.clone(), row, at.col),
                    kind,
                    raw,
                },
            );
        }
        Ok(())
    }

    /// A fixed label cell (locked, shaded).
    pub(super) fn label(&mut self, row: u32, at: Span, text: &str) -> Result<(), XlsxError> {
        let fmt = format(Style::Label, false);
        let text = &*print_label(text, self.span_width(at));
        if at.width > 1 {
            self.ws
                .merge_range(row, at.col, row, at.last(), text, &fmt)?;
        } else {
            self.ws.write_string_with_format(row, at.col, text, &fmt)?;
        }
        Ok(())
    }

    fn block_label(&mut self, first: u32, last: u32, text: &str) -> Result<(), XlsxError> {
        let fmt = format(Style::Label, false);
        let text = &*print_label(text, self.span_width(Span { col: 0, width: 1 }));
        if last > first {
            self.ws.merge_range(first, 0, last, 0, text, &fmt)?;
        } else {
            self.ws.write_string_with_format(first, 0, text, &fmt)?;
        }
        Ok(())
    }

    /// Width of a span on this sheet (the summary sheet has its own columns).
    fn span_width(&self, at: Span) -> f64 {
        let widths: &[f64] = if self.project == usize::MAX {
            &layout::SUMMARY_COLUMN_WIDTHS
        } else {
            &layout::FORM_COLUMN_WIDTHS
        };
        widths[at.col as usize..=at.last() as usize].iter().sum()
    }

    fn full_width_row(&mut self, row: u32, text: &str, style: Style) -> Result<(), XlsxError> {
        self.ws.merge_range(
            row,
            0,
            row,
            layout::FORM_COLUMNS - 1,
            text,
            &format(style, false),
        )?;
        Ok(())
    }

    fn fields<K: Copy>(
        &mut self,
        top: u32,
        fields: &[LabeledField<K>],
        value: impl Fn(K) -> (Value<'a>, ProjectField),
    ) -> Result<(), XlsxError>
    where
        'a: 'a,
    {
        for f in fields {
            self.label(top + f.row, f.label_at, f.label)?;
            let (v, field) = value(f.key);
            let p = self.path(field);
            self.put(top + f.row, f.value_at, v, Some(p), false)?;
        }
        Ok(())
    }
}

/// Total width of a span in character units.
fn span_width(at: Span) -> f64 {
    layout::FORM_COLUMN_WIDTHS[at.col as usize..=at.last() as usize]
        .iter()
        .sum()
}

fn text_of(s: &Option<String>) -> Value<'_> {
    Value::Text(s.as_deref())
}

/// Writes project `p` on `sheet`; returns where its key figures went.
pub(super) fn write_project<'a>(
    sheet: &mut Sheet<'a>,
    project: &'a Project,
    year: Option<i32>,
    template: bool,
    lists: &super::Lists,
) -> Result<ProjectCells, XlsxError> {
    for (i, w) in layout::FORM_COLUMN_WIDTHS.iter().enumerate() {
        sheet.ws.set_column_width(i as u16, *w)?;
    }
    let full = Span {
        col: 0,
        width: layout::FORM_COLUMNS,
    };
    let mut row = 0u32;
    sheet.full_width_row(row, layout::NARRATIVE_TITLE, Style::Title)?;
    sheet.ws.set_row_height(row, 28)?;
    row += 1;

    // 项目经费情况说明: seven headings, each followed by its text.
    let n = &project.narrative;
    for (section, heading, _) in layout::SECTIONS {
        let text = match section {
            Section::Overview => &n.overview,
            Section::Rationale => &n.rationale,
            Section::ExecutingBody => &n.executing_body,
            Section::Plan => &n.plan,
            Section::Period => &n.period,
            Section::Budget => &n.budget,
            Section::Goals => &n.goals,
        };
        sheet.full_width_row(row, heading, Style::Heading)?;
        row += 1;
        let path = sheet.path(ProjectField::Narrative(section));
        sheet.put(row, full, text_of(text), Some(path), true)?;
        let h = wrapped_height(text.as_deref().unwrap_or(""), span_width(full)).max(30.0);
        sheet.ws.set_row_height(row, h)?;
        row += 1;
        if section == Section::Budget {
            row = write_budget_table(sheet, project, row, template)?;
        }
    }
    row += 1;

    // 财政项目支出绩效目标申报表, printed from the top of a page as the paper form is.
    sheet.ws.set_page_breaks(&[row])?;
    sheet.full_width_row(row, layout::FORM_TITLE, Style::Title)?;
    sheet.ws.set_row_height(row, 28)?;
    let title_path = sheet.path(ProjectField::Title);
    sheet.map.insert(
        title_path,
        CellSource {
            cell: CellRef::new(sheet.name.clone(), row, 0),
            kind: CellKind::Text,
            raw: Some(layout::FORM_TITLE.to_string()),
        },
    );
    row += 1;
    let subtitle = match year {
        Some(y) => format!("（{y}年度）"),
        None => "（    年度）".to_string(),
    };
    sheet.full_width_row(row, &subtitle, Style::Subtitle)?;
    row += 1;

    // Header.
    let header_top = row;
    let h = &project.header;
    sheet.fields(header_top, &layout::HEADER_FIELDS, |k| {
        use crate::model::HeaderField as H;
        let v = match k {
            H::Name => text_of(&h.name),
            H::Nature => text_of(&h.nature),
            H::Category => text_of(&h.category),
            H::Department => text_of(&h.department),
            H::Implementer => text_of(&h.implementer),
            H::Start => Value::Date(h.start),
            H::End => Value::Date(h.end),
        };
        (v, ProjectField::Header(k))
    })?;
    for r in header_top..header_top + layout::HEADER_ROWS {
        sheet.ws.set_row_height(r, 32)?;
    }
    let cell_of = |key: crate::model::HeaderField| {
        let f = layout::HEADER_FIELDS.iter().find(|f| f.key == key).unwrap();
        (header_top + f.row, f.value_at.col)
    };
    let name_cell = cell_of(crate::model::HeaderField::Name);
    let nature_cell = cell_of(crate::model::HeaderField::Nature);
    let category_cell = cell_of(crate::model::HeaderField::Category);
    let date_cells = [
        cell_of(crate::model::HeaderField::Start),
        cell_of(crate::model::HeaderField::End),
    ];
    row = header_top + layout::HEADER_ROWS;

    // 项目资金（元）
    let funds_top = row;
    sheet.block_label(
        funds_top,
        funds_top + layout::FUNDS_ROWS - 1,
        layout::FUNDS_LABEL,
    )?;
    let fu = &project.funds;
    sheet.fields(funds_top, &layout::FUND_FIELDS, |k| {
        use crate::model::FundField as F;
        let m = match k {
            F::Total => fu.total,
            F::Fiscal => fu.fiscal,
            F::Other => fu.other,
            F::AnnualTotal => fu.annual_total,
            F::AnnualAppropriation => fu.annual_appropriation,
            F::AnnualCarryover => fu.annual_carryover,
            F::AnnualOther => fu.annual_other,
        };
        (Value::Money(m), ProjectField::Fund(k))
    })?;
    for r in funds_top..funds_top + layout::FUNDS_ROWS {
        sheet.ws.set_row_height(r, 20)?;
    }
    // The left side has no third row; keep the grid closed.
    let blank = format(Style::Label, false);
    sheet
        .ws
        .merge_range(funds_top + 2, 1, funds_top + 2, 2, "", &blank)?;
    sheet.ws.write_blank(funds_top + 2, 3, &blank)?;
    let fund_cell = |key: crate::model::FundField| {
        let f = layout::FUND_FIELDS.iter().find(|f| f.key == key).unwrap();
        (funds_top + f.row, f.value_at.col)
    };
    let total_cell = fund_cell(crate::model::FundField::Total);
    let annual_cell = fund_cell(crate::model::FundField::AnnualTotal);
    let money_cells: Vec<(u32, u16)> = crate::model::FundField::ALL
        .iter()
        .map(|k| fund_cell(*k))
        .collect();
    row = funds_top + layout::FUNDS_ROWS;

    // 项目绩效目标
    let goals_top = row;
    sheet.block_label(goals_top, goals_top + 1, layout::GOALS_LABEL)?;
    sheet.label(
        goals_top,
        layout::GOAL_OVERALL.at,
        layout::GOAL_OVERALL.header,
    )?;
    sheet.label(
        goals_top,
        layout::GOAL_ANNUAL.at,
        layout::GOAL_ANNUAL.header,
    )?;
    let g = &project.goals;
    let p = sheet.path(ProjectField::GoalOverall);
    sheet.put(
        goals_top + 1,
        layout::GOAL_OVERALL.at,
        text_of(&g.overall),
        Some(p),
        true,
    )?;
    let p = sheet.path(ProjectField::GoalAnnual);
    sheet.put(
        goals_top + 1,
        layout::GOAL_ANNUAL.at,
        text_of(&g.annual),
        Some(p),
        true,
    )?;
    let gh = wrapped_height(
        g.overall.as_deref().unwrap_or(""),
        span_width(layout::GOAL_OVERALL.at),
    )
    .max(wrapped_height(
        g.annual.as_deref().unwrap_or(""),
        span_width(layout::GOAL_ANNUAL.at),
    ))
    .max(60.0);
    sheet.ws.set_row_height(goals_top + 1, gh)?;
    row = goals_top + 2;

    // 绩效指标
    let ind_top = row;
    let count = if template {
        project
            .indicators
            .len()
            .max(layout::TEMPLATE_INDICATOR_ROWS)
    } else {
        project.indicators.len().max(1)
    };
    sheet.block_label(ind_top, ind_top + count as u32, layout::INDICATORS_LABEL)?;
    for c in &layout::INDICATOR_COLUMNS {
        sheet.label(ind_top, c.at, c.header)?;
    }
    write_indicators(sheet, project, ind_top + 1, count)?;
    let level_rows = (ind_top + 1, ind_top + count as u32);

    // Dropdowns and input checks.
    let list = |col: &str, n: usize| {
        DataValidation::new()
            .allow_list_formula(Formula::new(format!(
                "='{}'!${col}$2:${col}${}",
                layout::LIST_SHEET,
                n + 1
            )))
            .set_error_style(DataValidationErrorStyle::Warning)
    };
    let nature = list("A", lists.natures).set_error_message("项目性质不在常用列表中，请确认。")?;
    sheet.ws.add_data_validation(
        nature_cell.0,
        nature_cell.1,
        nature_cell.0,
        nature_cell.1,
        &nature,
    )?;
    let category =
        list("B", lists.categories).set_error_message("项目类别不在常用列表中，请确认。")?;
    sheet.ws.add_data_validation(
        category_cell.0,
        category_cell.1,
        category_cell.0,
        category_cell.1,
        &category,
    )?;
    let l1 =
        list("C", lists.level1).set_error_message("一级指标应为成本、产出、效益或满意度指标。")?;
    let l1_col = layout::INDICATOR_COLUMNS[0].at.col;
    sheet
        .ws
        .add_data_validation(level_rows.0, l1_col, level_rows.1, l1_col, &l1)?;
    let l2 = list("D", lists.level2).set_error_message("二级指标不在指标体系中，请确认。")?;
    let l2_col = layout::INDICATOR_COLUMNS[1].at.col;
    sheet
        .ws
        .add_data_validation(level_rows.0, l2_col, level_rows.1, l2_col, &l2)?;
    let money_rule = DataValidation::new()
        .allow_decimal_number(rust_xlsxwriter::DataValidationRule::GreaterThanOrEqualTo(
            0.0,
        ))
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_message("金额应为不小于 0 的数字（单位：元）。")?;
    for (r, c) in money_cells {
        sheet.ws.add_data_validation(r, c, r, c, &money_rule)?;
    }
    let date_rule = DataValidation::new()
        .allow_date(rust_xlsxwriter::DataValidationRule::Between(
            ExcelDateTime::from_ymd(1990, 1, 1)?,
            ExcelDateTime::from_ymd(2100, 12, 31)?,
        ))
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_message("请输入日期，例如 2024-01-01。")?;
    for (r, c) in date_cells {
        sheet.ws.add_data_validation(r, c, r, c, &date_rule)?;
    }

    print_setup(sheet.ws)?;
    Ok(ProjectCells {
        name: name_cell,
        total: total_cell,
        annual_total: annual_cell,
    })
}

fn write_budget_table(
    sheet: &mut Sheet<'_>,
    project: &Project,
    mut row: u32,
    template: bool,
) -> Result<u32, XlsxError> {
    for c in &layout::BUDGET_COLUMNS {
        sheet.label(row, c.at, c.header)?;
    }
    row += 1;
    let rows = if template {
        project.budget_lines.len().max(layout::TEMPLATE_BUDGET_ROWS)
    } else {
        project.budget_lines.len().max(1)
    };
    let first = row;
    for i in 0..rows {
        let line = project.budget_lines.get(i);
        let seq = format(Style::Text, false);
        if line.is_some() {
            sheet
                .ws
                .write_number_with_format(row, 0, (i + 1) as f64, &seq)?;
        } else {
            sheet.ws.write_blank(row, 0, &seq)?;
        }
        for c in layout::BUDGET_COLUMNS.iter() {
            let Some(key) = c.key else { continue };
            let path = line.map(|_| {
                FieldPath::project(
                    sheet.project,
                    ProjectField::BudgetLine {
                        line: i,
                        column: key,
                    },
                )
            });
            let value = match key {
                BudgetColumn::Item => Value::Text(line.and_then(|l| l.item.as_deref())),
                BudgetColumn::Basis => Value::Text(line.and_then(|l| l.basis.as_deref())),
                BudgetColumn::Amount => Value::Money(line.and_then(|l| l.amount)),
                BudgetColumn::Note => Value::Text(line.and_then(|l| l.note.as_deref())),
            };
            sheet.put(row, c.at, value, path, false)?;
        }
        if let Some(l) = line {
            let longest = [&l.item, &l.basis, &l.note]
                .iter()
                .zip([1u16, 3, 6])
                .map(|(t, col)| {
                    let at = layout::BUDGET_COLUMNS
                        .iter()
                        .find(|c| c.at.col == col)
                        .map(|c| c.at)
                        .unwrap_or(Span { col, width: 1 });
                    wrapped_height(t.as_deref().unwrap_or(""), span_width(at))
                })
                .fold(20.0, f64::max);
            sheet.ws.set_row_height(row, longest)?;
        }
        row += 1;
    }
    // 合计: a formula with its cached result, so every reader sees the figure.
    let amount_at = layout::BUDGET_COLUMNS[3].at;
    let label_at = Span {
        col: 0,
        width: amount_at.col,
    };
    sheet.label(row, label_at, layout::BUDGET_TOTAL_LABEL)?;
    let sum = Money::checked_sum(project.budget_lines.iter().filter_map(|l| l.amount));
    let col = crate::model::column_name(amount_at.col);
    let formula = Formula::new(format!("=SUM({col}{}:{col}{})", first + 1, row))
        .set_result(super::sum_result(sum.map(Money::yuan)));
    let total_path = FieldPath::project(sheet.project, ProjectField::BudgetTotal);
    let total_note = sheet.marks.get(&total_path).cloned();
    let fmt = format(Style::MoneyFormula, total_note.is_some());
    sheet
        .ws
        .merge_range(row, amount_at.col, row, amount_at.last(), "", &fmt)?;
    sheet
        .ws
        .write_formula_with_format(row, amount_at.col, formula, &fmt)?;
    if let Some(note) = total_note {
        sheet.ws.insert_note(
            row,
            amount_at.col,
            &rust_xlsxwriter::Note::new(super::cell_text(&note)).set_author("jixiao"),
        )?;
    }
    let fmt = format(Style::MoneyFormula, false);
    let note_at = layout::BUDGET_COLUMNS[4].at;
    sheet
        .ws
        .merge_range(row, note_at.col, row, note_at.last(), "", &fmt)?;
    sheet.map.insert(
        total_path,
        CellSource {
            cell: CellRef::new(sheet.name.clone(), row, amount_at.col),
            kind: CellKind::Number,
            raw: Some(sum.map_or_else(|| "#NUM!".into(), Money::plain)),
        },
    );
    Ok(row + 1)
}

fn write_indicators(
    sheet: &mut Sheet<'_>,
    project: &Project,
    top: u32,
    rows: usize,
) -> Result<(), XlsxError> {
    let inds = &project.indicators;
    let l1_at = layout::INDICATOR_COLUMNS[0].at;
    let l2_at = layout::INDICATOR_COLUMNS[1].at;
    // 一级 and 二级 are merged down runs of equal values, as on the printed form. A run's
    // text wraps in its narrow column; its rows share the height it needs.
    let mut need = vec![0.0f64; rows];
    let mut spread = |from: usize, to: usize, at: Span, text: Option<&str>| {
        let h = wrapped_height(text.unwrap_or(""), span_width(at)) / (to - from) as f64;
        for n in &mut need[from..to] {
            *n = n.max(h);
        }
    };
    let mut i = 0;
    while i < rows {
        let l1 = inds.get(i).and_then(|x| x.level1.as_deref());
        let mut j = i + 1;
        while j < inds.len() && l1.is_some() && inds[j].level1.as_deref() == l1 {
            j += 1;
        }
        let j = j.max(i + 1);
        write_run(
            sheet,
            top,
            i,
            j,
            l1_at,
            IndicatorColumn::Level1,
            l1,
            inds.len(),
        )?;
        spread(i, j, l1_at, l1);
        // 二级 runs inside this 一级 run.
        let mut k = i;
        while k < j {
            let l2 = inds.get(k).and_then(|x| x.level2.as_deref());
            let mut m = k + 1;
            while m < j && l2.is_some() && inds[m].level2.as_deref() == l2 {
                m += 1;
            }
            write_run(
                sheet,
                top,
                k,
                m,
                l2_at,
                IndicatorColumn::Level2,
                l2,
                inds.len(),
            )?;
            spread(k, m, l2_at, l2);
            k = m;
        }
        i = j;
    }
    for (r, run_need) in need.into_iter().enumerate() {
        let ind = inds.get(r);
        let row = top + r as u32;
        let name_at = layout::INDICATOR_COLUMNS[2].at;
        let target_at = layout::INDICATOR_COLUMNS[3].at;
        let path = |column| {
            ind.map(|_| {
                FieldPath::project(sheet.project, ProjectField::Indicator { index: r, column })
            })
        };
        let (pn, pt) = (path(IndicatorColumn::Name), path(IndicatorColumn::Target));
        sheet.put(
            row,
            name_at,
            Value::Text(ind.and_then(|x| x.name.as_deref())),
            pn,
            false,
        )?;
        sheet.put(
            row,
            target_at,
            Value::Text(ind.and_then(|x| x.target.as_ref().map(|t| t.text()))),
            pt,
            false,
        )?;
        let target = ind.and_then(|x| x.target.as_ref().map(|t| t.text()));
        let h = wrapped_height(
            ind.and_then(|x| x.name.as_deref()).unwrap_or(""),
            span_width(name_at),
        )
        .max(wrapped_height(target.unwrap_or(""), span_width(target_at)))
        .max(run_need)
        .max(22.0);
        sheet.ws.set_row_height(row, h)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_run(
    sheet: &mut Sheet<'_>,
    top: u32,
    from: usize,
    to: usize,
    at: Span,
    column: IndicatorColumn,
    text: Option<&str>,
    filled: usize,
) -> Result<(), XlsxError> {
    let fmt = format(Style::Text, false);
    let (r0, r1) = (top + from as u32, top + to as u32 - 1);
    if r1 > r0 {
        sheet
            .ws
            .merge_range(r0, at.col, r1, at.col, text.unwrap_or(""), &fmt)?;
    } else {
        match text {
            Some(t) => sheet.ws.write_string_with_format(r0, at.col, t, &fmt)?,
            None => sheet.ws.write_blank(r0, at.col, &fmt)?,
        };
    }
    for r in from..to.min(filled) {
        sheet.map.insert(
            FieldPath::project(sheet.project, ProjectField::Indicator { index: r, column }),
            CellSource {
                cell: CellRef::new(sheet.name.clone(), r0, at.col),
                kind: if text.is_some() {
                    CellKind::Text
                } else {
                    CellKind::Empty
                },
                raw: text.map(str::to_string),
            },
        );
    }
    Ok(())
}

/// A4 portrait, fitted to the page width, centred, page numbers in the footer, with the sheet protected so labels
/// stay put while rows can still be inserted and formatted.
pub(super) fn print_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    super::page_setup(ws, false, None)?;
    ws.set_print_center_horizontally(true);
    let options = rust_xlsxwriter::ProtectionOptions {
        format_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        insert_links: true,
        ..Default::default()
    };
    ws.protect_with_options(&options);
    Ok(())
}

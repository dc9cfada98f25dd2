//! The reader survives what people do to the form in Excel: each test edits the real
//! sample workbook the way a person could (rows inserted, labels retyped, amounts and dates
//! typed as text, merges resized, sheets reordered, renamed or deleted) and checks that it
//! reads into the same model as the untouched sample, with the findings the edit deserves.

mod support;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use calamine::Data;
use jixiao::model::{Declaration, Indicator, Target};
use jixiao::read::{codes, read_workbook, ReadOutcome};
use support::{a1, pos, Book, Sheet};

const SAMPLE: &str = "samples/songjiang-kcb-2024.xlsx";
const SUMMARY: &str = "单位汇总";
const LISTS: &str = "下拉列表";
/// The first project's sheet; its cells are named in the assertions below.
const P1: &str = "1.G60日常办公经费";

fn clean() -> &'static Declaration {
    static CLEAN: OnceLock<Declaration> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let out = read_workbook(SAMPLE).unwrap();
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        assert_eq!(out.declaration.projects.len(), 10);
        out.declaration
    })
}

fn sample() -> Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    BOOK.get_or_init(|| Book::load(SAMPLE)).clone()
}

fn read(book: &Book) -> ReadOutcome {
    let dir = tempfile::tempdir().unwrap();
    let path = book.save_in(dir.path(), "edited.xlsx");
    read_workbook(&path).unwrap()
}

/// Equal declarations, compared part by part so a failure says which project differs.
fn assert_same(got: &Declaration, want: &Declaration) {
    assert_eq!(got.unit, want.unit);
    assert_eq!(got.year, want.year);
    assert_eq!(got.stated_total, want.stated_total);
    assert_eq!(got.stated_project_count, want.stated_project_count);
    assert_eq!(got.summary_text, want.summary_text);
    assert_eq!(
        got.projects.len(),
        want.projects.len(),
        "number of projects"
    );
    for (i, (g, w)) in got.projects.iter().zip(&want.projects).enumerate() {
        assert_eq!(g.header, w.header, "project {i} header");
        assert_eq!(g.funds, w.funds, "project {i} funds");
        assert_eq!(g.narrative, w.narrative, "project {i} narrative");
        assert_eq!(g.budget_lines, w.budget_lines, "project {i} budget lines");
        assert_eq!(g.goals, w.goals, "project {i} goals");
        assert_eq!(g.indicators, w.indicators, "project {i} indicators");
    }
    assert_eq!(got, want);
}

fn assert_clean(out: &ReadOutcome) {
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_same(&out.declaration, clean());
}

/// (code, sheet, cell) of every finding.
fn found(out: &ReadOutcome) -> BTreeSet<(String, String, String)> {
    out.findings
        .iter()
        .map(|f| {
            (
                f.code.clone(),
                f.location.sheet.clone().unwrap_or_default(),
                f.location.cell.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn expect(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(c, s, a)| (c.to_string(), s.to_string(), a.to_string()))
        .collect()
}

fn text(s: &str) -> Data {
    Data::String(s.to_string())
}

/// Applies `edit` to every project sheet.
fn each_project(book: &mut Book, mut edit: impl FnMut(&mut Sheet)) {
    for name in book.project_sheets() {
        edit(book.sheet_mut(&name));
    }
}

/// Inserts one empty row before each of `rows` (0-based, as the sheet is before the edit).
fn insert_before(sheet: &mut Sheet, rows: &[u32]) {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    for r in rows.into_iter().rev() {
        sheet.insert_rows(r, 1);
    }
}

// ------------------------------------------------------------------ the harness itself

#[test]
fn harness_round_trip_changes_nothing() {
    let book = sample();
    assert_eq!(book.project_sheets().len(), 10);
    assert_eq!(book.sheet(P1).find("项目资金总额"), "B37");
    assert_eq!(pos("D37"), (36, 3));
    assert_eq!(a1((36, 3)), "D37");
    assert_clean(&read(&book));
}

// ------------------------------------------------------------------ inserted rows

#[test]
fn rows_inserted_above_every_sheet() {
    let mut book = sample();
    for s in &mut book.sheets {
        s.insert_rows(0, 3);
    }
    assert_clean(&read(&book));
}

#[test]
fn rows_inserted_inside_every_block() {
    let mut book = sample();
    each_project(&mut book, |s| {
        let r = |t: &str| s.row_of(t);
        let rows = [
            r("一、项目概述") + 1,
            r("三、实施主体"),
            r("六、年度预算安排") + 1,
            r("序号"),
            r("序号") + 1,
            r("序号") + 2,
            r("合计"),
            r("合计") + 1,
            r("七、绩效目标") + 1,
            r("财政项目支出绩效目标申报表"),
            r("财政项目支出绩效目标申报表") + 1,
            r("项目名称"),
            r("项目名称") + 1,
            r("主管部门") + 1,
            r("项目资金总额") + 1,
            r("上年结转资金"),
            r("上年结转资金") + 1,
            r("项目总目标"),
            r("项目总目标") + 1,
            r("一级指标"),
            r("一级指标") + 1,
            r("一级指标") + 3,
        ];
        insert_before(s, &rows);
    });
    // The merged side labels grew around the rows inserted inside them.
    let s = book.sheet(P1);
    let funds = s.merge_at(&s.find("项目资金（元）")).unwrap();
    assert_eq!(
        funds.2 - funds.0 + 1,
        7,
        "项目资金（元） spans its four rows plus three inserted"
    );
    assert_clean(&read(&book));
}

#[test]
fn many_rows_inserted_inside_the_funds_block() {
    let mut book = sample();
    each_project(&mut book, |s| {
        let top = s.row_of("项目资金总额");
        for r in (top + 1..top + 4).rev() {
            s.insert_rows(r, 3);
        }
    });
    assert_eq!(book.sheet(P1).find("其他资金"), "B49");
    assert_clean(&read(&book));
}

// ------------------------------------------------------------------ more indicators

fn indicator(l1: &str, l2: &str, name: &str, target: &str) -> Indicator {
    Indicator {
        level1: Some(l1.into()),
        level2: Some(l2.into()),
        name: Some(name.into()),
        target: Some(Target::parse(target)),
        ..Indicator::default()
    }
}

#[test]
fn indicator_row_inserted_inside_a_merged_group() {
    // Project 1 has 产出指标 merged over B45:B47 (数量, 质量, 时效). A person inserts a
    // row under 数量指标 and fills only 三级指标 and 指标值: the 一级 merge grows over
    // it and the blank 二级 cell means "same as above".
    let mut book = sample();
    let s = book.sheet_mut(P1);
    assert_eq!(s.merge_at("B45"), Some((44, 1, 46, 1)));
    s.insert_rows(pos("D46").0, 1);
    assert_eq!(s.merge_at("B46"), Some((44, 1, 47, 1)));
    s.merge("D46", "F46");
    s.merge("G46", "H46");
    s.set_text("D46", "新增：举办G60联席会议");
    s.set_text("G46", "≥4.00(次)");
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let mut want = clean().clone();
    want.projects[0].indicators.insert(
        2,
        indicator("产出指标", "数量指标", "新增：举办G60联席会议", "≥4.00(次)"),
    );
    assert_same(&out.declaration, &want);
}

#[test]
fn more_indicator_rows_than_the_template_had() {
    // Twenty rows appended after the last indicator by copying it (the template leaves
    // fifteen): 26 indicators, the last twenty under 满意度指标.
    let mut book = sample();
    let s = book.sheet_mut(P1);
    let last = s.row_of("相关方满意度");
    s.insert_rows(last + 1, 20);
    let mut want = clean().clone();
    for k in 1..=20u32 {
        let r = last + k;
        s.copy_row(last, r);
        let name = format!("第{k}类服务对象满意度");
        let target = format!("≥{}.00(%)", 80 + k % 10);
        s.set_at((r, 3), text(&name));
        s.set_at((r, 6), text(&target));
        want.projects[0].indicators.push(indicator(
            "满意度指标",
            "服务对象满意度指标",
            &name,
            &target,
        ));
    }
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(out.declaration.projects[0].indicators.len(), 26);
    assert_same(&out.declaration, &want);
}

#[test]
fn extra_indicator_rows_in_every_group_of_every_project() {
    // One more row under each 一级 group's last row, written out in full (一级 and 二级
    // typed again rather than merged).
    let mut book = sample();
    let mut want = clean().clone();
    let names = book.project_sheets();
    for (p, name) in names.iter().enumerate() {
        let s = book.sheet_mut(name);
        let head = s.row_of("一级指标");
        let n = want.projects[p].indicators.len();
        // Bottom-up so earlier rows keep their numbers.
        for i in (0..n).rev() {
            let is_last_of_group = i + 1 == n
                || want.projects[p].indicators[i + 1].level1
                    != want.projects[p].indicators[i].level1;
            if !is_last_of_group {
                continue;
            }
            let r = head + 1 + i as u32;
            s.insert_rows(r + 1, 1);
            s.copy_row(r, r + 1);
            let ind = &want.projects[p].indicators[i];
            let (l1, l2) = (ind.level1.clone().unwrap(), ind.level2.clone().unwrap());
            let extra = indicator(&l1, &l2, &format!("补充{l1}{i}"), "达成");
            s.set_at((r + 1, 1), text(&l1));
            s.set_at((r + 1, 2), text(&l2));
            s.set_at((r + 1, 3), text(extra.name.as_deref().unwrap()));
            s.set_at((r + 1, 6), text("达成"));
            want.projects[p].indicators.insert(i + 1, extra);
        }
    }
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_same(&out.declaration, &want);
}

// ------------------------------------------------------------------ labels as typed

/// Each label of the form and a way people retype it.
const RETYPED: &[(&str, &str)] = &[
    ("项目名称", "项 目 名 称"),
    ("项目性质", "项目性质："),
    ("项目类别", "项目类别:"),
    ("主管部门", "主 管 部 门："),
    ("实施单位", "实施单位\u{3000}"),
    ("计划开始日期", "计划开始\n日期"),
    ("计划完成日期", " 计划完成日期 "),
    ("项目资金（元）", "项目资金(元)"),
    ("项目资金总额", "项目资金总额："),
    ("其中：财政资金", "其中:财政资金"),
    ("其他资金", "其 他 资 金"),
    ("年度资金申请总额", "年度资金申请总额："),
    ("其中：当年财政拨款", "其中：当年财政拨款："),
    ("上年结转资金", "上年结转资金:"),
    ("项目绩效目标", "项目绩效目标："),
    ("项目总目标", "项目总目标："),
    ("年度总体目标", "年 度 总 体 目 标"),
    ("绩效指标", "绩 效 指 标"),
    ("一级指标", "一级指标："),
    ("二级指标", "二 级 指 标"),
    ("三级指标", "三级指标:"),
    ("年度(/项目)指标值", "年度（/项目）指标值"),
    ("项目经费情况说明", "项目经费情况说明："),
    ("一、项目概述", "一、项目概述："),
    ("二、立项依据", "二、 立项依据"),
    ("三、实施主体", "三、实施主体:"),
    ("四、实施方案", "四 、实施方案"),
    ("五、实施周期", "五、实施周期："),
    ("六、年度预算安排", "六、年度预算安排："),
    ("七、绩效目标", "七、绩 效 目 标"),
    ("序号", "序 号"),
    ("明细项目", "明细项目："),
    ("计算依据", "计算依据："),
    ("金额（元）", "金额(元)"),
    ("备注", "备 注"),
    ("合计", "合 计"),
    ("财政项目支出绩效目标申报表", "财政项目支出绩效目标申报表 "),
    ("（2024年度）", "(2024 年度)"),
    // Summary sheet.
    ("单位名称", "单位名称："),
    ("预算年度", "预算 年度"),
    ("编报项目数", "编报项目数:"),
    ("项目预算资金合计（万元）", "项目预算资金合计(万元)"),
    ("绩效目标设置情况", "绩效目标设置情况："),
];

#[test]
fn labels_typed_with_spaces_brackets_and_colons() {
    let mut book = sample();
    let mut seen = BTreeSet::new();
    for s in &mut book.sheets {
        if s.name == LISTS {
            continue;
        }
        for (label, typed) in RETYPED {
            for p in s.find_all(label) {
                // Only label cells: the summary's project list also says 项目名称.
                s.set_at(p, text(typed));
                seen.insert(*label);
            }
        }
    }
    assert_eq!(
        seen.len(),
        RETYPED.len(),
        "every label was retyped somewhere"
    );
    assert_clean(&read(&book));
}

#[test]
fn label_and_value_typed_in_one_cell() {
    // `项目名称：G60日常办公经费` in A34, the value cells left empty; the same for a
    // date and an amount (text, so reported at the cell that holds them).
    let mut book = sample();
    let s = book.sheet_mut(P1);
    s.set_text("A34", "项目名称：G60日常办公经费");
    s.set("B34", Data::Empty);
    s.set_text("A36", "计划开始日期： 2024年1月1日");
    s.set("B36", Data::Empty);
    s.set_text("B37", "项目资金总额：1,000,000.00");
    s.set("D37", Data::Empty);
    s.set_text("E38", "其中：当年财政拨款：100万元");
    s.set("H38", Data::Empty);
    let out = read(&book);
    assert_same(&out.declaration, clean());
    assert_eq!(
        found(&out),
        expect(&[
            (codes::DATE_AS_TEXT, P1, "A36"),
            (codes::MONEY_AS_TEXT, P1, "B37"),
            (codes::MONEY_AS_TEXT, P1, "E38"),
        ])
    );
}

#[test]
fn narrative_line_that_starts_like_a_label() {
    // A narrative cell `项目名称：G60日常办公经费` is text, not a second form.
    let mut book = sample();
    let s = book.sheet_mut(P1);
    assert_eq!(s.find("二、立项依据"), "A4");
    s.insert_rows(3, 1);
    s.merge("A4", "H4");
    s.set_text("A4", "项目名称：G60日常办公经费");
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let mut want = clean().clone();
    let overview = &mut want.projects[0].narrative.overview;
    *overview = Some(format!(
        "{}\n项目名称：G60日常办公经费",
        overview.clone().unwrap()
    ));
    assert_same(&out.declaration, &want);
}

// ------------------------------------------------------------------ values as typed

#[test]
fn amounts_typed_as_text_are_read_and_reported_at_their_cells() {
    let mut book = sample();
    let s = book.sheet_mut(P1);
    assert_eq!(s.get("D37"), Some(&Data::Float(1_000_000.0)));
    s.set_text("D37", "1,000,000.00");
    s.set_text("H37", "100万元");
    s.set_text("D38", "１００００００");
    s.set_text("H38", "￥1,000,000.00元");
    s.set_text("H39", "0.00");
    assert_eq!(s.get("E15"), Some(&Data::Float(102_000.0)));
    s.set_text("E15", "102,000.00");
    s.set_text("E16", "2.28万元");
    assert_eq!(s.get("E21"), Some(&Data::Float(10_000.0)));
    s.set_text("E21", "１００００");
    let c = book.sheet_mut(SUMMARY);
    assert_eq!(c.get("B6"), Some(&Data::Float(1743.86)));
    c.set_text("B6", "1,743.86");
    let out = read(&book);
    assert_same(&out.declaration, clean());
    let r005 = codes::MONEY_AS_TEXT;
    assert_eq!(
        found(&out),
        expect(&[
            (r005, P1, "D37"),
            (r005, P1, "H37"),
            (r005, P1, "D38"),
            (r005, P1, "H38"),
            (r005, P1, "H39"),
            (r005, P1, "E15"),
            (r005, P1, "E16"),
            (r005, P1, "E21"),
            (r005, SUMMARY, "B6"),
        ])
    );
    assert!(out.findings.iter().all(|f| !f.is_error()));
}

#[test]
fn cover_total_typed_with_its_unit() {
    let mut book = sample();
    book.sheet_mut(SUMMARY).set_text("B6", "1743.86万元");
    let out = read(&book);
    assert_same(&out.declaration, clean());
    assert_eq!(
        found(&out),
        expect(&[(codes::MONEY_AS_TEXT, SUMMARY, "B6")])
    );
}

#[test]
fn dates_typed_as_text_are_read_and_reported_at_their_cells() {
    let mut book = sample();
    let s = book.sheet_mut(P1);
    assert!(matches!(s.get("B36"), Some(Data::DateTime(_))));
    s.set_text("B36", "2024/1/1");
    s.set_text("F36", "2024年12月31日");
    // Project 2's form sits higher (a shorter narrative): its dates are in row 24.
    let s = book.sheet_mut("2.优化营商环境");
    assert_eq!(s.find("计划开始日期"), "A24");
    s.set_text("B24", "2024-01-01");
    s.set_text("F24", "２０２４．１２．３１");
    let out = read(&book);
    assert_same(&out.declaration, clean());
    let r006 = codes::DATE_AS_TEXT;
    assert_eq!(
        found(&out),
        expect(&[
            (r006, P1, "B36"),
            (r006, P1, "F36"),
            (r006, "2.优化营商环境", "B24"),
            (r006, "2.优化营商环境", "F24"),
        ])
    );
}

#[test]
fn dates_as_serial_numbers_without_a_date_format() {
    let mut book = sample();
    each_project(&mut book, |s| {
        let r = s.row_of("计划开始日期");
        for c in [1u16, 5] {
            let serial = match s.cells.get(&(r, c)) {
                Some(Data::DateTime(d)) => d.as_f64(),
                other => panic!("{other:?}"),
            };
            s.set_at((r, c), Data::Float(serial));
        }
    });
    assert_eq!(book.sheet(P1).get("B36"), Some(&Data::Float(45292.0)));
    assert_clean(&read(&book));
}

// ------------------------------------------------------------------ merged cells

#[test]
fn merged_cells_resized() {
    let mut book = sample();
    each_project(&mut book, |s| {
        let cell = |s: &Sheet, t: &str| s.find(t);
        // A value merge made narrower: 项目名称's B:D → B:C.
        let name_value = a1((s.row_of("项目名称"), 1));
        let (r, _) = pos(&name_value);
        s.resize_merge(&name_value, &a1((r, 2)));
        // A label merge made narrower: 年度资金申请总额 E:G → E:F (G left empty).
        let annual = cell(s, "年度资金申请总额");
        let (r, c) = pos(&annual);
        s.resize_merge(&annual, &a1((r, c + 1)));
        // A label unmerged: 项目资金总额 B:C → B.
        let total = cell(s, "项目资金总额");
        s.resize_merge(&total, &total);
        // Side labels shortened: 项目资金（元） and 绩效指标 cover fewer rows.
        let funds = cell(s, "项目资金（元）");
        let (r, c) = pos(&funds);
        s.resize_merge(&funds, &a1((r + 1, c)));
        let ind = cell(s, "绩效指标");
        let (r, c) = pos(&ind);
        s.resize_merge(&ind, &a1((r + 1, c)));
        // 实施单位's label widened over F, its value moved right into G:H.
        let imp = cell(s, "实施单位");
        let (r, c) = pos(&imp);
        let value = s.cells.remove(&(r, c + 1)).unwrap();
        s.merges.retain(|m| !(m.0 == r && m.1 == c + 1));
        s.merge(&imp, &a1((r, c + 1)));
        s.merge(&a1((r, c + 2)), &a1((r, c + 3)));
        s.set_at((r, c + 2), value);
        // Every 一级 merge undone: only the group's first row says 产出指标.
        let head = s.row_of("一级指标");
        let level1: Vec<(u32, u16, u32, u16)> = s
            .merges
            .iter()
            .copied()
            .filter(|m| m.1 == 1 && m.3 == 1 && m.0 > head)
            .collect();
        for m in level1 {
            s.resize_merge(&a1((m.0, m.1)), &a1((m.0, m.1)));
        }
    });
    assert_clean(&read(&book));
}

#[test]
fn values_typed_into_another_cell_of_their_columns_span() {
    // After unmerging, people type into whichever cell of the column they click: the
    // 三级指标 header spans D:F and 指标值 G:H, 明细项目 B:C and 备注 G:H, so a value in
    // E, F, H or C still belongs to that column.
    let mut book = sample();
    each_project(&mut book, |s| {
        let head = s.row_of("一级指标");
        let first = head + 1;
        let second = head + 2;
        for (row, from, to) in [(first, 3u16, 4u16), (first, 6, 7), (second, 3, 5)] {
            s.merges.retain(|m| !(m.0 == row && m.1 == from));
            let v = s.cells.remove(&(row, from)).unwrap();
            s.set_at((row, to), v);
        }
        let line = s.row_of("序号") + 1;
        for (from, to) in [(1u16, 2u16), (6, 7)] {
            s.merges.retain(|m| !(m.0 == line && m.1 == from));
            if let Some(v) = s.cells.remove(&(line, from)) {
                s.set_at((line, to), v);
            }
        }
    });
    assert_clean(&read(&book));
}

// ------------------------------------------------------------------ inserted columns

#[test]
fn columns_inserted_before_and_inside_the_form() {
    // A column before A (for a note), and one inside the form at E: merges across E grow
    // (三级指标 D:F becomes D:G), everything right of it moves.
    let mut book = sample();
    each_project(&mut book, |s| {
        s.insert_cols(4, 1);
        s.insert_cols(0, 1);
    });
    let s = book.sheet(P1);
    assert_eq!(s.find("年度资金申请总额"), "G37");
    assert_eq!(s.merge_at("E44"), Some((43, 4, 43, 7)));
    assert_clean(&read(&book));
}

// ------------------------------------------------------------------ titles

#[test]
fn form_title_with_the_year_in_it() {
    // Many real forms say 2024年度财政项目支出绩效目标申报表 and drop the subtitle row;
    // with the summary sheet gone too, the year comes from the title.
    let mut book = sample();
    book.delete_sheet(SUMMARY);
    each_project(&mut book, |s| {
        let title = pos(&s.find("财政项目支出绩效目标申报表"));
        s.set_at(title, text("2024年度财政项目支出绩效目标申报表"));
        s.delete_row(title.0 + 1);
    });
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(out.declaration.year, Some(2024));
    assert_eq!(out.declaration.projects, clean().projects);
}

#[test]
fn subtitle_typed_without_brackets() {
    let mut book = sample();
    book.delete_sheet(SUMMARY);
    each_project(&mut book, |s| {
        let sub = pos(&s.find("（2024年度）"));
        s.set_at(sub, text("2024 年度"));
    });
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    assert_eq!(out.declaration.year, Some(2024));
    assert_eq!(out.declaration.projects, clean().projects);
}

// ------------------------------------------------------------------ sheets

#[test]
fn sheets_reordered() {
    let mut book = sample();
    // Projects in reverse order, the hidden list sheet among them, the summary last.
    let mut order = book.project_sheets();
    order.reverse();
    order.insert(1, LISTS.to_string());
    order.push(SUMMARY.to_string());
    for (i, name) in order.iter().enumerate() {
        book.move_sheet(name, i);
    }
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[0], "10.宣传阵地建设");
    assert_eq!(names[1], LISTS);
    assert_eq!(names[11], SUMMARY);
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let mut want = clean().clone();
    want.projects.reverse();
    assert_same(&out.declaration, &want);
}

#[test]
fn sheets_renamed() {
    let mut book = sample();
    for (i, name) in book.project_sheets().iter().enumerate() {
        book.rename_sheet(name, &format!("Sheet{}", i + 1));
    }
    book.rename_sheet(SUMMARY, "封面");
    book.rename_sheet(LISTS, "Sheet99");
    assert_clean(&read(&book));
}

#[test]
fn a_project_sheet_hidden() {
    // Hidden is not deleted: the project is read, counted, and the sheet is named.
    let mut book = sample();
    book.sheet_mut("3.产业要素对接").hidden = true;
    let out = read(&book);
    assert_same(&out.declaration, clean());
    assert_eq!(
        found(&out),
        expect(&[(codes::HIDDEN_SHEET, "3.产业要素对接", "")])
    );
}

#[test]
fn a_project_sheet_deleted() {
    let mut book = sample();
    book.delete_sheet("5.派驻干部费用");
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let mut want = clean().clone();
    let gone = want.projects.remove(4);
    assert_eq!(gone.header.name.as_deref(), Some("派驻干部费用"));
    assert_eq!(out.declaration.projects.len(), 9);
    // The cover still states what the unit typed (10 projects); the validator compares.
    assert_same(&out.declaration, &want);
}

#[test]
fn the_summary_sheet_deleted() {
    let mut book = sample();
    book.delete_sheet(SUMMARY);
    let out = read(&book);
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
    let d = &out.declaration;
    assert_eq!(
        d.year,
        Some(2024),
        "year from the forms' subtitle （2024年度）"
    );
    assert_eq!(d.unit, None);
    assert_eq!(d.stated_total, None);
    assert_eq!(d.projects, clean().projects);
}

#[test]
fn the_summary_sheet_deleted_and_sheets_shuffled() {
    let mut book = sample();
    book.delete_sheet(SUMMARY);
    book.delete_sheet(LISTS);
    book.move_sheet("3.产业要素对接", 0);
    book.rename_sheet("3.产业要素对接", "产业");
    let out = read(&book);
    let d = &out.declaration;
    assert_eq!(d.year, Some(2024));
    let mut want = clean().projects.clone();
    let third = want.remove(2);
    want.insert(0, third);
    assert_eq!(d.projects, want);
}

// ------------------------------------------------------------------ all at once

#[test]
fn many_edits_at_once() {
    let mut book = sample();
    let r005 = codes::MONEY_AS_TEXT;
    let r006 = codes::DATE_AS_TEXT;
    // Rows above and inside, labels retyped, on every project sheet.
    each_project(&mut book, |s| {
        let r = |t: &str| s.row_of(t);
        let rows = [
            0,
            r("六、年度预算安排") + 1,
            r("合计"),
            r("项目名称") + 1,
            r("项目资金总额") + 1,
            r("一级指标") + 2,
        ];
        insert_before(s, &rows);
        for (label, typed) in RETYPED {
            if let Some(p) = s.find_text(label) {
                s.set_at(p, text(typed));
            }
        }
    });
    // Values typed as text on project 1; its cells moved by the inserted rows.
    let s = book.sheet_mut(P1);
    let total = pos(&s.find("项目资金总额："));
    let total_value = a1((total.0, total.1 + 2));
    s.set_at(pos(&total_value), text("100万元"));
    let start = pos(&s.find("计划开始\n日期"));
    let start_value = a1((start.0, start.1 + 1));
    s.set_at(pos(&start_value), text("2024年1月1日"));
    assert_eq!((total_value.as_str(), start_value.as_str()), ("D41", "B40"));
    // Sheets: summary last and renamed, project 7 deleted, project 2 renamed.
    book.move_sheet(SUMMARY, book.sheets.len() - 1);
    book.rename_sheet(SUMMARY, "汇总");
    book.delete_sheet("7.展示馆运维费");
    book.rename_sheet("2.优化营商环境", "营商");
    let out = read(&book);
    let mut want = clean().clone();
    want.projects.remove(6);
    assert_same(&out.declaration, &want);
    assert_eq!(found(&out), expect(&[(r005, P1, "D41"), (r006, P1, "B40")]));
}

/// `build(dump(w))`: the model of an edited workbook, written anew and read back, is the
/// same model (what the user changed is kept; the layout becomes the standard one again).
#[test]
fn build_of_dump_of_an_edited_workbook_reads_back_equal() {
    let mut book = sample();
    each_project(&mut book, |s| {
        let r = |t: &str| s.row_of(t);
        let rows = [0, r("项目资金总额") + 1, r("一级指标") + 2];
        insert_before(s, &rows);
    });
    let s = book.sheet_mut(P1);
    let name = s.find_text("项目名称").unwrap();
    s.set_at((name.0, name.1 + 1), text("G60日常办公经费（调整）"));
    book.delete_sheet("7.展示馆运维费");
    let edited = read(&book).declaration;
    assert_eq!(edited.projects.len(), 9);
    assert_eq!(
        edited.projects[0].header.name.as_deref(),
        Some("G60日常办公经费（调整）")
    );
    // dump → JSON → build → read
    let json = serde_json::to_string_pretty(&edited).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    std::fs::write(&model, json).unwrap();
    let rebuilt = dir.path().join("rebuilt.xlsx");
    jixiao::cli::build(&model, &rebuilt, false).unwrap();
    let back = read_workbook(&rebuilt).unwrap();
    assert!(back.findings.is_empty(), "{:#?}", back.findings);
    assert_same(&back.declaration, &edited);
    assert_eq!(back.declaration, edited);
}

// ------------------------------------------------------------------ random edits

/// A small deterministic generator for the choices below (the seed comes from proptest,
/// so a failure shrinks to a seed that can be replayed).
struct Choices(u64);

impl Choices {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A label as a person might retype it: spaces between characters, the other width of
/// brackets and colons, a trailing colon.
fn retype(label: &str, ch: &mut Choices) -> String {
    let mut out = String::new();
    for (i, c) in label.chars().enumerate() {
        if i > 0 && ch.next(4) == 0 {
            out.push([' ', '\u{3000}', ' '][ch.next(3) as usize]);
        }
        let c = match (c, ch.next(2)) {
            ('（', 1) => '(',
            ('）', 1) => ')',
            ('(', 1) => '（',
            (')', 1) => '）',
            ('：', 1) => ':',
            (c, _) => c,
        };
        out.push(c);
    }
    match ch.next(4) {
        0 => out.push('：'),
        1 => out.push(':'),
        2 => out.push(' '),
        _ => {}
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Empty rows inserted anywhere, and labels retyped at random, change nothing.
    #[test]
    fn random_empty_rows_and_retyped_labels(seed in 1u64..u64::MAX, rows in 0usize..6) {
        let mut ch = Choices(seed);
        let mut book = sample();
        // Three projects are enough variety and keep each case quick.
        for name in &book.project_sheets()[3..] {
            book.delete_sheet(name);
        }
        for s in &mut book.sheets {
            if s.name == LISTS {
                continue;
            }
            let end = s.cells.keys().next_back().map_or(0, |(r, _)| r + 2);
            let at: Vec<u32> = (0..rows).map(|_| ch.next(u64::from(end)) as u32).collect();
            insert_before(s, &at);
            for (label, _) in RETYPED {
                for p in s.find_all(label) {
                    let typed = retype(label, &mut ch);
                    s.set_at(p, text(&typed));
                }
            }
        }
        let out = read(&book);
        proptest::prop_assert!(out.findings.is_empty(), "{:#?}", out.findings);
        let mut want = clean().clone();
        want.projects.truncate(3);
        assert_same(&out.declaration, &want);
    }
}

#[test]
fn cover_labels_with_their_values_in_one_cell() {
    // Some units type `单位名称：XXX` into one cell instead of using the value cell; a
    // `单位：元` note above a table of amounts is not the unit's name.
    let mut book = sample();
    let c = book.sheet_mut(SUMMARY);
    let inline = |c: &mut Sheet, label_at: &str, value_at: &str, label: &str| {
        let value = match c.get(value_at) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => f.to_string(),
            Some(Data::Int(i)) => i.to_string(),
            other => panic!("{value_at}: {other:?}"),
        };
        c.set(value_at, Data::Empty);
        c.set_text(label_at, &format!("{label}{value}"));
    };
    c.set_text("F2", "单位：元");
    assert_eq!(c.find("单位名称"), "A3");
    inline(c, "A3", "B3", "单位名称：");
    inline(c, "A4", "B4", "预算年度： ");
    inline(c, "A5", "B5", "编报项目数：");
    inline(c, "A6", "B6", "项目预算资金合计（万元）：");
    let out = read(&book);
    assert_same(&out.declaration, clean());
    assert_eq!(found(&out), expect(&[]));
    // Filling instructions on a sheet before it are neither the cover nor its values.
    let mut notes = book.sheet(SUMMARY).clone();
    notes.name = "填写说明".into();
    notes.cells.clear();
    notes.merges.clear();
    for (i, t) in [
        "单位名称：请填写单位全称",
        "预算年度：填写4位年份",
        "编报项目数：如：10",
    ]
    .iter()
    .enumerate()
    {
        notes.set_at((i as u32, 0), text(t));
    }
    book.sheets.insert(0, notes);
    let out = read(&book);
    assert_same(&out.declaration, clean());
    assert_eq!(found(&out), expect(&[]));
    // Also when the cover has nothing but inline labels (no published sentence either).
    let summary = book.sheet_mut(SUMMARY);
    assert_eq!(summary.find("绩效目标设置情况"), "A7");
    summary.set_text("B7", "见附件");
    let mut want = clean().clone();
    want.summary_text = Some("见附件".into());
    let out = read(&book);
    assert_same(&out.declaration, &want);
    assert_eq!(found(&out), expect(&[]));
    let unit = out.sources.cell(&jixiao::model::FieldPath::Cover(
        jixiao::model::CoverField::Unit,
    ));
    assert_eq!(
        unit.map(|c| (c.sheet.as_str(), a1((c.row, c.col)))),
        Some((SUMMARY, "A3".to_string()))
    );
    // The total keeps the unit its label names.
    let total = out.declaration.stated_total.unwrap();
    assert_eq!(total.display(), "1,743.86万元");
}

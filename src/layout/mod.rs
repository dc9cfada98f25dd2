//! The one description of the form's layout.
//!
//! The template writer and the workbook writer place every field from these tables; the
//! reader finds every field by the labels in the same tables (tolerant of inserted rows,
//! resized merges, spaces and full-width characters inside labels). No other module holds
//! coordinates of the form, so a round trip workbook → model → workbook → model is equal
//! by construction.

use crate::model::{BudgetColumn, CoverField, FundField, HeaderField, IndicatorColumn, Section};

/// Columns A..H of a project sheet.
pub const FORM_COLUMNS: u16 = 8;

/// Column widths (in Excel character units) chosen so Chinese labels fit: A holds a
/// six-character label (计划开始日期, 项目绩效目标) on one line in 宋体, C the longest
/// standard 二级指标 (服务对象满意度指标).
pub const FORM_COLUMN_WIDTHS: [f64; FORM_COLUMNS as usize] =
    [14.0, 12.0, 21.0, 25.0, 14.0, 16.0, 14.0, 18.0];

/// A run of columns `[col, col + width)`; a width above 1 is written as a merged range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub col: u16,
    pub width: u16,
}

const fn span(col: u16, width: u16) -> Span {
    Span { col, width }
}

impl Span {
    pub fn last(self) -> u16 {
        self.col + self.width - 1
    }
}

/// A label and the value cell beside it, on row `row` of its block.
#[derive(Clone, Copy, Debug)]
pub struct LabeledField<K> {
    pub key: K,
    /// The label as the standard form writes it.
    pub label: &'static str,
    /// Other spellings seen on real forms (compared after label normalization).
    pub aliases: &'static [&'static str],
    pub row: u32,
    pub label_at: Span,
    pub value_at: Span,
}

/// A table column: its header text and where the writer puts it.
#[derive(Clone, Copy, Debug)]
pub struct TableColumn<K> {
    pub key: K,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub at: Span,
}

// ---------------------------------------------------------------- unit summary sheet

/// Name of the unit summary sheet the writer creates (the reader finds it by its labels).
pub const SUMMARY_SHEET: &str = "单位汇总";

// ---------------------------------------------------------------- rollup summary workbook

/// Sheets of the summary workbook `jixiao rollup --xlsx` writes, in order. The reader
/// knows them too: a summary left in a folder that is rolled up again is not a unit's
/// declaration (its overview would otherwise read as a cover with no projects).
pub const ROLLUP_OVERVIEW_SHEET: &str = "概览";
/// Each totals sheet and the column it groups by.
pub const ROLLUP_GROUP_SHEETS: [(&str, &str); 4] = [
    ("按单位", "单位名称"),
    ("按主管部门", "主管部门"),
    ("按项目类别", "项目类别"),
    ("按项目性质", "项目性质"),
];
pub const ROLLUP_UNREADABLE_SHEET: &str = "无法读取的文件";
pub const ROLLUP_FINDINGS_SHEET: &str = "问题清单";
/// Findings a waiver accepted, apart from 问题清单, with the reviewer's reason.
pub const ROLLUP_WAIVED_SHEET: &str = "已豁免";
/// Hidden sheet holding dropdown lists too long for an inline list.
pub const LIST_SHEET: &str = "下拉列表";
/// Title of the unit summary sheet (the seed's cover title).
pub const SUMMARY_TITLE: &str = "财政支出项目绩效目标申报表";

/// A holds 项目预算资金合计 (eight characters) on one line, its unit on the next.
pub const SUMMARY_COLUMN_WIDTHS: [f64; 6] = [18.0, 36.0, 20.0, 24.0, 22.0, 28.0];

/// Cover fields, rows counted from the summary sheet's top (row 0 is the title, 1 the year).
pub const COVER_FIELDS: [LabeledField<CoverField>; 5] = [
    LabeledField {
        key: CoverField::Unit,
        label: "单位名称",
        aliases: &["预算单位", "填报单位", "单位"],
        row: 2,
        label_at: span(0, 1),
        value_at: span(1, 5),
    },
    LabeledField {
        key: CoverField::Year,
        label: "预算年度",
        aliases: &["年度"],
        row: 3,
        label_at: span(0, 1),
        value_at: span(1, 1),
    },
    LabeledField {
        key: CoverField::StatedCount,
        label: "编报项目数",
        aliases: &["编报绩效目标的项目数", "项目个数", "项目数"],
        row: 4,
        label_at: span(0, 1),
        value_at: span(1, 1),
    },
    LabeledField {
        key: CoverField::StatedTotal,
        label: "项目预算资金合计（万元）",
        aliases: &[
            "项目预算资金合计",
            "项目预算资金合计(元)",
            "涉及项目预算资金",
            "涉及项目预算资金(万元)",
            "项目预算资金(万元)",
        ],
        row: 5,
        label_at: span(0, 1),
        value_at: span(1, 1),
    },
    LabeledField {
        key: CoverField::SummaryText,
        label: "绩效目标设置情况",
        aliases: &[],
        row: 6,
        label_at: span(0, 1),
        value_at: span(1, 5),
    },
];

/// Header row of the project list on the summary sheet (derived: formulas only).
pub const SUMMARY_LIST_ROW: u32 = 8;
pub const SUMMARY_LIST_HEADERS: [&str; 6] = [
    "序号",
    "项目名称",
    "项目资金总额（元）",
    "年度资金申请总额（元）",
    "项目资金总额（万元）",
    "工作表",
];

// ---------------------------------------------------------------- project sheet

/// Title of the narrative block.
pub const NARRATIVE_TITLE: &str = "项目经费情况说明";
/// Title of the form block.
pub const FORM_TITLE: &str = "财政项目支出绩效目标申报表";

/// The seven narrative sections: heading as written, and the bare title the reader matches
/// (numbering such as `一、` is ignored when reading).
pub const SECTIONS: [(Section, &str, &str); 7] = [
    (Section::Overview, "一、项目概述", "项目概述"),
    (Section::Rationale, "二、立项依据", "立项依据"),
    (Section::ExecutingBody, "三、实施主体", "实施主体"),
    (Section::Plan, "四、实施方案", "实施方案"),
    (Section::Period, "五、实施周期", "实施周期"),
    (Section::Budget, "六、年度预算安排", "年度预算安排"),
    (Section::Goals, "七、绩效目标", "绩效目标"),
];

/// Columns of the 年度预算安排 table. `None` is the 序号 column (derived from order).
pub const BUDGET_COLUMNS: [TableColumn<Option<BudgetColumn>>; 5] = [
    TableColumn {
        key: None,
        header: "序号",
        aliases: &["编号", "序"],
        at: span(0, 1),
    },
    TableColumn {
        key: Some(BudgetColumn::Item),
        header: "明细项目",
        aliases: &["项目明细", "明细", "支出内容", "项目", "内容"],
        at: span(1, 2),
    },
    TableColumn {
        key: Some(BudgetColumn::Basis),
        header: "计算依据",
        aliases: &["测算依据", "计算方法", "测算标准", "依据"],
        at: span(3, 1),
    },
    TableColumn {
        key: Some(BudgetColumn::Amount),
        header: "金额（元）",
        aliases: &[
            "金额",
            "金额（万元）",
            "预算金额（元）",
            "预算金额",
            "预算金额（万元）",
        ],
        at: span(4, 2),
    },
    TableColumn {
        key: Some(BudgetColumn::Note),
        header: "备注",
        aliases: &["说明"],
        at: span(6, 2),
    },
];

/// Label of the budget table's total row.
pub const BUDGET_TOTAL_LABEL: &str = "合计";
/// Empty rows the template leaves in the budget table.
pub const TEMPLATE_BUDGET_ROWS: usize = 10;

/// Header fields of the form, rows counted from the first header row.
pub const HEADER_FIELDS: [LabeledField<HeaderField>; 7] = [
    LabeledField {
        key: HeaderField::Name,
        label: "项目名称",
        aliases: &[],
        row: 0,
        label_at: span(0, 1),
        value_at: span(1, 3),
    },
    LabeledField {
        key: HeaderField::Nature,
        label: "项目性质",
        aliases: &[],
        row: 0,
        label_at: span(4, 1),
        value_at: span(5, 1),
    },
    LabeledField {
        key: HeaderField::Category,
        label: "项目类别",
        aliases: &["项目类型"],
        row: 0,
        label_at: span(6, 1),
        value_at: span(7, 1),
    },
    LabeledField {
        key: HeaderField::Department,
        label: "主管部门",
        aliases: &["主管部门及代码"],
        row: 1,
        label_at: span(0, 1),
        value_at: span(1, 3),
    },
    LabeledField {
        key: HeaderField::Implementer,
        label: "实施单位",
        aliases: &["项目实施单位"],
        row: 1,
        label_at: span(4, 1),
        value_at: span(5, 3),
    },
    LabeledField {
        key: HeaderField::Start,
        label: "计划开始日期",
        aliases: &["开始日期", "项目开始日期"],
        row: 2,
        label_at: span(0, 1),
        value_at: span(1, 3),
    },
    LabeledField {
        key: HeaderField::End,
        label: "计划完成日期",
        aliases: &["完成日期", "结束日期", "计划结束日期", "项目完成日期"],
        row: 2,
        label_at: span(4, 1),
        value_at: span(5, 3),
    },
];
pub const HEADER_ROWS: u32 = 3;

/// The funds block's side label, merged down its rows.
pub const FUNDS_LABEL: &str = "项目资金（元）";
pub const FUNDS_LABEL_ALIASES: &[&str] = &["项目资金", "项目资金(万元)"];
pub const FUNDS_ROWS: u32 = 4;

/// The seven fund figures; the two `其他资金` are told apart by side (left of the
/// 年度资金申请总额 label or not).
pub const FUND_FIELDS: [LabeledField<FundField>; 7] = [
    LabeledField {
        key: FundField::Total,
        label: "项目资金总额",
        aliases: &["项目总资金", "资金总额"],
        row: 0,
        label_at: span(1, 2),
        value_at: span(3, 1),
    },
    LabeledField {
        key: FundField::Fiscal,
        label: "其中：财政资金",
        aliases: &["财政资金", "其中财政资金", "其中:财政资金"],
        row: 1,
        label_at: span(1, 2),
        value_at: span(3, 1),
    },
    LabeledField {
        key: FundField::Other,
        label: "其他资金",
        aliases: &[],
        row: 3,
        label_at: span(1, 2),
        value_at: span(3, 1),
    },
    LabeledField {
        key: FundField::AnnualTotal,
        label: "年度资金申请总额",
        aliases: &["年度资金总额", "年度申请资金总额", "本年度资金申请总额"],
        row: 0,
        label_at: span(4, 3),
        value_at: span(7, 1),
    },
    LabeledField {
        key: FundField::AnnualAppropriation,
        label: "其中：当年财政拨款",
        aliases: &["当年财政拨款", "其中当年财政拨款", "其中:当年财政拨款"],
        row: 1,
        label_at: span(4, 3),
        value_at: span(7, 1),
    },
    LabeledField {
        key: FundField::AnnualCarryover,
        label: "上年结转资金",
        aliases: &["上年结转", "其中：上年结转资金", "其中:上年结转资金"],
        row: 2,
        label_at: span(4, 3),
        value_at: span(7, 1),
    },
    LabeledField {
        key: FundField::AnnualOther,
        label: "其他资金",
        aliases: &[],
        row: 3,
        label_at: span(4, 3),
        value_at: span(7, 1),
    },
];

/// The goals block: side label, and the two goal columns (header row, then text row).
pub const GOALS_LABEL: &str = "项目绩效目标";
pub const GOAL_OVERALL: TableColumn<()> = TableColumn {
    key: (),
    header: "项目总目标",
    aliases: &["总目标", "项目中长期目标"],
    at: span(1, 3),
};
pub const GOAL_ANNUAL: TableColumn<()> = TableColumn {
    key: (),
    header: "年度总体目标",
    aliases: &["年度目标", "年度绩效目标"],
    at: span(4, 4),
};

/// The indicator table's side label and columns.
pub const INDICATORS_LABEL: &str = "绩效指标";
pub const INDICATOR_COLUMNS: [TableColumn<IndicatorColumn>; 4] = [
    TableColumn {
        key: IndicatorColumn::Level1,
        header: "一级指标",
        aliases: &[],
        at: span(1, 1),
    },
    TableColumn {
        key: IndicatorColumn::Level2,
        header: "二级指标",
        aliases: &[],
        at: span(2, 1),
    },
    TableColumn {
        key: IndicatorColumn::Name,
        header: "三级指标",
        aliases: &["指标名称", "三级指标名称"],
        at: span(3, 3),
    },
    TableColumn {
        key: IndicatorColumn::Target,
        header: "年度(/项目)指标值",
        aliases: &[
            "年度指标值",
            "指标值",
            "项目指标值",
            "年度（项目）指标值",
            "目标值",
        ],
        at: span(6, 2),
    },
];

/// Columns other provinces' forms add; the reader picks them up when their header is
/// present (the Shanghai layout does not write them).
pub const EXTRA_INDICATOR_COLUMNS: [(IndicatorColumn, &[&str]); 6] = [
    (
        IndicatorColumn::Content,
        &["指标内容", "指标解释", "指标说明"],
    ),
    (
        IndicatorColumn::Scoring,
        &["评(扣)分标准", "评分标准", "扣分标准"],
    ),
    (
        IndicatorColumn::Weight,
        &["权重", "分值", "权重(分值)", "分值(权重)"],
    ),
    (
        IndicatorColumn::TargetBasis,
        &["指标值设定依据", "设定依据"],
    ),
    (
        IndicatorColumn::PreviousValue,
        &["上年指标值", "上年实际值", "上年度指标值"],
    ),
    (IndicatorColumn::Remark, &["备注"]),
];

/// Empty indicator rows the template leaves.
pub const TEMPLATE_INDICATOR_ROWS: usize = 15;

// ---------------------------------------------------------------- dropdown lists

/// 项目性质 (an open list: the dropdown warns but accepts other text).
pub const NATURES: [&str; 6] = [
    "经常性项目",
    "其他经常性项目",
    "一次性项目",
    "阶段性项目",
    "跨年度项目",
    "延续性项目",
];

/// 项目类别.
pub const CATEGORIES: [&str; 5] = [
    "人员类",
    "公用经费",
    "其他运转类",
    "特定目标类",
    "基本建设类",
];

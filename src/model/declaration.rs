//! A unit's declaration: the cover figures and one entry per project.

use serde::{Deserialize, Serialize};

use super::{Date, Money, StatedAmount, Target};

/// One budget unit's 绩效目标申报 for one year.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// 单位名称
    #[serde(default)]
    pub unit: Option<String>,
    /// 预算年度
    #[serde(default)]
    pub year: Option<i32>,
    /// 项目预算资金合计 as the cover states it (e.g. `1,743.86万元`).
    #[serde(default)]
    pub stated_total: Option<StatedAmount>,
    /// 编报项目数 as the cover states it.
    #[serde(default)]
    pub stated_project_count: Option<u32>,
    /// 绩效目标设置情况: the cover's own words, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_text: Option<String>,
    #[serde(default)]
    pub projects: Vec<Project>,
}

impl Declaration {
    /// Sum of the projects' 项目资金总额 (missing amounts count as nothing; the validator
    /// reports them), or `None` when it leaves Decimal's range (amounts far beyond any
    /// budget, which the validator reports as M003 and M004).
    pub fn projects_total(&self) -> Option<Money> {
        Money::checked_sum(self.projects.iter().filter_map(|p| p.funds.total))
    }
}

/// One project: the 项目经费情况说明 and the 绩效目标申报表.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    #[serde(default)]
    pub header: ProjectHeader,
    #[serde(default)]
    pub funds: Funds,
    #[serde(default)]
    pub narrative: Narrative,
    #[serde(default)]
    pub budget_lines: Vec<BudgetLine>,
    #[serde(default)]
    pub goals: Goals,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
}

/// The form's header block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectHeader {
    /// 项目名称
    #[serde(default)]
    pub name: Option<String>,
    /// 项目性质 (其他经常性项目, 一次性项目, 跨年度项目 …)
    #[serde(default)]
    pub nature: Option<String>,
    /// 项目类别 (人员类, 公用经费, 其他运转类, 特定目标类 …)
    #[serde(default)]
    pub category: Option<String>,
    /// 主管部门
    #[serde(default)]
    pub department: Option<String>,
    /// 实施单位
    #[serde(default)]
    pub implementer: Option<String>,
    /// 计划开始日期
    #[serde(default)]
    pub start: Option<Date>,
    /// 计划完成日期
    #[serde(default)]
    pub end: Option<Date>,
}

/// 项目资金（元）: the whole-project side on the left, the annual request on the right.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funds {
    /// 项目资金总额
    #[serde(default)]
    pub total: Option<Money>,
    /// 其中：财政资金
    #[serde(default)]
    pub fiscal: Option<Money>,
    /// 其他资金 (left side)
    #[serde(default)]
    pub other: Option<Money>,
    /// 年度资金申请总额
    #[serde(default)]
    pub annual_total: Option<Money>,
    /// 其中：当年财政拨款
    #[serde(default)]
    pub annual_appropriation: Option<Money>,
    /// 上年结转资金
    #[serde(default)]
    pub annual_carryover: Option<Money>,
    /// 其他资金 (right side)
    #[serde(default)]
    pub annual_other: Option<Money>,
}

/// The seven sections of 项目经费情况说明, each as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    /// 一、项目概述
    #[serde(default)]
    pub overview: Option<String>,
    /// 二、立项依据
    #[serde(default)]
    pub rationale: Option<String>,
    /// 三、实施主体
    #[serde(default)]
    pub executing_body: Option<String>,
    /// 四、实施方案
    #[serde(default)]
    pub plan: Option<String>,
    /// 五、实施周期
    #[serde(default)]
    pub period: Option<String>,
    /// 六、年度预算安排 (the prose; the lines are in `Project::budget_lines`)
    #[serde(default)]
    pub budget: Option<String>,
    /// 七、绩效目标
    #[serde(default)]
    pub goals: Option<String>,
}

/// One line of the 年度预算安排 table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    /// 明细项目
    #[serde(default)]
    pub item: Option<String>,
    /// 计算依据, e.g. `1469平方米×16元/平方米/月×12月`
    #[serde(default)]
    pub basis: Option<String>,
    /// 金额（元）; `None` when the form gives no amount.
    #[serde(default)]
    pub amount: Option<Money>,
    /// 备注
    #[serde(default)]
    pub note: Option<String>,
}

/// 项目绩效目标: 项目总目标 and 年度总体目标.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goals {
    /// 项目总目标
    #[serde(default)]
    pub overall: Option<String>,
    /// 年度总体目标
    #[serde(default)]
    pub annual: Option<String>,
}

/// One row of the indicator table.
///
/// The Shanghai form has the first four columns; the optional ones carry what other
/// provinces' forms and the national 预算管理一体化 data elements add (KPI_CONTENT,
/// KPI_EVALSTD, 权重, 上年指标值 …), so a later layout can fill them without a model change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// 一级指标 (KPI_LV1)
    #[serde(default)]
    pub level1: Option<String>,
    /// 二级指标 (KPI_LV2)
    #[serde(default)]
    pub level2: Option<String>,
    /// 三级指标 (KPI_LV3)
    #[serde(default)]
    pub name: Option<String>,
    /// 年度(/项目)指标值 (KPI_VAL)
    #[serde(default)]
    pub target: Option<Target>,
    /// 指标内容 / 指标解释 (KPI_CONTENT)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// 评（扣）分标准 (KPI_EVALSTD)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<String>,
    /// 权重 / 分值
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::money::opt_decimal_str"
    )]
    pub weight: Option<rust_decimal::Decimal>,
    /// 指标值设定依据
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_basis: Option<String>,
    /// 上年指标值
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_value: Option<String>,
    /// 备注 (KPI_REMARK)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

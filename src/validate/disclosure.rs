//! A declaration imported from a published disclosure (部门预算公开): such a text often
//! holds only the key projects' forms while its cover counts them all. Then the cover
//! cannot be checked against the forms, and C001/C002 would report every disclosure as
//! wrong; C010 says so once instead, with both counts and both amounts.

use super::{checked_total, finding, Ctx};
use crate::model::{CoverField, FieldPath, Finding, Severity};

/// C010: fewer forms than the cover counts, in a disclosure.
pub(crate) fn partial_cover(ctx: &Ctx, out: &mut Vec<Finding>) {
    let d = ctx.decl;
    let Some(stated) = d.stated_project_count else {
        return;
    };
    let n = d.projects.len();
    if n == 0 || n >= stated as usize {
        return;
    }
    let at = out
        .iter()
        .position(|f| f.code == "C001" || f.code == "C002")
        .unwrap_or(0);
    out.retain(|f| f.code != "C001" && f.code != "C002");
    let sum = checked_total(d.projects.iter().filter_map(|p| p.funds.total));
    let (sum_zh, sum_en) = match sum {
        Some(s) => (
            format!("项目资金总额合计 {s} 元（{}）", s.wan_string()),
            format!(
                "their 项目资金总额 (total funds) add up to {s} ({})",
                s.wan_string()
            ),
        ),
        None => (
            "项目资金总额无法合计".into(),
            "their totals cannot be added up".into(),
        ),
    };
    let stated_total = d
        .stated_total
        .map(|t| t.display())
        .unwrap_or_else(|| "（未写明）".into());
    let mut f = finding(
        "C010",
        Severity::Warning,
        ctx.loc(FieldPath::Cover(CoverField::StatedCount)),
        format!(
            "公开文本的封面写编报绩效目标的项目 {stated} 个、项目预算资金 {stated_total}，文本中只有申报表 {n} 个，{sum_zh}。公开文本通常只公开部分项目，封面的项目个数与金额未按项目表核对。"
        ),
        format!(
            "The disclosure's cover states {stated} projects and {stated_total}; the text holds {n} forms, and {sum_en}. A disclosure often publishes only some projects, so the cover's count and total were not checked against the forms."
        ),
    );
    f.expected = Some(stated.to_string());
    f.actual = Some(n.to_string());
    out.insert(at.min(out.len()), f);
}

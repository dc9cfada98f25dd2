//! Required header fields of each project form.

use super::{finding, present, Proj};
use crate::model::{Finding, HeaderField, ProjectField, Severity};

/// Runs the header rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    required_fields(p, out);
}

/// H001: 项目名称, 项目性质, 项目类别, 主管部门 and 实施单位 must be filled in.
fn required_fields(p: &Proj, out: &mut Vec<Finding>) {
    let h = &p.project.header;
    let fields = [
        (HeaderField::Name, &h.name, "项目名称", "project name"),
        (HeaderField::Nature, &h.nature, "项目性质", "project nature"),
        (
            HeaderField::Category,
            &h.category,
            "项目类别",
            "project category",
        ),
        (
            HeaderField::Department,
            &h.department,
            "主管部门",
            "supervising department",
        ),
        (
            HeaderField::Implementer,
            &h.implementer,
            "实施单位",
            "implementing unit",
        ),
    ];
    for (field, value, zh, en) in fields {
        if present(value).is_some() {
            continue;
        }
        let f = ProjectField::Header(field);
        let cell = p.cell_name(f);
        let at = cell
            .as_ref()
            .map(|c| format!("在 {c} "))
            .unwrap_or_default();
        let at_en = cell
            .as_ref()
            .map(|c| format!(" in {c}"))
            .unwrap_or_default();
        out.push(finding(
            "H001",
            Severity::Error,
            p.loc(f),
            format!("{}未填{zh}。请{at}填写{zh}。", p.label_zh()),
            format!("{}: {zh} ({en}) is empty. Fill it in{at_en}.", p.label_en()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testkit::*;

    #[test]
    fn complete_header_passes() {
        assert_eq!(codes(&run(clean_project("甲"))), Vec::<&str>::new());
    }

    #[test]
    fn each_missing_field_is_an_error_at_its_cell() {
        let mut p = clean_project("甲");
        p.header.nature = Some("  ".into());
        p.header.implementer = None;
        let f = run(p);
        assert_eq!(codes(&f), ["H001", "H001"]);
        assert_eq!(cell(&f[0]), "项目1!D3");
        assert_eq!(
            f[0].message,
            "项目「甲」未填项目性质。请在 D3 填写项目性质。"
        );
        assert_eq!(cell(&f[1]), "项目1!D4");
        assert!(f[1].message.contains("实施单位"));
    }

    #[test]
    fn missing_name_is_named_by_position_and_without_a_map_has_file_only() {
        let mut p = clean_project("甲");
        p.header.name = None;
        let f = run_unmapped(p);
        assert_eq!(codes(&f), ["H001"]);
        assert_eq!(f[0].message, "第 1 个项目未填项目名称。请填写项目名称。");
        assert_eq!(f[0].location.sheet, None);
        assert_eq!(f[0].location.cell, None);
        assert_eq!(f[0].location.project, Some(0));
        assert_eq!(f[0].location.file, "test.json");
    }
}

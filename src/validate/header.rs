//! Required header fields of each project form.

use std::collections::HashMap;

use super::{finding, present, Proj};
use crate::model::{Declaration, Finding, HeaderField, ProjectField, Severity};

/// Runs the header rules.
pub(crate) fn check(p: &Proj, out: &mut Vec<Finding>) {
    required_fields(p, out);
    duplicate_name(p, out);
}

/// A name as compared for H002: no spaces, half-width.
fn name_key(name: &str) -> String {
    crate::values::normalize_label(name)
}

/// The first project bearing each name.
pub(crate) fn first_named(decl: &Declaration) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, p) in decl.projects.iter().enumerate() {
        if let Some(n) = present(&p.header.name) {
            map.entry(name_key(n)).or_insert(i);
        }
    }
    map
}

/// H002: two projects of one declaration with the same name: a sheet copied or sent twice,
/// which counts its money twice. Reported at the later one.
fn duplicate_name(p: &Proj, out: &mut Vec<Finding>) {
    let Some(name) = present(&p.project.header.name) else {
        return;
    };
    let Some(&first) = p.ctx.first_named.get(&name_key(name)) else {
        return;
    };
    if first == p.index {
        return;
    }
    let f = ProjectField::Header(HeaderField::Name);
    let first_path = crate::model::FieldPath::project(first, f);
    let first_at = p
        .ctx
        .sources
        .cell(&first_path)
        .map(|c| format!("（{}!{}）", c.sheet, c.a1()))
        .unwrap_or_default();
    let name = name.trim();
    out.push(finding(
        "H002",
        Severity::Warning,
        p.loc(f),
        format!(
            "项目 {} 的项目名称「{name}」与项目 {}{first_at}相同。如是重复提交，请删去其一；如是不同项目，请改用能区分的名称。",
            p.index + 1,
            first + 1
        ),
        format!(
            "Project {} has the same name “{name}” as project {}; delete one if it was sent twice, or tell them apart.",
            p.index + 1,
            first + 1
        ),
    ));
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
    fn a_repeated_name_is_a_warning_at_the_later_project() {
        let mut d = decl_with(vec![
            clean_project("甲"),
            clean_project("乙"),
            clean_project(" 甲 "),
        ]);
        d.stated_project_count = Some(3);
        let f: Vec<_> = crate::validate::validate(&d, &sources_for(&d))
            .into_iter()
            .filter(|f| f.code == "H002")
            .collect();
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].location.project, Some(2));
        assert!(
            f[0].message
                .starts_with("项目 3 的项目名称「甲」与项目 1（"),
            "{}",
            f[0].message
        );
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

//! Import a published disclosure (部门预算公开) into the model: the text a PDF's text layer
//! gives (or the PDF itself), holding the cover paragraph, each project's 项目经费情况说明
//! and its 财政项目支出绩效目标申报表.
//!
//! The text has lost the table's layout: labels and values wrap across lines, the two goal
//! columns come one after the other, a page break can fall inside a row. What can be
//! placed with certainty is placed; anything else is left out of the model and reported as
//! a finding (codes `T0xx`, docs/rules.md) naming the text line. Nothing here prints.

mod budget_prose;
mod form;
mod pdf;
mod text;
mod write_text;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use crate::model::{
    days_in_month, CoverField, Date, Declaration, FieldPath, Finding, Location, Narrative, Project,
    ProjectField, Section, Severity, SourceMap, StatedAmount,
};
use crate::values::parse_money_text;
use crate::Error;

pub use pdf::pdf_text;
pub use write_text::disclosure_text;

use text::{compact, join_text, Line};

/// What an import gives: the model, what could not be placed, and the text line of each
/// field placed.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub declaration: Declaration,
    /// Findings of the import itself (codes `T0xx`); each names the text line.
    pub findings: Vec<Finding>,
    /// The 1-based text line each field was read from.
    pub lines: BTreeMap<FieldPath, usize>,
}

/// Forms one disclosure may hold: a unit publishes tens; thousands are not one unit's text,
/// and checking and listing them would take minutes.
pub const MAX_FORMS: usize = 1000;
/// Non-blank lines one disclosure may have: the seed has about 90 per project.
pub const MAX_LINES: usize = 100_000;

/// Reads a `.txt` (UTF-8 text extracted from a disclosure) or a `.pdf` and imports it.
pub fn import_file(path: &Path) -> Result<Imported, Error> {
    let file = path.display().to_string();
    // The same bound as for workbooks: a disclosure is a few MB; more is not one.
    let limit = crate::read::LIMITS.max_file_bytes;
    if std::fs::metadata(path).is_ok_and(|m| m.len() > limit) {
        return Err(Error::Limit {
            file,
            reason: format!("文件超过 {} MB", limit / 1024 / 1024),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Open {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let is_pdf = bytes.starts_with(b"%PDF")
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let text = if is_pdf {
        pdf_text(&bytes, &file)?
    } else {
        let s = String::from_utf8(bytes).map_err(|_| Error::Open {
            file: file.clone(),
            reason: "不是 UTF-8 编码的文本（请另存为 UTF-8，或直接导入 PDF）".into(),
        })?;
        s.trim_start_matches('\u{feff}').to_string()
    };
    // Counted before parsing, so that an oversized text costs no more than a read.
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let forms = text
        .lines()
        .filter(|l| compact(l).starts_with("财政项目支出绩效目标申报表"))
        .count();
    if lines > MAX_LINES || forms > MAX_FORMS {
        return Err(Error::Limit {
            file,
            reason: format!(
                "文本有 {lines} 行、{forms} 份绩效目标申报表，超过上限 {MAX_LINES} 行、{MAX_FORMS} 份（一个单位的公开文本通常只有几十份申报表、几千行）"
            ),
        });
    }
    let imported = import_text(&text, &file);
    if imported.declaration.projects.is_empty() {
        return Err(Error::NotAForm {
            file,
            reason: "文本中找不到「财政项目支出绩效目标申报表」或「项目经费情况说明」".into(),
        });
    }
    Ok(imported)
}

/// Imports a disclosure's text. `file` names the input in findings.
///
/// ```
/// let text = "某单位 2024 年\n绩效目标设置情况\n编报绩效目标的项目 1 个，涉及项目预算资金 1.00万元。\n\
///     财政项目支出绩效目标申报表 1\n项目名称 甲 项目性质 一次性项目 项目类别 其他运转类\n\
///     主管部门 某部门 实施单位 某单位\n计划开始日期 2024-01-01 计划完成日期 2024-12-31\n\
///     项目资金 （元）\n项目资金总额 10,000.00 年度资金申请总额 10,000.00\n";
/// let imported = jixiao::import::import_text(text, "公开.txt");
/// let d = &imported.declaration;
/// assert_eq!(d.year, Some(2024));
/// assert_eq!(d.projects[0].funds.total.unwrap().wan_string(), "1.00万元");
/// ```
pub fn import_text(input: &str, file: &str) -> Imported {
    let lines = text::lines(input);
    let mut ctx = Ctx {
        file,
        out: Imported::default(),
    };
    // Blocks: where each narrative and each form starts.
    let mut starts: Vec<(usize, Block)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let c = compact(&l.text);
        if let Some(n) = c.strip_prefix("项目经费情况说明") {
            if n.chars().all(|c| c.is_ascii_digit()) {
                starts.push((i, Block::Narrative(n.parse().ok())));
            }
        } else if let Some(n) = c.strip_prefix("财政项目支出绩效目标申报表") {
            if n.chars().all(|c| c.is_ascii_digit()) {
                starts.push((i, Block::Form(n.parse().ok())));
            }
        }
    }
    let cover_end = starts.first().map_or(lines.len(), |s| s.0);
    cover(&mut ctx, &lines[..cover_end]);

    // (number, heading line, sections, each section's line)
    let mut narratives: Vec<NarrativeBlock> = Vec::new();
    let mut forms: Vec<(Option<u32>, usize, form::Form)> = Vec::new();
    for (k, (start, kind)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(lines.len(), |s| s.0);
        let body = &lines[start + 1..end];
        match kind {
            Block::Narrative(n) => {
                let (narr, at) = narrative(body);
                narratives.push((*n, lines[*start].no, narr, at));
            }
            Block::Form(n) => {
                let f = form::parse(body, lines[*start].no);
                forms.push((*n, lines[*start].no, f));
            }
        }
    }

    // Pair each form with the narrative whose 项目概述 begins with its name; failing that,
    // the narrative of the same number, said so.
    // Indexed by the name a 项目概述 opens with (`某某项目：…`) and by number, each list in
    // the text's order, so that a long disclosure pairs in one pass.
    let mut used = vec![false; narratives.len()];
    let mut by_overview: BTreeMap<String, VecDeque<usize>> = BTreeMap::new();
    let mut by_number: BTreeMap<u32, VecDeque<usize>> = BTreeMap::new();
    for (i, n) in narratives.iter().enumerate() {
        if let Some(name) = n.2.overview.as_deref().and_then(overview_name) {
            by_overview.entry(name).or_default().push_back(i);
        }
        if let Some(k) = n.0 {
            by_number.entry(k).or_default().push_back(i);
        }
    }
    for (index, (number, form_line, f)) in forms.into_iter().enumerate() {
        let name = f.project.header.name.clone();
        let by_name = name
            .as_deref()
            .and_then(|name| first_unused(by_overview.get_mut(name), &used));
        let mut project = f.project;
        let paired = match by_name {
            Some(i) => Some(i),
            None => {
                let i = number.and_then(|k| first_unused(by_number.get_mut(&k), &used));
                if let Some(i) = i {
                    ctx.push(
                        "T007",
                        Severity::Warning,
                        Some(index),
                        narratives[i].1,
                        format!(
                            "申报表 {}（第 {form_line} 行）的项目名称不在任何项目经费情况说明的项目概述开头，已按编号与项目经费情况说明 {}（第 {} 行）配对。请核对二者是否为同一项目。",
                            number.map(|n| n.to_string()).unwrap_or_default(),
                            narratives[i].0.map(|n| n.to_string()).unwrap_or_default(),
                            narratives[i].1
                        ),
                        format!(
                            "Form {} (line {form_line}): its project name begins no narrative's overview; paired by number with narrative {} (line {}). Check they are the same project.",
                            number.map(|n| n.to_string()).unwrap_or_default(),
                            narratives[i].0.map(|n| n.to_string()).unwrap_or_default(),
                            narratives[i].1
                        ),
                    );
                }
                i
            }
        };
        for (field, line) in f.lines {
            ctx.out.lines.insert(FieldPath::project(index, field), line);
        }
        for mut finding in f.findings {
            finding.location.file = file.to_string();
            finding.location.project = Some(index);
            ctx.out.findings.push(finding);
        }
        match paired {
            Some(i) => {
                used[i] = true;
                project.narrative = narratives[i].2.clone();
                for (s, line) in &narratives[i].3 {
                    ctx.out
                        .lines
                        .insert(FieldPath::project(index, ProjectField::Narrative(*s)), *line);
                }
                budget_lines(&mut ctx, index, &mut project);
            }
            None => ctx.push(
                "T006",
                Severity::Warning,
                Some(index),
                form_line,
                format!(
                    "申报表「{}」（第 {form_line} 行）没有对应的项目经费情况说明，该项目的七部分说明为空。",
                    name.as_deref().unwrap_or("")
                ),
                format!(
                    "Form \"{}\" (line {form_line}) has no 项目经费情况说明 (narrative); its seven sections are left empty.",
                    name.as_deref().unwrap_or("")
                ),
            ),
        }
        ctx.out.declaration.projects.push(project);
    }
    for (i, n) in narratives.iter().enumerate() {
        if !used[i] {
            ctx.push(
                "T005",
                Severity::Warning,
                None,
                n.1,
                format!(
                    "项目经费情况说明 {}（第 {} 行）没有对应的绩效目标申报表，没有金额与指标，未导入为项目。",
                    n.0.map(|n| n.to_string()).unwrap_or_default(),
                    n.1
                ),
                format!(
                    "Narrative {} (line {}) has no matching form: no amounts or indicators, so it is not imported as a project.",
                    n.0.map(|n| n.to_string()).unwrap_or_default(),
                    n.1
                ),
            );
        }
    }
    ctx.out.findings.sort_by_key(|f| f.location.project);
    ctx.out
}

type NarrativeBlock = (Option<u32>, usize, Narrative, BTreeMap<Section, usize>);

/// The first narrative in `queue` not yet paired (the paired ones are dropped on the way).
fn first_unused(queue: Option<&mut VecDeque<usize>>, used: &[bool]) -> Option<usize> {
    let q = queue?;
    while let Some(&i) = q.front() {
        if !used[i] {
            return Some(i);
        }
        q.pop_front();
    }
    None
}

/// The project a 项目概述 names at its start: `G60日常办公经费项目：…` → `G60日常办公经费`.
fn overview_name(overview: &str) -> Option<String> {
    let head = overview.split(['：', ':']).next()?;
    if head.len() == overview.len() {
        return None;
    }
    let name = head.strip_suffix("项目").unwrap_or(head);
    (!name.is_empty()).then(|| name.to_string())
}

enum Block {
    Narrative(Option<u32>),
    Form(Option<u32>),
}

struct Ctx<'a> {
    file: &'a str,
    out: Imported,
}

impl Ctx<'_> {
    fn push(
        &mut self,
        code: &str,
        severity: Severity,
        project: Option<usize>,
        line: usize,
        message: String,
        message_en: String,
    ) {
        self.out.findings.push(finding(
            code, severity, self.file, project, line, message, message_en,
        ));
    }
}

/// A finding of the import: the file, and the text line where the cell would be.
pub(crate) fn finding(
    code: &str,
    severity: Severity,
    file: &str,
    project: Option<usize>,
    line: usize,
    message: String,
    message_en: String,
) -> Finding {
    Finding {
        code: code.to_string(),
        severity,
        location: Location {
            file: file.to_string(),
            sheet: None,
            cell: Some(format!("第{line}行")),
            project,
        },
        message,
        message_en,
        expected: None,
        actual: None,
        waived: None,
    }
}

/// The cover: `单位 2024 年` in the title, and the paragraph with the count and the amount.
fn cover(ctx: &mut Ctx, lines: &[Line]) {
    let d = &mut ctx.out.declaration;
    if let Some(first) = lines.first() {
        let c = compact(&first.text);
        // The first 4-digit number followed by 年 is the year; before it, the unit.
        let chars: Vec<char> = c.chars().collect();
        let found = (0..chars.len().saturating_sub(4)).find(|&i| {
            chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
                && chars.get(i + 4) == Some(&'年')
                && (i == 0 || !chars[i - 1].is_ascii_digit())
        });
        if let Some(i) = found {
            let unit: String = chars[..i].iter().collect();
            if !unit.is_empty() {
                d.unit = Some(unit);
            }
            d.year = chars[i..i + 4].iter().collect::<String>().parse().ok();
            ctx.out
                .lines
                .insert(FieldPath::Cover(CoverField::Unit), first.no);
            ctx.out
                .lines
                .insert(FieldPath::Cover(CoverField::Year), first.no);
        }
    }
    let d = &mut ctx.out.declaration;
    if d.year.is_none() {
        let line = lines.first().map_or(1, |l| l.no);
        ctx.push(
            "T001",
            Severity::Warning,
            None,
            line,
            "文本开头找不到「单位名称 YYYY 年」标题，单位与预算年度留空。".into(),
            "No \"unit YYYY 年\" title at the start of the text: unit and year left empty.".into(),
        );
    }
    // The paragraph under 绩效目标设置情况 (or any paragraph holding 编报绩效目标的项目).
    let para_start = lines
        .iter()
        .position(|l| compact(&l.text).contains("绩效目标设置情况"))
        .map(|i| i + 1);
    let para: Vec<&Line> = match para_start {
        Some(s) => lines[s..].iter().collect(),
        None => lines
            .iter()
            .skip_while(|l| !compact(&l.text).contains("编报绩效目标"))
            .collect(),
    };
    let summary = join_text(&para, false);
    let line = para.first().map_or(1, |l| l.no);
    let d = &mut ctx.out.declaration;
    if !summary.is_empty() {
        d.summary_text = Some(summary.clone());
    }
    let count = summary.find("编报绩效目标的项目").and_then(|at| {
        let rest = &summary[at + "编报绩效目标的项目".len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        rest[digits.len()..]
            .starts_with('个')
            .then(|| digits.parse::<u32>().ok())
            .flatten()
    });
    let amount = summary.find("项目预算资金").and_then(|at| {
        let rest = &summary[at + "项目预算资金".len()..];
        let end = rest.find('元')?;
        parse_money_text(&rest[..end + '元'.len_utf8()]).ok()
    });
    d.stated_project_count = count;
    d.stated_total = amount.map(|p| StatedAmount::new(p.value, p.unit));
    if count.is_some() {
        ctx.out
            .lines
            .insert(FieldPath::Cover(CoverField::StatedCount), line);
    }
    if amount.is_some() {
        ctx.out
            .lines
            .insert(FieldPath::Cover(CoverField::StatedTotal), line);
    }
    if count.is_none() || amount.is_none() {
        ctx.push(
            "T002",
            Severity::Warning,
            None,
            line,
            "封面段落中找不到「编报绩效目标的项目N个，涉及项目预算资金X万元」，项目个数或金额留空。".into(),
            "The cover paragraph \"编报绩效目标的项目N个，涉及项目预算资金X万元\" was not found: the count or amount is left empty.".into(),
        );
    }
}

const SECTIONS: [(char, &str, Section); 7] = [
    ('一', "项目概述", Section::Overview),
    ('二', "立项依据", Section::Rationale),
    ('三', "实施主体", Section::ExecutingBody),
    ('四', "实施方案", Section::Plan),
    ('五', "实施周期", Section::Period),
    ('六', "年度预算安排", Section::Budget),
    ('七', "绩效目标", Section::Goals),
];

/// 项目经费情况说明: sections 一 to 七, each the text under its heading.
fn narrative(body: &[Line]) -> (Narrative, BTreeMap<Section, usize>) {
    let mut n = Narrative::default();
    let mut at = BTreeMap::new();
    let mut parts: Vec<(Section, usize, Vec<Line>)> = Vec::new();
    for l in body {
        let c = compact(&l.text);
        let heading = SECTIONS.iter().find(|(num, title, _)| {
            let mut chars = c.chars();
            chars.next() == Some(*num)
                && matches!(chars.next(), Some('、' | '.' | ','))
                && chars.as_str().starts_with(title)
        });
        if let Some((_, title, s)) = heading {
            // Text after the heading on the same line belongs to the section.
            let after = c.split_once(title).map(|x| x.1).unwrap_or("");
            let mut ls = Vec::new();
            if !after.is_empty() {
                ls.push(Line {
                    no: l.no,
                    text: after.to_string(),
                    page_start: false,
                });
            }
            parts.push((*s, l.no, ls));
        } else if let Some((_, _, ls)) = parts.last_mut() {
            ls.push(l.clone());
        }
    }
    for (s, line, ls) in parts {
        let refs: Vec<&Line> = ls.iter().collect();
        let t = join_text(&refs, true);
        let slot = match s {
            Section::Overview => &mut n.overview,
            Section::Rationale => &mut n.rationale,
            Section::ExecutingBody => &mut n.executing_body,
            Section::Plan => &mut n.plan,
            Section::Period => &mut n.period,
            Section::Budget => &mut n.budget,
            Section::Goals => &mut n.goals,
        };
        if !t.is_empty() {
            *slot = Some(t);
        }
        at.insert(s, line);
    }
    (n, at)
}

/// 六、年度预算安排 as budget lines, when the prose lists them plainly; otherwise none,
/// and a finding.
fn budget_lines(ctx: &mut Ctx, index: usize, project: &mut Project) {
    let Some(prose) = project.narrative.budget.clone() else {
        return;
    };
    let line = ctx
        .out
        .lines
        .get(&FieldPath::project(
            index,
            ProjectField::Narrative(Section::Budget),
        ))
        .copied()
        .unwrap_or(0);
    let months = whole_months(project.header.start, project.header.end);
    match budget_prose::parse(&prose, project.header.name.as_deref(), months) {
        Ok(lines) => {
            for (k, _) in lines.iter().enumerate() {
                ctx.out.lines.insert(
                    FieldPath::project(
                        index,
                        ProjectField::BudgetLine {
                            line: k,
                            column: crate::model::BudgetColumn::Amount,
                        },
                    ),
                    line,
                );
            }
            project.budget_lines = lines;
        }
        Err(why) => ctx.push(
            "T004",
            Severity::Warning,
            Some(index),
            line,
            format!(
                "项目「{}」的六、年度预算安排（第 {line} 行起）不是逐项「名称＋金额」的列举（{why}），未拆成预算明细行；原文保留在项目经费情况说明中。请在工作簿中补填明细。",
                project.header.name.as_deref().unwrap_or("")
            ),
            format!(
                "Project \"{}\": 六、年度预算安排 (from line {line}) is not a plain list of item and amount ({why}); no budget lines were made from it. The text is kept in the narrative; fill in the lines in the workbook.",
                project.header.name.as_deref().unwrap_or("")
            ),
        ),
    }
}

/// The project's length when it runs whole months within one calendar year (a monthly
/// rate in 六 then multiplies by it); `None` otherwise, so monthly rates stay prose.
fn whole_months(start: Option<Date>, end: Option<Date>) -> Option<u32> {
    let (start, end) = (start?, end?);
    let whole = start.day() == 1
        && end.day() == days_in_month(end.year(), end.month())
        && start.year() == end.year()
        && start.month() <= end.month();
    whole.then(|| u32::from(end.month() - start.month()) + 1)
}

/// Adds the text line to findings of a validation of the written workbook: each finding's
/// cell is looked up in the map of what was written where, and the field's line appended.
pub fn annotate(
    findings: &mut [Finding],
    written: &SourceMap,
    lines: &BTreeMap<FieldPath, usize>,
    input: &str,
) {
    let mut by_cell: BTreeMap<(String, String), FieldPath> = BTreeMap::new();
    for (path, src) in written.iter() {
        by_cell
            .entry((src.cell.sheet.clone(), src.cell.a1()))
            .or_insert(*path);
    }
    for f in findings {
        let (Some(sheet), Some(cell)) = (&f.location.sheet, &f.location.cell) else {
            continue;
        };
        let first = cell.split(':').next().unwrap_or(cell).to_string();
        let line = by_cell
            .get(&(sheet.clone(), first))
            .and_then(|p| lines.get(p));
        if let Some(line) = line {
            f.message
                .push_str(&format!("（原文 {input} 第 {line} 行）"));
            f.message_en
                .push_str(&format!(" (source {input}, line {line})"));
        }
    }
}

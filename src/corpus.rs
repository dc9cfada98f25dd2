//! A synthetic corpus of declaration workbooks, for tests and benchmarks of the rollup.
//!
//! Forms look like the seed (units of Shanghai districts, projects of every 类别, all four
//! 一级 indicator kinds, budget lines with 计算依据); a chosen share carry deliberate errors
//! that the validator reports with a known code; a few files are broken the ways real
//! submissions are (empty, cut off, a text file renamed, a workbook that is not the form).
//! Everything follows from the seed: the same [`Spec`] gives the same bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rust_decimal::Decimal;

use crate::model::{
    BudgetLine, Date, Declaration, Funds, Goals, Indicator, Money, MoneyUnit, Narrative, Project,
    ProjectHeader, StatedAmount, Target,
};
use crate::Error;

/// A tiny deterministic generator (splitmix64): enough for test data, no dependency.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Workbooks in all, broken ones included.
    pub files: usize,
    pub seed: u64,
    /// Share (0–1) of the readable forms that carry deliberate errors.
    pub error_share: f64,
    /// Broken files among `files`.
    pub broken: usize,
    /// Budget year of every form.
    pub year: i32,
    /// Projects per form, at least and at most.
    pub projects: (usize, usize),
    /// Indicators per project, at least and at most (at least 5).
    pub indicators: (usize, usize),
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            files: 50,
            seed: 2024,
            error_share: 0.2,
            broken: 3,
            year: 2024,
            projects: (1, 40),
            indicators: (5, 20),
        }
    }
}

/// A deliberate error, each reported by the validator with one finding of its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Planted {
    /// 财政资金 lowered: 项目资金总额 ≠ 财政资金 + 其他资金.
    FundIdentity,
    /// 当年财政拨款 raised: 年度资金申请总额 ≠ its parts.
    AnnualIdentity,
    /// A budget line off: the lines no longer add up to 年度资金申请总额.
    BudgetLines,
    /// The cover's total one 万元 too high.
    CoverTotal,
}

impl Planted {
    pub const ALL: [Planted; 4] = [
        Planted::FundIdentity,
        Planted::AnnualIdentity,
        Planted::BudgetLines,
        Planted::CoverTotal,
    ];

    /// The code the validator reports it with.
    pub fn code(self) -> &'static str {
        match self {
            Planted::FundIdentity => "F001",
            Planted::AnnualIdentity => "F002",
            Planted::BudgetLines => "B001",
            Planted::CoverTotal => "C001",
        }
    }
}

/// How a broken file is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broken {
    /// 0 bytes.
    Empty,
    /// The first half of a real workbook (a download cut off).
    TruncatedZip,
    /// CSV text saved with an .xlsx name.
    TextFile,
    /// A real workbook, but a sign-in sheet rather than the form.
    NotAForm,
}

impl Broken {
    const ALL: [Broken; 4] = [
        Broken::Empty,
        Broken::TruncatedZip,
        Broken::TextFile,
        Broken::NotAForm,
    ];
}

/// What one generated file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A declaration, with the errors planted in it (none for a clean one).
    Form {
        errors: Vec<Planted>,
    },
    Broken(Broken),
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Index in the plan; the file's model is [`declaration`]`(spec, index, errors)`.
    pub index: usize,
    /// Relative to the corpus folder: `松江区/00012-上海市松江区教育局.xlsx`.
    pub path: PathBuf,
    pub content: Content,
}

const DISTRICTS: [&str; 16] = [
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
];

/// 主管部门 and the kinds of unit under it.
const BUREAUS: [(&str, &[&str]); 12] = [
    ("教育局", &["中学", "小学", "幼儿园", "教育发展中心"]),
    (
        "卫生健康委员会",
        &["社区卫生服务中心", "疾病预防控制中心", "妇幼保健所"],
    ),
    ("科学技术委员会", &["科技创业中心", "科技情报所"]),
    ("科创发展办公室", &["科创服务中心"]),
    ("民政局", &["社会福利院", "救助管理站", "婚姻登记中心"]),
    ("文化和旅游局", &["图书馆", "文化馆", "博物馆"]),
    ("生态环境局", &["环境监测站", "生态环境执法大队"]),
    ("绿化和市容管理局", &["绿化管理所", "环境卫生管理所"]),
    ("体育局", &["体育中心", "青少年业余体校"]),
    (
        "农业农村委员会",
        &["农业技术推广中心", "动物疫病预防控制中心"],
    ),
    ("城市管理行政执法局", &["执法中队"]),
    ("商务委员会", &["投资促进服务中心"]),
];

const TOPICS: [&str; 24] = [
    "G60科创走廊",
    "营商环境优化",
    "社区综合服务",
    "智慧城市建设",
    "垃圾分类推进",
    "文化惠民",
    "科普教育",
    "养老服务",
    "河道保洁",
    "校园安全",
    "公共卫生应急",
    "体育赛事",
    "非遗保护",
    "产业要素对接",
    "科创要素对接",
    "政务服务一网通办",
    "人才引进",
    "乡村振兴",
    "绿地养护",
    "历史建筑保护",
    "数字化转型",
    "应急物资储备",
    "法治宣传",
    "消费帮扶",
];

/// 项目类别 and the kinds of project in it.
const KINDS: [(&str, &[&str]); 5] = [
    (
        "人员类",
        &["编外人员经费", "派驻干部费用", "专业人员培训费"],
    ),
    (
        "公用经费",
        &["水电能源费", "公务用车运行维护费", "物业管理费"],
    ),
    (
        "其他运转类",
        &[
            "日常办公经费",
            "信息系统运维费",
            "宣传经费",
            "会议及培训经费",
        ],
    ),
    (
        "特定目标类",
        &["专项活动经费", "专项扶持资金", "课题研究经费", "设备购置费"],
    ),
    ("基本建设类", &["场馆改造工程", "办公用房修缮工程"]),
];

const ONE_YEAR_NATURES: [&str; 4] = ["其他经常性项目", "经常性项目", "一次性项目", "延续性项目"];
const MULTI_YEAR_NATURES: [&str; 2] = ["跨年度项目", "阶段性项目"];

/// An indicator template: 一级, 二级, 三级, 指标值 (`{n}` a count, `{y}` the last year).
type IndicatorTemplate = (&'static str, &'static str, &'static str, &'static str);

const COST: [IndicatorTemplate; 3] = [
    ("成本指标", "经济成本指标", "控制相关成本", "有效"),
    ("成本指标", "经济成本指标", "控制在预算范围内", "完成"),
    ("成本指标", "经济成本指标", "预算执行率", "≥95.00(%)"),
];
const QUANTITY: [IndicatorTemplate; 7] = [
    ("产出指标", "数量指标", "举办活动场次", "≥{n}.00(场)"),
    ("产出指标", "数量指标", "服务企业数量", "≥{n}.00(家)"),
    ("产出指标", "数量指标", "培训人次", "≥{n}.00(人次)"),
    ("产出指标", "数量指标", "发放宣传资料", "≥{n}.00(份)"),
    ("产出指标", "数量指标", "完成巡查次数", "≥{n}.00(次)"),
    ("产出指标", "数量指标", "设备购置数量", "={n}.00(台)"),
    ("产出指标", "数量指标", "覆盖社区个数", "≥{n}.00(个)"),
];
const TIMELINESS: [IndicatorTemplate; 3] = [
    ("产出指标", "时效指标", "项目完成时间", "{y}年12月31日前"),
    ("产出指标", "时效指标", "及时完成各项工作", "及时"),
    ("产出指标", "时效指标", "按期完成率", "=100.00(%)"),
];
const BENEFIT: [IndicatorTemplate; 7] = [
    ("效益指标", "社会效益指标", "提升公共服务水平", "有效"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥80.00(%)"),
    ("效益指标", "经济效益指标", "带动社会投资", "≥{n}.00(万元)"),
    ("效益指标", "经济效益指标", "降低企业商务成本", "有效"),
    ("效益指标", "生态效益指标", "改善区域环境质量", "有效"),
    ("效益指标", "可持续影响指标", "建立长效管理机制", "完成"),
    ("效益指标", "可持续影响指标", "提升平台影响力", "完成"),
];
const SATISFACTION: [IndicatorTemplate; 3] = [
    (
        "满意度指标",
        "服务对象满意度指标",
        "服务对象满意度",
        "≥85.00(%)",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "相关方满意度",
        "≥90.00(%)",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "企业满意度",
        "≥85.00(%)",
    ),
];
const QUALITY: [IndicatorTemplate; 4] = [
    ("产出指标", "质量指标", "验收合格率", "=100.00(%)"),
    ("产出指标", "质量指标", "工作完成质量", "优"),
    ("产出指标", "质量指标", "资料归档完整率", "≥98.00(%)"),
    ("产出指标", "质量指标", "服务达标率", "≥95.00(%)"),
];

/// Budget line items.
const ITEMS: [&str; 12] = [
    "办公室保洁服务",
    "绿植养护",
    "水电费",
    "电信电话费",
    "物料采购（办公用品等）",
    "公务接待",
    "租车费用",
    "差旅费",
    "专家咨询费",
    "场地租赁费",
    "宣传品制作",
    "系统运维服务",
];

fn file_rng(seed: u64, index: usize) -> SplitMix64 {
    // Mixing through one draw keeps neighbouring indices' streams unrelated.
    let mut r = SplitMix64::new(seed ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    r.next_u64();
    r
}

fn chinese_number(n: u64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        _ => format!(
            "{}十{}",
            D[(n / 10 % 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
    }
}

/// Who declares file `index`: (district, unit, 主管部门).
fn who(rng: &mut SplitMix64) -> (&'static str, String, String) {
    let district = *rng.pick(&DISTRICTS);
    let (bureau, subs) = *rng.pick(&BUREAUS);
    let department = format!("上海市{district}{bureau}");
    let unit = if rng.chance(0.3) {
        department.clone()
    } else {
        let sub = rng.pick(subs);
        let short = district.trim_end_matches('区').trim_end_matches("新");
        if matches!(*sub, "中学" | "小学" | "幼儿园" | "执法中队") {
            format!("上海市{short}区第{}{sub}", chinese_number(rng.range(1, 30)))
        } else {
            format!("上海市{district}{sub}")
        }
    };
    (district, unit, department)
}

/// The plan of the corpus: which file is which, with its path, without writing anything.
/// Entries come in index order; broken files and the files with errors are spread by the
/// seed.
pub fn plan(spec: &Spec) -> Vec<Entry> {
    let mut order: Vec<usize> = (0..spec.files).collect();
    let mut rng = SplitMix64::new(spec.seed);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let broken = spec.broken.min(spec.files);
    let forms = spec.files - broken;
    let with_errors = ((forms as f64) * spec.error_share.clamp(0.0, 1.0)).round() as usize;
    let mut content: Vec<Option<Content>> = vec![None; spec.files];
    for (k, &i) in order.iter().enumerate() {
        content[i] = Some(if k < broken {
            Content::Broken(Broken::ALL[k % Broken::ALL.len()])
        } else if k < broken + with_errors {
            let mut r = file_rng(spec.seed ^ 0xE77, i);
            let first = *r.pick(&Planted::ALL);
            let mut errors = vec![first];
            if r.chance(0.3) {
                let second = *r.pick(&Planted::ALL);
                if second != first {
                    errors.push(second);
                }
            }
            errors.sort();
            Content::Form { errors }
        } else {
            Content::Form { errors: Vec::new() }
        });
    }
    content
        .into_iter()
        .enumerate()
        .map(|(index, c)| {
            let mut rng = file_rng(spec.seed, index);
            let (district, unit, _) = who(&mut rng);
            Entry {
                index,
                path: PathBuf::from(district).join(format!("{index:05}-{unit}.xlsx")),
                content: c.unwrap_or(Content::Form { errors: Vec::new() }),
            }
        })
        .collect()
}

fn yuan(n: u64) -> Money {
    Money::from_yuan(Decimal::from(n))
}

fn indicator(t: &IndicatorTemplate, rng: &mut SplitMix64, last_year: i32) -> Indicator {
    let n = [5, 10, 12, 20, 50, 100, 200, 500, 1000][rng.below(9) as usize];
    let value =
        t.3.replace("{n}", &n.to_string())
            .replace("{y}", &last_year.to_string());
    Indicator {
        level1: Some(t.0.into()),
        level2: Some(t.1.into()),
        name: Some(t.2.into()),
        target: Some(Target::parse(&value)),
        ..Indicator::default()
    }
}

fn project(
    rng: &mut SplitMix64,
    spec: &Spec,
    unit: &str,
    department: &str,
    used: &mut Vec<String>,
) -> Project {
    let year = spec.year;
    let (category, kinds) = *rng.pick(&KINDS);
    let topic = *rng.pick(&TOPICS);
    let mut name = format!("{topic}{}", rng.pick(kinds));
    // Names are unique within a declaration, as C007 asks.
    let mut phase = 2;
    while used.contains(&name) {
        name = format!("{topic}{}（{}期）", rng.pick(kinds), chinese_number(phase));
        phase += 1;
    }
    used.push(name.clone());
    let multi_year = rng.chance(0.15);
    let nature = if multi_year {
        *rng.pick(&MULTI_YEAR_NATURES)
    } else {
        *rng.pick(&ONE_YEAR_NATURES)
    };
    let last_year = if multi_year { year + 1 } else { year };
    let start = Date::new(year, 1, 1);
    let end = Date::new(last_year, 12, 31);

    // Budget lines: some worked out from a monthly or per-person figure, some lump sums;
    // all whole hundreds of 元, so the cover in 万元 states them exactly.
    let mut lines = Vec::new();
    let mut items: Vec<&str> = ITEMS.to_vec();
    for _ in 0..rng.range(1, 4) {
        let item = items.remove(rng.below(items.len() as u64) as usize);
        let (basis, amount) = match rng.below(3) {
            0 => {
                let monthly = rng.range(10, 500) * 100;
                (Some(format!("{monthly}元/月×12月")), monthly * 12)
            }
            1 => {
                let people = rng.range(2, 60);
                let each = rng.range(5, 300) * 100;
                (Some(format!("{people}人×{each}元/人/年")), people * each)
            }
            _ => (None, rng.range(50, 20_000) * 100),
        };
        lines.push(BudgetLine {
            item: Some(item.into()),
            basis,
            amount: Some(yuan(amount)),
            note: None,
        });
    }
    let annual: u64 = lines
        .iter()
        .filter_map(|l| l.amount)
        .map(|m| m.yuan().try_into().unwrap_or(0u64))
        .sum();
    let carryover = if rng.chance(0.1) {
        annual / 400 * 100
    } else {
        0
    };
    let other = if rng.chance(0.05) {
        annual / 500 * 100
    } else {
        0
    };
    let later_years = if multi_year {
        rng.range(1, 100) * 10_000
    } else {
        0
    };
    let total = annual + later_years;
    let funds = Funds {
        total: Some(yuan(total)),
        fiscal: Some(yuan(total - other)),
        other: (other > 0).then(|| yuan(other)),
        annual_total: Some(yuan(annual)),
        annual_appropriation: Some(yuan(annual - carryover - other)),
        annual_carryover: Some(yuan(carryover)),
        annual_other: Some(yuan(other)),
    };

    let count = rng.range(
        spec.indicators.0.max(5) as u64,
        spec.indicators.1.max(5) as u64,
    );
    let mut chosen: Vec<&IndicatorTemplate> = vec![
        rng.pick(&COST),
        rng.pick(&QUANTITY),
        rng.pick(&TIMELINESS),
        rng.pick(&BENEFIT),
        rng.pick(&SATISFACTION),
    ];
    let pools: [&[IndicatorTemplate]; 6] = [
        &COST,
        &QUANTITY,
        &QUALITY,
        &TIMELINESS,
        &BENEFIT,
        &SATISFACTION,
    ];
    let available: usize = pools.iter().map(|p| p.len()).sum();
    while (chosen.len() as u64) < count && chosen.len() < available {
        let pool = pools[rng.below(pools.len() as u64) as usize];
        let t = rng.pick(pool);
        if !chosen.iter().any(|c| std::ptr::eq(*c, t)) {
            chosen.push(t);
        }
    }
    // In framework order, as people fill the form.
    let rank = |t: &IndicatorTemplate| {
        ["成本指标", "产出指标", "效益指标", "满意度指标"]
            .iter()
            .position(|l| *l == t.0)
    };
    chosen.sort_by_key(|t| rank(t));
    let indicators = chosen
        .iter()
        .map(|t| indicator(t, rng, last_year))
        .collect();

    Project {
        header: ProjectHeader {
            name: Some(name.clone()),
            nature: Some(nature.into()),
            category: Some(category.into()),
            department: Some(department.into()),
            implementer: Some(unit.into()),
            start,
            end,
        },
        funds,
        narrative: Narrative {
            overview: Some(format!(
                "{name}项目：围绕{topic}开展相关工作，保障年度任务完成。"
            )),
            rationale: Some(format!("根据{department}年度工作要点及相关文件要求。")),
            executing_body: Some(format!("{unit}。")),
            plan: Some("按照单位内控要求，结合年度工作计划，合理合规使用经费。".into()),
            period: Some(format!("{year}年1月1日至{last_year}年12月31日")),
            budget: Some("详见年度预算安排明细。".into()),
            goals: Some("详见单位的项目绩效目标表".into()),
        },
        budget_lines: lines,
        goals: Goals {
            overall: Some(format!("推进{topic}工作，提升服务质量与实效。")),
            annual: Some(format!("完成{year}年度{name}各项任务目标。")),
        },
        indicators,
    }
}

/// The model of the form at `index`, with `errors` planted in it.
pub fn declaration(spec: &Spec, index: usize, errors: &[Planted]) -> Declaration {
    let mut rng = file_rng(spec.seed, index);
    let (_, unit, department) = who(&mut rng);
    let n = rng.range(
        spec.projects.0.max(1) as u64,
        spec.projects.1.max(spec.projects.0).max(1) as u64,
    ) as usize;
    let mut used = Vec::new();
    let projects: Vec<Project> = (0..n)
        .map(|_| project(&mut rng, spec, &unit, &department, &mut used))
        .collect();
    let mut decl = Declaration {
        unit: Some(unit),
        year: Some(spec.year),
        stated_total: None,
        stated_project_count: Some(n as u32),
        summary_text: None,
        projects,
    };
    // Generated amounts are small: their sum cannot leave Decimal's range.
    let total = decl.projects_total().unwrap_or_default();
    decl.stated_total = Some(StatedAmount::new(total.wan(), MoneyUnit::Wan));
    decl.summary_text = Some(format!(
        "按照本市预算绩效管理工作的总体要求，本单位开展了{}年项目预算绩效目标编报工作，编报绩效目标的项目{n}个，涉及项目预算资金{}。",
        spec.year,
        total.wan_string()
    ));
    for e in errors {
        let p = rng.below(n as u64) as usize;
        let project = &mut decl.projects[p];
        match e {
            Planted::FundIdentity => {
                project.funds.fiscal = project
                    .funds
                    .fiscal
                    .map(|m| Money::from_yuan(m.yuan() + Decimal::from(1_000)));
            }
            Planted::AnnualIdentity => {
                project.funds.annual_appropriation = project
                    .funds
                    .annual_appropriation
                    .map(|m| Money::from_yuan(m.yuan() + Decimal::from(500)));
            }
            Planted::BudgetLines => {
                if let Some(line) = project.budget_lines.last_mut() {
                    line.basis = None;
                    line.amount = line
                        .amount
                        .map(|m| Money::from_yuan(m.yuan() + Decimal::from(300)));
                }
            }
            Planted::CoverTotal => {
                decl.stated_total = Some(StatedAmount::new(
                    total.wan() + Decimal::ONE,
                    MoneyUnit::Wan,
                ));
            }
        }
    }
    decl
}

/// The bytes of a broken file.
fn broken_bytes(how: Broken, spec: &Spec) -> Result<Vec<u8>, Error> {
    let build_err = |e: rust_xlsxwriter::XlsxError| Error::Write {
        file: "corpus".into(),
        reason: e.to_string(),
    };
    Ok(match how {
        Broken::Empty => Vec::new(),
        Broken::TruncatedZip => {
            let small = Spec {
                projects: (2, 2),
                ..spec.clone()
            };
            let decl = declaration(&small, usize::MAX, &[]);
            let (mut wb, _) = crate::write::build_workbook(
                &decl,
                &crate::write::WriteOptions::default(),
                "corpus",
            )
            .map_err(build_err)?;
            let mut bytes = wb.save_to_buffer().map_err(build_err)?;
            bytes.truncate(bytes.len() / 2);
            bytes
        }
        Broken::TextFile => "单位名称,项目名称,项目资金总额\r\n某单位,某项目,100000.00\r\n"
            .as_bytes()
            .to_vec(),
        Broken::NotAForm => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name("签到表").map_err(build_err)?;
            for (c, h) in ["序号", "姓名", "部门", "签到时间"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).map_err(build_err)?;
            }
            ws.write_number(1, 0, 1).map_err(build_err)?;
            ws.write_string(1, 1, "张三").map_err(build_err)?;
            wb.save_to_buffer().map_err(build_err)?
        }
    })
}

/// Writes the corpus into `dir` (created if need be) on `jobs` threads; returns the plan.
/// Files are written with [`crate::write::build_workbook`], the writer behind
/// `write_workbook`, without its per-file fsync: a corpus is scratch data.
pub fn generate(dir: &Path, spec: &Spec, jobs: usize) -> Result<Vec<Entry>, Error> {
    let entries = plan(spec);
    let out_err = |p: &Path, e: std::io::Error| Error::Output {
        file: p.display().to_string(),
        reason: e.to_string(),
    };
    for e in &entries {
        if let Some(parent) = e.path.parent() {
            let d = dir.join(parent);
            std::fs::create_dir_all(&d).map_err(|err| out_err(&d, err))?;
        }
    }
    let next = AtomicUsize::new(0);
    let write_one = |e: &Entry| -> Result<(), Error> {
        let path = dir.join(&e.path);
        let name = path.display().to_string();
        let bytes = match &e.content {
            Content::Broken(how) => broken_bytes(*how, spec)?,
            Content::Form { errors } => {
                let decl = declaration(spec, e.index, errors);
                let (mut wb, _) = crate::write::build_workbook(
                    &decl,
                    &crate::write::WriteOptions::default(),
                    &name,
                )
                .map_err(|err| Error::Write {
                    file: name.clone(),
                    reason: err.to_string(),
                })?;
                wb.save_to_buffer().map_err(|err| Error::Write {
                    file: name.clone(),
                    reason: err.to_string(),
                })?
            }
        };
        std::fs::write(&path, bytes).map_err(|err| out_err(&path, err))
    };
    let results: Vec<Result<(), Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs.max(1))
            .map(|_| {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(e) = entries.get(i) else {
                        return Ok(());
                    };
                    write_one(e)?;
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for r in results {
        r?;
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_deterministic_and_has_the_shares_asked_for() {
        let spec = Spec {
            files: 40,
            broken: 4,
            error_share: 0.25,
            ..Spec::default()
        };
        let a = plan(&spec);
        assert_eq!(a, plan(&spec));
        let broken = a
            .iter()
            .filter(|e| matches!(e.content, Content::Broken(_)))
            .count();
        let with_errors = a
            .iter()
            .filter(|e| matches!(&e.content, Content::Form { errors } if !errors.is_empty()))
            .count();
        assert_eq!((broken, with_errors), (4, 9));
        assert_ne!(
            plan(&Spec {
                seed: 7,
                ..spec.clone()
            }),
            a
        );
    }

    #[test]
    fn clean_forms_validate_clean_and_planted_errors_give_their_codes() {
        let spec = Spec::default();
        for index in 0..200 {
            let decl = declaration(&spec, index, &[]);
            assert!((1..=40).contains(&decl.projects.len()));
            let findings =
                crate::validate::validate(&decl, &crate::model::SourceMap::new("x.xlsx"));
            assert!(findings.is_empty(), "{index}: {findings:#?}");
            if index >= 20 {
                continue;
            }
            for p in Planted::ALL {
                let decl = declaration(&spec, index, &[p]);
                let findings =
                    crate::validate::validate(&decl, &crate::model::SourceMap::new("x.xlsx"));
                let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
                assert_eq!(codes, [p.code()], "{index} {p:?}");
            }
        }
    }

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese_number(3), "三");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(17), "十七");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(29), "二十九");
    }
}

//! The seed form (上海市松江区科创发展办公室 2024, the published text behind the sample), typed by hand from
//! its text, and the exact findings the validator must raise on it.
//!
//! Budget lines follow 六、年度预算安排 of each project; where the text gives a rate
//! ("每月 1900 元") the basis is written as the year's product ("1900元/月×12月").

use jixiao::model::{
    BudgetLine, Date, Declaration, Funds, Goals, Indicator, Money, MoneyUnit, Narrative, Project,
    ProjectHeader, Severity, SourceMap, StatedAmount, Target,
};
use jixiao::validate::report::{exit_code, render_text, FileReport, Lang};
use jixiao::validate::validate;

fn yuan(s: &str) -> Money {
    s.parse().unwrap()
}

fn ind(l1: &str, l2: &str, name: &str, value: &str) -> Indicator {
    Indicator {
        level1: Some(l1.into()),
        level2: Some(l2.into()),
        name: Some(name.into()),
        target: Some(Target::parse(value)),
        ..Indicator::default()
    }
}

fn line(item: &str, basis: Option<&str>, amount: Option<&str>) -> BudgetLine {
    BudgetLine {
        item: Some(item.into()),
        basis: basis.map(Into::into),
        amount: amount.map(yuan),
        note: None,
    }
}

fn monthly(item: &str, per_month: &str) -> BudgetLine {
    let amount = yuan(per_month).yuan() * rust_decimal::Decimal::from(12);
    line(
        item,
        Some(&format!("{per_month}元/月×12月")),
        Some(&amount.to_string()),
    )
}

const UNIT: &str = "上海市松江区科创发展办公室";

/// A 2024 其他经常性项目 of the seed: one-sided funds, all from the year's appropriation.
fn project(
    name: &str,
    amount: &str,
    period: &str,
    lines: Vec<BudgetLine>,
    goals: (&str, &str),
    indicators: Vec<Indicator>,
) -> Project {
    let m = yuan(amount);
    Project {
        header: ProjectHeader {
            name: Some(name.into()),
            nature: Some("其他经常性项目".into()),
            category: Some("其他运转类".into()),
            department: Some(UNIT.into()),
            implementer: Some(UNIT.into()),
            start: Some(Date::new(2024, 1, 1).unwrap()),
            end: Some(Date::new(2024, 12, 31).unwrap()),
        },
        funds: Funds {
            total: Some(m),
            fiscal: Some(m),
            other: None,
            annual_total: Some(m),
            annual_appropriation: Some(m),
            annual_carryover: Some(Money::ZERO),
            annual_other: Some(Money::ZERO),
        },
        narrative: Narrative {
            period: Some(period.into()),
            ..Narrative::default()
        },
        budget_lines: lines,
        goals: Goals {
            overall: Some(goals.0.into()),
            annual: Some(goals.1.into()),
        },
        indicators,
    }
}

const MONTHS: &str = " 2024 年 1 月至 2024 年 12 月 ";
const SATISFIED: &str = "≥85.00(%)";

fn seed() -> Declaration {
    let p1 = project(
        "G60日常办公经费",
        "1000000",
        " 2024 年 1 月 1日至 2024 年 12 月 31日 ",
        vec![
            monthly("办公室保洁服务", "8500"),
            monthly("办公室绿植养护", "1900"),
            monthly("办公室水电费", "8000"),
            monthly("电信电话费", "2000"),
            monthly("EMS费用、挂号信、机要通道邮寄费", "2000"),
            monthly("物料采购（办公用品等）", "6000"),
            line("档案用品采购费、档案数字化制作费用", Some("全年 1 万（估）"), Some("10000")),
            monthly("公务接待", "5000"),
            monthly("租车费用", "8000"),
            monthly("市内市外差旅费", "13000"),
            line("采购台式计算机", Some("48000 元（估）：通过电子集市采购"), Some("48000")),
            line("办公室 IT 服务保障", None, Some("30000")),
            line("其他办公室后勤保障", None, None),
        ],
        (
            "区科创发展办与长三角 G60 联席办合署办公，由G60 科创走廊九城市共派干部，承担加快推进长三角 G60科创走廊建设，加强九城市跨区域合作，推进长三角更高质量发展。",
            "区科创发展办与长三角 G60 科创走廊联席会议办公室合署办公，由长三角 G60科创走廊九城市共派干部，承担加快推进长三角 G60科创走廊建设，加强九城市跨区域合作，推进长三角更高质量发展的重要任务。",
        ),
        vec![
            ind("成本指标", "经济成本\n指标", "控制相关成本", "有效"),
            ind("产出指标", "数量指标", "完成 2024年 G60科创走廊年度工作计划和\n各项任务目标", "=100.00(%)"),
            ind("产出指标", "质量指标", "推进长三角 G60科创走廊更高质量发展", "=100.00(%)"),
            ind("产出指标", "时效指标", "及时完成各项工作", "及时"),
            ind("效益指标", "生态效益\n指标", "加强九城市跨区域合作，推进长三角高质\n量一体化发展", "完成"),
            ind("满意度指\n标", "服务对象满\n意度指标", "相关方满意度", SATISFIED),
        ],
    );
    let p2 = project(
        "优化营商环境",
        "200000",
        MONTHS,
        vec![line(
            "优化营商环境：推进九城市一网通办项目、举办质量标准论坛活动等",
            None,
            Some("200000"),
        )],
        (
            "2.贯彻落实习近平总书记在2018年首届中国国际进口博览会开幕式上关于“支持长江三角洲区域一体化发展并上升为国家战略”的指示精神，积极探索异地通办服务；4.依据《长三角 G60 科创走廊加强协同创新持续优化营商环境行动方案（2023-2025\n年）》，开展优化营商环境系列工作举措。",
            "2.贯彻落实习近平总书记\n在 2018 年首届中国国际进口博览会开幕式上关于“支持长江三角洲区域一体化发展并上升为国家战略”的指示精神；4.依据《长三角 G60 科创走廊加强协同创新持续优化营商环境行动方案（2023-2025 年）》，开展优化营商环境系列工作举措。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "控制在预算范围内", "有效"),
            ind("产出指标", "数量指标", "九城市提供异地牌照办理", "≥1000.00(次)"),
            ind("产出指标", "数量指标", "年度举办活动次数", "≥3.00(次)"),
            ind("产出指标", "质量指标", "提升九城市服务质量水平，有力支撑“三先走廊”建设", "完成"),
            ind("产出指标", "时效指标", "及时组织各类活动，确保参加对象参与率", "完成"),
            ind("产出指标", "时效指标", "项目完成时间", "2024年 12月 31日前"),
            ind("效益指标", "经济效益指标", "提升九城市服务质量水平，有力支撑“三先走廊”建设", "完成"),
            ind("效益指标", "经济效益指标", "促进九城市企业跨境出海", "完成"),
            ind("效益指标", "社会效益指标", "提升政务服务水平，有效降低企业商务成本", "完成"),
            ind("效益指标", "生态效益指标", "构建市场化、法治化、国际化一流营商环境", "完成"),
            ind("满意度指标", "服务对象满意度指标", "相关方满意度", SATISFIED),
        ],
    );
    let p3 = project(
        "产业要素对接",
        "900000",
        MONTHS,
        vec![line(
            "举办跨区域产业协同创新和要素对接相关活动",
            None,
            Some("900000"),
        )],
        (
            "召开 G60 产业联盟成员单位座谈会，成员单位联合开展技术攻关等交流活动。",
            "召开 G60产业联盟成员单位座谈会，成员单位联合开展技术攻关等交流活动。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "有效控制成本", "有效"),
            ind(
                "产出指标",
                "数量指标",
                "产业联盟、产业合作示范园区相关活动",
                "≥10.00(次)",
            ),
            ind(
                "产出指标",
                "质量指标",
                "推动产业链供应链高水平合作",
                "≥10.00(项)",
            ),
            ind("产出指标", "时效指标", "项目完成时间", "2024年 12月 31日前"),
            ind(
                "效益指标",
                "社会效益指标",
                "推动关键核心技术联合攻关，推进产业联盟成员产业链上下游合作",
                "完成",
            ),
            ind(
                "效益指标",
                "可持续影响指标",
                "提升 G60及产业联盟平台的影响力",
                "完成",
            ),
            ind("满意度指标", "服务对象满意度指标", "各方满意度", SATISFIED),
        ],
    );
    let p4 = project(
        "科创要素对接",
        "1500000",
        MONTHS,
        vec![
            line("G60 科创云运营", Some("75 万"), Some("750000")),
            line("G60科技成果拍卖会", Some("40 万"), Some("400000")),
            line("创新资源跨区域推进工作", Some("35 万"), Some("350000")),
        ],
        (
            "1.组织专家调研第二批科技成果转移转化示范基地。2.G60 科创云平台顺利升级上线。",
            "1.组织专家调研第二批科技成果转移转化示范基地。2.G60科创云平台顺利升级上线。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "控制在预算范围内", "完成"),
            ind(
                "产出指标",
                "数量指标",
                "“G60科创云”浏览量",
                "≥400000.00(次)",
            ),
            ind(
                "产出指标",
                "数量指标",
                "路演中心联合体路演场数",
                "≥12.00(次)",
            ),
            ind("产出指标", "质量指标", "服务企业主体、激发创新活力", "完成"),
            ind(
                "产出指标",
                "时效指标",
                "及时组织各类活动，确保参加对象参与率。",
                "完成",
            ),
            ind("产出指标", "时效指标", "项目完成时间", "2024年 12月 31日前"),
            ind(
                "效益指标",
                "社会效益指标",
                "扩大长三角 G60科创走廊知名度与美誉度",
                "完成",
            ),
            ind(
                "效益指标",
                "生态效益指标",
                "提升科技成果转移转化的质量",
                "完成",
            ),
            ind(
                "满意度指标",
                "服务对象满意度指标",
                "相关方满意度",
                SATISFIED,
            ),
        ],
    );
    let p5 = project(
        "派驻干部费用",
        "1838600",
        MONTHS,
        vec![line(
            "八城市派驻干部生活补贴及住房费用",
            Some("183.86 万元"),
            Some("1838600"),
        )],
        (
            "由九城市共派干部，加快推进 G60科创走廊建设发展，推动九城市跨区域合作，推动长三角高质量一体化发展。",
            "由九城市共派干部、共谋成效，加快推进 G60 科创走廊建设发展，推动九城市跨区域合作，推动长三角高质量一体化发展。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "有效控制成本", "有效"),
            ind("产出指标", "数量指标", "完成2023年G60科创走廊年度工作计划和各项\n任务目标", "=100.00(%)"),
            ind("产出指标", "质量指标", "推进各项工作高质量完成", "=100.00(%)"),
            ind("产出指标", "时效指标", "项目完成时间", "2024年 12月 31日前"),
            ind("效益指标", "社会效益指标", "加强九城市跨区域合作，推进长三角更高质量一体化发展", "完成"),
            ind("满意度指标", "服务对象满意度指标", "相关方满意", SATISFIED),
        ],
    );
    let p6 = project(
        "展示馆物业管理、能源费、水电费",
        "1100000",
        MONTHS,
        vec![
            line(
                "展示馆物业管理、保洁保安费",
                Some("1469平方米×16元/平/月×12月+3.1524万元/月×12月"),
                Some("660400"),
            ),
            line(
                "展示馆能源费、水电费",
                Some("1469平方米×9元/平/月×12月+1.5万元/月×12月"),
                Some("339600"),
            ),
        ],
        (
            "保障 G60规划展示馆接待运行所产生的物业管理、能源和水电费用支出。",
            "保障 G60规划展示馆接待运行所产生的物业管理、能源和水电费用支出。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "有效控制成本", "有效"),
            ind(
                "产出指标",
                "数量指标",
                "完成 100场以上的接待",
                "≥100.00(场)",
            ),
            ind("产出指标", "质量指标", "高质量做好接待工作", "优"),
            ind("产出指标", "时效指标", "工作开展及时性", "及时"),
            ind("效益指标", "社会效益指标", "对 G60科创走廊宣传效果", "有效"),
            ind(
                "满意度指标",
                "服务对象满意度指标",
                "相关方满意度",
                SATISFIED,
            ),
        ],
    );
    let p7 = project(
        "展示馆运维费",
        "2100000",
        MONTHS,
        vec![
            line(
                "政府采购第三方运营管理",
                Some("按照招标合同签订金额据实结算"),
                Some("1800000"),
            ),
            line("物资购买、展项更新、财务监理费用等", None, Some("300000")),
        ],
        (
            "1.长三角 G60 科创走廊规划展示馆贯彻落实习近平总书记关于长三角一体化发展的系列指示批示精神。",
            "1.长三角 G60 科创走廊规划展示馆贯彻落实习近平总书记关于长三角一体化发展的系列指示批示精神。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "有效控制成本", "有效"),
            ind("产出指标", "数量指标", "完成 100场以上的接待", "≥100.00(家)"),
            ind("产出指标", "质量指标", "高质量做好接待工作", "优"),
            ind("产出指标", "时效指标", "工作开展及时性", "及时"),
            ind("效益指标", "社会效益指标", "对 G60科创走廊宣传效果", "及时"),
            ind("满意度指标", "服务对象满意度指标", "相关方满意度", SATISFIED),
        ],
    );
    let p8 = project(
        "重大活动经费",
        "8000000",
        MONTHS,
        vec![line("G60 重大会议活动、G60 产学研用要素对接相关会议和活动等", None, Some("8000000"))],
        (
            "组织召开长三角 G60科创走廊科创生态建设大会、中国国际进口博览会 G60 高质量发展要素对接活动等。",
            "组织召开长三角 G60 科创走廊科创生态建设大会、中国国际进口博览会 G60 高质量发展要素对接活动等。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "有效控制成本", "有效"),
            ind("产出指标", "数量指标", "召开会议次数", "≥3.00(次)"),
            ind("产出指标", "质量指标", "推动产业链实质性合作和项目高质量完成", "完成"),
            ind("产出指标", "时效指标", "项目完成时间", "2024年 12月 31日前"),
            ind("效益指标", "社会效益指标", "加强九城市合作，推动 G60 科创走廊高质量发展", "完成"),
            ind("效益指标", "可持续影响指标", "提升 G60 科创走廊影响力", "完成"),
            ind("满意度指标", "服务对象满意度指标", "相关服务对象满意", SATISFIED),
        ],
    );
    let p9 = project(
        "G60宣贯",
        "400000",
        MONTHS,
        vec![
            line("宣贯党的二十大精神系列活动", None, Some("350000")),
            line("G60 宣传资料、手册设计、制作", None, Some("50000")),
        ],
        (
            "1.组织开展宣传贯彻党的二十大主题活动； 2.设计、制作一批 G60 宣传资料、手册，提升 G60科创走廊宣传引导能力。",
            "1.组织开展宣传贯彻党的二十大主题活动； 2.设计、制作一批 G60 宣传资料、手册，提升 G60科创走廊宣传引导能力。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "每场活动成本控制", "≤2.00(万)"),
            ind("产出指标", "数量指标", "贯彻落实党的二十大精神主题活动不少\n于 5次", "≥5.00(次)"),
            ind("产出指标", "质量指标", "活动策划注重形式创新，提升活动影响力", "完成"),
            ind("产出指标", "时效指标", "及时完成各项工作", "2024年底前"),
            ind("效益指标", "社会效益指\n标", "深入学习贯彻党的二十大精神，提升担当意识，以更强的责任心投身 G60建设", "完成"),
            ind("效益指标", "可持续影响\n指标", "提升 G60科创走廊影响力", "完成"),
            ind("满意度指标", "服务对象满意\n度指标", "相关方满意度", "≥90.00(%)"),
        ],
    );
    let p10 = project(
        "宣传阵地建设",
        "400000",
        MONTHS,
        vec![
            line("长三角 G60 科创走廊线上宣传推广", None, Some("200000")),
            line("G60 视频号运维", None, Some("130000")),
            line("G60 科创走廊国际形象与影响力分析", None, Some("70000")),
        ],
        (
            "1.营造全社会关注支持推动 G60科创走廊建设的浓厚氛围； 2.彰显 G60品牌效应和资源集聚能力； 3.构建全方位、多层次、立体化 G60宣传格局。",
            "1.营造全社会关注支持推动 G60 科创走廊建设的浓厚氛围； 2.彰显 G60品牌效应和资源集聚能力； 3.构建全方位、多层次、立体化 G60 宣传格局。",
        ),
        vec![
            ind("成本指标", "经济成本指标", "成本有效控制", "有效"),
            ind("产出指标", "数量指标", "线上宣传推广长三角G60科创走廊10次以上", "≥10.00(次)"),
            ind("产出指标", "质量指标", "推进长三角 G60 科创走廊宣传阵地建设", "完成"),
            ind("产出指标", "时效指标", "注重信息报送、新闻报道、官微及官网更新及时性", "完成"),
            ind("效益指标", "社会效益指标", "提升社会各界对 G60科创走廊建设的认知度和认可度，通过宣传阵地建设提升 G60品牌效应和资源聚集能力", "完成"),
            ind("效益指标", "可持续影响指标", "进一步提升 G60科创走廊影响力", "完成"),
            ind("满意度指\n标", "服务对象满意度\n指标", "各方满意度", SATISFIED),
        ],
    );
    Declaration {
        unit: Some(UNIT.into()),
        year: Some(2024),
        stated_total: Some(StatedAmount::new(
            "1743.86".parse().unwrap(),
            MoneyUnit::Wan,
        )),
        stated_project_count: Some(10),
        summary_text: None,
        projects: vec![p1, p2, p3, p4, p5, p6, p7, p8, p9, p10],
    }
}

/// (code, severity, project number from 1, expected, actual)
type Expect = (
    &'static str,
    Severity,
    Option<usize>,
    Option<&'static str>,
    Option<&'static str>,
);

type Row = (
    String,
    Severity,
    Option<usize>,
    Option<String>,
    Option<String>,
);

/// The seed's real problems, computed by hand from its text.
const SEED_FINDINGS: [Expect; 8] = [
    // 项目1: 12 priced lines add up to 740,800.00; (13) 其他办公室后勤保障 has no amount.
    (
        "B001",
        Severity::Error,
        Some(1),
        Some("1000000.00"),
        Some("740800.00"),
    ),
    ("B003", Severity::Warning, Some(1), None, None),
    // 项目5: 完成2023年G60科创走廊年度工作计划… in a 2024 form.
    (
        "I009",
        Severity::Warning,
        Some(5),
        Some("2024"),
        Some("2023"),
    ),
    // 项目6: 66.04万 + 33.96万 = 1,000,000.00 against 1,100,000.00 requested …
    (
        "B001",
        Severity::Error,
        Some(6),
        Some("1100000.00"),
        Some("1000000.00"),
    ),
    // … and neither amount is what its basis gives: 1469×16×12 + 31524×12 = 660,336.00,
    (
        "B002",
        Severity::Error,
        Some(6),
        Some("660336.00"),
        Some("660400.00"),
    ),
    // 1469×9×12 + 15000×12 = 338,652.00.
    (
        "B002",
        Severity::Error,
        Some(6),
        Some("338652.00"),
        Some("339600.00"),
    ),
    // 项目7: 完成 100场以上的接待 counted in 家.
    ("I010", Severity::Warning, Some(7), Some("场"), Some("家")),
    // 项目7: the 效益 indicator 对G60科创走廊宣传效果 valued 及时, a timeliness word.
    (
        "I013",
        Severity::Warning,
        Some(7),
        Some("时效指标"),
        Some("及时"),
    ),
];

#[test]
fn seed_findings_are_exactly_the_hand_list() {
    let decl = seed();
    let findings = validate(&decl, &SourceMap::new("seed.json"));
    let got: Vec<Row> = findings
        .iter()
        .map(|f| {
            (
                f.code.clone(),
                f.severity,
                f.location.project.map(|p| p + 1),
                f.expected.clone(),
                f.actual.clone(),
            )
        })
        .collect();
    let want: Vec<Row> = SEED_FINDINGS
        .iter()
        .map(|(c, s, p, e, a)| (c.to_string(), *s, *p, e.map(Into::into), a.map(Into::into)))
        .collect();
    assert_eq!(got, want, "{}", render(&decl, findings.clone()));

    let msg = |i: usize| findings[i].message.as_str();
    assert_eq!(
        msg(0),
        "项目「G60日常办公经费」年度预算安排明细合计 740,800.00 元 ≠ 年度资金申请总额 1,000,000.00 元，少 259,200.00 元；另有 1 行金额为空，未计入合计。请补全或核对各行金额，并核对年度资金申请总额。"
    );
    assert_eq!(
        msg(1),
        "项目「G60日常办公经费」年度预算安排第 13 行「其他办公室后勤保障」金额为空，未计入合计。请填写金额，或删去该行。"
    );
    // The line break of the wrapped cell is not carried into the message.
    assert_eq!(
        msg(2),
        "项目「派驻干部费用」第 2 条指标「完成2023年G60科创走廊年度工作计划和各项任务目标」写的是 2023 年，而申报年度是 2024 年。请核对是否沿用了往年的指标。"
    );
    assert!(msg(3).contains(
        "明细合计 1,000,000.00 元 ≠ 年度资金申请总额 1,100,000.00 元，少 100,000.00 元。"
    ));
    assert!(msg(4).contains("计得 660,336.00 元，而金额为 660,400.00 元，差 64.00 元"));
    assert!(msg(5).contains("计得 338,652.00 元，而金额为 339,600.00 元，差 948.00 元"));
    assert_eq!(
        msg(6),
        "项目「展示馆运维费」第 2 条指标「完成 100场以上的接待」按“场”计，指标值「≥100.00(家)」却以“家”为单位。请统一计量单位。"
    );
}

fn render(decl: &Declaration, findings: Vec<jixiao::model::Finding>) -> String {
    render_text(&[FileReport::new("seed.json", decl, findings)], Lang::Zh)
}

#[test]
fn seed_report_summary_and_exit_code() {
    let decl = seed();
    let report = FileReport::new(
        "seed.json",
        &decl,
        validate(&decl, &SourceMap::new("seed.json")),
    );
    let text = render_text(std::slice::from_ref(&report), Lang::Zh);
    assert!(
        text.ends_with("共检查 1 个文件、10 个项目：错误 4 条，警告 4 条。\n"),
        "{text}"
    );
    assert!(text.contains("  项目 6「展示馆物业管理、能源费、水电费」\n    错误 B001 "));
    assert_eq!(exit_code(&[report]), 1);
}

#[test]
fn seed_cover_and_funds_hold() {
    let decl = seed();
    assert_eq!(decl.projects_total(), Some(yuan("17438600")));
    let findings = validate(&decl, &SourceMap::new("seed.json"));
    assert!(findings
        .iter()
        .all(|f| !f.code.starts_with('C') && !f.code.starts_with('F')));
}

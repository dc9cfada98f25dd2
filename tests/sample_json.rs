//! The real seed declaration (上海市松江区科创发展办公室 2024, 10 projects, 1,743.86万元),
//! typed as JSON, deserializes into the model and carries the seed's values.

use jixiao::model::{Date, Declaration, Money, MoneyUnit, Op, TargetKind};

const SAMPLE: &str = include_str!("../samples/songjiang-kcb-2024.json");

fn sample() -> Declaration {
    serde_json::from_str(SAMPLE).expect("sample deserializes into Declaration")
}

fn money(s: &str) -> Money {
    s.parse().unwrap()
}

#[test]
fn cover() {
    let d = sample();
    assert_eq!(d.unit.as_deref(), Some("上海市松江区科创发展办公室"));
    assert_eq!(d.year, Some(2024));
    let stated = d.stated_total.unwrap();
    assert_eq!(stated.unit, MoneyUnit::Wan);
    assert_eq!(stated.display(), "1,743.86万元");
    assert_eq!(stated.money(), money("17438600.00"));
    assert_eq!(d.stated_project_count, Some(10));
    assert_eq!(
        d.summary_text.as_deref(),
        Some(
            "按照本市预算绩效管理工作的总体要求，本单位开展了2024年项目预算绩效目标编报工作，\
             编报绩效目标的项目10个，涉及项目预算资金1,743.86万元。"
        )
    );
}

#[test]
fn projects_total_matches_stated_total() {
    let d = sample();
    assert_eq!(d.projects.len(), 10);
    assert_eq!(d.projects_total(), Some(money("17438600.00")));
    assert_eq!(d.projects_total(), Some(d.stated_total.unwrap().money()));
}

/// (name, 项目资金总额, indicator count), counted by hand in the seed.
const PROJECTS: [(&str, &str, usize); 10] = [
    ("G60日常办公经费", "1000000.00", 6),
    ("优化营商环境", "200000.00", 11),
    ("产业要素对接", "900000.00", 7),
    ("科创要素对接", "1500000.00", 9),
    ("派驻干部费用", "1838600.00", 6),
    ("展示馆物业管理、能源费、水电费", "1100000.00", 6),
    ("展示馆运维费", "2100000.00", 6),
    ("重大活动经费", "8000000.00", 7),
    ("G60宣贯", "400000.00", 7),
    ("宣传阵地建设", "400000.00", 7),
];

#[test]
fn headers_funds_and_indicator_counts() {
    let d = sample();
    for (p, (name, total, count)) in d.projects.iter().zip(PROJECTS) {
        let h = &p.header;
        assert_eq!(h.name.as_deref(), Some(name));
        assert_eq!(h.nature.as_deref(), Some("其他经常性项目"), "{name}");
        assert_eq!(h.category.as_deref(), Some("其他运转类"), "{name}");
        assert_eq!(h.department.as_deref(), Some("上海市松江区科创发展办公室"));
        assert_eq!(h.implementer.as_deref(), Some("上海市松江区科创发展办公室"));
        assert_eq!(h.start, Date::new(2024, 1, 1));
        assert_eq!(h.end, Date::new(2024, 12, 31));

        let f = &p.funds;
        let t = Some(money(total));
        assert_eq!(f.total, t, "{name}");
        assert_eq!(f.fiscal, t, "{name}");
        assert_eq!(f.other, None, "{name}: left 其他资金 is blank in the seed");
        assert_eq!(f.annual_total, t, "{name}");
        assert_eq!(f.annual_appropriation, t, "{name}");
        assert_eq!(f.annual_carryover, Some(Money::ZERO), "{name}");
        assert_eq!(f.annual_other, Some(Money::ZERO), "{name}");

        assert_eq!(p.indicators.len(), count, "{name}");
        for ind in &p.indicators {
            assert!(ind.level1.is_some() && ind.level2.is_some(), "{name}");
            assert!(ind.name.is_some() && ind.target.is_some(), "{name}");
        }
        assert_eq!(
            p.narrative.goals.as_deref(),
            Some("详见单位的项目绩效目标表")
        );
    }
    let total: usize = d.projects.iter().map(|p| p.indicators.len()).sum();
    assert_eq!(total, 72);
}

#[test]
fn no_extraction_whitespace_left() {
    let d = sample();
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains(' '), "a space survived the PDF clean-up");
}

#[test]
fn narrative_sections_word_for_word() {
    let d = sample();
    let p1 = &d.projects[0].narrative;
    assert_eq!(p1.period.as_deref(), Some("2024年1月1日至2024年12月31日"));
    assert_eq!(
        p1.rationale.as_deref(),
        Some(
            "区科创发展办与长三角G60联席办合署办公，2024年40人办公，人员明细为：市科委挂职1人\
             +上交所挂职1人+G60科创集团挂职1人+区科创发展办在编11人+G60八城市派驻干部16人\
             +松江区挂职5人+重庆、上饶等其他地区部门挂职5人，合计40人。按照2.5万/人/年计算，\
             全年合计100万元。"
        )
    );
    for p in &d.projects[1..] {
        assert_eq!(p.narrative.period.as_deref(), Some("2024年1月至2024年12月"));
    }
    // Project 6 alone says 年度重点工作计划.
    assert_eq!(
        d.projects[5].narrative.plan.as_deref(),
        Some("按照区科创发展办内控要求，结合2024年年度重点工作计划，合理合规使用经费。")
    );
    // Project 4's prose has a colon where a semicolon belongs; kept.
    assert_eq!(
        d.projects[3].narrative.budget.as_deref(),
        Some(
            "科创要素对接：（1）G60科创云运营75万：（2）G60科技成果拍卖会40万；\
             （3）创新资源跨区域推进工作35万。"
        )
    );
    // Project 10 has a half-width comma in its overview.
    assert!(d.projects[9]
        .narrative
        .overview
        .as_deref()
        .unwrap()
        .contains("资源集聚能力,构建"));
}

#[test]
fn goals_disentangled() {
    let d = sample();
    let g1 = &d.projects[0].goals;
    assert_eq!(
        g1.overall.as_deref(),
        Some(
            "区科创发展办与长三角G60联席办合署办公，由G60科创走廊九城市共派干部，\
             承担加快推进长三角G60科创走廊建设，加强九城市跨区域合作，推进长三角更高质量发展。"
        )
    );
    assert_eq!(
        g1.annual.as_deref(),
        Some(
            "区科创发展办与长三角G60科创走廊联席会议办公室合署办公，由长三角G60科创走廊九城市\
             共派干部，承担加快推进长三角G60科创走廊建设，加强九城市跨区域合作，\
             推进长三角更高质量发展的重要任务。"
        )
    );
    // Project 2: one paragraph, half-width semicolons, across a page break.
    let g2 = d.projects[1].goals.overall.as_deref().unwrap();
    assert!(!g2.contains('\n'));
    assert!(g2.contains("质量强国国家战略;2.贯彻落实习近平总书记在2018年首届"));
    assert!(g2.contains("推动长三角跨区域“一网通办、异地可办、就近办理”"));
    assert!(g2.ends_with("（2023-2025年）》，开展优化营商环境系列工作举措。"));
    // Project 5: the two columns differ.
    let g5 = &d.projects[4].goals;
    assert_eq!(
        g5.overall.as_deref(),
        Some("由九城市共派干部，加快推进G60科创走廊建设发展，推动九城市跨区域合作，推动长三角高质量一体化发展。")
    );
    assert_eq!(
        g5.annual.as_deref(),
        Some("由九城市共派干部、共谋成效，加快推进G60科创走廊建设发展，推动九城市跨区域合作，推动长三角高质量一体化发展。")
    );
    // Project 4 and 10: numbered points on their own lines, across a page break.
    let g4 = d.projects[3].goals.overall.as_deref().unwrap();
    assert_eq!(g4.lines().count(), 2);
    assert!(g4.lines().nth(1).unwrap().starts_with(
        "2.G60科创云平台顺利升级上线，并作为长三角G60科创走廊整合创新资源、激发创新活力的主打阵地"
    ));
    assert_eq!(
        d.projects[9].goals.annual.as_deref(),
        Some(
            "1.营造全社会关注支持推动G60科创走廊建设的浓厚氛围；\n2.彰显G60品牌效应和资源集聚能力；\n\
             3.构建全方位、多层次、立体化G60宣传格局。"
        )
    );
}

#[test]
fn indicators_as_written() {
    let d = sample();
    let row = |p: usize, i: usize| {
        let ind = &d.projects[p].indicators[i];
        (
            ind.level1.as_deref().unwrap(),
            ind.level2.as_deref().unwrap(),
            ind.name.as_deref().unwrap(),
            ind.target.as_ref().unwrap().text(),
        )
    };
    assert_eq!(
        row(0, 0),
        ("成本指标", "经济成本指标", "控制相关成本", "有效")
    );
    assert_eq!(
        row(0, 5),
        (
            "满意度指标",
            "服务对象满意度指标",
            "相关方满意度",
            "≥85.00(%)"
        )
    );
    // Project 2: rows below the first in a merged group inherit 一级/二级.
    assert_eq!(
        row(1, 7),
        ("效益指标", "经济效益指标", "促进九城市企业跨境出海", "完成")
    );
    assert_eq!(
        row(1, 5),
        ("产出指标", "时效指标", "项目完成时间", "2024年12月31日前")
    );
    assert_eq!(
        row(3, 1),
        (
            "产出指标",
            "数量指标",
            "“G60科创云”浏览量",
            "≥400000.00(次)"
        )
    );
    assert_eq!(
        row(4, 1).2,
        "完成2023年G60科创走廊年度工作计划和各项任务目标"
    );
    assert_eq!(row(4, 5).2, "相关方满意");
    assert_eq!(row(6, 1).3, "≥100.00(家)");
    assert_eq!(
        row(6, 4),
        ("效益指标", "社会效益指标", "对G60科创走廊宣传效果", "及时")
    );
    assert_eq!(row(5, 1).3, "≥100.00(场)");
    assert_eq!(row(8, 0).3, "≤2.00(万)");
    assert_eq!(row(8, 3).3, "2024年底前");
    assert_eq!(row(8, 6).3, "≥90.00(%)");
    assert_eq!(
        row(9, 5),
        (
            "效益指标",
            "可持续影响指标",
            "进一步提升G60科创走廊影响力",
            "完成"
        )
    );

    match d.projects[0].indicators[1].target.as_ref().unwrap().kind() {
        TargetKind::Quantitative { op, value, unit } => {
            assert_eq!(*op, Op::Eq);
            assert_eq!(value.to_string(), "100.00");
            assert_eq!(unit.as_deref(), Some("%"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        d.projects[1].indicators[5].target.as_ref().unwrap().kind(),
        TargetKind::Deadline {
            year: Some(2024),
            ..
        }
    ));
}

#[test]
fn budget_lines() {
    let d = sample();
    let counts: Vec<usize> = d.projects.iter().map(|p| p.budget_lines.len()).collect();
    assert_eq!(counts, [13, 1, 1, 3, 1, 2, 2, 1, 2, 3]);

    let p1 = &d.projects[0].budget_lines;
    assert_eq!(p1[0].item.as_deref(), Some("办公室保洁服务"));
    assert_eq!(p1[0].basis.as_deref(), Some("8500元/月×12月"));
    assert_eq!(p1[0].amount, Some(money("102000.00")));
    assert_eq!(p1[0].note.as_deref(), Some("每月预计8500元（包含加班费）"));
    assert_eq!(p1[6].amount, Some(money("10000.00")));
    assert_eq!(p1[12].item.as_deref(), Some("其他办公室后勤保障"));
    assert_eq!(p1[12].amount, None, "the seed prices no amount for （13）");

    let p6 = &d.projects[5].budget_lines;
    assert_eq!(
        p6[0].basis.as_deref(),
        Some("1469平方米×16元/平方米/月×12月+3.1524万元/月×12月")
    );
    assert_eq!(p6[0].amount, Some(money("660400.00")));
    assert_eq!(
        p6[1].basis.as_deref(),
        Some("1469平方米×9元/平方米/月×12月+1.5万元/月×12月")
    );
    assert_eq!(p6[1].amount, Some(money("339600.00")));
    // The seed's own numbers: project 6's lines come to 100万 against 110万 of funds.
    let p6_sum = Money::checked_sum(p6.iter().filter_map(|l| l.amount)).unwrap();
    assert_eq!(p6_sum, money("1000000.00"));

    let p7: Vec<_> = d.projects[6]
        .budget_lines
        .iter()
        .map(|l| l.amount.unwrap())
        .collect();
    assert_eq!(p7, [money("1800000.00"), money("300000.00")]);

    // Every project but 1 and 6 has lines that add up to its funds.
    for (i, p) in d.projects.iter().enumerate() {
        let sum = Money::checked_sum(p.budget_lines.iter().filter_map(|l| l.amount)).unwrap();
        if i != 0 && i != 5 {
            assert_eq!(Some(sum), p.funds.total, "{:?}", p.header.name);
        }
    }
    let p1_sum = Money::checked_sum(p1.iter().filter_map(|l| l.amount)).unwrap();
    assert_eq!(p1_sum, money("740800.00"));
}

#[test]
fn round_trips() {
    let d = sample();
    let again: Declaration = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(d, again);
}

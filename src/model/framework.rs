//! The indicator framework (财政部 framework as used in Shanghai forms).

/// 一级指标 and their 二级指标, as the standard form writes them.
pub const FRAMEWORK: [(&str, &[&str]); 4] = [
    (
        "成本指标",
        &["经济成本指标", "社会成本指标", "生态环境成本指标"],
    ),
    (
        "产出指标",
        &["数量指标", "质量指标", "时效指标", "成本指标"],
    ),
    (
        "效益指标",
        &[
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
        ],
    ),
    ("满意度指标", &["服务对象满意度指标"]),
];

/// All 一级指标 names.
pub fn level1_names() -> impl Iterator<Item = &'static str> {
    FRAMEWORK.iter().map(|(l1, _)| *l1)
}

/// All distinct 二级指标 names, in framework order.
pub fn level2_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (_, l2s) in FRAMEWORK.iter() {
        for l2 in l2s.iter() {
            if !out.contains(l2) {
                out.push(l2);
            }
        }
    }
    out
}

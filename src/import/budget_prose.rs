//! 六、年度预算安排 as budget lines, when the prose is a plain list: `（1）甲75万；（2）乙40万`,
//! `甲35万元；乙5万元`, `甲等800万元。` Each item ends with its amount and nothing else.
//! A monthly rate (`每月8000元`), a basis given in another sentence, or a `其中` breakdown
//! is not a line the text states, so the whole section is left as prose.

use crate::model::{BudgetLine, Money};
use crate::values::parse_money_text;

/// Words between an item and its amount that are not part of the item.
const CONNECTIVES: [&str; 4] = ["需要资金", "所需资金", "共计", "合计"];

pub(crate) fn parse(prose: &str, name: Option<&str>) -> Result<Vec<BudgetLine>, String> {
    let mut s = prose.trim();
    // `项目名称：` before the list.
    if let Some(name) = name {
        if let Some(rest) = s.strip_prefix(name) {
            if let Some(rest) = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':')) {
                s = rest;
            }
        }
    }
    let segments = match numbered(s)? {
        Some(segs) => segs,
        None => s
            .split(['；', ';'])
            .map(str::to_string)
            .filter(|x| !x.trim_matches(is_end).is_empty())
            .collect(),
    };
    if segments.is_empty() {
        return Err("没有内容".into());
    }
    segments.iter().map(|seg| line(seg)).collect()
}

fn is_end(c: char) -> bool {
    matches!(c, '；' | ';' | '。' | '：' | ':' | '，' | ',' | ' ' | '\n')
}

/// Splits at `（1）` `（2）` … in order; text before `（1）` means there is more than a list.
fn numbered(s: &str) -> Result<Option<Vec<String>>, String> {
    let mark = |n: usize| [format!("（{n}）"), format!("({n})")];
    let Some(first) = mark(1).iter().filter_map(|m| s.find(m.as_str())).min() else {
        return Ok(None);
    };
    if !s[..first].trim_matches(is_end).is_empty() {
        return Err(format!("编号（1）之前另有说明「{}」", s[..first].trim()));
    }
    let mut out = Vec::new();
    let mut rest = &s[first..];
    let mut n = 1;
    loop {
        let m = mark(n)
            .into_iter()
            .find(|m| rest.starts_with(m.as_str()))
            .ok_or_else(|| format!("编号（{n}）不连续"))?;
        rest = &rest[m.len()..];
        let next = mark(n + 1)
            .iter()
            .filter_map(|m| rest.find(m.as_str()))
            .min();
        match next {
            Some(at) => {
                out.push(rest[..at].to_string());
                rest = &rest[at..];
                n += 1;
            }
            None => {
                out.push(rest.to_string());
                return Ok(Some(out));
            }
        }
    }
}

/// One item: `名称 金额万元` and nothing after the amount.
fn line(seg: &str) -> Result<BudgetLine, String> {
    let seg = seg.trim_matches(is_end);
    let (number_at, unit) = ["万元", "万", "元"]
        .iter()
        .find_map(|u| seg.strip_suffix(u).map(|head| (head, *u)))
        .ok_or_else(|| format!("「{seg}」不以金额结尾"))?;
    let head = number_at;
    let digits_at = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == ',')
        .last()
        .map(|(i, _)| i)
        .ok_or_else(|| format!("「{seg}」不以金额结尾"))?;
    let number = &head[digits_at..];
    let unit = if unit == "万" { "万元" } else { unit };
    let money: Money = parse_money_text(&format!("{number}{unit}"))
        .map_err(|e| e.to_string())?
        .money;
    let mut item = head[..digits_at].trim_end_matches([' ', '：', ':']);
    for c in CONNECTIVES {
        if let Some(x) = item.strip_suffix(c) {
            item = x;
        }
    }
    let item = item.trim_matches(is_end);
    if item.is_empty() {
        return Err(format!("「{seg}」没有明细名称"));
    }
    // Another amount inside the item: a breakdown, not one line.
    if has_amount(item) {
        return Err(format!("「{seg}」中含有另一个金额"));
    }
    Ok(BudgetLine {
        item: Some(item.to_string()),
        basis: None,
        amount: Some(money),
        note: None,
    })
}

fn has_amount(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], '元' | '万'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_list_in_wan() {
        let lines = parse(
            "科创要素对接：（1）G60科创云运营75万：（2）G60科技成果拍卖会40万；（3）创新资源跨区域推进工作35万。",
            Some("科创要素对接"),
        )
        .unwrap();
        let got: Vec<(String, String)> = lines
            .iter()
            .map(|l| (l.item.clone().unwrap(), l.amount.unwrap().plain()))
            .collect();
        assert_eq!(
            got,
            [
                ("G60科创云运营".to_string(), "750000.00".to_string()),
                ("G60科技成果拍卖会".into(), "400000.00".into()),
                ("创新资源跨区域推进工作".into(), "350000.00".into()),
            ]
        );
    }

    #[test]
    fn monthly_rates_and_breakdowns_stay_prose() {
        assert!(parse("（1）保洁：每月8500元（估）；（2）绿植：每月1900元。", None).is_err());
        assert!(parse(
            "申请资金210万元，其中：政府采购金额180万元，将按磋商招标；其余30万元，用于物资购买。",
            None
        )
        .is_err());
        assert!(parse("根据合同约定。（1）物业费66.04万元。", None).is_err());
    }
}

//! 六、年度预算安排 as budget lines, when every item can be read with certainty:
//! - a plain list `（1）甲75万；（2）乙40万`, `甲35万元；乙5万元`, `甲等800万元。`;
//! - numbered items `（n）名称：…` whose amount is `N元`, `全年N万（估）`, or `每月N元` in a
//!   project of whole months within one year (basis `N元/月×12月`, amount 12N); a trailing
//!   `（估）` becomes the note `估`, any other wording around the amount keeps the clause
//!   as the note, a remark after `名称N元（估）：` is added to it; an item with no amount is
//!   a line with no amount;
//! - an item `名称N万元。` followed by a sentence of 面积、单价 and monthly sums, which becomes
//!   the basis (`1469平方米×16元/平方米/月×12月+3.1524万元/月×12月`), the sentence the note;
//! - `申请资金T万元，其中：甲N万元，说明；其余M万元，用于乙。` when the parts add up to T.
//!
//! Anything else (an amount in a clause not understood, a monthly rate in a multi-year
//! project, parts that do not add up) leaves the whole section as prose.

use crate::model::{BudgetLine, Money};
use crate::values::parse_money_text;

/// Words between an item and its amount that are not part of the item.
const CONNECTIVES: [&str; 5] = ["需要资金", "所需资金", "共计", "合计", "金额"];

/// `months`: the project's length when it is whole months within one year, else `None`.
pub(crate) fn parse(
    prose: &str,
    name: Option<&str>,
    months: Option<u32>,
) -> Result<Vec<BudgetLine>, String> {
    let mut s = prose.trim();
    // `项目名称：` before the list.
    if let Some(name) = name {
        if let Some(rest) = s.strip_prefix(name) {
            if let Some(rest) = rest.strip_prefix('：').or_else(|| rest.strip_prefix(':')) {
                s = rest;
            }
        }
    }
    if s.contains("其中") {
        return breakdown(s);
    }
    if let Some(segs) = numbered(s)? {
        let lines = segs
            .iter()
            .map(|seg| numbered_item(seg, months))
            .collect::<Result<Vec<_>, _>>()?;
        if lines.iter().all(|l| l.amount.is_none()) {
            return Err("各项均无金额".into());
        }
        return Ok(lines);
    }
    let segments: Vec<&str> = s
        .split(['；', ';'])
        .filter(|x| !x.trim_matches(is_end).is_empty())
        .collect();
    if segments.is_empty() {
        return Err("没有内容".into());
    }
    segments.iter().map(|seg| line(seg)).collect()
}

fn is_end(c: char) -> bool {
    matches!(c, '；' | ';' | '。' | '：' | ':' | '，' | ',' | ' ' | '\n')
}

/// Splits at `（1）` `（2）` … in order. A sentence before `（1）` is allowed when it is
/// context only (ends with `。`, states no amount); anything else means more than a list.
fn numbered(s: &str) -> Result<Option<Vec<String>>, String> {
    let mark = |n: usize| [format!("（{n}）"), format!("({n})")];
    let Some(first) = mark(1).iter().filter_map(|m| s.find(m.as_str())).min() else {
        return Ok(None);
    };
    let before = s[..first].trim();
    if !before.trim_matches(is_end).is_empty() && (!before.ends_with('。') || has_amount(before)) {
        return Err(format!("编号（1）之前另有说明「{before}」"));
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
    let (head, _, _, money) =
        trailing_amount(seg).ok_or_else(|| format!("「{seg}」不以金额结尾"))?;
    let mut item = head.trim_end_matches([' ', '：', ':']);
    for c in CONNECTIVES {
        if let Some(x) = item.strip_suffix(c) {
            item = x;
        }
    }
    let item = item.trim_matches(is_end);
    if item.is_empty() {
        return Err(format!("「{seg}」没有明细名称"));
    }
    // `甲：每月1000元` is a rate, not an item named 「甲：每月」.
    if ["每月", "每年", "全年", "预计", "按"]
        .iter()
        .any(|w| item.ends_with(w))
    {
        return Err(format!("「{seg}」的金额不是明细的金额"));
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

/// `…N万元`, `…N万` or `…N元` at the end of `s`: the text before the number, the number as
/// written, the unit (元 or 万元) and the amount.
fn trailing_amount(s: &str) -> Option<(&str, &str, &'static str, Money)> {
    let (head, unit) = [("万元", "万元"), ("万", "万元"), ("元", "元")]
        .iter()
        .find_map(|(u, canon)| s.strip_suffix(u).map(|head| (head, *canon)))?;
    let (before, number) = trailing_number(head)?;
    let money = parse_money_text(&format!("{number}{unit}")).ok()?.money;
    Some((before, number, unit, money))
}

/// The digits (with `.` and `,`) at the end of `s`, and what comes before them.
fn trailing_number(s: &str) -> Option<(&str, &str)> {
    let at = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == ',')
        .last()
        .map(|(i, _)| i)?;
    let number = &s[at..];
    number
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some((&s[..at], number))
}

/// Where `s` splits into clauses: at `，` (and `；` when `semicolons`), and at their 半角
/// forms unless they sit between digits (`1,200元`).
fn clause_breaks(s: &str, semicolons: bool) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let digit = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_ascii_digit());
    chars
        .iter()
        .enumerate()
        .filter(|&(k, &(_, c))| match c {
            '，' => true,
            '；' => semicolons,
            ',' => !(k > 0 && digit(k - 1) && digit(k + 1)),
            ';' => semicolons,
            _ => false,
        })
        .map(|(_, &(i, c))| (i, i + c.len_utf8()))
        .collect()
}

fn clauses(s: &str, semicolons: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    for (start, end) in clause_breaks(s, semicolons) {
        out.push(&s[from..start]);
        from = end;
    }
    out.push(&s[from..]);
    out
}

/// The first clause of `s` and the rest after its `，`.
fn first_clause(s: &str) -> (&str, Option<&str>) {
    match clause_breaks(s, false).first() {
        Some(&(start, end)) => (
            s[..start].trim(),
            Some(s[end..].trim()).filter(|t| !t.is_empty()),
        ),
        None => (s, None),
    }
}

/// A number at the end of `s` after a label with no digits in it (`物业管理费按16`).
fn label_number(s: &str) -> Option<(&str, &str)> {
    trailing_number(s).filter(|(label, _)| !label.chars().any(|c| c.is_ascii_digit()))
}

/// A closing `（…）` at the end of `s`: the text before it and what it holds.
fn strip_paren(s: &str) -> (&str, Option<&str>) {
    let Some(body) = s.strip_suffix('）').or_else(|| s.strip_suffix(')')) else {
        return (s, None);
    };
    match body.rfind(['（', '(']) {
        Some(at) => {
            let open = body[at..].chars().next().map_or(0, char::len_utf8);
            (&s[..at], Some(&body[at + open..]))
        }
        None => (s, None),
    }
}

/// One item of a numbered list: `名称N元`, `名称：[复述，]每月N元（估）`, `名称：全年N万`,
/// `名称N元（估）：备注`, `名称N万元。依据句。`, or a bare `名称`.
fn numbered_item(seg: &str, months: Option<u32>) -> Result<BudgetLine, String> {
    let seg = seg.trim();
    // `名称N万元。` and a sentence giving its basis.
    if let Some(at) = seg.find('。') {
        let rest = seg[at + '。'.len_utf8()..].trim();
        if !rest.is_empty() {
            let mut l = line(&seg[..at])?;
            l.basis = Some(area_basis(rest, months)?);
            l.note = Some(rest.to_string());
            return Ok(l);
        }
    }
    let seg = seg.trim_matches(is_end);
    let (head, tail) = match seg.split_once(['：', ':']) {
        Some((h, t)) => (h.trim(), Some(t.trim()).filter(|t| !t.is_empty())),
        None => (seg, None),
    };
    // `名称N元（估）：备注`: the amount is in the head.
    let (body, paren) = strip_paren(head);
    if trailing_amount(body).is_some() {
        let mut l = line(body)?;
        let mut notes = Vec::new();
        match paren {
            None => {}
            Some("估") => notes.push("估"),
            Some(p) => return Err(format!("金额后的「（{p}）」")),
        }
        if let Some(t) = tail {
            if has_amount(t) {
                return Err(format!("「{seg}」中含有另一个金额"));
            }
            notes.push(t);
        }
        l.note = (!notes.is_empty()).then(|| notes.join("；"));
        return Ok(l);
    }
    if head.is_empty() || has_amount(head) {
        return Err(format!("「{seg}」没有明细名称"));
    }
    let mut l = BudgetLine {
        item: Some(head.to_string()),
        ..BudgetLine::default()
    };
    let Some(tail) = tail else {
        // An item the text names without an amount.
        return Ok(l);
    };
    let parts: Vec<&str> = clauses(tail, false).into_iter().map(str::trim).collect();
    let Some((last, earlier)) = parts.split_last() else {
        return Err(format!("「{seg}」没有金额"));
    };
    // Clauses before the amount may only restate the item (`办公室保洁服务：办公室保洁，…`).
    if let Some(c) = earlier
        .iter()
        .find(|c| c.is_empty() || !head.starts_with(**c))
    {
        return Err(format!("「{c}」不是金额，也不是对明细名称的复述"));
    }
    let (body, paren) = strip_paren(last);
    if paren.is_some_and(has_amount) {
        return Err(format!("「{last}」的括号中另有金额"));
    }
    let (monthly, rest) = match (body.strip_prefix("每月"), body.strip_prefix("全年")) {
        (Some(r), _) => (true, r),
        (_, Some(r)) => (false, r),
        _ => (false, body),
    };
    let (rest, hedged) = match rest.strip_prefix("预计") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (before, number, unit, money) = trailing_amount(rest)
        .filter(|(before, ..)| before.trim().is_empty())
        .ok_or_else(|| format!("「{last}」不是可读的金额"))?;
    debug_assert!(before.trim().is_empty());
    l.note = match (paren, hedged) {
        (None, false) => None,
        (Some("估"), false) => Some("估".to_string()),
        // Other wording around the amount: the clause is the remark, as written.
        _ => Some(last.to_string()),
    };
    if monthly {
        let m = months.ok_or_else(|| format!("「{last}」按月计，但项目期不是一年之内的整月"))?;
        let amount = money
            .yuan()
            .checked_mul(m.into())
            .ok_or_else(|| format!("「{last}」乘以 {m} 个月溢出"))?;
        l.basis = Some(format!("{number}{unit}/月×{m}月"));
        l.amount = Some(Money::from_yuan(amount));
    } else {
        l.amount = Some(money);
    }
    Ok(l)
}

/// The basis sentence after `名称N万元。`: `面积A平方米`, then rates `按R元/平/月` (each
/// `A平方米×R元/平方米/月×m月`) and monthly sums `M万元/月` (each `M万元/月×m月`).
fn area_basis(sentence: &str, months: Option<u32>) -> Result<String, String> {
    let m = months.ok_or_else(|| format!("「{sentence}」按月计，但项目期不是一年之内的整月"))?;
    let not_read = |c: &str| format!("「{c}」不是面积、单价或月额");
    let mut area: Option<&str> = None;
    let mut terms = Vec::new();
    for clause in clauses(sentence.trim_end_matches('。'), true) {
        let clause = clause.trim();
        let (body, paren) = strip_paren(clause);
        if paren.is_some_and(|p| p != "估") {
            return Err(not_read(clause));
        }
        if let Some(head) = body.strip_suffix("平方米") {
            match label_number(head) {
                Some((label, a)) if label.contains("面积") && area.is_none() => area = Some(a),
                _ => return Err(not_read(clause)),
            }
        } else if let Some(head) = body
            .strip_suffix("元/平/月")
            .or_else(|| body.strip_suffix("元/平方米/月"))
        {
            let (Some(a), Some((_, r))) = (area, label_number(head)) else {
                return Err(not_read(clause));
            };
            terms.push(format!("{a}平方米×{r}元/平方米/月×{m}月"));
        } else if let Some(head) = body.strip_suffix("/月") {
            let Some((label, number, unit, _)) = trailing_amount(head) else {
                return Err(not_read(clause));
            };
            if label.chars().any(|c| c.is_ascii_digit()) {
                return Err(not_read(clause));
            }
            terms.push(format!("{number}{unit}/月×{m}月"));
        } else {
            return Err(not_read(clause));
        }
    }
    if terms.is_empty() {
        return Err(not_read(sentence));
    }
    Ok(terms.join("+"))
}

/// `申请资金T万元，其中：甲N万元，说明；其余M万元，用于乙。`: one line per part, when the
/// parts add up to T.
fn breakdown(s: &str) -> Result<Vec<BudgetLine>, String> {
    let (before, after) = s.split_once("其中").unwrap_or((s, ""));
    let before = before.trim_matches(is_end);
    let (lead, _, _, total) =
        trailing_amount(before).ok_or_else(|| format!("「其中」之前的「{before}」不以总额结尾"))?;
    if has_amount(lead) {
        return Err(format!("「{before}」中含有另一个金额"));
    }
    let mut lines = Vec::new();
    let mut sum = Money::from_cents(0);
    for part in after.split(['；', ';']) {
        let part = part.trim_matches(is_end);
        if part.is_empty() {
            continue;
        }
        let (head, tail) = first_clause(part);
        if tail.is_some_and(has_amount) {
            return Err(format!("「{part}」中含有另一个金额"));
        }
        let rest = ["其余", "剩余"].iter().find_map(|p| head.strip_prefix(p));
        let l = match rest {
            Some(amount) => {
                let (lead, _, _, money) = trailing_amount(amount)
                    .filter(|(lead, ..)| lead.trim().is_empty())
                    .ok_or_else(|| format!("「{part}」不是可读的金额"))?;
                debug_assert!(lead.trim().is_empty());
                let item = tail
                    .and_then(|t| t.strip_prefix("用于"))
                    .ok_or_else(|| format!("「{part}」没有说明用于什么"))?;
                BudgetLine {
                    item: Some(item.to_string()),
                    amount: Some(money),
                    ..BudgetLine::default()
                }
            }
            None => {
                let mut l = line(head)?;
                l.note = tail.map(str::to_string);
                l
            }
        };
        sum = l
            .amount
            .and_then(|a| sum.checked_add(a))
            .ok_or_else(|| "「其中」各项之和溢出".to_string())?;
        lines.push(l);
    }
    if lines.len() < 2 || sum != total {
        return Err(format!(
            "「其中」各项之和 {} 元与总额 {} 元不符",
            sum.plain(),
            total.plain()
        ));
    }
    Ok(lines)
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

    /// (item, basis, amount in 元, note) of each line.
    fn rows(lines: &[BudgetLine]) -> Vec<[String; 4]> {
        lines
            .iter()
            .map(|l| {
                [
                    l.item.clone().unwrap_or_default(),
                    l.basis.clone().unwrap_or_default(),
                    l.amount.map(|a| a.plain()).unwrap_or_default(),
                    l.note.clone().unwrap_or_default(),
                ]
            })
            .collect()
    }

    fn row(item: &str, basis: &str, amount: &str, note: &str) -> [String; 4] {
        [item.into(), basis.into(), amount.into(), note.into()]
    }

    #[test]
    fn a_numbered_list_in_wan() {
        let lines = parse(
            "科创要素对接：（1）G60科创云运营75万：（2）G60科技成果拍卖会40万；（3）创新资源跨区域推进工作35万。",
            Some("科创要素对接"),
            None,
        )
        .unwrap();
        assert_eq!(
            rows(&lines),
            [
                row("G60科创云运营", "", "750000.00", ""),
                row("G60科技成果拍卖会", "", "400000.00", ""),
                row("创新资源跨区域推进工作", "", "350000.00", ""),
            ]
        );
    }

    #[test]
    fn monthly_yearly_and_remarked_items_in_a_numbered_list() {
        let text = "日常经费：（1）会议室保洁：会议室保洁，每月预计600元（含节假日）；（2）打印：每月1,200元；\
                    （3）网络费：每月300元（估）；（4）资料费：全年2万（估）；（5）笔记本电脑9000元（估）：\
                    统一采购；（6）门禁维护：5000元；（7）其他杂项。";
        let lines = parse(text, Some("日常经费"), Some(6)).unwrap();
        assert_eq!(
            rows(&lines),
            [
                row(
                    "会议室保洁",
                    "600元/月×6月",
                    "3600.00",
                    "每月预计600元（含节假日）"
                ),
                row("打印", "1,200元/月×6月", "7200.00", ""),
                row("网络费", "300元/月×6月", "1800.00", "估"),
                row("资料费", "", "20000.00", "估"),
                row("笔记本电脑", "", "9000.00", "估；统一采购"),
                row("门禁维护", "", "5000.00", ""),
                row("其他杂项", "", "", ""),
            ]
        );
    }

    #[test]
    fn an_item_with_a_basis_sentence_after_a_context_sentence() {
        let text =
            "根据租赁合同约定。（1）仓库租金、管理费24.6万元。仓库面积500平方米，租金按3元/平/月；\
                    管理费0.55万元/月（估）。（2）办公用房租金12万元。";
        let lines = parse(text, Some("租赁"), Some(12)).unwrap();
        assert_eq!(
            rows(&lines),
            [
                row(
                    "仓库租金、管理费",
                    "500平方米×3元/平方米/月×12月+0.55万元/月×12月",
                    "246000.00",
                    "仓库面积500平方米，租金按3元/平/月；管理费0.55万元/月（估）。"
                ),
                row("办公用房租金", "", "120000.00", ""),
            ]
        );
    }

    #[test]
    fn a_breakdown_whose_parts_add_up() {
        let text = "2025年申请资金50万元，其中：服务采购金额45万元，按公开招标方式采购；其余5万元，用于印刷、差旅等。";
        assert_eq!(
            rows(&parse(text, None, Some(12)).unwrap()),
            [
                row("服务采购", "", "450000.00", "按公开招标方式采购"),
                row("印刷、差旅等", "", "50000.00", ""),
            ]
        );
    }

    #[test]
    fn near_cases_stay_prose() {
        // A monthly rate when the project is not whole months of one year.
        assert!(parse(
            "（1）保洁：每月8500元（估）；（2）绿植：每月1900元。",
            None,
            None
        )
        .is_err());
        // A clause before the amount that does not restate the item.
        assert!(parse(
            "（1）保洁：含加班费，每月8500元；（2）绿植：每月1900元。",
            None,
            Some(12)
        )
        .is_err());
        // An amount inside the parenthesis.
        assert!(parse("（1）保洁：每月8500元（含加班费500元）。", None, Some(12)).is_err());
        // No item has an amount.
        assert!(parse("（1）保洁；（2）绿植。", None, Some(12)).is_err());
        // A preamble stating an amount, or not a full sentence.
        assert!(parse("共申请100万元。（1）物业费66.04万元。", None, Some(12)).is_err());
        assert!(parse("根据合同约定（1）物业费66.04万元。", None, Some(12)).is_err());
        // A basis sentence with a clause that is not an area, a rate or a monthly sum.
        assert!(parse(
            "（1）物业费66.04万元。面积1469平方米，物业费按16元/平/月，另加税费。",
            None,
            Some(12)
        )
        .is_err());
        // A rate per square metre with no area before it.
        assert!(parse("（1）物业费66.04万元。物业费按16元/平/月。", None, Some(12)).is_err());
        // Parts that do not add up to the total.
        assert!(parse(
            "申请资金210万元，其中：政府采购金额180万元，将按磋商招标；其余20万元，用于物资购买。",
            None,
            Some(12)
        )
        .is_err());
        // A part that does not say what the rest is for.
        assert!(parse(
            "申请资金210万元，其中：政府采购金额180万元；其余30万元，物资购买。",
            None,
            Some(12)
        )
        .is_err());
        // Prose with no list at all.
        assert!(parse("按实结算。", None, Some(12)).is_err());
        // Not numbered: a monthly rate is not read as an item 「保洁：每月」.
        assert!(parse("保洁：每月1000元；绿植：每月200元。", None, Some(12)).is_err());
    }
}

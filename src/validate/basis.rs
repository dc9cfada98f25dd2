//! 计算依据 (calculation basis) of a budget line, evaluated exactly.
//!
//! People write the basis as a product of figures with unit words between them:
//! `1469平方米×16元/平方米/月×12月`. The unit words are ignored, except the scale words
//! `万` (×10000), `亿` (×10^8) and `%` (÷100) when they directly follow a number, so
//! `3.1524万元/月` is 31524. Products bind tighter than sums; brackets group when they
//! hold arithmetic and are notes otherwise (`8500元（含加班费）×12月`).
//!
//! The evaluator never panics and does bounded work: the text is capped in length,
//! brackets in depth, and every operation is checked for overflow.

use rust_decimal::Decimal;
use thiserror::Error;

use crate::model::Money;
use crate::values::halfwidth_char;

/// Longest basis text evaluated (characters); longer text is refused, not truncated.
pub const MAX_BASIS_CHARS: usize = 2000;
/// Deepest bracket nesting evaluated.
pub const MAX_DEPTH: usize = 16;
/// Longest run of digits read as one number.
const MAX_NUMBER_CHARS: usize = 40;

/// Why a basis with arithmetic in it could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BasisError {
    #[error("the text is too long ({0} characters, at most {MAX_BASIS_CHARS})")]
    TooLong(usize),
    #[error("brackets nested deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("unbalanced brackets")]
    UnbalancedBracket,
    #[error("a number is missing next to an operator")]
    MissingOperand,
    #[error("two figures stand side by side without × or +")]
    MissingOperator,
    #[error("{0:?} is not a number that can be computed exactly")]
    BadNumber(String),
    #[error("the result is too large to compute")]
    Overflow,
}

impl BasisError {
    /// The reason in plain Chinese, for finance staff.
    ///
    /// ```
    /// use jixiao::validate::basis::evaluate_basis;
    /// let e = evaluate_basis("8500元/月×").unwrap_err();
    /// assert_eq!(e.zh(), "运算符旁缺少数字");
    /// assert_eq!(e.to_string(), "a number is missing next to an operator");
    /// ```
    pub fn zh(&self) -> String {
        match self {
            BasisError::TooLong(n) => format!("文字过长（{n} 个字，最多 {MAX_BASIS_CHARS} 个）"),
            BasisError::TooDeep => format!("括号嵌套超过 {MAX_DEPTH} 层"),
            BasisError::UnbalancedBracket => "括号不成对".to_string(),
            BasisError::MissingOperand => "运算符旁缺少数字".to_string(),
            BasisError::MissingOperator => "两个数字之间缺少 × 或 +".to_string(),
            BasisError::BadNumber(s) => format!("“{s}”不是可精确计算的数字"),
            BasisError::Overflow => "计算结果过大".to_string(),
        }
    }
}

/// Evaluates a calculation basis exactly.
///
/// Returns `Ok(None)` when the text states no arithmetic (no `×`/`+`), such as `据实结算`
/// or a lone figure like `48000元`; `Ok(Some(amount))` in 元 otherwise.
///
/// ```
/// use jixiao::validate::basis::evaluate_basis;
/// let v = evaluate_basis("1469平方米×16元/平方米/月×12月+3.1524万元/月×12月").unwrap();
/// assert_eq!(v.unwrap().to_string(), "660,336.00");
/// assert_eq!(evaluate_basis("40人×2.5万元/人/年").unwrap().unwrap().to_string(), "1,000,000.00");
/// assert_eq!(evaluate_basis("据实结算").unwrap(), None);
/// assert!(evaluate_basis("9999999999999999999999×9999999999999999999999").is_err());
/// ```
pub fn evaluate_basis(text: &str) -> Result<Option<Money>, BasisError> {
    let count = text.chars().count();
    if count > MAX_BASIS_CHARS {
        return Err(BasisError::TooLong(count));
    }
    // Full-width digits and signs (`１２`, `．`, `＋`, `（`) read as their ASCII forms
    // (`values::to_halfwidth`, char by char, without the intermediate String).
    let mut chars: Vec<char> = Vec::with_capacity(count);
    chars.extend(text.chars().map(halfwidth_char));
    let tokens = lex(&chars)?;
    let tokens = mark_notes(tokens)?;
    if !tokens.iter().any(|t| matches!(t, Tok::Mul | Tok::Add)) {
        return Ok(None);
    }
    let tokens: Vec<Tok> = tokens.into_iter().filter(|t| *t != Tok::Text).collect();
    let mut p = Parser {
        toks: &tokens,
        pos: 0,
    };
    let value = p.expr(0)?;
    match p.peek() {
        None => Ok(Some(Money::from_yuan(value))),
        Some(Tok::Close) => Err(BasisError::UnbalancedBracket),
        Some(_) => Err(BasisError::MissingOperator),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Num(Decimal),
    Mul,
    Add,
    Open,
    Close,
    /// Unit words, labels and notes: ignored.
    Text,
}

fn is_mul(c: char) -> bool {
    matches!(c, '×' | '*' | '✕' | '✖' | '⨯')
}

fn is_letter_x(c: char) -> bool {
    matches!(c, 'x' | 'X')
}

fn prev_non_space(chars: &[char], i: usize) -> Option<char> {
    chars[..i]
        .iter()
        .rev()
        .copied()
        .find(|c| !c.is_whitespace())
}

fn next_non_space(chars: &[char], i: usize) -> Option<(usize, char)> {
    chars
        .iter()
        .copied()
        .enumerate()
        .skip(i)
        .find(|(_, c)| !c.is_whitespace())
}

fn lex(chars: &[char]) -> Result<Vec<Tok>, BasisError> {
    let mut toks: Vec<Tok> = Vec::new();
    let push_text = |toks: &mut Vec<Tok>| {
        if toks.last() != Some(&Tok::Text) {
            toks.push(Tok::Text);
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            // Digits glued to a Latin letter are a name (`G60`, `A4纸`), not a figure.
            if i > 0 && chars[i - 1].is_ascii_alphabetic() && !is_letter_x(chars[i - 1]) {
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                push_text(&mut toks);
                continue;
            }
            let (value, next) = read_number(chars, i)?;
            toks.push(Tok::Num(value));
            i = next;
        } else if is_mul(c) {
            toks.push(Tok::Mul);
            i += 1;
        } else if is_letter_x(c) {
            // `12x3` multiplies; the x of a word (`box3`, `Excel`) does not.
            let after_word = prev_non_space(chars, i).is_some_and(|p| p.is_ascii_alphabetic());
            let before_figure =
                next_non_space(chars, i + 1).is_some_and(|(_, n)| n.is_ascii_digit() || n == '(');
            if !after_word && before_figure {
                toks.push(Tok::Mul);
            } else {
                push_text(&mut toks);
            }
            i += 1;
        } else if c == '+' {
            toks.push(Tok::Add);
            i += 1;
        } else if c == '(' {
            toks.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            toks.push(Tok::Close);
            i += 1;
        } else {
            push_text(&mut toks);
            i += 1;
        }
    }
    Ok(toks)
}

/// Reads a number at `start` (digits, thousands separators, a decimal part) and the
/// scale word right after it. Returns the value and the index after what was read.
fn read_number(chars: &[char], start: usize) -> Result<(Decimal, usize), BasisError> {
    // Digits and the point, ASCII, gathered on the stack: at most MAX_NUMBER_CHARS + 1.
    let mut buf = [0u8; MAX_NUMBER_CHARS + 1];
    let mut len = 0;
    let mut i = start;
    let mut seen_point = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            buf[len] = c as u8;
            len += 1;
            i += 1;
        } else if c == ',' && !seen_point && is_group(chars, i) {
            i += 1;
        } else if c == '.' && !seen_point && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            seen_point = true;
            buf[len] = b'.';
            len += 1;
            i += 1;
        } else {
            break;
        }
        if len > MAX_NUMBER_CHARS {
            return Err(BasisError::Overflow);
        }
    }
    // Only ASCII was written, so this is always text.
    let digits = std::str::from_utf8(&buf[..len]).unwrap_or_default();
    let mut value = Decimal::from_str_exact(digits).map_err(|e| match e {
        rust_decimal::Error::ExceedsMaximumPossibleValue => BasisError::Overflow,
        _ => BasisError::BadNumber(digits.to_string()),
    })?;
    // Scale words directly after the figure (spaces allowed): 3.1524万元 → 31524.
    while let Some((j, c)) = next_non_space(chars, i) {
        let factor = match c {
            '万' => Decimal::from(10_000),
            '亿' => Decimal::from(100_000_000),
            '%' => Decimal::new(1, 2),
            _ => break,
        };
        value = value.checked_mul(factor).ok_or(BasisError::Overflow)?;
        i = j + 1;
    }
    Ok((value, i))
}

/// A comma at `i` separates thousands when exactly three digits follow it and the
/// digits before it form a group too (`1,469`, `1,000,000`).
fn is_group(chars: &[char], i: usize) -> bool {
    let three = (1..=3).all(|k| chars.get(i + k).is_some_and(|c| c.is_ascii_digit()));
    let then_end = !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit());
    i > 0 && chars[i - 1].is_ascii_digit() && three && then_end
}

/// Brackets without arithmetic inside are notes (`（估）`, `（含加班费2000元）`) and
/// become text; a bracketed lone figure between operators (`(8500)×12`) stays a value.
fn mark_notes(toks: Vec<Tok>) -> Result<Vec<Tok>, BasisError> {
    // Most bases have no brackets: nothing to match or mark.
    if !toks.iter().any(|t| matches!(t, Tok::Open | Tok::Close)) {
        return Ok(toks);
    }
    // Match brackets first; depth is checked here so the parser stays bounded.
    let mut partner = vec![usize::MAX; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Open => {
                stack.push(i);
                if stack.len() > MAX_DEPTH {
                    return Err(BasisError::TooDeep);
                }
            }
            Tok::Close => {
                let o = stack.pop().ok_or(BasisError::UnbalancedBracket)?;
                partner[o] = i;
                partner[i] = o;
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(BasisError::UnbalancedBracket);
    }
    let mut out = toks.clone();
    // Innermost groups are decided first (their closing bracket comes first).
    for close in 0..toks.len() {
        if toks[close] != Tok::Close {
            continue;
        }
        let open = partner[close];
        let inner = &out[open + 1..close];
        if inner.iter().any(|t| matches!(t, Tok::Mul | Tok::Add)) {
            continue;
        }
        let has_num = inner.iter().any(|t| matches!(t, Tok::Num(_)));
        let prev = out[..open].iter().rev().find(|t| **t != Tok::Text);
        let next = out[close + 1..].iter().find(|t| **t != Tok::Text);
        let stands_alone = matches!(prev, None | Some(Tok::Mul | Tok::Add | Tok::Open))
            && matches!(next, None | Some(Tok::Mul | Tok::Add | Tok::Close));
        if !(has_num && stands_alone) {
            for t in &mut out[open..=close] {
                *t = Tok::Text;
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.pos).copied()
    }

    fn expr(&mut self, depth: usize) -> Result<Decimal, BasisError> {
        let mut sum = self.term(depth)?;
        while self.peek() == Some(Tok::Add) {
            self.pos += 1;
            let t = self.term(depth)?;
            sum = sum.checked_add(t).ok_or(BasisError::Overflow)?;
        }
        Ok(sum)
    }

    fn term(&mut self, depth: usize) -> Result<Decimal, BasisError> {
        let mut product = self.factor(depth)?;
        while self.peek() == Some(Tok::Mul) {
            self.pos += 1;
            let f = self.factor(depth)?;
            product = product.checked_mul(f).ok_or(BasisError::Overflow)?;
        }
        Ok(product)
    }

    fn factor(&mut self, depth: usize) -> Result<Decimal, BasisError> {
        let value = match self.peek() {
            Some(Tok::Num(v)) => {
                self.pos += 1;
                v
            }
            Some(Tok::Open) => {
                if depth >= MAX_DEPTH {
                    return Err(BasisError::TooDeep);
                }
                self.pos += 1;
                let v = self.expr(depth + 1)?;
                if self.peek() != Some(Tok::Close) {
                    return Err(BasisError::UnbalancedBracket);
                }
                self.pos += 1;
                v
            }
            _ => return Err(BasisError::MissingOperand),
        };
        if matches!(self.peek(), Some(Tok::Num(_) | Tok::Open)) {
            return Err(BasisError::MissingOperator);
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eval(s: &str) -> String {
        evaluate_basis(s).unwrap().unwrap().to_string()
    }

    #[test]
    fn brief_examples() {
        assert_eq!(eval("1469平方米×16元/平方米/月×12月"), "282,048.00");
        assert_eq!(eval("8500元/月×12月"), "102,000.00");
        assert_eq!(eval("40人×2.5万元/人/年"), "1,000,000.00");
        assert_eq!(eval("3.1524万元/月×12月"), "378,288.00");
        assert_eq!(
            eval("1469平方米×16元/平方米/月×12月+3.1524万元/月×12月"),
            "660,336.00"
        );
        // The seed's line (2) of project 6.
        assert_eq!(
            eval("1469平方米×9元/平方米/月×12月+1.5万元/月×12月"),
            "338,652.00"
        );
    }

    #[test]
    fn operators_and_digits() {
        assert_eq!(eval("8500*12"), "102,000.00");
        assert_eq!(eval("8500x12"), "102,000.00");
        assert_eq!(eval("8500 X 12"), "102,000.00");
        assert_eq!(eval("8500✕12"), "102,000.00");
        assert_eq!(eval("8500＊12"), "102,000.00");
        assert_eq!(eval("１，４６９平方米×１６元"), "23,504.00");
        assert_eq!(eval("1,469×16＋1"), "23,505.00");
        assert_eq!(eval("１．５万元×２"), "30,000.00");
        assert_eq!(eval("3 万元 × 2 场"), "60,000.00");
        assert_eq!(eval("1000000×5%"), "50,000.00");
        assert_eq!(eval("（1469平方米×16元+100元）×12月"), "283,248.00");
        assert_eq!(eval("8500元（含加班费2000元）×12月"), "102,000.00");
        assert_eq!(eval("（1）8500元/月×12月"), "102,000.00");
        assert_eq!(eval("(8500)×12"), "102,000.00");
        assert_eq!(eval("G60论坛 2场×5万元/场"), "100,000.00");
        assert_eq!(eval("100kg×5元/kg"), "500.00");
        // Exact, no binary rounding.
        assert_eq!(eval("0.1×3+0.2"), "0.50");
    }

    #[test]
    fn no_arithmetic_is_none() {
        for s in [
            "据实结算",
            "48000元",
            "全年 1 万（估）",
            "",
            "   ",
            "Excel表格",
            "按合同",
        ] {
            assert_eq!(evaluate_basis(s), Ok(None), "{s}");
        }
    }

    #[test]
    fn malformed_is_an_error() {
        assert_eq!(evaluate_basis("×12月"), Err(BasisError::MissingOperand));
        assert_eq!(evaluate_basis("8500元×"), Err(BasisError::MissingOperand));
        assert_eq!(
            evaluate_basis("按16元/平/月计，1469平方米×12月"),
            Err(BasisError::MissingOperator)
        );
        assert_eq!(
            evaluate_basis("(8500×12"),
            Err(BasisError::UnbalancedBracket)
        );
        assert_eq!(
            evaluate_basis("8500×12)"),
            Err(BasisError::UnbalancedBracket)
        );
        assert_eq!(
            evaluate_basis("99999999999999999999亿×99999999999999999999亿"),
            Err(BasisError::Overflow)
        );
        let deep = format!("{}1×2{}", "(".repeat(40), ")".repeat(40));
        assert_eq!(evaluate_basis(&deep), Err(BasisError::TooDeep));
        let long = "1×".repeat(MAX_BASIS_CHARS) + "1";
        assert!(matches!(evaluate_basis(&long), Err(BasisError::TooLong(_))));
        let digits = "9".repeat(100) + "×2";
        assert_eq!(evaluate_basis(&digits), Err(BasisError::Overflow));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = evaluate_basis(&s);
        }

        #[test]
        fn never_panics_on_arithmetic_soup(s in "[0-9.,，万亿%×x+＋()（）元月 ]{0,120}") {
            let _ = evaluate_basis(&s);
        }

        #[test]
        fn sum_of_products(terms in proptest::collection::vec((0u32..100_000, 0u32..100, 1u32..13), 1..6)) {
            let text = terms
                .iter()
                .map(|(a, b, m)| format!("{a}.{b:02}元/月×{m}月"))
                .collect::<Vec<_>>()
                .join("+");
            let expected: Decimal = terms
                .iter()
                .map(|(a, b, m)| (Decimal::from(*a) + Decimal::new(*b as i64, 2)) * Decimal::from(*m))
                .sum();
            prop_assert_eq!(evaluate_basis(&text).unwrap(), Some(Money::from_yuan(expected)));
        }
    }
}

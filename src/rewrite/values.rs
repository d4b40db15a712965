//! Small value expressions the rewriter evaluates itself: literal slots of a cached template,
//! constants, columns of a phase-1 result row, and `+ - *` between them (enough for `k = k + 1`,
//! `balance = balance - 10`). Also literal text → [`Value`], and coercion of a value to a column's
//! type so row keys built from SQL text encode like row keys built from row images.
//! Anything more complex is "unknown" (None): the caller then uses a coarse key or skips the entry.

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value as SqlValue};

use super::lexer::Kind;
use crate::event::Value;
use crate::schema::Column;

/// Arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// +
    Add,
    /// -
    Sub,
    /// *
    Mul,
}

/// A value expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ValExpr {
    /// Literal slot `?N` of the statement.
    Slot(usize),
    /// A constant.
    Const(Value),
    /// Column at this position of a phase-1 result row.
    Col(usize),
    /// Unary minus.
    Neg(Box<ValExpr>),
    /// Binary arithmetic.
    Bin(Op, Box<ValExpr>, Box<ValExpr>),
}

impl ValExpr {
    /// Build from an AST expression; `col` maps a column reference to a row position.
    pub fn from_expr(e: &Expr, col: &dyn Fn(&Expr) -> Option<usize>) -> Option<ValExpr> {
        Some(match e {
            Expr::Value(v) => match &v.value {
                SqlValue::Placeholder(p) => ValExpr::Slot(p.strip_prefix('?')?.parse().ok()?),
                SqlValue::Number(n, _) => ValExpr::Const(number_value(n)?),
                SqlValue::SingleQuotedString(s) | SqlValue::DoubleQuotedString(s) => {
                    if s.contains('\\') {
                        return None;
                    }
                    ValExpr::Const(Value::Bytes(s.as_bytes().to_vec()))
                }
                SqlValue::Null => ValExpr::Const(Value::Null),
                SqlValue::Boolean(b) => ValExpr::Const(Value::Int(i64::from(*b))),
                _ => return None,
            },
            Expr::Nested(inner) => Self::from_expr(inner, col)?,
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => ValExpr::Neg(Box::new(Self::from_expr(expr, col)?)),
            Expr::UnaryOp {
                op: UnaryOperator::Plus,
                expr,
            } => Self::from_expr(expr, col)?,
            Expr::BinaryOp { left, op, right } => {
                let op = match op {
                    BinaryOperator::Plus => Op::Add,
                    BinaryOperator::Minus => Op::Sub,
                    BinaryOperator::Multiply => Op::Mul,
                    _ => return None,
                };
                ValExpr::Bin(
                    op,
                    Box::new(Self::from_expr(left, col)?),
                    Box::new(Self::from_expr(right, col)?),
                )
            }
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => ValExpr::Col(col(e)?),
            _ => return None,
        })
    }

    /// Append the phase-1 row positions the expression reads.
    pub fn columns(&self, out: &mut Vec<usize>) {
        match self {
            ValExpr::Col(c) => out.push(*c),
            ValExpr::Neg(a) => a.columns(out),
            ValExpr::Bin(_, a, b) => {
                a.columns(out);
                b.columns(out);
            }
            ValExpr::Slot(_) | ValExpr::Const(_) => {}
        }
    }

    /// True when the expression reads no row column.
    pub fn is_const(&self) -> bool {
        match self {
            ValExpr::Slot(_) | ValExpr::Const(_) => true,
            ValExpr::Col(_) => false,
            ValExpr::Neg(a) => a.is_const(),
            ValExpr::Bin(_, a, b) => a.is_const() && b.is_const(),
        }
    }

    /// Replace slots by their values (from `lit`); None when a slot cannot be read.
    pub fn bind(&self, lit: &dyn Fn(usize) -> Option<Value>) -> Option<ValExpr> {
        Some(match self {
            ValExpr::Slot(i) => ValExpr::Const(lit(*i)?),
            ValExpr::Const(_) | ValExpr::Col(_) => self.clone(),
            ValExpr::Neg(a) => ValExpr::Neg(Box::new(a.bind(lit)?)),
            ValExpr::Bin(op, a, b) => {
                ValExpr::Bin(*op, Box::new(a.bind(lit)?), Box::new(b.bind(lit)?))
            }
        })
    }

    /// Evaluate against a row (slots must be bound already).
    pub fn eval(&self, row: &[Value]) -> Option<Value> {
        match self {
            ValExpr::Slot(_) => None,
            ValExpr::Const(v) => Some(v.clone()),
            ValExpr::Col(i) => row.get(*i).cloned(),
            ValExpr::Neg(a) => arith(Op::Sub, &Value::Int(0), &a.eval(row)?),
            ValExpr::Bin(op, a, b) => arith(*op, &a.eval(row)?, &b.eval(row)?),
        }
    }
}

fn as_i128(v: &Value) -> Option<i128> {
    match v {
        Value::Int(i) => Some(i128::from(*i)),
        Value::UInt(u) => Some(i128::from(*u)),
        Value::Decimal(d) if !d.contains(['.', 'e', 'E']) => d.parse().ok(),
        Value::Bytes(b) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
        _ => None,
    }
}

/// Integer arithmetic as the server does it for integer operands; anything else is unknown.
fn arith(op: Op, a: &Value, b: &Value) -> Option<Value> {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return Some(Value::Null);
    }
    let (x, y) = (as_i128(a)?, as_i128(b)?);
    let r = match op {
        Op::Add => x.checked_add(y)?,
        Op::Sub => x.checked_sub(y)?,
        Op::Mul => x.checked_mul(y)?,
    };
    if let Ok(i) = i64::try_from(r) {
        Some(Value::Int(i))
    } else {
        u64::try_from(r).ok().map(Value::UInt)
    }
}

/// A numeric literal's value.
pub fn number_value(n: &str) -> Option<Value> {
    if let Some(h) = n.strip_prefix("0x").or_else(|| n.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(Value::UInt);
    }
    if let Some(b) = n.strip_prefix("0b") {
        return u64::from_str_radix(b, 2).ok().map(Value::UInt);
    }
    if n.contains(['e', 'E']) {
        return n.parse().ok().map(Value::Double);
    }
    if n.contains('.') {
        return Some(Value::Decimal(n.to_string()));
    }
    n.parse::<i64>()
        .map(Value::Int)
        .ok()
        .or_else(|| n.parse::<u64>().ok().map(Value::UInt))
        .or_else(|| Some(Value::Decimal(n.to_string())))
}

/// A literal token's value: numbers by value, strings with quotes removed and doubled quotes
/// undone. Strings with backslashes are never slots, so no escape processing is needed here.
pub fn literal_value(text: &str, kind: Kind) -> Option<Value> {
    match kind {
        Kind::Number => number_value(text),
        Kind::Str => {
            let q = text.chars().next()?;
            let inner = &text[1..text.len() - 1];
            let dq: String = [q, q].iter().collect();
            Some(Value::Bytes(
                inner.replace(&dq, &q.to_string()).into_bytes(),
            ))
        }
        _ => None,
    }
}

/// Coerce a value written in SQL to the type the row image would carry for `col`, or None when
/// we cannot be sure (then the caller falls back to a coarse key).
pub fn coerce(v: Value, col: &Column) -> Option<Value> {
    let t = col.data_type.as_str();
    let numeric = matches!(
        t,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "year"
    );
    match v {
        Value::Null => Some(Value::Null),
        Value::Bytes(b) if numeric => {
            let s = std::str::from_utf8(&b).ok()?.trim();
            let i: i128 = s.parse().ok()?;
            if col.unsigned {
                u64::try_from(i).ok().map(Value::UInt)
            } else {
                i64::try_from(i).ok().map(Value::Int)
            }
        }
        Value::Int(i) if numeric => Some(if col.unsigned {
            Value::UInt(u64::try_from(i).ok()?)
        } else {
            Value::Int(i)
        }),
        Value::UInt(u) if numeric => Some(if col.unsigned {
            Value::UInt(u)
        } else {
            Value::Int(i64::try_from(u).ok()?)
        }),
        Value::Bytes(b) if is_string_type(t) => Some(Value::Bytes(b)),
        Value::Int(i) if is_string_type(t) => Some(Value::Bytes(i.to_string().into_bytes())),
        Value::UInt(u) if is_string_type(t) => Some(Value::Bytes(u.to_string().into_bytes())),
        Value::Bytes(b) if t == "date" || t == "datetime" => temporal(
            std::str::from_utf8(&b).ok()?,
            t == "date",
            fsp(&col.column_type),
        ),
        Value::Decimal(d) if t == "decimal" => Some(Value::Decimal(d)),
        Value::Int(_) | Value::UInt(_) if t == "decimal" => Some(v),
        _ => None,
    }
}

/// Fractional-second digits of a temporal column type ("datetime(6)" → 6).
fn fsp(column_type: &str) -> usize {
    column_type
        .split(['(', ')'])
        .nth(1)
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS[.ffffff]' as the row image carries a DATE/DATETIME.
/// Anything the server would convert with rounding or warnings (relaxed delimiters, a time on
/// a DATE, more fraction digits than the column keeps) is None: the caller uses a coarse key.
/// TIMESTAMP is not handled: its literal is in the session time zone, the image in UTC.
fn temporal(s: &str, date_only: bool, fsp: usize) -> Option<Value> {
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    if date_only && time.is_some() {
        return None;
    }
    let num = |x: &str, len: usize| {
        (x.len() == len && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse::<u32>().ok())
            .flatten()
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d.as_slice() else {
        return None;
    };
    let (year, month, day) = (num(y, 4)?, num(mo, 2)?, num(da, 2)?);
    let (mut hour, mut minute, mut second, mut micros) = (0, 0, 0, 0);
    if let Some(t) = time {
        let (hms, frac) = match t.split_once('.') {
            Some((h, f)) => (h, Some(f)),
            None => (t, None),
        };
        let p: Vec<&str> = hms.split(':').collect();
        let [h, mi, se] = p.as_slice() else {
            return None;
        };
        (hour, minute, second) = (num(h, 2)?, num(mi, 2)?, num(se, 2)?);
        if let Some(f) = frac {
            if f.is_empty() || f.len() > fsp || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            micros = f.parse::<u32>().ok()? * 10u32.pow(6 - f.len() as u32);
        }
    }
    if month > 12 || day > 31 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(Value::DateTime {
        year: year as u16,
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        micros,
    })
}

fn is_string_type(t: &str) -> bool {
    matches!(
        t,
        "char"
            | "varchar"
            | "binary"
            | "varbinary"
            | "text"
            | "tinytext"
            | "mediumtext"
            | "longtext"
            | "blob"
            | "tinyblob"
            | "mediumblob"
            | "longblob"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporal_literals_coerce_like_row_images() {
        let col = |t: &str, ct: &str| Column {
            name: "c".into(),
            data_type: t.into(),
            column_type: ct.into(),
            unsigned: false,
            nullable: false,
            collation: None,
            auto_increment: false,
            generated: false,
        };
        let b = |s: &str| Value::Bytes(s.as_bytes().to_vec());
        let dt = col("datetime", "datetime(3)");
        assert_eq!(
            coerce(b("2024-02-03 04:05:06.12"), &dt),
            Some(Value::DateTime {
                year: 2024,
                month: 2,
                day: 3,
                hour: 4,
                minute: 5,
                second: 6,
                micros: 120_000
            })
        );
        assert_eq!(
            coerce(b("2024-02-03 04:05:06.1234"), &dt),
            None,
            "would be rounded"
        );
        assert_eq!(coerce(b("2024-2-3"), &dt), None, "relaxed format");
        let d = col("date", "date");
        assert_eq!(
            coerce(b("2024-02-03"), &d),
            Some(Value::DateTime {
                year: 2024,
                month: 2,
                day: 3,
                hour: 0,
                minute: 0,
                second: 0,
                micros: 0
            })
        );
        assert_eq!(coerce(b("2024-02-03 10:00:00"), &d), None);
        assert_eq!(
            coerce(b("2024-02-03"), &col("timestamp", "timestamp")),
            None
        );
    }

    #[test]
    fn arithmetic_and_literals() {
        let e = ValExpr::Bin(
            Op::Add,
            Box::new(ValExpr::Col(0)),
            Box::new(ValExpr::Slot(3)),
        );
        let b = e.bind(&|i| (i == 3).then_some(Value::Int(1))).unwrap();
        assert_eq!(b.eval(&[Value::Int(41)]), Some(Value::Int(42)));
        assert_eq!(b.eval(&[Value::Null]), Some(Value::Null));
        assert_eq!(
            literal_value("'a''b'", Kind::Str),
            Some(Value::Bytes(b"a'b".to_vec()))
        );
        assert_eq!(
            literal_value("18446744073709551615", Kind::Number),
            Some(Value::UInt(u64::MAX))
        );
        assert_eq!(
            literal_value("1.50", Kind::Number),
            Some(Value::Decimal("1.50".into()))
        );
    }
}

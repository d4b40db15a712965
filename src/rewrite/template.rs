//! Rewrite templates: the result of rewriting one statement *shape* (its literal-free
//! fingerprint), with every literal of the statement left as a numbered slot. A template is
//! built once from the AST, guarded once, cached, and instantiated for every statement of the
//! same shape by substituting literal tokens — the fast path of the rewriter.
//!
//! Substitution is safe because a slot is replaced by exactly one literal token that our lexer
//! delimited (a quoted string without backslashes, or a number): the result tokenises like the
//! guarded template with one literal where a placeholder was. Statements whose literals are not
//! plain (backslashes, introducers, typed literals) keep them inline in the template text.

use std::sync::Arc;

use super::followup::FollowSpec;
use super::lexer::{self, Flavor, Kind, Token};
use super::rowkey::{self, RowKeyEncoder};
use super::values::{ValExpr, coerce, literal_value};
use crate::event::Value;
use crate::plan::{Probe, ProbeSql, RowKey, Skip};
use crate::schema::Table;

/// A piece of a text template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Fixed text.
    Text(String),
    /// Literal slot N.
    Slot(usize),
}

/// SQL text with slots.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextT(pub Vec<Piece>);

impl TextT {
    /// Split SQL containing `?N` placeholders into pieces (plain `?` stays text).
    pub fn parse(sql: &str) -> TextT {
        let mut toks = Vec::new();
        if lexer::lex(sql, Flavor::Unknown, &mut toks).is_err() {
            return TextT(vec![Piece::Text(sql.to_string())]);
        }
        let mut pieces = Vec::new();
        let mut last = 0;
        for w in toks.windows(2) {
            let (q, n) = (&w[0], &w[1]);
            if q.kind == Kind::Param
                && n.kind == Kind::Number
                && n.span.start == q.span.end
                && let Ok(i) = sql[n.span.clone()].parse()
            {
                pieces.push(Piece::Text(sql[last..q.span.start].to_string()));
                pieces.push(Piece::Slot(i));
                last = n.span.end;
            }
        }
        pieces.push(Piece::Text(sql[last..].to_string()));
        pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        TextT(pieces)
    }

    /// The text with slots written as `?N` (what the guard checks).
    pub fn with_placeholders(&self) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(i) => {
                    out.push('?');
                    out.push_str(&i.to_string());
                }
            }
        }
        out
    }

    /// Substitute literal texts.
    pub fn render(&self, lits: &Literals<'_>) -> String {
        let mut out = String::with_capacity(128);
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(i) => out.push_str(lits.text(*i)),
            }
        }
        out
    }
}

/// The literal tokens of one statement, by slot number.
pub struct Literals<'a> {
    /// Statement text.
    pub sql: &'a str,
    /// Its tokens.
    pub toks: &'a [Token],
    /// Token index of each slot.
    pub slots: &'a [usize],
}

impl Literals<'_> {
    /// Token text of slot `i` ("" when out of range, which a well-formed template never asks).
    pub fn text(&self, i: usize) -> &str {
        self.slots
            .get(i)
            .map_or("", |&t| lexer::text(self.sql, &self.toks[t]))
    }

    /// Value of slot `i`.
    pub fn value(&self, i: usize) -> Option<Value> {
        let t = &self.toks[*self.slots.get(i)?];
        literal_value(lexer::text(self.sql, t), t.kind)
    }
}

/// A row key to build at instantiation. The encoder (collation folds, table name) is prepared
/// when the template is built, so instantiation is one buffer fill per key.
#[derive(Debug, Clone)]
pub enum KeyT {
    /// Whole table (prebuilt).
    Table(RowKey),
    /// One row: PK values in PK column order.
    Row {
        /// The table.
        table: Arc<Table>,
        /// Its PK encoder.
        enc: Arc<RowKeyEncoder>,
        /// PK value expressions.
        vals: Vec<ValExpr>,
    },
}

impl KeyT {
    /// The coarse key of `t`.
    pub fn table(t: &Arc<Table>) -> KeyT {
        KeyT::Table(rowkey::table_key(t))
    }

    /// The key of the row whose PK values are `vals` (coarse when `t` has no primary key).
    pub fn row(t: &Arc<Table>, vals: Vec<ValExpr>) -> KeyT {
        let Some(pk) = t.primary_key() else {
            return KeyT::table(t);
        };
        let cols: Vec<(usize, Option<u32>)> =
            pk.columns.iter().map(|c| (c.column, c.prefix)).collect();
        KeyT::Row {
            table: t.clone(),
            enc: Arc::new(RowKeyEncoder::new(t, &cols)),
            vals,
        }
    }

    /// Build the key; falls back to the table key when a value is unknown.
    pub fn build(&self, lits: &Literals<'_>) -> RowKey {
        match self {
            KeyT::Table(k) => k.clone(),
            KeyT::Row { table, enc, vals } => match pk_values(table, vals, lits) {
                Some(v) => enc.key(&v),
                None => enc.table_key(),
            },
        }
    }
}

/// Evaluate PK value expressions and coerce them to the PK column types.
pub fn pk_values(t: &Table, vals: &[ValExpr], lits: &Literals<'_>) -> Option<Vec<Value>> {
    let pk = t.primary_key()?;
    if pk.columns.len() != vals.len() {
        return None;
    }
    let lit = |i| lits.value(i);
    pk.columns
        .iter()
        .zip(vals)
        .map(|(ic, e)| {
            let v = e.bind(&lit)?.eval(&[])?;
            if matches!(v, Value::Null) {
                return None;
            }
            coerce(v, &t.columns[ic.column])
        })
        .collect()
}

/// What a probe runs, with slots.
#[derive(Debug, Clone)]
pub enum SqlT {
    /// Read-only SELECT text.
    Text(TextT),
    /// Original DML text (locking modes).
    Dml(TextT),
}

/// A probe with slots.
#[derive(Debug, Clone)]
pub struct ProbeT {
    /// "db.tbl".
    pub table: String,
    /// Index read, "" when the server picks.
    pub index: String,
    /// Phase (always 1 in a template; phase 2 comes from follow-ups).
    pub phase: u8,
    /// SQL.
    pub sql: SqlT,
    /// Key tuples this probe reads.
    pub keys: Vec<Vec<ValExpr>>,
    /// Conflict-map keys; None = the same as the body's applier keys (built once).
    pub row_keys: Option<Vec<KeyT>>,
    /// Phase-2 builder.
    pub follow: Option<Arc<FollowSpec>>,
}

/// The successful part of a template.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// "db.tbl" of every table involved.
    pub tables: Vec<String>,
    /// Probes.
    pub probes: Vec<ProbeT>,
    /// Keys the applier will touch.
    pub applier_keys: Vec<KeyT>,
}

/// A cached rewrite of one statement shape.
#[derive(Debug, Clone)]
pub struct Template {
    /// The rewrite, or why the shape is skipped.
    pub result: Result<Body, Skip>,
}

/// An instantiated template.
pub struct Instance {
    /// Probes.
    pub probes: Vec<Probe>,
    /// Tables.
    pub tables: Vec<String>,
    /// Applier keys.
    pub applier_keys: Vec<RowKey>,
}

impl Body {
    /// Substitute the literals of one statement.
    pub fn instantiate(&self, lits: &Literals<'_>) -> Instance {
        let lit = |i| lits.value(i);
        let applier_keys: Vec<RowKey> = self.applier_keys.iter().map(|k| k.build(lits)).collect();
        let probes = self
            .probes
            .iter()
            .map(|p| Probe {
                table: p.table.clone(),
                index: p.index.clone(),
                phase: p.phase,
                sql: match &p.sql {
                    SqlT::Text(t) => ProbeSql::Text(t.render(lits)),
                    SqlT::Dml(t) => ProbeSql::Dml(vec![t.render(lits)]),
                },
                keys: p
                    .keys
                    .iter()
                    .filter_map(|tuple| {
                        tuple
                            .iter()
                            .map(|e| e.bind(&lit)?.eval(&[]))
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect(),
                row_keys: match &p.row_keys {
                    Some(ks) => ks.iter().map(|k| k.build(lits)).collect(),
                    None => applier_keys.clone(),
                },
                follow_up: p.follow.as_ref().and_then(|f| f.bind(lits)),
            })
            .collect();
        Instance {
            probes,
            tables: self.tables.clone(),
            applier_keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_templates_split_on_numbered_slots_only() {
        let t = TextT::parse("SELECT `c?1` FROM t WHERE id = ?0 AND k = ? AND x IN (?12, ?1)");
        assert_eq!(
            t.0,
            vec![
                Piece::Text("SELECT `c?1` FROM t WHERE id = ".into()),
                Piece::Slot(0),
                Piece::Text(" AND k = ? AND x IN (".into()),
                Piece::Slot(12),
                Piece::Text(", ".into()),
                Piece::Slot(1),
                Piece::Text(")".into()),
            ]
        );
    }
}

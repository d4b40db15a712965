//! What the applier will read for one changed row, from its images: the (index, key) pairs of
//! DESIGN §4. InnoDB applies a row event by locating the row on its clustered key, then
//! delete-marking / inserting the secondary entries that change:
//! - DELETE: the clustered row (before image) and every secondary entry of the old row;
//! - INSERT: the clustered position of the new key (left out when the key is one AUTO_INCREMENT
//!   column: new values land on the right edge, which is hot) and every unique and secondary
//!   entry of the new row;
//! - UPDATE: the clustered row; when the clustered key changes, the new position too and every
//!   secondary entry old and new (they all embed the key); otherwise, for each secondary index
//!   whose columns changed, the old entry (before image) and the new entry (after image).
//!
//! With binlog_row_image=MINIMAL the before image holds only the key and the after image only the
//! changed columns: a column missing from the after image is unchanged, so its value comes from
//! the before image; an entry whose values are in neither image is a gap (`KeyNotInImage`).
//! This module only computes the set; `batch.rs` turns it into queries.

use crate::event::{Row, RowsKind, Value};
use crate::plan::RowKey;
use crate::rewrite::rowkey::truncate_prefix;

use super::table::{IndexPlan, TableInfo};

/// One entry the applier will read.
#[derive(Debug, Clone)]
pub(crate) struct Need {
    /// Position in [`TableInfo::indexes`].
    pub index: usize,
    /// Key tuple, in [`IndexPlan::key_cols`] order.
    pub tuple: Vec<Value>,
    /// The row it belongs to: position of its key in [`RowNeeds::applier`].
    pub row: usize,
}

/// Entries that could not be keyed, counted per index (position in `TableInfo::indexes`).
#[derive(Debug, Default)]
pub(crate) struct Gaps {
    /// Rows whose clustered key is not in the image: nothing of them can be probed.
    pub unkeyed_rows: usize,
    /// Entries whose values are in neither image.
    pub not_in_image: Vec<(usize, usize)>,
    /// Unique-index entries containing NULL: the optimizer does not extend unique keys with the
    /// clustered key, so `uk IS NULL` would scan every NULL entry instead of the applier's leaf.
    pub unique_null: Vec<(usize, usize)>,
}

impl Gaps {
    fn bump(list: &mut Vec<(usize, usize)>, index: usize) {
        match list.iter_mut().find(|(i, _)| *i == index) {
            Some((_, n)) => *n += 1,
            None => list.push((index, 1)),
        }
    }

    /// Whether nothing was missed.
    pub fn is_empty(&self) -> bool {
        self.unkeyed_rows == 0 && self.not_in_image.is_empty() && self.unique_null.is_empty()
    }
}

/// Output of [`row_needs`], reused across rows to avoid allocation.
#[derive(Debug, Default)]
pub(crate) struct RowNeeds {
    /// Entries to probe, in the order the applier reads them.
    pub needs: Vec<Need>,
    /// Row keys the applier touches.
    pub applier: Vec<RowKey>,
    /// What could not be keyed.
    pub gaps: Gaps,
    /// Scratch buffer for row-key encoding.
    buf: Vec<u8>,
}

impl RowNeeds {
    /// Append the row key of clustered-key values `ck` to `applier`; its position.
    fn add_row_key(&mut self, info: &TableInfo, ck: &[Value]) -> usize {
        let rk = info.encoder.key_with(ck, &mut self.buf);
        self.applier.push(rk);
        self.applier.len() - 1
    }
}

/// A row image seen through the table's schema; `base` supplies columns missing from `row`
/// (the before image under an after image).
struct Image<'a> {
    info: &'a TableInfo,
    row: &'a Row,
    base: Option<&'a Row>,
}

impl Image<'_> {
    fn get(&self, col: usize) -> Option<Value> {
        fn raw(r: &Row, col: usize) -> Option<&Value> {
            r.values.get(col).and_then(Option::as_ref)
        }
        raw(self.row, col)
            .or_else(|| self.base.and_then(|b| raw(b, col)))
            .map(|v| self.info.value(col, v))
    }

    fn tuple(&self, ix: &IndexPlan) -> Option<Vec<Value>> {
        let mut t = Vec::with_capacity(ix.key_cols.len());
        for &(c, _) in &ix.key_cols {
            t.push(self.get(c)?);
        }
        Some(t)
    }

    /// Whether any column of `ix` is in `self.row` with a value other than in `base`
    /// (a column present only in the after image with no before value counts as changed).
    /// Prefix columns compare their prefixes only: InnoDB leaves the entry alone when only bytes
    /// past the prefix change.
    fn changes(&self, ix: &IndexPlan) -> bool {
        ix.key_cols
            .iter()
            .zip(&ix.folds)
            .any(|(&(c, prefix), &fold)| {
                let Some(new) = self.row.values.get(c).and_then(Option::as_ref) else {
                    return false;
                };
                let old = self
                    .base
                    .and_then(|b| b.values.get(c))
                    .and_then(Option::as_ref);
                match (old, new, prefix) {
                    (None, _, _) => true,
                    (Some(Value::Bytes(o)), Value::Bytes(n), Some(p)) => {
                        truncate_prefix(o, p as usize, fold) != truncate_prefix(n, p as usize, fold)
                    }
                    (Some(old), new, _) => old != new,
                }
            })
    }
}

/// Compute what the applier reads for one row change and append it to `out`.
pub(crate) fn row_needs(
    info: &TableInfo,
    kind: RowsKind,
    before: Option<&Row>,
    after: Option<&Row>,
    out: &mut RowNeeds,
) {
    match (kind, before, after) {
        (RowsKind::Delete, Some(b), _) => whole_row(info, b, false, out),
        (RowsKind::Write, _, Some(a)) => whole_row(info, a, info.auto_inc_pk, out),
        (RowsKind::Update, Some(b), Some(a)) => update(info, b, a, out),
        _ => out.gaps.unkeyed_rows += 1,
    }
}

/// DELETE (before image) or INSERT (after image): the clustered entry and every secondary one.
fn whole_row(info: &TableInfo, row: &Row, skip_clustered: bool, out: &mut RowNeeds) {
    let img = Image {
        info,
        row,
        base: None,
    };
    let Some(ck) = img.tuple(&info.indexes[0]) else {
        out.gaps.unkeyed_rows += 1;
        return;
    };
    let rk = out.add_row_key(info, &ck);
    if !skip_clustered {
        push(out, 0, ck, rk);
    }
    for (i, ix) in info.indexes.iter().enumerate().skip(1) {
        entry(out, &img, i, ix, rk);
    }
}

fn update(info: &TableInfo, before: &Row, after: &Row, out: &mut RowNeeds) {
    let old = Image {
        info,
        row: before,
        base: None,
    };
    let new = Image {
        info,
        row: after,
        base: Some(before),
    };
    let clustered = &info.indexes[0];
    let Some(old_ck) = old.tuple(clustered) else {
        out.gaps.unkeyed_rows += 1;
        return;
    };
    let old_rk = out.add_row_key(info, &old_ck);
    push(out, 0, old_ck, old_rk);
    let mut new_rk = old_rk;
    if new.changes(clustered)
        && let Some(new_ck) = new.tuple(clustered)
    {
        let rk = out.add_row_key(info, &new_ck);
        if out.applier[rk] == out.applier[old_rk] {
            // Collation-equal: the same clustered position.
            out.applier.pop();
        } else {
            new_rk = rk;
            push(out, 0, new_ck, new_rk);
        }
    }
    let key_moved = new_rk != old_rk;
    for (i, ix) in info.indexes.iter().enumerate().skip(1) {
        if key_moved || new.changes(ix) {
            entry(out, &old, i, ix, old_rk);
            entry(out, &new, i, ix, new_rk);
        }
    }
}

/// One secondary entry of `img`, or the gap that prevents it.
fn entry(out: &mut RowNeeds, img: &Image<'_>, i: usize, ix: &IndexPlan, row: usize) {
    match img.tuple(ix) {
        None => Gaps::bump(&mut out.gaps.not_in_image, i),
        Some(t) if ix.unique && t.contains(&Value::Null) => {
            Gaps::bump(&mut out.gaps.unique_null, i)
        }
        Some(t) => push(out, i, t, row),
    }
}

fn push(out: &mut RowNeeds, index: usize, tuple: Vec<Value>, row: usize) {
    out.needs.push(Need { index, tuple, row });
}

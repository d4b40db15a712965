//! QUERY (2) and the events that set a statement's session context: INTVAR (5), RAND (13),
//! USER_VAR (14). Status variables are parsed up to the first code this crate does not know
//! (the server writes known codes first; an unknown one leaves the rest unparsed, as MySQL does).

use super::cursor::{Cur, DResult, Short};
use super::decimal;
use super::types::{SessionContext, Statement, Value};

/// Decode a QUERY body whose statement text is `sql` (given separately because MariaDB's
/// compressed query event zips only the text). Returns the statement and the text offset.
pub(crate) fn decode_head(body: &[u8]) -> DResult<(Statement, usize)> {
    let mut c = Cur::new(body);
    let thread_id = c.u32()?;
    let _exec_time = c.u32()?;
    let db_len = usize::from(c.u8()?);
    let _error = c.u16()?;
    let sv_len = usize::from(c.u16()?);
    let mut ctx = SessionContext {
        thread_id,
        ..SessionContext::default()
    };
    status_vars(&mut Cur::new(c.take(sv_len)?), &mut ctx)?;
    let db = String::from_utf8_lossy(c.take(db_len)?).into_owned();
    if c.u8()? != 0 {
        return Err(Short::new("query default database is not NUL-terminated"));
    }
    let stmt = Statement {
        db: (!db.is_empty()).then_some(db),
        sql: String::new(),
        context: ctx,
    };
    Ok((stmt, c.pos()))
}

fn status_vars(c: &mut Cur<'_>, ctx: &mut SessionContext) -> DResult<()> {
    while !c.is_empty() {
        match c.u8()? {
            0 | 10 => c.skip(4)?,
            1 => ctx.sql_mode = Some(c.u64()?),
            2 => {
                let n = usize::from(c.u8()?);
                c.skip(n + 1)?
            }
            3 => c.skip(4)?,
            4 => ctx.charset = Some((c.u16()?, c.u16()?, c.u16()?)),
            5 => {
                let n = usize::from(c.u8()?);
                ctx.time_zone = Some(String::from_utf8_lossy(c.take(n)?).into_owned());
            }
            6 => {
                let n = usize::from(c.u8()?);
                c.skip(n)?
            }
            7 | 8 | 18 => c.skip(2)?,
            9 | 17 | 129 => c.skip(8)?,
            11 => {
                let u = usize::from(c.u8()?);
                c.skip(u)?;
                let h = usize::from(c.u8()?);
                c.skip(h)?
            }
            12 => updated_dbs(c)?,
            13 | 128 => c.skip(3)?,
            16 | 19 | 20 | 130 => c.skip(1)?,
            _ => break,
        }
    }
    Ok(())
}

/// Q_UPDATED_DB_NAMES: a count, then that many NUL-terminated names (254 = too many, none).
fn updated_dbs(c: &mut Cur<'_>) -> DResult<()> {
    let n = c.u8()?;
    if n == 254 {
        return Ok(());
    }
    for _ in 0..n {
        let rest = c.clone().rest();
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| Short::new("unterminated updated-db name"))?;
        c.skip(end + 1)?;
    }
    Ok(())
}

/// Fold an INTVAR body into the pending context.
pub(crate) fn intvar(body: &[u8], ctx: &mut SessionContext) -> DResult<()> {
    let mut c = Cur::new(body);
    let kind = c.u8()?;
    let v = c.u64()?;
    match kind {
        1 => ctx.last_insert_id = Some(v),
        2 => ctx.insert_id = Some(v),
        k => return Err(Short::new(format!("unknown INTVAR type {k}"))),
    }
    Ok(())
}

/// Fold a RAND body into the pending context.
pub(crate) fn rand(body: &[u8], ctx: &mut SessionContext) -> DResult<()> {
    let mut c = Cur::new(body);
    ctx.rand_seed = Some((c.u64()?, c.u64()?));
    Ok(())
}

/// Fold a USER_VAR body into the pending context.
pub(crate) fn user_var(body: &[u8], ctx: &mut SessionContext) -> DResult<()> {
    let mut c = Cur::new(body);
    let name_len = c.u32()? as usize;
    let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
    if c.u8()? != 0 {
        ctx.user_vars.push((name, Value::Null));
        return Ok(());
    }
    let kind = c.u8()?;
    let _charset = c.u32()?;
    let len = c.u32()? as usize;
    let raw = c.take(len)?;
    let flags = if c.is_empty() { 0 } else { c.u8()? };
    let mut v = Cur::new(raw);
    let value = match kind {
        0 => Value::Bytes(raw.to_vec()),
        1 => Value::Double(f64::from_bits(v.u64()?)),
        2 if flags & 1 != 0 => Value::UInt(v.u64()?),
        2 => Value::Int(v.u64()? as i64),
        4 => {
            let (p, s) = (v.u8()?, v.u8()?);
            Value::Decimal(decimal::decode(&mut v, p, s)?)
        }
        k => return Err(Short::new(format!("unknown user variable type {k}"))),
    };
    ctx.user_vars.push((name, value));
    Ok(())
}

//! DATE, TIME, DATETIME, TIMESTAMP (old and `2` formats with fractional seconds) → [`Value`].
//! Formats per MySQL's `my_time.cc` (`my_datetime_packed_from_binary`,
//! `my_time_packed_from_binary`, `my_timestamp_from_binary`).

use super::cursor::{Cur, DResult, Short};
use super::types::Value;
use super::value::Col;

const DATETIMEF_INT_OFS: i64 = 0x80_0000_0000;
const TIMEF_INT_OFS: i64 = 0x80_0000;
const TIMEF_OFS: i64 = 0x8000_0000_0000;

/// Decode a temporal column (the non-temporal variants are an error).
pub(crate) fn decode(c: &mut Cur<'_>, col: Col) -> DResult<Value> {
    match col {
        Col::Date => {
            let v = c.uint(3)?;
            Ok(datetime(
                (v >> 9) as u16,
                ((v >> 5) & 15) as u8,
                (v & 31) as u8,
                0,
                0,
                0,
                0,
            ))
        }
        Col::Time => {
            let raw = c.uint(3)? as i64;
            let v = (raw << 40) >> 40;
            let a = v.unsigned_abs();
            Ok(time(
                v < 0,
                (a / 10000) as u32,
                (a / 100 % 100) as u8,
                (a % 100) as u8,
                0,
            ))
        }
        Col::DateTime => {
            let v = c.u64()?;
            let (d, t) = (v / 1_000_000, v % 1_000_000);
            Ok(datetime(
                (d / 10000) as u16,
                (d / 100 % 100) as u8,
                (d % 100) as u8,
                (t / 10000) as u8,
                (t / 100 % 100) as u8,
                (t % 100) as u8,
                0,
            ))
        }
        Col::Timestamp => Ok(from_epoch(i64::from(c.u32()?), 0)),
        Col::Timestamp2 { fsp } => {
            let secs = c.uint_be(4)? as i64;
            Ok(from_epoch(secs, frac(c, fsp)?))
        }
        Col::DateTime2 { fsp } => datetime2(c, fsp),
        Col::Time2 { fsp } => time2(c, fsp),
        other => Err(Short::new(format!("not a temporal column: {other:?}"))),
    }
}

/// Unsigned fractional part in microseconds.
fn frac(c: &mut Cur<'_>, fsp: u8) -> DResult<u32> {
    Ok(match fsp {
        1 | 2 => c.u8()? as u32 * 10_000,
        3 | 4 => c.uint_be(2)? as u32 * 100,
        5 | 6 => c.uint_be(3)? as u32,
        _ => 0,
    })
}

fn datetime2(c: &mut Cur<'_>, fsp: u8) -> DResult<Value> {
    let int = c.uint_be(5)? as i64 - DATETIMEF_INT_OFS;
    let micros = frac(c, fsp)?;
    let a = int.unsigned_abs();
    let ymd = a >> 17;
    let ym = ymd >> 5;
    let hms = a & ((1 << 17) - 1);
    Ok(datetime(
        (ym / 13) as u16,
        (ym % 13) as u8,
        (ymd & 31) as u8,
        (hms >> 12) as u8,
        ((hms >> 6) & 63) as u8,
        (hms & 63) as u8,
        micros,
    ))
}

fn time2(c: &mut Cur<'_>, fsp: u8) -> DResult<Value> {
    let packed: i64 = match fsp {
        1..=4 => {
            let mut int = c.uint_be(3)? as i64 - TIMEF_INT_OFS;
            let (mut f, unit, wrap) = if fsp <= 2 {
                (i64::from(c.u8()?), 10_000, 0x100)
            } else {
                (c.uint_be(2)? as i64, 100, 0x10000)
            };
            if int < 0 && f != 0 {
                int += 1;
                f -= wrap;
            }
            (int << 24) + f * unit
        }
        5 | 6 => c.uint_be(6)? as i64 - TIMEF_OFS,
        _ => (c.uint_be(3)? as i64 - TIMEF_INT_OFS) << 24,
    };
    let a = packed.unsigned_abs();
    let hms = a >> 24;
    Ok(time(
        packed < 0,
        ((hms >> 12) % (1 << 10)) as u32,
        ((hms >> 6) % 64) as u8,
        (hms % 64) as u8,
        (a % (1 << 24)) as u32,
    ))
}

fn datetime(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8, micros: u32) -> Value {
    Value::DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    }
}

fn time(negative: bool, hours: u32, minutes: u8, seconds: u8, micros: u32) -> Value {
    Value::Time {
        negative,
        hours,
        minutes,
        seconds,
        micros,
    }
}

/// Seconds since the epoch (UTC) → civil date-time (Howard Hinnant's `civil_from_days`).
/// TIMESTAMP 0 stays the zero date, as the server shows it.
fn from_epoch(secs: i64, micros: u32) -> Value {
    if secs == 0 && micros == 0 {
        return datetime(0, 0, 0, 0, 0, 0, 0);
    }
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    datetime(
        year,
        month,
        day,
        (sod / 3600) as u8,
        (sod / 60 % 60) as u8,
        (sod % 60) as u8,
        micros,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_conversion() {
        assert_eq!(
            from_epoch(1_700_000_000, 5),
            datetime(2023, 11, 14, 22, 13, 20, 5)
        );
        assert_eq!(
            from_epoch(951_782_400, 0),
            datetime(2000, 2, 29, 0, 0, 0, 0)
        );
    }

    #[test]
    fn datetime2_packed() {
        // 2024-03-05 06:07:08.123456, fsp 6: int = (((2024*13+3)<<5|5)<<17) | (6<<12|7<<6|8).
        let ymd = ((2024u64 * 13 + 3) << 5) | 5;
        let int = (ymd << 17) | (6 << 12) | (7 << 6) | 8;
        let v = (int as i64 + DATETIMEF_INT_OFS) as u64;
        let mut b = v.to_be_bytes()[3..].to_vec();
        b.extend_from_slice(&123_456u32.to_be_bytes()[1..]);
        let got = decode(&mut Cur::new(&b), Col::DateTime2 { fsp: 6 }).unwrap();
        assert_eq!(got, datetime(2024, 3, 5, 6, 7, 8, 123_456));
    }

    #[test]
    fn time2_negative_fraction() {
        // -00:00:01.5 with fsp 1: packed = -(1<<24 | 500000) ... encode per my_time_packed_to_binary.
        let packed: i64 = -((1i64 << 24) + 500_000);
        let mut int = packed >> 24;
        let mut frac = (packed % (1 << 24)) / 10_000;
        if frac < 0 {
            frac += 0x100;
        }
        int += TIMEF_INT_OFS;
        let mut b = (int as u32).to_be_bytes()[1..].to_vec();
        b.push(frac as u8);
        let got = decode(&mut Cur::new(&b), Col::Time2 { fsp: 1 }).unwrap();
        assert_eq!(got, time(true, 0, 0, 1, 500_000));
    }
}

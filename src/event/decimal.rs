//! MySQL binary DECIMAL (`decimal2bin` format) → exact text, e.g. "-12.3400". Used for NEWDECIMAL
//! columns and DECIMAL user variables.

use super::cursor::{Cur, DResult, Short};

const DIG_PER_DEC: usize = 9;
/// Bytes needed for 0..=9 leftover digits.
const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/// Storage size of DECIMAL(precision, scale).
pub(crate) fn size(precision: u8, scale: u8) -> DResult<usize> {
    if scale > precision || precision == 0 || precision > 65 {
        return Err(Short::new(format!("bad DECIMAL({precision},{scale})")));
    }
    let intg = usize::from(precision - scale);
    let frac = usize::from(scale);
    Ok((intg / DIG_PER_DEC) * 4
        + DIG2BYTES[intg % DIG_PER_DEC]
        + (frac / DIG_PER_DEC) * 4
        + DIG2BYTES[frac % DIG_PER_DEC])
}

/// Decode DECIMAL(precision, scale) from the cursor.
pub(crate) fn decode(c: &mut Cur<'_>, precision: u8, scale: u8) -> DResult<String> {
    let n = size(precision, scale)?;
    let mut raw = c.take(n)?.to_vec();
    let negative = raw[0] & 0x80 == 0;
    raw[0] ^= 0x80;
    if negative {
        raw.iter_mut().for_each(|b| *b = !*b);
    }
    let intg = usize::from(precision - scale);
    let frac = usize::from(scale);
    let mut r = Cur::new(&raw);
    let mut int_part = String::new();
    let lead = intg % DIG_PER_DEC;
    if lead > 0 {
        push_group(&mut int_part, r.uint_be(DIG2BYTES[lead])?, lead);
    }
    for _ in 0..intg / DIG_PER_DEC {
        push_group(&mut int_part, r.uint_be(4)?, DIG_PER_DEC);
    }
    let trimmed = int_part.trim_start_matches('0');
    let mut out = String::with_capacity(precision as usize + 3);
    if negative {
        out.push('-');
    }
    out.push_str(if trimmed.is_empty() { "0" } else { trimmed });
    if frac > 0 {
        out.push('.');
        for _ in 0..frac / DIG_PER_DEC {
            push_group(&mut out, r.uint_be(4)?, DIG_PER_DEC);
        }
        let tail = frac % DIG_PER_DEC;
        if tail > 0 {
            push_group(&mut out, r.uint_be(DIG2BYTES[tail])?, tail);
        }
    }
    Ok(out)
}

fn push_group(s: &mut String, v: u64, digits: usize) {
    use std::fmt::Write;
    let _ = write!(
        s,
        "{:0width$}",
        v % 10u64.pow(digits as u32),
        width = digits
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        // DECIMAL(14,4) 1234567890.1234 (MySQL manual's decimal2bin example, sign bit set).
        let b = [0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2];
        assert_eq!(decode(&mut Cur::new(&b), 14, 4).unwrap(), "1234567890.1234");
        let neg: Vec<u8> = b.iter().map(|x| !x).collect();
        assert_eq!(
            decode(&mut Cur::new(&neg), 14, 4).unwrap(),
            "-1234567890.1234"
        );
        // DECIMAL(5,2) 0.00
        let z = [0x80, 0x00, 0x00];
        assert_eq!(decode(&mut Cur::new(&z), 5, 2).unwrap(), "0.00");
        assert!(decode(&mut Cur::new(&[0x80]), 5, 2).is_err());
        assert!(size(3, 4).is_err());
    }
}

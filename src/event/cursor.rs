//! A bounds-checked little-endian byte cursor for decoding event bodies. Every read returns a
//! [`Short`] error instead of panicking when the bytes run out, so no input can crash a decoder.

/// Decoding failure inside one event body: what was being read. The caller adds file and offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Short(pub String);

impl Short {
    pub(crate) fn new(msg: impl Into<String>) -> Short {
        Short(msg.into())
    }
}

pub(crate) type DResult<T> = std::result::Result<T, Short>;

/// Cursor over a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cur<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Cur<'a> {
        Cur { b, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `n` bytes.
    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> DResult<&'a [u8]> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.b.len() => {
                let s = &self.b[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            _ => Err(Short(format!(
                "need {n} bytes at body offset {}, have {}",
                self.pos,
                self.remaining()
            ))),
        }
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.pos..];
        self.pos = self.b.len();
        s
    }

    #[inline]
    pub(crate) fn skip(&mut self, n: usize) -> DResult<()> {
        self.take(n).map(|_| ())
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> DResult<u8> {
        Ok(self.take(1)?[0])
    }

    /// Little-endian unsigned integer of `n` ≤ 8 bytes.
    #[inline]
    pub(crate) fn uint(&mut self, n: usize) -> DResult<u64> {
        let s = self.take(n)?;
        let mut v = 0u64;
        for (i, &b) in s.iter().enumerate().take(8) {
            v |= u64::from(b) << (8 * i);
        }
        Ok(v)
    }

    /// Big-endian unsigned integer of `n` ≤ 8 bytes.
    #[inline]
    pub(crate) fn uint_be(&mut self, n: usize) -> DResult<u64> {
        let s = self.take(n)?;
        Ok(s.iter().take(8).fold(0u64, |v, &b| (v << 8) | u64::from(b)))
    }

    pub(crate) fn u16(&mut self) -> DResult<u16> {
        Ok(self.uint(2)? as u16)
    }

    pub(crate) fn u32(&mut self) -> DResult<u32> {
        Ok(self.uint(4)? as u32)
    }

    pub(crate) fn u64(&mut self) -> DResult<u64> {
        self.uint(8)
    }

    /// MySQL length-encoded integer (`net_field_length`).
    pub(crate) fn lenenc(&mut self) -> DResult<u64> {
        match self.u8()? {
            n @ 0..=250 => Ok(u64::from(n)),
            251 => Ok(0), // NULL marker: no length
            252 => self.uint(2),
            253 => self.uint(3),
            _ => self.uint(8),
        }
    }

    /// A length-encoded integer used as a size: must fit what is left.
    pub(crate) fn lenenc_len(&mut self) -> DResult<usize> {
        let n = self.lenenc()?;
        if n > self.remaining() as u64 {
            return Err(Short(format!(
                "length {n} at body offset {} exceeds the {} bytes left",
                self.pos,
                self.remaining()
            )));
        }
        Ok(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let mut c = Cur::new(&[1, 2, 0, 0xfc, 0x10, 0x01, 9]);
        assert_eq!(c.u8().unwrap(), 1);
        assert_eq!(c.u16().unwrap(), 2);
        assert_eq!(c.lenenc().unwrap(), 0x0110);
        assert!(c.u16().is_err());
        assert_eq!(c.u8().unwrap(), 9);
        assert!(c.is_empty());
        assert!(Cur::new(&[0xfe, 1]).lenenc().is_err());
    }
}

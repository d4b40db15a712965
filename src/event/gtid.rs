//! GTID events of both flavours: MySQL GTID (33), anonymous (34), tagged GTID (42, MySQL 8.3+,
//! written in MySQL's "serialization" format of varlen integers), PREVIOUS_GTIDS (35, plain and
//! tagged), MariaDB GTID (162) and GTID_LIST (163).

use super::cursor::{Cur, DResult, Short};
use super::types::{EventBody, Gtid};

/// MariaDB GTID flag bits.
const FL_STANDALONE: u8 = 0x01;
const FL_GROUP_COMMIT_ID: u8 = 0x02;
const FL_XA: u8 = 0x40 | 0x80;

/// MySQL GTID (33) body: flags, uuid, gno (the rest — commit order, timestamps — is not needed).
pub(crate) fn mysql(body: &[u8]) -> DResult<EventBody> {
    let mut c = Cur::new(body);
    let _flags = c.u8()?;
    let uuid = uuid(&mut c)?;
    let gno = c.u64()?;
    Ok(EventBody::Gtid {
        gtid: Gtid::MySql {
            uuid,
            tag: None,
            gno,
        },
        standalone: false,
        commit_id: None,
    })
}

fn uuid(c: &mut Cur<'_>) -> DResult<[u8; 16]> {
    let mut u = [0u8; 16];
    u.copy_from_slice(c.take(16)?);
    Ok(u)
}

/// MySQL serialization-library varlen unsigned: the count of trailing one bits in the first
/// byte says how many more bytes follow (8 ones: 8 bytes hold the value as is).
fn varlen(c: &mut Cur<'_>) -> DResult<u64> {
    let first = c.clone().u8()?;
    let n = (first.trailing_ones() as usize + 1).min(9);
    if n == 9 {
        c.skip(1)?;
        return c.u64();
    }
    Ok(c.uint(n)? >> n)
}

/// Signed varlen: the sign lives in the lowest bit (zigzag).
fn varlen_signed(c: &mut Cur<'_>) -> DResult<i64> {
    let u = varlen(c)?;
    Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
}

/// Tagged GTID (42): message header (format version, size, last non-ignorable field), then
/// fields by id: 0 flags, 1 uuid (16 varlen bytes), 2 gno (signed), 3 tag (varlen-length text).
pub(crate) fn mysql_tagged(body: &[u8]) -> DResult<EventBody> {
    let mut c = Cur::new(body);
    for _ in 0..3 {
        varlen(&mut c)?;
    }
    let (mut uuid, mut gno, mut tag) = ([0u8; 16], None, None);
    while !c.is_empty() {
        match varlen(&mut c)? {
            0 => {
                varlen(&mut c)?;
            }
            1 => {
                for b in uuid.iter_mut() {
                    *b = varlen(&mut c)? as u8;
                }
            }
            2 => gno = Some(varlen_signed(&mut c)?),
            3 => {
                let n = varlen(&mut c)? as usize;
                tag = Some(String::from_utf8_lossy(c.take(n)?).into_owned());
            }
            _ => break,
        }
    }
    let gno = gno.ok_or_else(|| Short::new("tagged GTID without a gno"))?;
    Ok(EventBody::Gtid {
        gtid: Gtid::MySql {
            uuid,
            tag: tag.filter(|t| !t.is_empty()),
            gno: gno as u64,
        },
        standalone: false,
        commit_id: None,
    })
}

/// PREVIOUS_GTIDS (35): per uuid[:tag], the highest gno executed (end of its last interval − 1).
pub(crate) fn previous(body: &[u8]) -> DResult<EventBody> {
    let mut c = Cur::new(body);
    let head = c.take(8)?;
    let tagged = head[0] == 1 && head[7] == 1;
    let n_sids = if tagged {
        Cur::new(&head[1..7]).uint(6)?
    } else {
        Cur::new(head).u64()?
    };
    let mut out = Vec::new();
    for _ in 0..n_sids {
        let uuid = uuid(&mut c)?;
        let tag = if tagged {
            let n = varlen(&mut c)? as usize;
            Some(String::from_utf8_lossy(c.take(n)?).into_owned()).filter(|t| !t.is_empty())
        } else {
            None
        };
        let n_iv = c.u64()?;
        if n_iv > (c.remaining() / 16) as u64 {
            return Err(Short::new(format!("{n_iv} GTID intervals do not fit")));
        }
        let mut last = 0;
        for _ in 0..n_iv {
            let _start = c.u64()?;
            last = c.u64()?.saturating_sub(1);
        }
        out.push(Gtid::MySql {
            uuid,
            tag,
            gno: last,
        });
    }
    Ok(EventBody::GtidList(out))
}

/// MariaDB GTID (162): seq u64, domain u32, flags u8, [commit id u64], [XA xid]. The server id
/// is the event header's.
pub(crate) fn mariadb(body: &[u8], server_id: u32) -> DResult<EventBody> {
    let mut c = Cur::new(body);
    let seq = c.u64()?;
    let domain = c.u32()?;
    let flags = c.u8()?;
    let commit_id = if flags & FL_GROUP_COMMIT_ID != 0 {
        Some(c.u64()?)
    } else {
        None
    };
    if flags & FL_XA != 0 {
        let _format_id = c.u32()?;
        let g = usize::from(c.u8()?);
        let b = usize::from(c.u8()?);
        c.skip(g + b)?;
    }
    Ok(EventBody::Gtid {
        gtid: Gtid::MariaDb {
            domain,
            server_id,
            seq,
        },
        standalone: flags & FL_STANDALONE != 0,
        commit_id,
    })
}

/// MariaDB GTID_LIST (163): count in the low 28 bits, then (domain, server id, seq) triples.
pub(crate) fn mariadb_list(body: &[u8]) -> DResult<EventBody> {
    let mut c = Cur::new(body);
    let n = c.u32()? & ((1 << 28) - 1);
    if u64::from(n) * 16 > c.remaining() as u64 {
        return Err(Short::new(format!("GTID_LIST of {n} entries does not fit")));
    }
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let domain = c.u32()?;
        let server_id = c.u32()?;
        let seq = c.u64()?;
        out.push(Gtid::MariaDb {
            domain,
            server_id,
            seq,
        });
    }
    Ok(EventBody::GtidList(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varlen_examples() {
        assert_eq!(varlen(&mut Cur::new(&[0x02])).unwrap(), 1);
        assert_eq!(varlen(&mut Cur::new(&[0x25, 0x02])).unwrap(), 0x89);
        assert_eq!(varlen_signed(&mut Cur::new(&[0x0c])).unwrap(), 3);
        assert_eq!(varlen_signed(&mut Cur::new(&[0x02])).unwrap(), -1);
        assert_eq!(varlen_signed(&mut Cur::new(&[0x04])).unwrap(), 1);
    }

    #[test]
    fn mariadb_gtid_with_commit_id() {
        let mut b = 7u64.to_le_bytes().to_vec();
        b.extend_from_slice(&3u32.to_le_bytes());
        b.push(FL_GROUP_COMMIT_ID);
        b.extend_from_slice(&99u64.to_le_bytes());
        let EventBody::Gtid {
            gtid, commit_id, ..
        } = mariadb(&b, 5).unwrap()
        else {
            panic!("not a gtid")
        };
        assert_eq!(gtid.to_string(), "3-5-7");
        assert_eq!(commit_id, Some(99));
        assert!(mariadb(&b[..12], 5).is_err());
    }
}

//! MariaDB GTID position strings (`@@gtid_binlog_pos`, `@@gtid_slave_pos`, `Gtid_IO_Pos`):
//! "domain-server-seq[,domain-server-seq...]", reduced to the highest sequence number per domain so
//! "has the replica got everything the primary wrote" is a per-domain comparison.

use std::collections::BTreeMap;

use crate::{Error, ErrorKind, Result};

/// Highest sequence number per replication domain.
pub type DomainSeqs = BTreeMap<u32, u64>;

/// Parse a GTID position list; the empty string is the empty position.
pub fn parse(pos: &str) -> Result<DomainSeqs> {
    let mut out = DomainSeqs::new();
    for item in pos.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let bad = || Error::new(ErrorKind::Corrupt, format!("bad GTID {item:?} in {pos:?}"));
        let mut parts = item.split('-');
        let (Some(d), Some(_server), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let domain: u32 = d.parse().map_err(|_| bad())?;
        let seq: u64 = s.parse().map_err(|_| bad())?;
        let e = out.entry(domain).or_insert(0);
        *e = (*e).max(seq);
    }
    Ok(out)
}

/// True when `have` is at or past `want` in every domain of `want`.
pub fn covers(have: &DomainSeqs, want: &DomainSeqs) -> bool {
    want.iter()
        .all(|(d, seq)| have.get(d).is_some_and(|h| h >= seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_compares() {
        let p = parse("0-1-10,1-1-3").unwrap();
        assert_eq!(p.get(&0), Some(&10));
        assert!(covers(&parse("0-2-10,1-1-4").unwrap(), &p));
        assert!(!covers(&parse("0-1-9,1-1-4").unwrap(), &p));
        assert!(!covers(&parse("0-1-10").unwrap(), &p));
        assert!(covers(&parse("").unwrap(), &parse("").unwrap()));
        assert!(parse("0-1").is_err());
        assert!(parse("x-1-2").is_err());
    }
}

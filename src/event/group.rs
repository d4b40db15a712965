//! [`Grouper`]: decoded events → [`Transaction`]s, as the applier will apply them.
//!
//! A transaction starts at a GTID event (MySQL, anonymous, tagged, MariaDB) or, in streams
//! without GTIDs, at `BEGIN`; it ends at XID, at `COMMIT`/`ROLLBACK`/`XA PREPARE`/`XA COMMIT`
//! queries, or right after the single statement that follows a GTID without `BEGIN` (MySQL DDL,
//! MariaDB standalone). A MariaDB GTID that is not standalone *is* the `BEGIN`: MariaDB writes
//! no `BEGIN` query after it (mysqlbinlog prints `START TRANSACTION` from the GTID's flags), so
//! its group runs to the XID or `COMMIT`, however many statements it holds. A statement outside
//! any transaction (old binlogs) is its own transaction. Events that are not part of any
//! transaction (FDE, ROTATE, GTID lists, checkpoints, STOP, the payload wrapper) are ignored, so
//! a transaction split across relay files comes out whole. After an error the partial
//! transaction is dropped and events are ignored until the next transaction start.

use tracing::debug;

use super::types::{Event, EventBody, Gtid, Position, Transaction};

/// A transaction being collected.
#[derive(Debug)]
struct Building {
    gtid: Option<Gtid>,
    start: Position,
    events: Vec<Event>,
    /// Inside BEGIN … (ends at XID/COMMIT), else the next statement ends it.
    in_begin: bool,
}

/// Upper bound of the capacity hint (a bulk transaction should not make every later one big).
const MAX_PREALLOCATED_EVENTS: usize = 64;

/// Groups events into transactions. See the module doc.
#[derive(Debug, Default)]
pub struct Grouper {
    seq: u64,
    cur: Option<Building>,
    /// Events in the last transaction: the capacity a new one starts with, so an OLTP stream's
    /// transactions (the same few statements again and again) are built without regrowing.
    last_len: usize,
}

/// What a statement means for grouping.
enum Stmt {
    Begin,
    End,
    Other,
}

fn classify(sql: &str) -> Stmt {
    let s = sql.trim_start();
    let word = |w: &str| s.len() >= w.len() && s[..w.len()].eq_ignore_ascii_case(w);
    if s.eq_ignore_ascii_case("BEGIN") || word("XA START") || word("XA BEGIN") {
        Stmt::Begin
    } else if s.eq_ignore_ascii_case("COMMIT")
        || s.eq_ignore_ascii_case("ROLLBACK")
        || word("XA PREPARE")
        || word("XA COMMIT")
        || word("XA ROLLBACK")
    {
        Stmt::End
    } else {
        Stmt::Other
    }
}

impl Grouper {
    /// A grouper whose first transaction gets sequence number 0.
    pub fn new() -> Grouper {
        Grouper::default()
    }

    /// Drop any partial transaction (after a read or decode error).
    pub fn reset(&mut self) {
        if let Some(b) = self.cur.take() {
            debug!(start = %b.start.offset, file = %b.start.file, "dropping a partial transaction");
        }
    }

    /// Feed one event; returns a transaction when this event completed one.
    pub fn push(&mut self, ev: Event) -> Option<Transaction> {
        match &ev.body {
            EventBody::Gtid {
                gtid, standalone, ..
            } => {
                self.reset();
                self.cur = Some(Building {
                    gtid: Some(gtid.clone()),
                    start: ev.pos.clone(),
                    events: Vec::with_capacity(self.last_len),
                    in_begin: matches!(gtid, Gtid::MariaDb { .. }) && !standalone,
                });
                None
            }
            EventBody::Xid(_) => self.finish(&ev),
            EventBody::Query(q) => match classify(&q.sql) {
                Stmt::Begin => {
                    match &mut self.cur {
                        // After a GTID (a MariaDB one already counts as BEGIN).
                        Some(b) if b.events.is_empty() => b.in_begin = true,
                        _ => {
                            self.reset();
                            self.cur = Some(Building {
                                gtid: None,
                                start: ev.pos.clone(),
                                events: Vec::new(),
                                in_begin: true,
                            });
                        }
                    }
                    None
                }
                Stmt::End => self.finish(&ev),
                Stmt::Other => self.statement(ev),
            },
            EventBody::TableMap(_)
            | EventBody::Rows(_)
            | EventBody::AnnotateRows(_)
            | EventBody::Other => {
                if let Some(b) = &mut self.cur
                    && ev.type_code != crate::relay::header::code::TRANSACTION_PAYLOAD
                {
                    b.events.push(ev);
                }
                None
            }
            _ => None,
        }
    }

    /// A non-BEGIN/COMMIT statement.
    fn statement(&mut self, ev: Event) -> Option<Transaction> {
        match &mut self.cur {
            Some(b) if b.in_begin => {
                b.events.push(ev);
                None
            }
            Some(b) => {
                b.events.push(ev.clone());
                self.finish(&ev)
            }
            None => {
                self.cur = Some(Building {
                    gtid: None,
                    start: ev.pos.clone(),
                    events: vec![ev.clone()],
                    in_begin: false,
                });
                self.finish(&ev)
            }
        }
    }

    fn finish(&mut self, last: &Event) -> Option<Transaction> {
        let b = self.cur.take()?;
        self.last_len = b.events.len().min(MAX_PREALLOCATED_EVENTS);
        let tx = Transaction {
            seq: self.seq,
            gtid: b.gtid,
            start: b.start,
            end: Position {
                file: last.pos.file.clone(),
                offset: last.end_offset(),
            },
            events: b.events,
        };
        self.seq += 1;
        Some(tx)
    }
}

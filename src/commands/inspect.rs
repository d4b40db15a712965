//! `relay-prefetch inspect [--start FILE:OFFSET] [--follow] [--json] PATH...`: print what the
//! prefetcher sees of a relay log — every event with its relay position, GTIDs, tables, row
//! images and statements (text in the spirit of `mysqlbinlog -vv`, or one JSON object per
//! event). Broken events are reported on stderr with file and offset and reading goes on; the
//! exit code is then 1. `--plan` is delegated to `inspect_plan` (the rewrite stage's view).
//! This file only formats; reading and decoding live in `relay/` and `event/`.

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use serde_json::{Map, Value as Json, json};

use crate::cli::InspectArgs;
use crate::event::{Event, EventBody, EventOutcome, EventStream, Row, Value, type_name};
use crate::relay::{RelaySource, parse_position};

/// Run `inspect`. Returns 0 when every event decoded, 1 when some could not.
pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    if args.plan {
        return super::inspect_plan::run(args);
    }
    let start = args.start.as_deref().map(parse_position).transpose()?;
    let source = RelaySource::from_paths(&args.paths);
    let mut stream = EventStream::open(source, start, args.follow)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut errors = 0usize;
    loop {
        match stream.next() {
            EventOutcome::Event(ev) => {
                if args.json {
                    writeln!(out, "{}", event_json(&ev))?;
                } else {
                    write_text(&mut out, &ev)?;
                }
            }
            EventOutcome::Pending => {
                out.flush()?;
                stream.wait(Duration::from_millis(200));
            }
            EventOutcome::End => break,
            EventOutcome::Error(e) => {
                out.flush()?;
                eprintln!("relay-prefetch: error: {e}");
                errors += 1;
            }
        }
    }
    out.flush()?;
    Ok(i32::from(errors > 0))
}

/// One JSON object for an event.
pub fn event_json(ev: &Event) -> Json {
    let mut m = Map::new();
    m.insert("file".into(), json!(&*ev.pos.file));
    m.insert("offset".into(), json!(ev.pos.offset));
    m.insert("end_offset".into(), json!(ev.end_offset()));
    m.insert("len".into(), json!(ev.len));
    m.insert("type".into(), json!(event_type(ev)));
    m.insert("type_code".into(), json!(ev.type_code));
    m.insert("server_id".into(), json!(ev.server_id));
    m.insert("timestamp".into(), json!(ev.timestamp));
    body_json(&ev.body, &mut m);
    Json::Object(m)
}

/// `type` as printed: by code, except that anonymous GTIDs print as "gtid" with `anonymous`.
fn event_type(ev: &Event) -> &'static str {
    match &ev.body {
        EventBody::Gtid { .. } => "gtid",
        _ => type_name(ev.type_code),
    }
}

fn body_json(body: &EventBody, m: &mut Map<String, Json>) {
    match body {
        EventBody::FormatDescription {
            server_version,
            binlog_version,
            checksum,
        } => {
            m.insert("server_version".into(), json!(server_version));
            m.insert("binlog_version".into(), json!(binlog_version));
            m.insert("checksum".into(), json!(checksum));
        }
        EventBody::Query(q) => {
            m.insert("db".into(), json!(q.db));
            m.insert("sql".into(), json!(q.sql));
            let c = &q.context;
            if let Some(v) = c.sql_mode {
                m.insert("sql_mode".into(), json!(v));
            }
            if let Some(v) = c.insert_id {
                m.insert("insert_id".into(), json!(v));
            }
            if let Some(v) = c.last_insert_id {
                m.insert("last_insert_id".into(), json!(v));
            }
        }
        EventBody::TableMap(t) => {
            m.insert("table".into(), json!(format!("{}.{}", t.db, t.table)));
            m.insert("table_id".into(), json!(t.table_id));
            m.insert("columns".into(), json!(t.columns.len()));
        }
        EventBody::Rows(r) => {
            m.insert(
                "table".into(),
                json!(format!("{}.{}", r.table.db, r.table.table)),
            );
            m.insert("rows".into(), json!(r.row_count()));
            m.insert("stmt_end".into(), json!(r.stmt_end));
            if !r.before.is_empty() {
                m.insert("before".into(), rows_json(&r.before));
            }
            if !r.after.is_empty() {
                m.insert("after".into(), rows_json(&r.after));
            }
        }
        EventBody::Xid(x) => {
            m.insert("xid".into(), json!(x));
        }
        EventBody::Gtid {
            gtid,
            standalone,
            commit_id,
        } => {
            m.insert("gtid".into(), json!(gtid.to_string()));
            m.insert("standalone".into(), json!(standalone));
            if let Some(c) = commit_id {
                m.insert("commit_id".into(), json!(c));
            }
        }
        EventBody::GtidList(l) => {
            let v: Vec<String> = l.iter().map(ToString::to_string).collect();
            m.insert("gtids".into(), json!(v));
        }
        EventBody::Rotate {
            next_file,
            position,
            fake,
        } => {
            m.insert("next_file".into(), json!(next_file));
            m.insert("position".into(), json!(position));
            m.insert("fake".into(), json!(fake));
        }
        EventBody::AnnotateRows(s) => {
            m.insert("sql".into(), json!(s));
        }
        EventBody::BinlogCheckpoint(f) => {
            m.insert("binlog_file".into(), json!(f));
        }
        EventBody::Stop | EventBody::Other => {}
    }
}

/// Row images as objects keyed `@1`, `@2`, … (1-based like mysqlbinlog); absent columns omitted.
fn rows_json(rows: &[Row]) -> Json {
    Json::Array(
        rows.iter()
            .map(|r| {
                let mut o = Map::new();
                for (i, v) in r.values.iter().enumerate() {
                    if let Some(v) = v {
                        o.insert(format!("@{}", i + 1), value_json(v));
                    }
                }
                Json::Object(o)
            })
            .collect(),
    )
}

fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        Value::UInt(u) => json!(u),
        Value::Float(f) => json!(f),
        Value::Double(d) => json!(d),
        _ => json!(value_text(v)),
    }
}

/// A value as text: strings as UTF-8 when they are, else `0x…` hex.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Double(d) => d.to_string(),
        Value::Decimal(s) => s.clone(),
        Value::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => s.to_string(),
            Err(_) => b.iter().fold(String::from("0x"), |mut s, x| {
                s.push_str(&format!("{x:02x}"));
                s
            }),
        },
        Value::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        } => {
            let mut s = format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}");
            if *micros != 0 {
                s.push_str(&format!(".{micros:06}"));
            }
            s
        }
        Value::Time {
            negative,
            hours,
            minutes,
            seconds,
            micros,
        } => {
            let sign = if *negative { "-" } else { "" };
            let mut s = format!("{sign}{hours:02}:{minutes:02}:{seconds:02}");
            if *micros != 0 {
                s.push_str(&format!(".{micros:06}"));
            }
            s
        }
    }
}

/// mysqlbinlog-like text for one event.
fn write_text(out: &mut impl Write, ev: &Event) -> io::Result<()> {
    writeln!(
        out,
        "# at {} {}  type={} len={} end={} server_id={} ts={}",
        ev.pos.offset,
        ev.pos.file,
        event_type(ev),
        ev.len,
        ev.end_offset(),
        ev.server_id,
        ev.timestamp
    )?;
    match &ev.body {
        EventBody::FormatDescription {
            server_version,
            checksum,
            ..
        } => writeln!(
            out,
            "#   server {server_version}, checksum {}",
            if *checksum { "CRC32" } else { "off" }
        ),
        EventBody::Query(q) => {
            if let Some(db) = &q.db {
                writeln!(out, "use `{db}`;")?;
            }
            writeln!(out, "{};", q.sql)
        }
        EventBody::TableMap(t) => writeln!(
            out,
            "#   table_id {} maps to `{}`.`{}` ({} columns)",
            t.table_id,
            t.db,
            t.table,
            t.columns.len()
        ),
        EventBody::Rows(r) => write_rows(out, r),
        EventBody::Xid(x) => writeln!(out, "COMMIT /* xid={x} */;"),
        EventBody::Gtid { gtid, .. } => writeln!(out, "#   GTID {gtid}"),
        EventBody::GtidList(l) => {
            let v: Vec<String> = l.iter().map(ToString::to_string).collect();
            writeln!(out, "#   GTIDs [{}]", v.join(", "))
        }
        EventBody::Rotate {
            next_file,
            position,
            fake,
        } => writeln!(
            out,
            "#   rotate to {next_file}:{position}{}",
            if *fake { " (fake)" } else { "" }
        ),
        EventBody::AnnotateRows(s) => writeln!(out, "#Q> {s}"),
        EventBody::BinlogCheckpoint(f) => writeln!(out, "#   binlog checkpoint {f}"),
        EventBody::Stop | EventBody::Other => Ok(()),
    }
}

fn write_rows(out: &mut impl Write, r: &crate::event::RowsEvent) -> io::Result<()> {
    use crate::event::RowsKind;
    let table = format!("`{}`.`{}`", r.table.db, r.table.table);
    for i in 0..r.row_count() {
        match r.kind {
            RowsKind::Write => {
                writeln!(out, "### INSERT INTO {table}\n### SET")?;
                write_image(out, r.after.get(i))?;
            }
            RowsKind::Delete => {
                writeln!(out, "### DELETE FROM {table}\n### WHERE")?;
                write_image(out, r.before.get(i))?;
            }
            RowsKind::Update => {
                writeln!(out, "### UPDATE {table}\n### WHERE")?;
                write_image(out, r.before.get(i))?;
                writeln!(out, "### SET")?;
                write_image(out, r.after.get(i))?;
            }
        }
    }
    Ok(())
}

fn write_image(out: &mut impl Write, row: Option<&Row>) -> io::Result<()> {
    for (i, v) in row
        .map(|r| r.values.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(v) = v {
            match v {
                Value::Bytes(_)
                | Value::Decimal(_)
                | Value::DateTime { .. }
                | Value::Time { .. } => writeln!(out, "###   @{}='{}'", i + 1, value_text(v))?,
                _ => writeln!(out, "###   @{}={}", i + 1, value_text(v))?,
            }
        }
    }
    Ok(())
}

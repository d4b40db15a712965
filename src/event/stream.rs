//! The two pull-based streams consumers use:
//! - [`EventStream`]: reader + decoder, one decoded [`Event`] at a time (what `inspect` prints);
//! - [`TransactionStream`]: reader + decoder + grouper, one [`Transaction`] at a time (what the
//!   daemon consumes, with `follow = true`).
//!
//! Both return `Pending` when the relay log has no complete event yet (call `wait` then `next`
//! again), `Error` for a broken event (naming file and offset; the stream has already moved
//! on), and `End` when a non-following read is done.

use std::collections::VecDeque;
use std::time::Duration;

use super::decode::{ColumnSelector, Decoder};
use super::group::Grouper;
use super::types::{Event, Position, Transaction};
use crate::error::{Error, Result};
use crate::relay::{ReadOutcome, Reader, RelaySource};

/// What [`EventStream::next`] produced.
#[derive(Debug)]
pub enum EventOutcome {
    /// A decoded event.
    Event(Event),
    /// No complete event yet (live tail).
    Pending,
    /// All files read.
    End,
    /// A broken event; already skipped.
    Error(Error),
}

/// What [`TransactionStream::next`] produced.
#[derive(Debug)]
pub enum StreamOutcome {
    /// A complete transaction.
    Transaction(Transaction),
    /// No complete transaction yet (live tail).
    Pending,
    /// All files read.
    End,
    /// A broken event; the partial transaction around it was dropped.
    Error(Error),
}

/// Reader + decoder. See the module doc.
pub struct EventStream {
    reader: Reader,
    decoder: Decoder,
    queue: VecDeque<Event>,
    scratch: Vec<Event>,
}

impl EventStream {
    /// Open a source (see [`Reader::open`]).
    pub fn open(source: RelaySource, start: Option<Position>, follow: bool) -> Result<Self> {
        Ok(EventStream::new(Reader::open(source, start, follow)?))
    }

    /// Wrap an opened reader.
    pub fn new(reader: Reader) -> Self {
        EventStream {
            reader,
            decoder: Decoder::new(),
            queue: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// Decode only the columns the selector asks for.
    pub fn set_column_selector(&mut self, selector: Option<ColumnSelector>) {
        self.decoder.set_column_selector(selector);
    }

    /// Keep (default) or drop the statement text of ANNOTATE_ROWS / ROWS_QUERY events.
    pub fn set_keep_annotations(&mut self, keep: bool) {
        self.decoder.set_keep_annotations(keep);
    }

    /// The decoder (table-map cache).
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Where the reader will read next.
    pub fn position(&self) -> Option<Position> {
        self.reader.position()
    }

    /// Wait a little before calling `next` again after `Pending`.
    pub fn wait(&self, max: Duration) {
        self.reader.wait(max)
    }

    /// The next event.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> EventOutcome {
        if let Some(ev) = self.queue.pop_front() {
            return EventOutcome::Event(ev);
        }
        match self.reader.next_ref() {
            ReadOutcome::Event(raw) => {
                self.scratch.clear();
                match self.decoder.decode_ref(raw, &mut self.scratch) {
                    Ok(()) => {
                        let mut it = self.scratch.drain(..);
                        let first = it.next();
                        self.queue.extend(it);
                        match first {
                            Some(ev) => EventOutcome::Event(ev),
                            None => self.next(),
                        }
                    }
                    Err(e) => EventOutcome::Error(e),
                }
            }
            ReadOutcome::Pending => EventOutcome::Pending,
            ReadOutcome::End => EventOutcome::End,
            ReadOutcome::Error(e) => EventOutcome::Error(e),
        }
    }
}

/// Reader + decoder + grouper. See the module doc.
pub struct TransactionStream {
    events: EventStream,
    grouper: Grouper,
}

impl TransactionStream {
    /// Open a source (see [`Reader::open`]).
    pub fn open(source: RelaySource, start: Option<Position>, follow: bool) -> Result<Self> {
        Ok(TransactionStream::new(Reader::open(source, start, follow)?))
    }

    /// Wrap an opened reader.
    pub fn new(reader: Reader) -> Self {
        TransactionStream {
            events: EventStream::new(reader),
            grouper: Grouper::new(),
        }
    }

    /// Decode only the columns the selector asks for (e.g. key columns for the prefetcher).
    pub fn set_column_selector(&mut self, selector: Option<ColumnSelector>) {
        self.events.set_column_selector(selector);
    }

    /// Keep (default) or drop the statement text of ANNOTATE_ROWS / ROWS_QUERY events; a
    /// prefetching consumer drops it (see [`crate::event::Decoder::set_keep_annotations`]).
    pub fn set_keep_annotations(&mut self, keep: bool) {
        self.events.set_keep_annotations(keep);
    }

    /// Where the reader will read next (not necessarily a transaction boundary).
    pub fn position(&self) -> Option<Position> {
        self.events.position()
    }

    /// Wait a little before calling `next` again after `Pending`.
    pub fn wait(&self, max: Duration) {
        self.events.wait(max)
    }

    /// The next complete transaction.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> StreamOutcome {
        loop {
            match self.events.next() {
                EventOutcome::Event(ev) => {
                    if let Some(tx) = self.grouper.push(ev) {
                        return StreamOutcome::Transaction(tx);
                    }
                }
                EventOutcome::Pending => return StreamOutcome::Pending,
                EventOutcome::End => {
                    self.grouper.reset();
                    return StreamOutcome::End;
                }
                EventOutcome::Error(e) => {
                    self.grouper.reset();
                    return StreamOutcome::Error(e);
                }
            }
        }
    }
}

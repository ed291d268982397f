//! CSV records with exact line numbers, split by hand when they hold no quotes.
//!
//! The `csv` crate reports a record's position as the end of the record before
//! it, so after a CRLF line ending or a blank line its line number is off.
//! Error messages must name the right line, and trace files are almost always
//! plain (numbers, commas, no quotes), so lines are split here: a line is what
//! lies between two `\n` (a trailing `\r` removed, blank lines skipped); a
//! line without `"` is split at commas; a line with `"` (and the lines it
//! spans, for quoted line breaks) is handed to the `csv` crate. Splitting by
//! hand also reads about twice as fast as the general parser.

use crate::error::bad_input;
use anyhow::Result;
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Initial read buffer; it grows only for a line longer than this.
const BUF_BYTES: usize = 1 << 18;

/// Reads a file line by line into one reusable buffer.
struct Lines {
    src: File,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    eof: bool,
}

impl Lines {
    /// The next line's bytes (without `\n`) as a range of `buf`, valid until the next call.
    #[inline]
    fn next_range(&mut self) -> std::io::Result<Option<Range<usize>>> {
        loop {
            if let Some(i) = self.buf[self.pos..self.filled]
                .iter()
                .position(|&b| b == b'\n')
            {
                let start = self.pos;
                self.pos += i + 1;
                return Ok(Some(start..start + i));
            }
            if self.eof {
                if self.pos < self.filled {
                    let start = self.pos;
                    self.pos = self.filled;
                    return Ok(Some(start..self.filled));
                }
                return Ok(None);
            }
            self.refill()?;
        }
    }

    #[cold]
    fn refill(&mut self) -> std::io::Result<()> {
        self.buf.copy_within(self.pos..self.filled, 0);
        self.filled -= self.pos;
        self.pos = 0;
        if self.filled == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Records of a CSV file, one at a time, each with the line it starts on.
pub(crate) struct Records {
    path: PathBuf,
    lines: Lines,
    /// The current line, `\r` removed.
    current: Range<usize>,
    /// Field ranges within `lines.buf`, for a record split by hand.
    fields: Vec<Range<usize>>,
    /// The record as parsed by `csv`, when it held quotes.
    quoted: Option<csv::ByteRecord>,
    /// Line of the current record (1-based).
    line: u64,
    /// Physical lines consumed so far.
    lines_read: u64,
}

impl Records {
    /// Opens `path`; `what` says what the file should be, for the error message.
    pub(crate) fn open(path: &Path, what: &str) -> Result<Records> {
        let src = File::open(path)
            .map_err(|e| bad_input(format!("{}: cannot open the {what}: {e}", path.display())))?;
        Ok(Records {
            path: path.to_path_buf(),
            lines: Lines {
                src,
                buf: vec![0; BUF_BYTES],
                pos: 0,
                filled: 0,
                eof: false,
            },
            current: 0..0,
            fields: Vec::new(),
            quoted: None,
            line: 0,
            lines_read: 0,
        })
    }

    /// The file being read.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Line of the current record.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// Moves to the next non-blank line, without splitting it; false at the end.
    #[inline]
    pub(crate) fn next_line(&mut self) -> Result<bool> {
        self.quoted = None;
        self.fields.clear();
        loop {
            let Some(mut r) = self.lines.next_range().map_err(|e| self.io_error(e))? else {
                return Ok(false);
            };
            self.lines_read += 1;
            if r.end > r.start && self.lines.buf[r.end - 1] == b'\r' {
                r.end -= 1;
            }
            if r.end > r.start {
                if self.lines_read == 1 {
                    // A UTF-8 byte order mark may open the file.
                    if self.lines.buf[r.clone()].starts_with(b"\xEF\xBB\xBF") {
                        r.start += 3;
                    }
                }
                self.current = r;
                self.line = self.lines_read;
                return Ok(true);
            }
        }
    }

    /// The current line's bytes, unsplit.
    #[inline]
    pub(crate) fn line_bytes(&self) -> &[u8] {
        &self.lines.buf[self.current.clone()]
    }

    /// Splits the current line into fields (reading on if a quoted field spans lines).
    pub(crate) fn split(&mut self) -> Result<()> {
        let bytes = &self.lines.buf[self.current.clone()];
        if bytes.contains(&b'"') {
            return self.split_quoted();
        }
        let base = self.current.start;
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b',' {
                self.fields.push(base + start..base + i);
                start = i + 1;
            }
        }
        self.fields.push(base + start..base + bytes.len());
        Ok(())
    }

    #[cold]
    fn split_quoted(&mut self) -> Result<()> {
        let mut text = self.line_bytes().to_vec();
        // A record ends where its quotes balance ("" escapes count twice).
        while text.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            let Some(r) = self.lines.next_range().map_err(|e| self.io_error(e))? else {
                return Err(bad_input(format!(
                    "{} line {}: a quoted field is never closed; expected a closing `\"`",
                    self.path.display(),
                    self.line
                )));
            };
            self.lines_read += 1;
            text.push(b'\n');
            text.extend_from_slice(&self.lines.buf[r]);
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_slice());
        let mut rec = csv::ByteRecord::new();
        let malformed = |detail: String| {
            bad_input(format!(
                "{} line {}: malformed CSV record{detail}",
                self.path.display(),
                self.line
            ))
        };
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return Err(malformed(String::new())),
            Err(e) => return Err(malformed(format!(": {e}"))),
        }
        if rdr
            .read_byte_record(&mut csv::ByteRecord::new())
            .unwrap_or(true)
        {
            return Err(malformed(": more than one record on the line".into()));
        }
        self.quoted = Some(rec);
        Ok(())
    }

    /// Number of fields of the current (split) record.
    pub(crate) fn len(&self) -> usize {
        match &self.quoted {
            Some(r) => r.len(),
            None => self.fields.len(),
        }
    }

    /// Field `i` of the current (split) record; empty when out of range.
    #[inline]
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        match &self.quoted {
            Some(r) => r.get(i).unwrap_or_default(),
            None => self
                .fields
                .get(i)
                .map_or(&[][..], |r| &self.lines.buf[r.clone()]),
        }
    }

    /// Every field of the current (split) record.
    pub(crate) fn fields(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.field(i))
    }

    /// The error for a record whose width differs from the header's.
    #[cold]
    pub(crate) fn width_error(&self, expected: usize, what: &str) -> anyhow::Error {
        bad_input(format!(
            "{} line {}: found {} fields; expected {expected} ({what})",
            self.path.display(),
            self.line,
            self.len()
        ))
    }

    #[cold]
    fn io_error(&self, e: std::io::Error) -> anyhow::Error {
        anyhow::anyhow!("{}: cannot read: {e}", self.path.display())
    }
}

/// Header names, trimmed (the byte order mark is already gone).
pub(crate) fn header_names(r: &Records) -> Vec<String> {
    r.fields()
        .map(|f| String::from_utf8_lossy(f).trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, fields) of every record.
    fn records(text: &[u8]) -> Result<Vec<(u64, Vec<String>)>> {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        let mut r = Records::open(f.path(), "test file")?;
        let mut out = Vec::new();
        while r.next_line()? {
            r.split()?;
            let fields = r
                .fields()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((r.line(), fields));
        }
        Ok(out)
    }

    fn rec(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn line_numbers_are_exact_with_crlf_and_blank_lines() {
        let got = records(b"a,b\r\n1,2\r\n\r\n\n3,4\n5,6").unwrap();
        assert_eq!(
            got,
            vec![
                rec(1, &["a", "b"]),
                rec(2, &["1", "2"]),
                rec(5, &["3", "4"]),
                rec(6, &["5", "6"])
            ]
        );
    }

    #[test]
    fn byte_order_mark_is_dropped() {
        assert_eq!(
            records(b"\xEF\xBB\xBFt_s\n1\n").unwrap()[0],
            rec(1, &["t_s"])
        );
    }

    #[test]
    fn quoted_fields_go_through_csv_even_across_lines() {
        let got = records(b"t_s,class\n1,\"a,b\"\n2,\"multi\nline\"\n3,\"say \"\"hi\"\"\"\n4,x\n")
            .unwrap();
        assert_eq!(
            got,
            vec![
                rec(1, &["t_s", "class"]),
                rec(2, &["1", "a,b"]),
                rec(3, &["2", "multi\nline"]),
                rec(5, &["3", "say \"hi\""]),
                rec(6, &["4", "x"]),
            ]
        );
    }

    #[test]
    fn unclosed_quote_names_its_line() {
        let e = records(b"t_s\n1\n\"2\n3\n").unwrap_err().to_string();
        assert!(e.contains("line 3: a quoted field is never closed"), "{e}");
    }

    #[test]
    fn empty_fields_and_lines_longer_than_the_buffer() {
        assert_eq!(records(b",\n").unwrap(), vec![rec(1, &["", ""])]);
        let long = "x".repeat(BUF_BYTES * 2 + 17);
        let got = records(format!("t_s\n{long}\n1\n").as_bytes()).unwrap();
        assert_eq!(got[1].1[0].len(), long.len());
        assert_eq!(got[2], rec(3, &["1"]));
    }
}

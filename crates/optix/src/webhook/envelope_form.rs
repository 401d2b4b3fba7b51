//! A form body's envelope, read without its other values: what ingest checks before it stores
//! the body as sent (provision parses it whole, with [`super::parse_form`]).
//!
//! The body is accepted and refused exactly as `parse_form` accepts and refuses it, with the
//! same error: the same names through the same [`super::split_key`], each placed in the shape
//! of the fields by the same rules as [`super::insert`] (lists and objects, conflicts, index
//! and gap limits, through the same functions), only without building values. Only the
//! envelope's values are decoded, as `parse_form`'s `form_urlencoded` decodes them ([`decode`],
//! compared with it by a test). Building and dropping the whole
//! `serde_json` tree cost ingest about as much as its signature, seal and delivery id together
//! (docs/performance.md, "The body as sent").

use super::{
    Envelope, KeyPath, MAX_DEPTH, MAX_GAPS, WebhookError, conflict, list_index, split_key,
    take_index,
};
use std::borrow::Cow;

/// The top-level fields [`super::Envelope::from_fields`] reads.
const ENVELOPE_FIELDS: [&str; 5] = [
    "client_id",
    "created_timestamp",
    "organization_id",
    "event",
    "request_signature",
];

/// The envelope's fields of a form body, as the fields [`super::parse_form`] reads hold them.
#[derive(Debug, PartialEq, Eq)]
pub struct FormEnvelope<'body> {
    /// Each of [`ENVELOPE_FIELDS`] given as a value, as given: borrowed from the body unless
    /// it needed decoding.
    values: [Option<Cow<'body, str>>; ENVELOPE_FIELDS.len()],
}

impl FormEnvelope<'_> {
    fn value(&self, name: &str) -> Option<&str> {
        let at = ENVELOPE_FIELDS.iter().position(|field| *field == name)?;
        self.values[at].as_deref()
    }

    /// The `event` field as given: `parse_form(body)?["event"].as_str()`.
    pub fn event(&self) -> Option<&str> {
        self.value("event")
    }

    /// [`Envelope::from_fields`] of the whole form's fields.
    pub fn envelope(&self) -> Result<Envelope, WebhookError> {
        // `text` of a string: trimmed, and none if empty.
        Envelope::from_text(|name| {
            let value = self.value(name)?.trim();
            (!value.is_empty()).then(|| value.to_owned())
        })
    }
}

/// The envelope of a form body, read as [`super::parse_form`] reads the body: it fails
/// wherever `parse_form` fails, with the same error.
pub fn parse_form_envelope(body: &[u8]) -> Result<FormEnvelope<'_>, WebhookError> {
    // Checked once for the whole body: a piece of it cut at ASCII bytes is UTF-8 too, so the
    // names and values that need no decoding are borrowed without checking them again.
    let Ok(body) = std::str::from_utf8(body) else {
        return Err(WebhookError::Malformed("body is not UTF-8".into()));
    };
    let mut shape = Shape::new();
    // Where names that needed decoding are decoded, one after the other: a node made for one
    // keeps a copy of its segment.
    let mut scratch = Decoded::default();
    // Split as `form_urlencoded::parse` splits: at `&` (empty sequences skipped), then at
    // the first `=`. Cut at ASCII bytes, each piece is a `str` of its own.
    let mut start = 0;
    for end in memchr::memchr_iter(b'&', body.as_bytes()).chain([body.len()]) {
        let sequence = &body[start..end];
        start = end + 1;
        if sequence.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = match memchr::memchr(b'=', sequence.as_bytes()) {
            Some(at) => (&sequence[..at], &sequence[at + 1..]),
            None => (sequence, ""),
        };
        // Nameless pairs are skipped, as `parse_form` skips them (no name decodes to nothing).
        if raw_name.is_empty() {
            continue;
        }
        let (leaf, envelope_field) = match split_as_written(raw_name) {
            // Most names, plain or escaped only at their brackets (Optix's nested names,
            // `member%5Bemail%5D`): borrowed from the body, as their nodes.
            Some(path) => (shape.place(&path, Cow::Borrowed)?, is_envelope_field(&path)),
            // Any other escape, or a name `split_key` refuses: decoded, then split (or refused)
            // as `parse_form` splits it.
            None => {
                let path = split_key(scratch.decode(raw_name))?;
                let owned = |segment: &str| Cow::Owned(segment.to_owned());
                (shape.place(&path, owned)?, is_envelope_field(&path))
            }
        };
        if envelope_field {
            shape.nodes[leaf].envelope_value = Some(decode(raw_value));
        }
    }
    shape.envelope_fields()
}

/// A name as written, when nothing in it is escaped but its brackets (`member%5Bemail%5D` is
/// how a form encoder writes `member[email]`), split as [`split_key`] splits it decoded: its
/// segments hold no escape, so they are borrowed from the body as they are. `None` for a name
/// with any other escape or a `+`, and for one `split_key` would refuse: those are decoded
/// first ([`Decoded`]), so they are read, and refused, exactly as `parse_form` reads them.
/// Decoding cost a copy of the name, and an allocation for each node it made.
fn split_as_written(raw: &str) -> Option<KeyPath<'_>> {
    let bytes = raw.as_bytes();
    // The length of `bracket` at `at`, written as it is (1) or escaped (3: `%5B`, `%5b`...).
    let bracket_at = |at: usize, bracket: u8| -> Option<usize> {
        match *bytes.get(at)? {
            byte if byte == bracket => Some(1),
            b'%' => {
                let escaped = [
                    b'%',
                    bytes.get(at + 1).copied()?,
                    bytes.get(at + 2).copied()?,
                ];
                let wanted = if bracket == b'[' { b"%5B" } else { b"%5D" };
                escaped.eq_ignore_ascii_case(wanted).then_some(3)
            }
            _ => None,
        }
    };
    // The first `bracket` at `from` or after it, with no other escape (nor `+`) before it: its
    // position and length; the name's end and 0 if there is none.
    let find = |from: usize, bracket: u8| -> Option<(usize, usize)> {
        let mut at = from;
        loop {
            match bytes.get(at).copied() {
                None => return Some((at, 0)),
                Some(b'+') => return None,
                Some(b'%') => return Some((at, bracket_at(at, bracket)?)),
                Some(byte) if byte == bracket => return Some((at, 1)),
                Some(_) => at += 1,
            }
        }
    };
    let (head_end, mut open) = find(0, b'[')?;
    if head_end == 0 {
        return None;
    }
    let mut path = KeyPath {
        segments: [""; MAX_DEPTH],
        len: 1,
    };
    path.segments[0] = &raw[..head_end];
    let mut at = head_end;
    while open > 0 {
        let start = at + open;
        let (end, close) = find(start, b']')?;
        if close == 0 || path.len == MAX_DEPTH {
            return None;
        }
        path.segments[path.len] = &raw[start..end];
        path.len += 1;
        at = end + close;
        if at == bytes.len() {
            break;
        }
        open = bracket_at(at, b'[')?;
    }
    Some(path)
}

/// Whether a value reads differently once decoded. A loop, not `memchr2`: values are short,
/// and a call of its own cost more than the bytes it looks at.
fn needs_decoding(raw: &str) -> bool {
    raw.bytes().any(|byte| byte == b'%' || byte == b'+')
}

/// A name or value decoded as `form_urlencoded` decodes it: `+` is a space, `%` and two hex
/// digits a byte (any other `%` stays), and the bytes read as UTF-8 with invalid sequences
/// replaced. Written out because `percent_encoding`'s decoder, a byte at a time, was most of
/// the cost of reading a form; the tests compare the two on every kind of input.
fn decode(raw: &str) -> Cow<'_, str> {
    if !needs_decoding(raw) {
        return Cow::Borrowed(raw);
    }
    // Rare for the envelope's values (a timestamp, ids, a hex signature): buffers of its own.
    Cow::Owned(Decoded::default().decode(raw).to_owned())
}

/// A name or value's bytes once decoded, before they are read as UTF-8, after what `out`
/// holds: the runs between `%` and `+` copied whole.
fn decode_bytes(raw: &str, out: &mut Vec<u8>) {
    let mut rest = raw.as_bytes();
    while let Some(at) = memchr::memchr2(b'%', b'+', rest) {
        out.extend_from_slice(&rest[..at]);
        let after = &rest[at + 1..];
        if rest[at] == b'+' {
            out.push(b' ');
            rest = after;
            continue;
        }
        match (after.first().and_then(hex), after.get(1).and_then(hex)) {
            (Some(high), Some(low)) => {
                out.push(high << 4 | low);
                rest = &after[2..];
            }
            _ => {
                out.push(b'%');
                rest = after;
            }
        }
    }
    out.extend_from_slice(rest);
}

/// The buffers names are decoded into, kept for the whole body.
#[derive(Default)]
struct Decoded {
    bytes: Vec<u8>,
    text: String,
}

impl Decoded {
    /// `raw` decoded ([`decode`]) in these buffers (what they held is gone).
    fn decode(&mut self, raw: &str) -> &str {
        self.bytes.clear();
        decode_bytes(raw, &mut self.bytes);
        self.text.clear();
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => self.text.push_str(text),
            Err(_) => self.text.push_str(&String::from_utf8_lossy(&self.bytes)),
        }
        &self.text
    }
}

fn hex(digit: &u8) -> Option<u8> {
    (*digit as char).to_digit(16).map(|value| value as u8)
}

fn is_envelope_field(path: &[&str]) -> bool {
    matches!(path, [name] if ENVELOPE_FIELDS.contains(name))
}

/// What a node of the fields' tree is; a missing list entry is `Vacant`, as `parse_form`'s
/// null.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Vacant,
    Value,
    Object { entries: usize },
    List { len: usize },
}

/// Where a node hangs: a name in its parent object, or an index in its parent list.
#[derive(PartialEq, Eq)]
enum Slot<'k> {
    Root,
    Name(usize, Cow<'k, str>),
    Index(usize, usize),
}

struct Node<'k> {
    slot: Slot<'k>,
    kind: Kind,
    envelope_value: Option<Cow<'k, str>>,
}

/// The tree of the fields without their values: nodes in the order made, each naming its
/// parent. A node made a value keeps its former children, unreachable from then on: nothing
/// can be nested under a value.
struct Shape<'k> {
    nodes: Vec<Node<'k>>,
    gaps: usize,
}

impl<'k> Shape<'k> {
    fn new() -> Shape<'k> {
        let mut shape = Shape {
            nodes: Vec::with_capacity(32),
            gaps: MAX_GAPS,
        };
        shape.nodes.push(Node {
            slot: Slot::Root,
            kind: Kind::Object { entries: 0 },
            envelope_value: None,
        });
        shape
    }

    /// Places a value at `path` as [`super::insert`] does; answers its node. A node made for
    /// a new name keeps it as `keep` gives it.
    fn place<'s>(
        &mut self,
        path: &[&'s str],
        keep: impl Fn(&'s str) -> Cow<'k, str>,
    ) -> Result<usize, WebhookError> {
        let mut node = 0;
        for segment in path {
            node = self.child(node, segment, &keep)?;
        }
        self.nodes[node].kind = Kind::Value;
        self.nodes[node].envelope_value = None;
        Ok(node)
    }

    /// The child of `node` that `segment` names, made if missing; `node` becomes a list or an
    /// object as `insert` makes it one, and is refused where `insert` refuses it.
    fn child<'s>(
        &mut self,
        node: usize,
        segment: &'s str,
        keep: impl Fn(&'s str) -> Cow<'k, str>,
    ) -> Result<usize, WebhookError> {
        match list_index(segment) {
            Some(index) => {
                let kind = &mut self.nodes[node].kind;
                if matches!(kind, Kind::Vacant | Kind::Object { entries: 0 }) {
                    *kind = Kind::List { len: 0 };
                }
                let Kind::List { len } = *kind else {
                    return Err(conflict(segment));
                };
                let i = take_index(index, len, &mut self.gaps)?;
                *kind = Kind::List {
                    len: len.max(i + 1),
                };
                let found = self
                    .nodes
                    .iter()
                    .position(|child| child.slot == Slot::Index(node, i));
                Ok(found.unwrap_or_else(|| self.make(Slot::Index(node, i))))
            }
            None => {
                let kind = &mut self.nodes[node].kind;
                if *kind == Kind::Vacant {
                    *kind = Kind::Object { entries: 0 };
                }
                let Kind::Object { entries } = *kind else {
                    return Err(conflict(segment));
                };
                // Linear: a webhook has tens of fields.
                let found = self.nodes.iter().position(|child| {
                    matches!(&child.slot, Slot::Name(parent, name) if *parent == node && name == segment)
                });
                if let Some(found) = found {
                    return Ok(found);
                }
                self.nodes[node].kind = Kind::Object {
                    entries: entries + 1,
                };
                Ok(self.make(Slot::Name(node, keep(segment))))
            }
        }
    }

    fn make(&mut self, slot: Slot<'k>) -> usize {
        self.nodes.push(Node {
            slot,
            kind: Kind::Vacant,
            envelope_value: None,
        });
        self.nodes.len() - 1
    }

    /// The envelope's fields given as values at the top; refused where `parse_form` refuses
    /// what it read.
    fn envelope_fields(self) -> Result<FormEnvelope<'k>, WebhookError> {
        match self.nodes[0].kind {
            Kind::Object { entries: 0 } => Err(WebhookError::Malformed("empty body".into())),
            Kind::Object { .. } => {
                let mut values: [Option<Cow<'k, str>>; ENVELOPE_FIELDS.len()] = Default::default();
                for node in self.nodes {
                    if let (Slot::Name(0, name), Kind::Value) = (&node.slot, node.kind)
                        && let Some(at) = ENVELOPE_FIELDS.iter().position(|field| field == name)
                    {
                        values[at] = node.envelope_value;
                    }
                }
                Ok(FormEnvelope { values })
            }
            _ => Err(WebhookError::Malformed(
                "body is not a set of fields".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::parse_form;
    use serde_json::Value;

    /// A random form body: the envelope's five fields and other pairs, shuffled, from pieces
    /// that make every kind of name, value, nesting, conflict and gap.
    fn random_form(rng: &mut impl rand::Rng) -> String {
        use rand::seq::SliceRandom;
        const NAMES: [&str; 12] = [
            "client_id",
            "created_timestamp",
            "organization_id",
            "event",
            "request_signature",
            "member",
            "a",
            "0",
            "",
            "client%5Fid",
            "member+x",
            "caf%C3%A9",
        ];
        const SUFFIXES: [&str; 20] = [
            "",
            "",
            "[x]",
            "[0]",
            "[]",
            "%5B2%5D",
            "[1000]",
            "[0][999]",
            "[",
            "[a]]",
            "[x][]",
            "[1][y]",
            "%5Bx%5D%5B0%5D",
            "[a][b][c][d][e][f][g][h]",
            "%5bx%5d",
            "%5Bx]%5b0%5D",
            "%5Ba%5Bb%5D",
            "%5Ba%2Bb%5D",
            "%5Bx%5D%5B",
            "%5Ba%5D%5Bb%5D%5Bc%5D%5Bd%5D%5Be%5D%5Bf%5D%5Bg%5D%5Bh%5D",
        ];
        const VALUES: [&str; 12] = [
            "",
            "1764806400",
            "app",
            " 7 ",
            "a+b",
            "%40x",
            "%ZZ",
            "x=y",
            "%FF",
            "new_member",
            "%2B1",
            "caf\u{e9}",
        ];
        let mut pairs: Vec<String> = NAMES[..5]
            .iter()
            .map(|name| match rng.gen_range(0..10) {
                0..8 => format!("{name}={}", VALUES[1]),
                _ => format!("{name}={}", VALUES[rng.gen_range(0..VALUES.len())]),
            })
            .collect();
        for _ in 0..rng.gen_range(0..6) {
            let name = NAMES[rng.gen_range(0..NAMES.len())];
            let suffix = SUFFIXES[rng.gen_range(0..SUFFIXES.len())];
            let value = VALUES[rng.gen_range(0..VALUES.len())];
            pairs.push(match rng.gen_range(0..8) {
                0 => format!("{name}{suffix}"),
                1 => String::new(),
                _ => format!("{name}{suffix}={value}"),
            });
        }
        pairs.shuffle(rng);
        pairs.join("&")
    }

    #[test]
    fn names_and_values_decode_as_form_urlencoded_decodes_them() {
        use rand::{Rng, SeedableRng};
        const PIECES: [&[u8]; 16] = [
            b"a",
            b"+",
            b"%",
            b"%2",
            b"%2B",
            b"%5b",
            b"%5D",
            b"%ZZ",
            b"%FF",
            b"%C3%A9",
            b"%C3",
            b"\xc3\xa9",
            b"\xe2\x82\xac",
            b"=",
            b" ",
            b"%%41",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(48);
        // One set of buffers for every name, as a body's names share them.
        let mut scratch = Decoded::default();
        for _ in 0..20_000 {
            // UTF-8, as every piece of a body is once the body is (invalid bytes come only
            // from escapes such as `%FF`).
            let raw: String = (0..rng.gen_range(0..8))
                .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
                .map(|piece| std::str::from_utf8(piece).expect("the pieces are UTF-8"))
                .collect();
            // As the value of a pair named `n`, form_urlencoded decodes all of `raw`.
            let pair = format!("n={raw}");
            let expected = form_urlencoded::parse(pair.as_bytes())
                .next()
                .map(|(_, value)| value);
            assert_eq!(Some(decode(&raw)), expected, "raw {raw:?}");
            assert_eq!(
                Some(Cow::Borrowed(scratch.decode(&raw))),
                expected,
                "raw {raw:?}"
            );
        }
    }

    /// A plain name, or one escaped only at its brackets, is split as its decoded name is,
    /// with nothing decoded; any other escape, a `+`, or a name `split_key` would refuse is
    /// left to the decoding path (`None`).
    #[test]
    fn a_name_escaped_only_at_its_brackets_splits_as_decoded_without_decoding() {
        let cases: [(&str, Option<&[&str]>); 18] = [
            ("client_id", Some(&["client_id"])),
            ("a[b][0]", Some(&["a", "b", "0"])),
            ("member+x", None),
            ("a[b", None),
            ("member%5Bemail%5D", Some(&["member", "email"])),
            ("member%5bemail%5d", Some(&["member", "email"])),
            ("a%5B0%5D%5Bb%5D", Some(&["a", "0", "b"])),
            ("a[x]%5B%5D", Some(&["a", "x", ""])),
            ("a]b%5Bc%5D", Some(&["a]b", "c"])),
            ("a%5Bb[c%5D", Some(&["a", "b[c"])),
            ("client%5Fid", None),
            ("a%5Bb%2Bc%5D", None),
            ("a%5Bb+c%5D", None),
            ("%5Bx%5D", None),
            ("a%5Bx", None),
            ("a%5Bx%5Dy", None),
            ("a%5Bb%5Bc%5D", None),
            (
                "a%5B1%5D%5B2%5D%5B3%5D%5B4%5D%5B5%5D%5B6%5D%5B7%5D%5B8%5D",
                None,
            ),
        ];
        for (raw, expected) in cases {
            let split = split_as_written(raw).map(|path| path.to_vec());
            assert_eq!(split.as_deref(), expected, "{raw}");
            if let Some(expected) = expected {
                let decoded = Decoded::default().decode(raw).to_owned();
                let path = split_key(&decoded).expect("a name split_key reads");
                assert_eq!(&*path, expected, "{raw} decoded");
            }
        }
    }

    #[test]
    fn a_forms_envelope_is_read_as_parsing_the_whole_form_reads_it() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(19);
        let (mut envelopes, mut refused) = (0, 0);
        for _ in 0..20_000 {
            let body = random_form(&mut rng);
            let (whole, read) = (
                parse_form(body.as_bytes()),
                parse_form_envelope(body.as_bytes()),
            );
            assert_eq!(
                read.as_ref().map(|read| read.event()),
                whole
                    .as_ref()
                    .map(|fields| fields.get("event").and_then(Value::as_str)),
                "body {body:?}"
            );
            let whole = whole.and_then(|fields| Envelope::from_fields(&fields));
            let read = read.and_then(|read| read.envelope());
            assert_eq!(read, whole, "body {body:?}");
            if whole.is_ok() {
                envelopes += 1
            } else {
                refused += 1
            }
        }
        // Both kinds, many times over: the comparison covered reading and refusing.
        assert!(
            envelopes > 1_000 && refused > 1_000,
            "{envelopes} read, {refused} refused"
        );
        for body in [
            &b"\xff=1"[..],
            b"",
            b"=x",
            b"&&",
            b"d[100][1000][1000]",
            b"0=1&a=2",
        ] {
            let whole = parse_form(body).and_then(|fields| Envelope::from_fields(&fields));
            let read = parse_form_envelope(body).and_then(|read| read.envelope());
            assert_eq!(read, whole);
        }
    }
}

//! SCIM filter and PATCH path parsing (RFC 7644 §3.4.2.2 and §3.5.2) and canonical printing of
//! the syntax tree. In-memory evaluation ([`matches`]) is in `filter_eval.rs`.
//!
//! Input is bounded ([`MAX_FILTER_LEN`] bytes, [`MAX_DEPTH`] levels of nesting) so that hostile
//! filters cost little, and the parser never slices text except at ASCII delimiters, so any UTF-8
//! input is safe. Error positions are 1-based character (not byte) offsets.

use std::fmt;

use serde_json::Number;

use crate::scim::ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use crate::scim::error::ProtocolError;
/// In-memory evaluation lives in its own file; re-exported so callers use `filter::matches`.
pub use crate::scim::filter_eval::matches;

/// Longest filter or PATCH path accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest nesting of `(...)`, `not (...)` and `[...]` accepted.
pub const MAX_DEPTH: usize = 32;

const OPERATORS: &str = "eq, ne, co, sw, ew, gt, ge, lt, le";

/// Parses a `filter` query parameter (RFC 7644 §3.4.2.2).
///
/// Errors are `400 invalidFilter` with the position of the problem and what was expected.
pub fn parse_filter(input: &str) -> Result<Filter, ProtocolError> {
    parse_filter_text(input).map_err(ProtocolError::invalid_filter)
}

/// Parses a PATCH operation `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`.
///
/// Errors (including errors inside the `[...]` value filter) are `400 invalidPath`.
pub fn parse_path(input: &str) -> Result<PatchPath, ProtocolError> {
    parse_path_text(input).map_err(ProtocolError::invalid_path)
}

fn parse_filter_text(input: &str) -> Result<Filter, String> {
    let mut p = Parser::new(input, "filter")?;
    let filter = p.parse_or()?;
    match p.peek() {
        None => Ok(filter),
        Some(Tok::RParen) => Err(format!("unexpected ')' {} with no matching '('", p.at())),
        Some(_) => Err(format!(
            "unexpected {} {}; expected 'and', 'or' or the end of the filter",
            p.describe(),
            p.at()
        )),
    }
}

fn parse_path_text(input: &str) -> Result<PatchPath, String> {
    let mut p = Parser::new(input, "path")?;
    let attr = match p.peek() {
        Some(Tok::Word(w)) => split_attr_path(w).map_err(|e| format!("{e} {}", p.at()))?,
        _ => {
            return Err(format!(
                "expected an attribute name {}, found {}",
                p.at(),
                p.describe()
            ))
        }
    };
    p.i += 1;
    let mut path = PatchPath {
        attr,
        value_filter: None,
        sub_attr_after_filter: None,
    };
    if p.peek() == Some(&Tok::LBracket) {
        if path.attr.sub_attr.is_some() {
            return Err(format!(
                "a '[...]' value filter must follow a multi-valued attribute name such as 'emails', \
                 not the sub-attribute '{}' ({})",
                path.attr,
                p.at()
            ));
        }
        path.value_filter = Some(p.bracketed()?);
        if let Some(Tok::Word(w)) = p.peek() {
            let (w, pos) = (w.clone(), p.pos_of(p.i));
            let Some(sub) = w.strip_prefix('.') else {
                return Err(format!(
                    "expected '.' and a sub-attribute after ']' {}",
                    p.at_pos(pos)
                ));
            };
            check_name(sub).map_err(|e| format!("{e} {}", p.at_pos(pos)))?;
            path.sub_attr_after_filter = Some(sub.to_string());
            p.i += 1;
        }
    }
    match p.peek() {
        None => Ok(path),
        Some(_) => Err(format!(
            "unexpected {} {}; a path is an attribute name, optionally followed by a \
             '[...]' value filter and a '.subAttribute'",
            p.describe(),
            p.at()
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// Attribute paths, keywords, and `.subAttr` after `]`.
    Word(String),
    Str(String),
    Num(Number),
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'$')
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$' | b':' | b'-')
}

/// 1-based character position of byte offset `byte`.
fn char_pos(input: &str, byte: usize) -> usize {
    input.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

fn lex(input: &str) -> Result<Vec<(Tok, usize)>, String> {
    let bytes = input.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let tok = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'"' => {
                // Find the closing quote; every byte of a multi-byte character is >= 0x80, so
                // byte-wise scanning cannot mistake part of one for '"' or '\'.
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => {
                            return Err(format!(
                                "unterminated string starting at position {}; add the closing '\"'",
                                char_pos(input, start)
                            ))
                        }
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                let text = input.get(i..=j).unwrap_or_default();
                i = j;
                match serde_json::from_str::<String>(text) {
                    Ok(s) => Tok::Str(s),
                    Err(e) => {
                        return Err(format!(
                            "invalid string literal at position {}: {e}; strings are JSON strings \
                             (escape '\"' as \\\" and '\\' as \\\\)",
                            char_pos(input, start)
                        ))
                    }
                }
            }
            b'\'' => {
                return Err(format!(
                    "unexpected \"'\" at position {}; string values must be in double quotes",
                    char_pos(input, start)
                ))
            }
            b'-' | b'0'..=b'9' => {
                let mut j = i;
                while bytes.get(j).is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')
                }) {
                    j += 1;
                }
                let text = input.get(i..j).unwrap_or_default();
                i = j - 1;
                match serde_json::from_str::<Number>(text) {
                    Ok(n) => Tok::Num(n),
                    Err(_) => {
                        return Err(format!(
                            "invalid number '{text}' at position {}",
                            char_pos(input, start)
                        ))
                    }
                }
            }
            c if is_word_start(c) => {
                let mut j = i;
                while bytes.get(j).copied().is_some_and(is_word_char) {
                    j += 1;
                }
                let word = input.get(i..j).unwrap_or_default().to_string();
                i = j - 1;
                Tok::Word(word)
            }
            _ => {
                let ch = input.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(format!(
                    "unexpected character '{}' at position {}",
                    ch.escape_debug(),
                    char_pos(input, start)
                ));
            }
        };
        toks.push((tok, start));
        i += 1;
    }
    Ok(toks)
}

// ---------------------------------------------------------------------------------------------
// Parser: or := and ("or" and)* ; and := unary ("and" unary)* ;
// unary := "not" "(" or ")" | "(" or ")" | attrPath ("pr" | op value | "[" or "]")

struct Parser<'a> {
    input: &'a str,
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, what: &str) -> Result<Self, String> {
        if input.len() > MAX_FILTER_LEN {
            return Err(format!("{what} is longer than {MAX_FILTER_LEN} bytes"));
        }
        let toks = lex(input)?;
        if toks.is_empty() {
            return Err(format!("{what} is empty"));
        }
        Ok(Self {
            input,
            toks,
            i: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.i + k).map(|(t, _)| t)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }

    /// Byte offset of token `k`, or the end of input.
    fn pos_of(&self, k: usize) -> usize {
        self.toks.get(k).map_or(self.input.len(), |(_, p)| *p)
    }

    fn at_pos(&self, byte: usize) -> String {
        if byte >= self.input.len() {
            "at the end of the input".to_string()
        } else {
            format!("at position {}", char_pos(self.input, byte))
        }
    }

    /// Where the current token is, for error messages.
    fn at(&self) -> String {
        self.at_pos(self.pos_of(self.i))
    }

    /// The current token, for error messages.
    fn describe(&self) -> String {
        match self.peek() {
            None => "end of input".to_string(),
            Some(Tok::LParen) => "'('".to_string(),
            Some(Tok::RParen) => "')'".to_string(),
            Some(Tok::LBracket) => "'['".to_string(),
            Some(Tok::RBracket) => "']'".to_string(),
            Some(Tok::Word(w)) => format!("'{w}'"),
            Some(Tok::Str(s)) => format!("string {}", CompValue::Str(s.clone())),
            Some(Tok::Num(n)) => format!("number {n}"),
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "nesting {} is deeper than {MAX_DEPTH} levels of parentheses, 'not' and '[...]'",
                self.at()
            ));
        }
        Ok(())
    }

    /// Parses `open filter close` where the opener is the current token.
    fn group(&mut self, close: Tok, close_str: &str) -> Result<Filter, String> {
        self.enter()?;
        let open_pos = self.pos_of(self.i);
        self.i += 1;
        let inner = self.parse_or()?;
        if self.peek() != Some(&close) {
            return Err(format!(
                "expected '{close_str}' to close the one opened {}, found {} {}",
                self.at_pos(open_pos),
                self.describe(),
                self.at()
            ));
        }
        self.i += 1;
        self.depth -= 1;
        Ok(inner)
    }

    fn bracketed(&mut self) -> Result<Filter, String> {
        self.group(Tok::RBracket, "]")
    }

    fn parse_or(&mut self) -> Result<Filter, String> {
        let mut left = self.parse_and()?;
        while self.is_keyword("or") {
            self.i += 1;
            let right = self.parse_and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Filter, String> {
        let mut left = self.parse_unary()?;
        while self.is_keyword("and") {
            self.i += 1;
            let right = self.parse_unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> Result<Filter, String> {
        match self.peek() {
            Some(Tok::LParen) => self.group(Tok::RParen, ")"),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("not") => {
                if self.peek_at(1) != Some(&Tok::LParen) {
                    return Err(format!(
                        "'not' {} must be followed by a filter in parentheses, e.g. not (userName eq \"x\")",
                        self.at()
                    ));
                }
                self.i += 1;
                Ok(Filter::Not(Box::new(self.group(Tok::RParen, ")")?)))
            }
            Some(Tok::Word(_)) => self.parse_attr_expr(),
            _ => Err(format!(
                "expected an attribute name, '(' or 'not' {}, found {}",
                self.at(),
                self.describe()
            )),
        }
    }

    fn parse_attr_expr(&mut self) -> Result<Filter, String> {
        let Some((Tok::Word(word), pos)) = self.next() else {
            return Err(format!("expected an attribute name {}", self.at()));
        };
        let path = split_attr_path(&word).map_err(|e| format!("{e} {}", self.at_pos(pos)))?;
        match self.peek() {
            Some(Tok::LBracket) => {
                let filter = self.bracketed()?;
                if matches!(self.peek(), Some(Tok::Word(w)) if w.starts_with('.')) {
                    return Err(format!(
                        "a sub-attribute after ']' {} is only allowed in PATCH paths; in a filter move \
                         the condition inside the brackets, e.g. emails[type eq \"work\" and value co \"@\"]",
                        self.at()
                    ));
                }
                Ok(Filter::ValuePath {
                    attr: path,
                    filter: Box::new(filter),
                })
            }
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("pr") => {
                self.i += 1;
                Ok(Filter::Present(path))
            }
            Some(Tok::Word(w)) => {
                let Some(op) = parse_op(w) else {
                    return Err(self.expected_operator(&path));
                };
                self.i += 1;
                let value = self.parse_value(op)?;
                Ok(Filter::Compare { path, op, value })
            }
            _ => Err(self.expected_operator(&path)),
        }
    }

    fn expected_operator(&self, path: &AttrPath) -> String {
        format!(
            "expected an operator ({OPERATORS}, pr) or '[' after '{path}' {}, found {}",
            self.at(),
            self.describe()
        )
    }

    fn parse_value(&mut self, op: CompareOp) -> Result<CompValue, String> {
        let value = match self.peek() {
            Some(Tok::Str(s)) => CompValue::Str(s.clone()),
            Some(Tok::Num(n)) => CompValue::Num(n.clone()),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case("null") => CompValue::Null,
            _ => {
                return Err(format!(
                    "expected a value (a \"double-quoted\" string, a number, true, false or null) \
                     after '{}' {}, found {}",
                    op.as_str(),
                    self.at(),
                    self.describe()
                ))
            }
        };
        self.i += 1;
        Ok(value)
    }
}

fn parse_op(word: &str) -> Option<CompareOp> {
    const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];
    ALL.into_iter()
        .find(|op| op.as_str().eq_ignore_ascii_case(word))
}

/// `ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_")`; `$ref` is allowed too.
fn check_name(name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    match bytes.next() {
        None => Err("missing attribute name".to_string()),
        Some(b)
            if (b.is_ascii_alphabetic() || b == b'$')
                && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') =>
        {
            Ok(())
        }
        Some(_) => Err(format!(
            "invalid attribute name '{name}': names start with a letter and contain only letters, \
             digits, '-' and '_'"
        )),
    }
}

/// Splits `[URN ":"] attr ["." sub]`. The URN may contain dots ("2.0") and colons, so it ends
/// at the LAST ':'; the rest is split at its first '.'.
fn split_attr_path(word: &str) -> Result<AttrPath, String> {
    let (uri, rest) = match word.rfind(':') {
        Some(k) => {
            let uri = word.get(..k).unwrap_or_default();
            if uri.is_empty() {
                return Err(format!(
                    "invalid attribute path '{word}': empty schema URN before ':'"
                ));
            }
            (Some(uri.to_string()), word.get(k + 1..).unwrap_or_default())
        }
        None => (None, word),
    };
    let (attr, sub) = match rest.find('.') {
        Some(k) => (
            rest.get(..k).unwrap_or_default(),
            Some(rest.get(k + 1..).unwrap_or_default()),
        ),
        None => (rest, None),
    };
    let context = |e: String| format!("{e} in '{word}'");
    check_name(attr).map_err(context)?;
    if let Some(sub) = sub {
        if sub.contains('.') {
            return Err(format!(
                "attribute path '{word}' has too many '.' levels; SCIM allows attribute.subAttribute"
            ));
        }
        check_name(sub).map_err(context)?;
    }
    Ok(AttrPath {
        uri,
        attr: attr.to_string(),
        sub_attr: sub.map(str::to_string),
    })
}

// ---------------------------------------------------------------------------------------------
// Canonical printing: parse(print(f)) == f.

impl CompareOp {
    /// The operator keyword as written in filters (`eq`, `ne`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(uri) = &self.uri {
            write!(f, "{uri}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Str(s) => write_json_string(f, s),
            CompValue::Num(n) => write!(f, "{n}"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

fn write_json_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `and`/`or` parse left-associatively, so a right operand of the same operator (or a
        // looser one) needs parentheses; `and` binds tighter than `or`.
        fn operand(f: &mut fmt::Formatter<'_>, x: &Filter, parens: bool) -> fmt::Result {
            if parens {
                write!(f, "({x})")
            } else {
                write!(f, "{x}")
            }
        }
        match self {
            Filter::Or(l, r) => {
                operand(f, l, false)?;
                f.write_str(" or ")?;
                operand(f, r, matches!(**r, Filter::Or(..)))
            }
            Filter::And(l, r) => {
                operand(f, l, matches!(**l, Filter::Or(..)))?;
                f.write_str(" and ")?;
                operand(f, r, matches!(**r, Filter::Or(..) | Filter::And(..)))
            }
            Filter::Not(x) => write!(f, "not ({x})"),
            Filter::Present(p) => write!(f, "{p} pr"),
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::ValuePath { attr, filter } => write!(f, "{attr}[{filter}]"),
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.value_filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_attr_after_filter {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;

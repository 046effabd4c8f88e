//! The filter and PATCH path grammar: a recursive-descent parser over the lexer's tokens,
//! producing the syntax tree of `ast`, with errors that say where and what was expected.

use super::lexer::{char_pos, lex, Tok};
use super::{MAX_DEPTH, MAX_FILTER_LEN};
use crate::scim::ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};

const OPERATORS: &str = "eq, ne, co, sw, ew, gt, ge, lt, le";

/// A whole filter: one `or` expression and nothing after it. Errors are plain text; the caller
/// makes them `invalidFilter`.
pub(super) fn parse_filter_text(input: &str) -> Result<Filter, String> {
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

/// A whole PATCH path: `attrPath`, or `attrPath "[" filter "]" ["." subAttr]`. Errors are
/// plain text; the caller makes them `invalidPath`.
pub(super) fn parse_path_text(input: &str) -> Result<PatchPath, String> {
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

// Parser: or := and ("or" and)* ; and := unary ("and" unary)* ;
// unary := "not" "(" or ")" | "(" or ")" | attrPath ("pr" | op value | "[" or "]")

struct Parser<'a> {
    /// The text parsed, for error positions.
    input: &'a str,
    /// Every token with its byte offset.
    toks: Vec<(Tok, usize)>,
    /// Index of the current token.
    i: usize,
    /// Current nesting of groups, bounded by [`MAX_DEPTH`].
    depth: usize,
}

impl<'a> Parser<'a> {
    /// Lexes `input` (a `what`: "filter" or "path"), refusing empty and over-long input.
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

    /// Whether the current token is the keyword `kw` (keywords are case-insensitive).
    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    /// Enters one level of nesting, refusing more than [`MAX_DEPTH`].
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

    /// A `[...]` value filter, the `[` being the current token.
    fn bracketed(&mut self) -> Result<Filter, String> {
        self.group(Tok::RBracket, "]")
    }

    /// `and ("or" and)*`, left-associative.
    fn parse_or(&mut self) -> Result<Filter, String> {
        let mut left = self.parse_and()?;
        while self.is_keyword("or") {
            self.i += 1;
            let right = self.parse_and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// `unary ("and" unary)*`, left-associative: `and` binds tighter than `or`.
    fn parse_and(&mut self) -> Result<Filter, String> {
        let mut left = self.parse_unary()?;
        while self.is_keyword("and") {
            self.i += 1;
            let right = self.parse_unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// A parenthesised group, `not (...)`, or an attribute expression.
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

    /// `attrPath "pr"`, `attrPath op value` or `attrPath "[" filter "]"`.
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

    /// The literal after operator `op`: a JSON string or number, `true`, `false` or `null`.
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

/// The comparison operator `word` names, case-insensitively.
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
pub(super) fn split_attr_path(word: &str) -> Result<AttrPath, String> {
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

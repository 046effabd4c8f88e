//! The filter lexer: splits a filter or PATCH path into tokens (parentheses, brackets, words,
//! JSON string and number literals), each with its byte offset for error positions.

use serde_json::Number;

/// One token; literals are already decoded.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// Attribute paths, keywords, and `.subAttr` after `]`.
    Word(String),
    Str(String),
    Num(Number),
}

/// Bytes that can start a word: letters, `_`, `$`, and `.` (for `.subAttr` after `]`).
fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'$')
}

/// Bytes that can continue a word; `:` and `-` for schema URNs such as `urn:ietf:...`.
fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$' | b':' | b'-')
}

/// 1-based character position of byte offset `byte`.
pub(super) fn char_pos(input: &str, byte: usize) -> usize {
    input.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

/// Splits `input` into tokens with their byte offsets; errors name the character position.
pub(super) fn lex(input: &str) -> Result<Vec<(Tok, usize)>, String> {
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

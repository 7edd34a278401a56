//! The `_mta-sts` TXT record, RFC 8461 §3.1.
//!
//! ```text
//! sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//! sts-field       = sts-id /                 ; Note that sts-id record
//!                   sts-extension            ; is required.
//! sts-field-delim = *WSP ";" *WSP
//! sts-version     = %s"v=STSv1"
//! sts-id          = %s"id=" 1*32(ALPHA / DIGIT)     ; id=...
//! sts-extension   = sts-ext-name "=" sts-ext-value  ; name=value
//! sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//! sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
//! ```
//!
//! "MTA-STS TXT records MUST be US-ASCII". A repeated field keeps its first value
//! (RFC 8461 §3.2, last paragraph). Since `id=x-y` also matches `sts-extension`, only the
//! first `id` must be a valid `sts-id`; a later one is an ignored duplicate.
//!
//! The shared grammar and the record-set rule live in [`crate::txt`].

use serde::Serialize;

use crate::code::Code;
use crate::finding::{Finding, Parsed};
use crate::txt::{check_fields, parse_fields, select_and_parse, Codes, Dialect, RecordText};

/// A usable `_mta-sts` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StsRecord {
    /// The policy id, as written (may be invalid; findings say so).
    pub id: Option<String>,
    /// Fields other than `v` and `id`, in order, kept as written.
    pub extensions: Vec<(String, String)>,
}

pub(crate) static DIALECT: Dialect = Dialect {
    version: "v=STSv1",
    required: "id",
    list_field: None,
    codes: Codes {
        no_record: Code::StsTxtNoRecord,
        multiple: Code::StsTxtMultipleRecords,
        discarded: Code::StsTxtRecordDiscarded,
        version_case: Code::StsTxtVersionCase,
        version_not_first: Code::StsTxtVersionNotFirst,
        leading_ws: Code::StsTxtLeadingWhitespace,
        space_before_semicolon: Code::StsTxtSpaceBeforeSemicolon,
        non_ascii: Code::StsTxtNonAscii,
        missing_required: Code::StsTxtMissingId,
        duplicate: Code::StsTxtDuplicateField,
        empty_field: Code::StsTxtEmptyField,
        missing_value: Code::StsTxtMissingValue,
        invalid_name: Code::StsTxtInvalidFieldName,
        unexpected: Code::StsTxtUnexpectedText,
        trailing_ws: Code::StsTxtTrailingWhitespace,
        unknown: Code::StsTxtUnknownField,
        misspelled: Code::StsTxtMisspelledField,
    },
};

/// Interprets one record that begins with `v=STSv1`.
fn interpret(text: &str) -> (StsRecord, Vec<Finding>) {
    let (fields, mut findings) = parse_fields(text, &DIALECT);
    let id = check_fields(&fields, &DIALECT, &["id"], text.len(), &mut findings);
    if let Some(f) = id {
        let ok = (1..=32).contains(&f.value.len()) && f.value.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok && !f.value.is_empty() {
            let why = if f.value.len() > 32 {
                format!("\"{}\" is {} characters long", f.value, f.value.len())
            } else {
                let bad = f.value.chars().find(|c| !c.is_ascii_alphanumeric()).unwrap_or('?');
                format!("\"{}\" contains \"{bad}\"", f.value)
            };
            findings.push(Finding::new(Code::StsTxtInvalidId, f.value_span, why));
        }
    }
    let record = StsRecord {
        id: id.map(|f| f.value.clone()),
        extensions: fields.iter().filter(|f| f.name != "id").map(|f| (f.name.clone(), f.value.clone())).collect(),
    };
    (record, findings)
}

/// Applies RFC 8461 §3.1 to the TXT records found at `_mta-sts.<domain>`.
///
/// The value is the one usable record, or `None` when the domain has no usable record
/// (none, or more than one, begins with `v=STSv1`).
pub fn parse_records(records: &[RecordText]) -> Parsed<Option<StsRecord>> {
    let (value, findings) = select_and_parse(records, &DIALECT, interpret);
    Parsed { value, findings }
}

/// Parses one record given as its text (its strings already concatenated).
pub fn parse(text: &str) -> Parsed<Option<StsRecord>> {
    parse_records(&[RecordText::raw(text, 0)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txt::split_document;

    /// (input, expected id when valid, codes expected among the findings).
    const CASES: &[(&str, Option<&str>, &[&str])] = &[
        ("v=STSv1; id=20160831085700Z;", Some("20160831085700Z"), &[]),
        ("v=STSv1;id=a", Some("a"), &[]),
        ("v=STSv1  ;    id=foo", Some("foo"), &["sts-txt/space-before-semicolon"]),
        ("v=STSv1; \t id=abc  \t;", Some("abc"), &[]),
        ("v=STSv1; id=a; more=a; ext=2", Some("a"), &["sts-txt/unknown-field"]),
        ("v=STSv1; id=first; id=second", Some("first"), &["sts-txt/duplicate-field"]),
        ("v=STSv1; id=abc; ext=(x", Some("abc"), &["sts-txt/unknown-field"]),
        ("v=STSv1;\tid=abc;\text.name-1_x=value", Some("abc"), &["sts-txt/unknown-field"]),
        ("v=STSv1", None, &["sts-txt/missing-id"]),
        ("v=STSv1;", None, &["sts-txt/missing-id"]),
        ("v=STSv1; id=", None, &["sts-txt/missing-value"]),
        ("v=STSv1; id=abc def", None, &["sts-txt/unexpected-text"]),
        ("v=STSv1 id=abc", None, &["sts-txt/missing-id", "sts-txt/unexpected-text"]),
        ("v=STSv1; id=abc ", None, &["sts-txt/trailing-whitespace"]),
        ("v=STSv1; ; id=abc", None, &["sts-txt/empty-field"]),
        ("v=STSv1; id=a;;", None, &["sts-txt/empty-field"]),
        ("v=STSv1; id=abc; _ext=x", None, &["sts-txt/invalid-field-name", "sts-txt/unknown-field"]),
        ("v=STSv1; id=a; 1%=a", None, &["sts-txt/invalid-field-name"]),
        ("v=STSv1; id=a; test==", None, &["sts-txt/missing-value"]),
        (
            "v=STSv1; id=a; a12345678901234567890123456789012=1",
            None,
            &["sts-txt/invalid-field-name", "sts-txt/unknown-field"],
        ),
        ("v=STSv1; id=abc; ext=ü", None, &["sts-txt/non-ascii", "sts-txt/unknown-field"]),
        ("v=STSv1; id=2016-08-31", None, &["sts-txt/invalid-id"]),
        ("v=STSv1; id=policy_will_fail;", None, &["sts-txt/invalid-id"]),
        ("v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", None, &["sts-txt/invalid-id"]),
        ("v=STSv1; id=x-y; id=abc", None, &["sts-txt/duplicate-field", "sts-txt/invalid-id"]),
        ("v=STSv1; ID=abc", None, &["sts-txt/missing-id", "sts-txt/misspelled-field"]),
        ("v=stsv1; id=abc", None, &["sts-txt/no-record", "sts-txt/version-case"]),
        ("  v=STSv1; id=abc", None, &["sts-txt/leading-whitespace", "sts-txt/no-record"]),
        ("id=a; v=STSv1", None, &["sts-txt/no-record", "sts-txt/version-not-first"]),
        ("v=STSv10; id=a", None, &["sts-txt/no-record", "sts-txt/record-discarded"]),
        ("v=spf1 -all", None, &["sts-txt/no-record", "sts-txt/record-discarded"]),
        ("", None, &["sts-txt/no-record", "sts-txt/record-discarded"]),
    ];

    fn check(input: &str, id: Option<&str>, codes: &[&str]) {
        let parsed = parse(input);
        let got: Vec<&str> = parsed.findings.iter().map(|f| f.code.id()).collect();
        assert_eq!(parsed.is_valid(), id.is_some(), "{input:?}: {got:?}");
        if let Some(id) = id {
            assert_eq!(parsed.value.as_ref().and_then(|r| r.id.as_deref()), Some(id), "{input:?}");
        }
        // The exact set of codes: a finding nobody expected fails the test too.
        let got_set: std::collections::BTreeSet<&str> = got.iter().copied().collect();
        let want: std::collections::BTreeSet<&str> = codes.iter().copied().collect();
        assert_eq!(got_set, want, "{input:?}");
    }

    #[test]
    fn table() {
        for &(input, id, codes) in CASES {
            check(input, id, codes);
        }
    }

    #[test]
    fn record_set_rule() {
        let one = parse_records(&split_document("v=STSv1; id=1\nbogus"));
        assert!(one.is_valid());
        assert_eq!(one.value.unwrap().id.as_deref(), Some("1"));
        let two = parse_records(&split_document("v=STSv1; id=1\nv=STSv1; id=2"));
        assert!(!two.is_valid());
        assert!(two.value.is_none());
        let multiple: Vec<_> = two.findings.iter().filter(|f| f.code == Code::StsTxtMultipleRecords).collect();
        assert_eq!(multiple.len(), 2, "one finding names each record");
        assert_eq!(multiple[1].span.start, 14);
        let none = parse_records(&split_document("bogus\nmore"));
        assert!(none.findings.iter().any(|f| f.code == Code::StsTxtNoRecord));
    }

    #[test]
    fn a_bad_value_points_at_itself() {
        let p = parse("v=STSv1; id=2016-08-31");
        let f = p.findings.iter().find(|f| f.code == Code::StsTxtInvalidId).unwrap();
        assert_eq!((f.span.start, f.span.end), (12, 22));
        assert!(f.message().contains("contains \"-\""), "{}", f.message());
    }
}

//! The lean MIME walk (`tls_rpt::mime`, issue 13) against mail-parser, which it replaced:
//! on every email of the shared corpus and on hand-made hard cases (quoted-printable,
//! RFC 2231 and 2047 names, Microsoft's Content-Description file name, attached messages,
//! base64 with stray characters), both must see the same parts: type, name and decoded
//! bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use mail_parser::{MessageParser, MimeHeaders, PartType};
use mtasts_core::tls_rpt::input::{sniff, Sniffed};
use mtasts_core::tls_rpt::mime::{self, Item};

/// (type/subtype, name, decoded bytes) of every leaf part, attached messages opened.
type Leaves = Vec<(String, Option<String>, Vec<u8>)>;

fn by_mail_parser(bytes: &[u8]) -> Leaves {
    fn walk(msg: &mail_parser::Message<'_>, out: &mut Leaves) {
        for part in &msg.parts {
            match &part.body {
                PartType::Multipart(_) => continue,
                PartType::Message(inner) => {
                    walk(inner, out);
                    continue;
                }
                _ => {}
            }
            let media = part
                .content_type()
                .map(|c| {
                    format!("{}/{}", c.ctype().to_ascii_lowercase(), c.subtype().unwrap_or("").to_ascii_lowercase())
                })
                .unwrap_or_else(|| "/".to_string());
            // What the reader did with mail-parser: base64 it gave up on, decoded leniently.
            let base64 = part.content_transfer_encoding().is_some_and(|e| e.eq_ignore_ascii_case("base64"));
            let bytes = if part.is_encoding_problem && base64 {
                mime::lenient_base64(part.contents())
            } else {
                part.contents().to_vec()
            };
            out.push((media, part.attachment_name().map(str::to_string), bytes));
        }
    }
    let mut out = Vec::new();
    walk(&MessageParser::default().parse(bytes).unwrap(), &mut out);
    out
}

fn by_mime(bytes: &[u8]) -> Leaves {
    fn walk(e: &mime::Email<'_>, out: &mut Leaves) {
        for item in &e.items {
            match item {
                Item::Leaf(p) => {
                    out.push((format!("{}/{}", p.media.0, p.media.1), p.name.clone(), mime::decode(p).0.to_vec()))
                }
                Item::Attached(p) => walk(&mime::parse(&mime::decode(p).0).unwrap(), out),
            }
        }
    }
    let mut out = Vec::new();
    walk(&mime::parse(bytes).unwrap(), &mut out);
    out
}

/// Only what the report reader looks at: application/* parts and named parts (text parts
/// are charset-decoded by mail-parser, which the reader never needs).
fn reportish(leaves: Leaves) -> Leaves {
    leaves.into_iter().filter(|(media, name, _)| media.starts_with("application/") || name.is_some()).collect()
}

fn agree(what: &str, bytes: &[u8]) {
    let (a, b) = (reportish(by_mail_parser(bytes)), reportish(by_mime(bytes)));
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: parts {:?} vs {:?}",
        a.iter().map(|l| &l.0).collect::<Vec<_>>(),
        b.iter().map(|l| &l.0).collect::<Vec<_>>()
    );
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.0, &x.1), (&y.0, &y.1), "{what}");
        assert!(x.2 == y.2, "{what}: {:?} decodes differently ({} vs {} bytes)", x.1, x.2.len(), y.2.len());
    }
}

#[test]
fn every_corpus_email_has_the_same_parts() {
    let mut emails = 0;
    for path in common::files_under(&common::corpus_dir()) {
        let bytes = std::fs::read(&path).unwrap();
        if sniff(&bytes) == Sniffed::Email {
            agree(&path.display().to_string(), &bytes);
            emails += 1;
        }
    }
    assert!(emails >= 10, "the corpus has at least 10 emails, found {emails}");
}

#[test]
fn hard_cases_have_the_same_parts() {
    let report = br#"{"organization-name":"o","report-id":"r"}"#;
    let b64 = "eyJvcmdhbml6YXRpb24tbmFtZSI6Im8iLCJyZXBvcnQtaWQiOiJyIn0=";
    let cases = [
        "From: a@b\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=\"=_b\"\r\n\r\n--=_b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--=_b\r\nContent-Type: application/tlsrpt+json\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9port.json\r\n\r\n{\"organization-name\"=3A\"o\",\"report-id\"=\r\n:\"r\"}\r\n--=_b--\r\n".to_string(),
        format!("From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/octet-stream; name=\"=?utf-8?B?cmVwb3J0Lmpzb24=?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--x--\r\n"),
        format!("From: a@b\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\nContent-Type: application/tlsrpt+json\r\nContent-Disposition: attachment;\r\n\tfilename=\"in.json\"\r\n\r\n{}\r\n--inner--\r\n--outer--\r\n", String::from_utf8_lossy(report)),
        format!("From: a@b\nContent-Type: multipart/mixed; boundary=\"lf only\"\n\n--lf only\nContent-Type: application/json\n\n{}\n--lf only--\n", String::from_utf8_lossy(report)),
        format!("From: a@b\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}", String::from_utf8_lossy(report)),
    ];
    for (i, c) in cases.iter().enumerate() {
        agree(&format!("case {i}"), c.as_bytes());
    }
}

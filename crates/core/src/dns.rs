//! DNS messages for DNS-over-HTTPS (RFC 8484), encoded and decoded with hickory-proto.
//!
//! [`query`] builds the wire-format question and [`get_url`] the GET URL carrying it
//! (`?dns=` + unpadded base64url, RFC 8484 §4.1); the caller sends it with
//! `Accept: application/dns-message` and hands the body to one of the `decode_*` functions,
//! which turn it into the [`DnsAnswer`] the domain check reads, plus the records in zone-file
//! form for anyone who wants to see exactly what was read. Nothing here touches the network.

use std::net::IpAddr;

use base64::Engine;
use hickory_proto::op::{Header, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, MX};
use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, BinEncodable, BinEncoder};

use crate::check::{DnsAnswer, Tlsa};

/// The record types the domain check asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// MX.
    Mx,
    /// TXT.
    Txt,
    /// A (IPv4 address).
    A,
    /// AAAA (IPv6 address).
    Aaaa,
    /// TLSA (RFC 6698).
    Tlsa,
}

impl Kind {
    fn record_type(self) -> RecordType {
        match self {
            Kind::Mx => RecordType::MX,
            Kind::Txt => RecordType::TXT,
            Kind::A => RecordType::A,
            Kind::Aaaa => RecordType::AAAA,
            Kind::Tlsa => RecordType::TLSA,
        }
    }

    /// The type's mnemonic, "MX".
    pub fn label(self) -> &'static str {
        self.record_type().into()
    }
}

/// A decoded answer: what the check reads, and the answer section as zone-file lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<T> {
    /// The answer.
    pub answer: DnsAnswer<T>,
    /// Every record of the answer section, presentation format.
    pub raw: Vec<String>,
}

/// The wire-format query for `name`/`kind`: ID 0 (RFC 8484 §4.1 asks for it, for caching),
/// recursion desired, and the AD bit set so that the resolver reports DNSSEC validation
/// (RFC 6840 §5.7). Fails only on a name that is not a valid DNS name.
pub fn query(name: &str, kind: Kind) -> Result<Vec<u8>, String> {
    let fqdn = format!("{}.", name.trim().trim_end_matches('.'));
    // hickory's errors are not formatted: their Display links formatting for every error
    // kind it has (some 20 KB of the web bundle).
    let name = Name::from_ascii(&fqdn).map_err(|_| format!("{name:?} is not a DNS name"))?;
    let mut header = Header::new();
    header
        .set_id(0)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(true)
        .set_authentic_data(true)
        .set_query_count(1);
    let mut buf = Vec::with_capacity(64);
    let mut enc = BinEncoder::new(&mut buf);
    let encoded = header.emit(&mut enc).and_then(|()| Query::query(name, kind.record_type()).emit(&mut enc));
    encoded.map_err(|_| "the query could not be encoded".to_string())?;
    Ok(buf)
}

/// The RFC 8484 GET URL: the endpoint with `dns=<base64url of the query>` appended (with `&`
/// when the endpoint already has a query string).
pub fn get_url(endpoint: &str, query: &[u8]) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{sep}dns={}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(query))
}

/// Why `url` cannot be a DNS-over-HTTPS resolver, if it cannot: RFC 8484 §3, "The URI
/// scheme MUST be https", and a host must follow the scheme. Checked before any lookup, so
/// a typo gets its reason instead of every lookup failing.
pub fn check_resolver(url: &str) -> Result<(), String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    if !scheme.eq_ignore_ascii_case("https") {
        let got = if scheme.is_empty() { "no scheme".to_string() } else { format!("\"{scheme}:\"") };
        return Err(format!(
            "{url:?} is not a DNS-over-HTTPS resolver: RFC 8484 §3 says \"The URI scheme MUST be https\" (it has {got}); write https://{rest}"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err(format!("{url:?} has no host name after https://"));
    }
    Ok(())
}

/// A resolver's URL as a short label: without the scheme and the usual `/dns-query`
/// path ("dns.google", "doh.example:8443/custom").
pub fn resolver_label(url: &str) -> String {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    rest.strip_suffix("/dns-query").unwrap_or(rest).trim_end_matches('/').to_string()
}

/// The record data the check reads.
enum Data {
    Mx(u16, Name),
    Txt(Vec<Vec<u8>>),
    Addr(IpAddr),
    Cname(Name),
    Tlsa(Tlsa),
    Other,
}

struct Answer {
    name: Name,
    rtype: RecordType,
    ttl: u32,
    data: Data,
}

/// Reads the header and the answer section. hickory-proto decodes the header, the question,
/// names (with compression), MX and addresses; TXT and TLSA data are read here from the
/// record's own bytes, because hickory decodes those only through its all-types `RData`
/// dispatch, which links every record type it knows (SVCB, CAA with a URL parser...) and
/// costs the web bundle some 50 KB. Other types are skipped by their length.
fn read_message(body: &[u8]) -> Result<(Header, Vec<Answer>), String> {
    let err = |e: &dyn std::fmt::Display| format!("unreadable DNS message: {e}");
    let bad = |_| "unreadable DNS message".to_string();
    let mut d = BinDecoder::new(body);
    let header = Header::read(&mut d).map_err(bad)?;
    if header.message_type() != MessageType::Response {
        return Err("unreadable DNS message: not a response".to_string());
    }
    for _ in 0..header.query_count() {
        Query::read(&mut d).map_err(bad)?;
    }
    let mut answers = Vec::new();
    for _ in 0..header.answer_count() {
        let name = Name::read(&mut d).map_err(bad)?;
        let rtype = RecordType::from(d.read_u16().map_err(|e| err(&e))?.unverified());
        let _class = d.read_u16().map_err(|e| err(&e))?;
        let ttl = d.read_u32().map_err(|e| err(&e))?.unverified();
        let len = usize::from(d.read_u16().map_err(|e| err(&e))?.unverified());
        let start = d.index();
        let data = match rtype {
            RecordType::MX => {
                let mx = MX::read(&mut d).map_err(bad)?;
                Data::Mx(mx.preference(), mx.exchange().clone())
            }
            RecordType::CNAME => Data::Cname(Name::read(&mut d).map_err(bad)?),
            RecordType::A => Data::Addr(IpAddr::V4(A::read(&mut d).map_err(bad)?.0)),
            RecordType::AAAA => Data::Addr(IpAddr::V6(AAAA::read(&mut d).map_err(bad)?.0)),
            RecordType::TXT | RecordType::TLSA => {
                let bytes = d.read_slice(len).map_err(|e| err(&e))?.unverified();
                if rtype == RecordType::TXT {
                    Data::Txt(character_strings(bytes).ok_or_else(|| err(&"a TXT string runs past its record"))?)
                } else {
                    match bytes {
                        [usage, selector, matching, data @ ..] => Data::Tlsa(Tlsa {
                            usage: *usage,
                            selector: *selector,
                            matching: *matching,
                            data: data.to_vec(),
                        }),
                        _ => return Err(err(&"a TLSA record shorter than 3 bytes")),
                    }
                }
            }
            _ => {
                d.read_slice(len).map_err(|e| err(&e))?;
                Data::Other
            }
        };
        if d.index() != start.saturating_add(len) {
            return Err(err(&format!("a {rtype} record's data does not match its length")));
        }
        answers.push(Answer { name, rtype, ttl, data });
    }
    Ok((header, answers))
}

/// TXT RDATA: one or more <character-string>s, each a length byte and that many bytes
/// (RFC 1035 §3.3.14).
fn character_strings(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = bytes.split_first() {
        let s = rest.get(..usize::from(n))?;
        out.push(s.to_vec());
        bytes = rest.get(usize::from(n)..)?;
    }
    Some(out)
}

fn decode<T>(body: &[u8], kind: Kind, pick: impl Fn(Data) -> Option<T>) -> Reply<T> {
    let (header, answers) = match read_message(body) {
        Ok(m) => m,
        Err(e) => return Reply { answer: DnsAnswer::Failed(e), raw: vec![] },
    };
    let raw: Vec<String> = answers.iter().map(zone_line).collect();
    let answer = match header.response_code() {
        ResponseCode::NoError => {
            let mut cnames = Vec::new();
            let mut records = Vec::new();
            for a in answers {
                match a.data {
                    Data::Cname(c) => cnames.push(host(&c)),
                    data if a.rtype == kind.record_type() => records.extend(pick(data)),
                    _ => {}
                }
            }
            DnsAnswer::Records { records, authenticated: header.authentic_data(), cnames }
        }
        ResponseCode::NXDomain => DnsAnswer::NxDomain,
        ResponseCode::ServFail => DnsAnswer::ServFail,
        other => DnsAnswer::Failed(format!("the resolver answered {other}")),
    };
    Reply { answer, raw }
}

/// Decodes an MX answer: (preference, host without the trailing dot; "." for a null MX).
pub fn decode_mx(body: &[u8]) -> Reply<(u16, String)> {
    decode(body, Kind::Mx, |d| match d {
        Data::Mx(p, h) => Some((p, host(&h))),
        _ => None,
    })
}

/// Decodes a TXT answer: each record as its character-strings.
pub fn decode_txt(body: &[u8]) -> Reply<Vec<Vec<u8>>> {
    decode(body, Kind::Txt, |d| match d {
        Data::Txt(t) => Some(t),
        _ => None,
    })
}

/// Decodes an A or AAAA answer.
pub fn decode_address(body: &[u8], kind: Kind) -> Reply<IpAddr> {
    decode(body, kind, |d| match d {
        Data::Addr(a) => Some(a),
        _ => None,
    })
}

/// Decodes a TLSA answer.
pub fn decode_tlsa(body: &[u8]) -> Reply<Tlsa> {
    decode(body, Kind::Tlsa, |d| match d {
        Data::Tlsa(t) => Some(t),
        _ => None,
    })
}

/// A and AAAA answers of one name as one: records of both; a failure of either wins
/// (NXDOMAIN from one and records from the other cannot both be true, so trust neither).
pub fn merge_addresses(a: DnsAnswer<IpAddr>, aaaa: DnsAnswer<IpAddr>) -> DnsAnswer<IpAddr> {
    match (a, aaaa) {
        (
            DnsAnswer::Records { records: mut r1, authenticated: a1, cnames: c1 },
            DnsAnswer::Records { records: r2, authenticated: a2, .. },
        ) => {
            r1.extend(r2);
            DnsAnswer::Records { records: r1, authenticated: a1 && a2, cnames: c1 }
        }
        (DnsAnswer::Records { .. }, other) | (other, _) => other,
    }
}

/// One record in zone-file form.
fn zone_line(a: &Answer) -> String {
    let data = match &a.data {
        Data::Mx(p, h) => format!("{p} {}", fqdn(h)),
        Data::Txt(t) => t
            .iter()
            .map(|s| format!("\"{}\"", String::from_utf8_lossy(s).replace('\\', "\\\\").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(" "),
        Data::Addr(ip) => ip.to_string(),
        Data::Cname(c) => fqdn(c),
        Data::Tlsa(t) => t.to_string(),
        Data::Other => "(not shown)".to_string(),
    };
    format!("{} {} IN {} {data}", fqdn(&a.name), a.ttl, a.rtype)
}

fn fqdn(name: &Name) -> String {
    let t = name_text(name);
    if t == "." {
        t
    } else {
        t + "."
    }
}

/// A name in presentation form without the final dot ("." for the root): label bytes
/// other than letters, digits, "-" and "_" escaped as `\DDD` (RFC 1035 §5.1). Written here:
/// hickory's `to_ascii` unwraps a `ProtoError`, which links the formatting of every error and
/// record type it has (and IDNA) into the web bundle.
fn name_text(name: &Name) -> String {
    let mut out = String::new();
    for label in name.iter() {
        if !out.is_empty() {
            out.push('.');
        }
        for &b in label {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\{b:03}"));
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn host(name: &Name) -> String {
    name_text(name).to_ascii_lowercase()
}

/// The wire-format TXT query for `name`, built here without hickory-proto: the same
/// message as [`query`] (ID 0, RD and AD set). For the report page, whose only lookups
/// are DKIM keys: hickory's name and message code cost a module about 13 KB gzipped
/// (BENCHMARKS.md, session 10). Fails on a name that is not a valid DNS name.
pub fn txt_query(name: &str) -> Result<Vec<u8>, String> {
    let fqdn = name.trim().trim_end_matches('.');
    let bad = || format!("{name:?} is not a DNS name");
    // Header: ID 0; RD (0x01) in the first flag byte, AD (0x20) in the second; one question.
    let mut out = vec![0, 0, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in fqdn.split('.') {
        let len = u8::try_from(label.len()).ok().filter(|l| (1..=63).contains(l)).ok_or_else(bad)?;
        if !label.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad());
        }
        out.push(len);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    if out.len() > 12usize.saturating_add(255) {
        return Err(bad());
    }
    out.extend_from_slice(&[0, 16, 0, 1]); // QTYPE TXT, QCLASS IN
    Ok(out)
}

/// A TXT answer read here without hickory-proto (see [`txt_query`]): each TXT record of
/// the answer section as its character-strings; CNAMEs on the way are followed by the
/// resolver and not listed. Reads the same messages as [`decode_txt`]'s answer (core's
/// tests compare the two).
pub fn read_txt(body: &[u8]) -> DnsAnswer<Vec<Vec<u8>>> {
    let failed = |why: &str| DnsAnswer::Failed(format!("unreadable DNS message: {why}"));
    let u16_at = |at: usize| match body.get(at..at.saturating_add(2)) {
        Some(&[hi, lo]) => Some(u16::from_be_bytes([hi, lo])),
        _ => None,
    };
    let (Some(flags), Some(questions), Some(answers)) = (u16_at(2), u16_at(4), u16_at(6)) else {
        return failed("shorter than its header");
    };
    if flags & 0x8000 == 0 {
        return failed("not a response");
    }
    match flags & 0x000f {
        0 => {}
        2 => return DnsAnswer::ServFail,
        3 => return DnsAnswer::NxDomain,
        code => return DnsAnswer::Failed(format!("the resolver answered RCODE {code}")),
    }
    // Past a (possibly compressed) name: labels up to the root, or up to a pointer.
    let skip_name = |mut at: usize| -> Option<usize> {
        loop {
            let len = *body.get(at)?;
            match len {
                0 => return Some(at.saturating_add(1)),
                l if l & 0xc0 == 0xc0 => return Some(at.saturating_add(2)),
                l if l & 0xc0 == 0 => at = at.saturating_add(1).saturating_add(usize::from(l)),
                _ => return None,
            }
        }
    };
    let mut at = 12usize;
    for _ in 0..questions {
        let Some(next) = skip_name(at) else { return failed("a question runs past the message") };
        at = next.saturating_add(4);
    }
    let mut records = Vec::new();
    for _ in 0..answers {
        let Some(next) = skip_name(at) else { return failed("an answer runs past the message") };
        let (Some(rtype), Some(len)) = (u16_at(next), u16_at(next.saturating_add(8))) else {
            return failed("an answer runs past the message");
        };
        let start = next.saturating_add(10);
        let Some(data) = body.get(start..start.saturating_add(usize::from(len))) else {
            return failed("a record's data runs past the message");
        };
        if rtype == 16 {
            match character_strings(data) {
                Some(strings) => records.push(strings),
                None => return failed("a TXT string runs past its record"),
            }
        }
        at = start.saturating_add(usize::from(len));
    }
    DnsAnswer::Records { records, authenticated: flags & 0x0020 != 0, cnames: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolvers_must_be_https() {
        assert_eq!(check_resolver("https://dns.google/dns-query"), Ok(()));
        assert_eq!(check_resolver(" HTTPS://127.0.0.1:8443/q "), Ok(()));
        let e = check_resolver("http://dns.google/dns-query").unwrap_err();
        assert!(e.contains("RFC 8484") && e.contains("\"http:\"") && e.contains("https://dns.google/dns-query"), "{e}");
        assert!(check_resolver("dns.google/dns-query").unwrap_err().contains("no scheme"));
        assert!(check_resolver("https:///x").unwrap_err().contains("no host"));
    }
    use hickory_proto::op::Message;
    use hickory_proto::rr::rdata::{CNAME, TLSA, TXT};
    use hickory_proto::rr::{RData, Record};

    fn response(rcode: ResponseCode, ad: bool, answers: Vec<(&str, RData)>) -> Vec<u8> {
        let mut m = Message::new();
        m.set_message_type(MessageType::Response).set_response_code(rcode).set_authentic_data(ad);
        for (name, data) in answers {
            m.add_answer(Record::from_rdata(Name::from_ascii(name).unwrap(), 300, data));
        }
        m.to_vec().unwrap()
    }

    #[test]
    fn the_query_is_rfc_8484_shaped() {
        let q = query("_mta-sts.Example.com", Kind::Txt).unwrap();
        let m = Message::from_vec(&q).unwrap();
        assert_eq!(m.id(), 0);
        assert!(m.recursion_desired() && m.authentic_data());
        assert_eq!(m.queries()[0].name().to_ascii(), "_mta-sts.Example.com.");
        assert_eq!(m.queries()[0].query_type(), RecordType::TXT);
        let url = get_url("https://dns.example/dns-query", &q);
        let encoded = url.strip_prefix("https://dns.example/dns-query?dns=").unwrap();
        assert!(!encoded.contains(['=', '+', '/']), "unpadded base64url: {encoded}");
        assert!(get_url("https://d.example/q?x=1", &q).starts_with("https://d.example/q?x=1&dns="));
        assert_eq!(resolver_label("https://dns.google/dns-query"), "dns.google");
        assert_eq!(resolver_label("https://127.0.0.1:9/second/dns-query?x"), "127.0.0.1:9/second");
        assert!(query("a..b", Kind::Mx).is_err());
    }

    #[test]
    fn answers_decode() {
        let body = response(
            ResponseCode::NoError,
            true,
            vec![
                ("example.com.", RData::MX(MX::new(20, Name::from_ascii("MX2.example.com.").unwrap()))),
                ("example.com.", RData::MX(MX::new(10, Name::from_ascii("mx1.example.com.").unwrap()))),
            ],
        );
        let r = decode_mx(&body);
        assert_eq!(
            r.answer,
            DnsAnswer::Records {
                records: vec![(20, "mx2.example.com".into()), (10, "mx1.example.com".into())],
                authenticated: true,
                cnames: vec![]
            }
        );
        assert_eq!(r.raw.len(), 2);
        assert!(r.raw[0].contains("MX"), "{:?}", r.raw);

        let body = response(
            ResponseCode::NoError,
            false,
            vec![
                ("_mta-sts.example.com.", RData::CNAME(CNAME(Name::from_ascii("sts.provider.example.").unwrap()))),
                ("sts.provider.example.", RData::TXT(TXT::new(vec!["v=STSv1; ".into(), "id=1".into()]))),
            ],
        );
        let r = decode_txt(&body);
        assert_eq!(
            r.answer,
            DnsAnswer::Records {
                records: vec![vec![b"v=STSv1; ".to_vec(), b"id=1".to_vec()]],
                authenticated: false,
                cnames: vec!["sts.provider.example".into()]
            }
        );

        let body = response(
            ResponseCode::NoError,
            true,
            vec![("_25._tcp.mx.example.", RData::TLSA(TLSA::new(3.into(), 1.into(), 1.into(), vec![7; 32])))],
        );
        assert_eq!(
            decode_tlsa(&body).answer,
            DnsAnswer::Records {
                records: vec![Tlsa { usage: 3, selector: 1, matching: 1, data: vec![7; 32] }],
                authenticated: true,
                cnames: vec![]
            }
        );

        assert_eq!(decode_mx(&response(ResponseCode::NXDomain, false, vec![])).answer, DnsAnswer::NxDomain);
        assert_eq!(decode_mx(&response(ResponseCode::ServFail, false, vec![])).answer, DnsAnswer::ServFail);
        assert!(matches!(decode_mx(&response(ResponseCode::Refused, false, vec![])).answer, DnsAnswer::Failed(_)));
        assert!(matches!(decode_mx(b"<html>").answer, DnsAnswer::Failed(_)));
        assert_eq!(
            decode_txt(&response(ResponseCode::NoError, false, vec![])).answer,
            DnsAnswer::Records { records: vec![], authenticated: false, cnames: vec![] },
            "NODATA"
        );
    }

    #[test]
    fn a_and_aaaa_merge() {
        let a = decode_address(
            &response(
                ResponseCode::NoError,
                true,
                vec![("h.", RData::A(hickory_proto::rr::rdata::A::new(192, 0, 2, 1)))],
            ),
            Kind::A,
        );
        let none = decode_address(&response(ResponseCode::NoError, true, vec![]), Kind::Aaaa);
        let m = merge_addresses(a.answer, none.answer);
        assert_eq!(
            m,
            DnsAnswer::Records { records: vec!["192.0.2.1".parse().unwrap()], authenticated: true, cnames: vec![] }
        );
        let sf = decode_address(&response(ResponseCode::ServFail, false, vec![]), Kind::Aaaa);
        assert_eq!(merge_addresses(m, sf.answer), DnsAnswer::ServFail);
    }

    /// The lean TXT codec agrees with hickory-proto: its query is the same message, and it
    /// reads hickory-encoded answers (compressed names, CNAME chains, several strings,
    /// several records, NXDOMAIN, SERVFAIL) as `decode_txt` does.
    #[test]
    fn the_lean_txt_codec_agrees_with_hickory() {
        for name in ["s1._domainkey.reporter.test", "google._domainkey.Example.COM.", "a.b"] {
            assert_eq!(txt_query(name).unwrap(), query(name, Kind::Txt).unwrap(), "{name}");
        }
        for bad in ["a..b", "", &"x".repeat(64), "sp ace.example"] {
            assert!(txt_query(bad).is_err(), "{bad:?}");
        }
        let long = vec![(
            "k._domainkey.x.test.",
            RData::TXT(TXT::new(vec!["v=DKIM1; p=".into(), "A".repeat(255), "B".repeat(40)])),
        )];
        let answers = [
            response(ResponseCode::NoError, true, long),
            response(
                ResponseCode::NoError,
                false,
                vec![
                    ("s._domainkey.x.test.", RData::CNAME(CNAME(Name::from_ascii("s._domainkey.esp.test.").unwrap()))),
                    ("s._domainkey.esp.test.", RData::TXT(TXT::new(vec!["v=DKIM1; k=ed25519; p=abc".into()]))),
                    ("s._domainkey.esp.test.", RData::TXT(TXT::new(vec!["second".into()]))),
                ],
            ),
            response(ResponseCode::NoError, false, vec![]),
            response(ResponseCode::NXDomain, false, vec![]),
            response(ResponseCode::ServFail, false, vec![]),
        ];
        for body in &answers {
            let (lean, full) = (read_txt(body), decode_txt(body).answer);
            let without_cnames = match full {
                DnsAnswer::Records { records, authenticated, .. } => {
                    DnsAnswer::Records { records, authenticated, cnames: vec![] }
                }
                other => other,
            };
            assert_eq!(lean, without_cnames);
        }
        // With a question section (as resolvers answer), the question's name is skipped.
        let mut m = Message::from_vec(&query("q.x.test", Kind::Txt).unwrap()).unwrap();
        m.set_message_type(MessageType::Response);
        m.add_answer(Record::from_rdata(
            Name::from_ascii("q.x.test.").unwrap(),
            60,
            RData::TXT(TXT::new(vec!["hi".into()])),
        ));
        let body = m.to_vec().unwrap();
        assert_eq!(
            read_txt(&body),
            DnsAnswer::Records { records: vec![vec![b"hi".to_vec()]], authenticated: true, cnames: vec![] }
        );
        for cut in 0..body.len() {
            assert!(matches!(read_txt(&body[..cut]), DnsAnswer::Failed(_)), "cut at {cut}");
        }
        assert!(
            matches!(read_txt(&query("q.x.test", Kind::Txt).unwrap()), DnsAnswer::Failed(_)),
            "a query is not an answer"
        );
    }
}

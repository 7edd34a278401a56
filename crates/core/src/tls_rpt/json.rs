//! A JSON document read for the report reader without copying it (issue 13 item 1): a
//! string is borrowed from the input unless it holds an escape, and an object is its members
//! in document order, not a map. serde_json's `Value` allocated a `String` for every key and
//! every string and a B-tree node for every object, and dropping it all was a sixth of the
//! time spent on a report.
//!
//! What the reader sees is what it saw through `Value`: a member that occurs twice counts
//! as its last occurrence (as `Map::insert` kept it), and member names are listed sorted
//! and once each (as `Map`'s keys were).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

/// A JSON value whose strings borrow from the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// An object's members in document order, each with its name as recognised.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Object<'a>(Vec<(Member, Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    /// The member `name` (its last occurrence).
    pub(crate) fn get(&self, name: Member) -> Option<&Json<'a>> {
        self.0.iter().rev().find(|(n, _, _)| *n == name).map(|(_, _, v)| v)
    }

    /// The member `name` (its last occurrence), to take strings out of.
    pub(crate) fn get_mut(&mut self, name: Member) -> Option<&mut Json<'a>> {
        self.0.iter_mut().rev().find(|(n, _, _)| *n == name).map(|(_, _, v)| v)
    }

    pub(crate) fn contains(&self, name: Member) -> bool {
        self.0.iter().any(|(n, _, _)| *n == name)
    }

    /// Whether every member is one of `known`.
    pub(crate) fn has_only(&self, known: &[Member]) -> bool {
        let set = known.iter().fold(0u32, |set, n| set | n.bit());
        self.0.iter().all(|(n, _, _)| set & n.bit() != 0)
    }

    /// The member names in document order, repeated ones as often as they occur.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, k, _)| k.as_ref())
    }

    /// The member names, sorted, each once.
    pub(crate) fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.names().collect();
        crate::order::sort(&mut keys);
        keys.dedup();
        keys
    }
}

/// A member name a report can hold (RFC 8460 §4.4, and the quirks' names), recognised
/// once as the document is read, so that the reader compares a byte per member, not a
/// string (comparing names was 6 % of reading a report: session 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member(u8);

impl Member {
    pub(crate) const POLICY: Member = Member(0);
    pub(crate) const MX_HOST: Member = Member(1);
    pub(crate) const SUMMARY: Member = Member(2);
    pub(crate) const POLICIES: Member = Member(3);
    pub(crate) const REPORT_ID: Member = Member(4);
    pub(crate) const DATE_RANGE: Member = Member(5);
    pub(crate) const POLICY_TYPE: Member = Member(6);
    pub(crate) const RESULT_TYPE: Member = Member(7);
    pub(crate) const CONTACT_INFO: Member = Member(8);
    pub(crate) const END_DATETIME: Member = Member(9);
    pub(crate) const RECEIVING_IP: Member = Member(10);
    pub(crate) const POLICY_DOMAIN: Member = Member(11);
    pub(crate) const POLICY_STRING: Member = Member(12);
    pub(crate) const SENDING_MTA_IP: Member = Member(13);
    pub(crate) const START_DATETIME: Member = Member(14);
    pub(crate) const FAILURE_DETAILS: Member = Member(15);
    pub(crate) const MX_HOST_PATTERN: Member = Member(16);
    pub(crate) const ORGANIZATION_NAME: Member = Member(17);
    pub(crate) const RECEIVING_MX_HELO: Member = Member(18);
    pub(crate) const ADDITIONAL_INFO_URI: Member = Member(19);
    pub(crate) const FAILURE_REASON_CODE: Member = Member(20);
    pub(crate) const FAILED_SESSION_COUNT: Member = Member(21);
    pub(crate) const RECEIVING_MX_HOSTNAME: Member = Member(22);
    pub(crate) const ADDITIONAL_INFORMATION: Member = Member(23);
    pub(crate) const TOTAL_FAILURE_SESSION_COUNT: Member = Member(24);
    pub(crate) const TOTAL_SUCCESSFUL_SESSION_COUNT: Member = Member(25);
    /// Any other name.
    pub(crate) const OTHER: Member = Member(26);

    /// The names, by number.
    const NAMES: [&'static str; 26] = [
        "policy",
        "mx-host",
        "summary",
        "policies",
        "report-id",
        "date-range",
        "policy-type",
        "result-type",
        "contact-info",
        "end-datetime",
        "receiving-ip",
        "policy-domain",
        "policy-string",
        "sending-mta-ip",
        "start-datetime",
        "failure-details",
        "mx-host-pattern",
        "organization-name",
        "receiving-mx-helo",
        "additional-info-uri",
        "failure-reason-code",
        "failed-session-count",
        "receiving-mx-hostname",
        "additional-information",
        "total-failure-session-count",
        "total-successful-session-count",
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Member::NAMES.get(usize::from(self.0)).copied().unwrap_or_default()
    }

    fn of(name: &str) -> Member {
        // A `match` compares with each name of the same length inline, where a search of
        // `NAMES` called memcmp: 7 % of reading a report (session 14). It costs the report
        // worker about 1 KB.
        match name {
            "policy" => Member::POLICY,
            "mx-host" => Member::MX_HOST,
            "summary" => Member::SUMMARY,
            "policies" => Member::POLICIES,
            "report-id" => Member::REPORT_ID,
            "date-range" => Member::DATE_RANGE,
            "policy-type" => Member::POLICY_TYPE,
            "result-type" => Member::RESULT_TYPE,
            "contact-info" => Member::CONTACT_INFO,
            "end-datetime" => Member::END_DATETIME,
            "receiving-ip" => Member::RECEIVING_IP,
            "policy-domain" => Member::POLICY_DOMAIN,
            "policy-string" => Member::POLICY_STRING,
            "sending-mta-ip" => Member::SENDING_MTA_IP,
            "start-datetime" => Member::START_DATETIME,
            "failure-details" => Member::FAILURE_DETAILS,
            "mx-host-pattern" => Member::MX_HOST_PATTERN,
            "organization-name" => Member::ORGANIZATION_NAME,
            "receiving-mx-helo" => Member::RECEIVING_MX_HELO,
            "additional-info-uri" => Member::ADDITIONAL_INFO_URI,
            "failure-reason-code" => Member::FAILURE_REASON_CODE,
            "failed-session-count" => Member::FAILED_SESSION_COUNT,
            "receiving-mx-hostname" => Member::RECEIVING_MX_HOSTNAME,
            "additional-information" => Member::ADDITIONAL_INFORMATION,
            "total-failure-session-count" => Member::TOTAL_FAILURE_SESSION_COUNT,
            "total-successful-session-count" => Member::TOTAL_SUCCESSFUL_SESSION_COUNT,
            _ => Member::OTHER,
        }
    }

    /// The bit of this name in a set of names ([`Object::has_only`]); none for `OTHER`.
    fn bit(self) -> u32 {
        if self == Member::OTHER {
            0
        } else {
            1u32.wrapping_shl(u32::from(self.0))
        }
    }
}

impl AsRef<str> for Member {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        // serde_json's own Value turns a non-finite float into null; its parser never
        // produces one.
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        Deserialize::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(4).min(64));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // JSON gives no size hint: room for a report's objects (5 to 11 members) from the start
        // saves growing each one twice.
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8).min(16));
        while let Some(k) = map.next_key::<Key<'de>>()? {
            members.push((Member::of(&k.0), k.0, map.next_value()?));
        }
        Ok(Json::Object(Object(members)))
    }
}

/// A member name, borrowed when it holds no escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Written back as it was read: members in document order, repeated ones included (an
/// element of a JSON array of reports goes to the report reader as bytes).
impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Json::Object(Object(members)) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (_, k, v) in members {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_serde_json_value_does() {
        let text = r#"{"policies": 1, "report-id": "x\"y", "policies": [true, null, -2, 1.5, {"k": "v"}], "c": {}}"#;
        let j: Json<'_> = serde_json::from_str(text).unwrap();
        let Json::Object(o) = &j else { panic!("{j:?}") };
        assert_eq!(o.keys(), ["c", "policies", "report-id"], "sorted, once each");
        assert!(matches!(o.get(Member::POLICIES), Some(Json::Array(items)) if items.len() == 5), "the last occurrence");
        assert!(matches!(o.get(Member::REPORT_ID), Some(Json::String(Cow::Owned(s))) if s == "x\"y"), "escaped: owned");
        assert!(!o.has_only(&[Member::POLICIES, Member::REPORT_ID]), "\"c\" is not one of them");
        assert!(!o.has_only(&[Member::POLICIES, Member::REPORT_ID, Member::OTHER]), "Other is in no set");
        let plain: Json<'_> = serde_json::from_str(r#"{"policy": "v", "report\u002did": 1}"#).unwrap();
        let Json::Object(p) = &plain else { panic!() };
        assert!(matches!(p.get(Member::POLICY), Some(Json::String(Cow::Borrowed("v")))), "unescaped: borrowed");
        assert!(p.contains(Member::REPORT_ID), "a name is recognised after its escapes are read");
        assert!(p.has_only(&[Member::POLICY, Member::REPORT_ID]));
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["policies"][3].as_f64(), Some(1.5));
        assert!(
            matches!(o.get(Member::POLICIES), Some(Json::Array(items)) if items[3] == Json::Number(Number::from_f64(1.5).unwrap()))
        );
        for i in 0..=26u8 {
            let name = Member(i);
            assert_eq!(Member::of(name.as_str()), if i < 26 { name } else { Member::OTHER }, "{i}");
        }
        let long = "x".repeat(40);
        for other in ["", "policyx", "mx-hosts", "Policy", "report_id", "summarY", "policy-stringg", &long] {
            assert_eq!(Member::of(other), Member::OTHER, "{other}");
        }
    }
}

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

/// The member names a report can hold (RFC 8460 §4.4, and the quirks' names), recognised
/// once as the document is read, so that the reader compares a byte per member, not a
/// string (comparing names was 6 % of reading a report: session 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    OrganizationName,
    DateRange,
    ContactInfo,
    ReportId,
    Policies,
    StartDatetime,
    EndDatetime,
    Policy,
    Summary,
    FailureDetails,
    PolicyType,
    PolicyString,
    PolicyDomain,
    MxHost,
    MxHostPattern,
    TotalSuccessfulSessionCount,
    TotalFailureSessionCount,
    ResultType,
    SendingMtaIp,
    ReceivingMxHostname,
    ReceivingMxHelo,
    ReceivingIp,
    FailedSessionCount,
    AdditionalInformation,
    AdditionalInfoUri,
    FailureReasonCode,
    /// Any other name.
    Other,
}

impl Member {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Member::OrganizationName => "organization-name",
            Member::DateRange => "date-range",
            Member::ContactInfo => "contact-info",
            Member::ReportId => "report-id",
            Member::Policies => "policies",
            Member::StartDatetime => "start-datetime",
            Member::EndDatetime => "end-datetime",
            Member::Policy => "policy",
            Member::Summary => "summary",
            Member::FailureDetails => "failure-details",
            Member::PolicyType => "policy-type",
            Member::PolicyString => "policy-string",
            Member::PolicyDomain => "policy-domain",
            Member::MxHost => "mx-host",
            Member::MxHostPattern => "mx-host-pattern",
            Member::TotalSuccessfulSessionCount => "total-successful-session-count",
            Member::TotalFailureSessionCount => "total-failure-session-count",
            Member::ResultType => "result-type",
            Member::SendingMtaIp => "sending-mta-ip",
            Member::ReceivingMxHostname => "receiving-mx-hostname",
            Member::ReceivingMxHelo => "receiving-mx-helo",
            Member::ReceivingIp => "receiving-ip",
            Member::FailedSessionCount => "failed-session-count",
            Member::AdditionalInformation => "additional-information",
            Member::AdditionalInfoUri => "additional-info-uri",
            Member::FailureReasonCode => "failure-reason-code",
            Member::Other => "",
        }
    }

    fn of(name: &str) -> Member {
        match name {
            "organization-name" => Member::OrganizationName,
            "date-range" => Member::DateRange,
            "contact-info" => Member::ContactInfo,
            "report-id" => Member::ReportId,
            "policies" => Member::Policies,
            "start-datetime" => Member::StartDatetime,
            "end-datetime" => Member::EndDatetime,
            "policy" => Member::Policy,
            "summary" => Member::Summary,
            "failure-details" => Member::FailureDetails,
            "policy-type" => Member::PolicyType,
            "policy-string" => Member::PolicyString,
            "policy-domain" => Member::PolicyDomain,
            "mx-host" => Member::MxHost,
            "mx-host-pattern" => Member::MxHostPattern,
            "total-successful-session-count" => Member::TotalSuccessfulSessionCount,
            "total-failure-session-count" => Member::TotalFailureSessionCount,
            "result-type" => Member::ResultType,
            "sending-mta-ip" => Member::SendingMtaIp,
            "receiving-mx-hostname" => Member::ReceivingMxHostname,
            "receiving-mx-helo" => Member::ReceivingMxHelo,
            "receiving-ip" => Member::ReceivingIp,
            "failed-session-count" => Member::FailedSessionCount,
            "additional-information" => Member::AdditionalInformation,
            "additional-info-uri" => Member::AdditionalInfoUri,
            "failure-reason-code" => Member::FailureReasonCode,
            _ => Member::Other,
        }
    }

    /// The bit of this name in a set of names ([`Object::has_only`]); none for `Other`.
    fn bit(self) -> u32 {
        if self == Member::Other {
            0
        } else {
            1 << self as u32
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
        assert!(matches!(o.get(Member::Policies), Some(Json::Array(items)) if items.len() == 5), "the last occurrence");
        assert!(matches!(o.get(Member::ReportId), Some(Json::String(Cow::Owned(s))) if s == "x\"y"), "escaped: owned");
        assert!(!o.has_only(&[Member::Policies, Member::ReportId]), "\"c\" is not one of them");
        assert!(!o.has_only(&[Member::Policies, Member::ReportId, Member::Other]), "Other is in no set");
        let plain: Json<'_> = serde_json::from_str(r#"{"policy": "v", "report\u002did": 1}"#).unwrap();
        let Json::Object(p) = &plain else { panic!() };
        assert!(matches!(p.get(Member::Policy), Some(Json::String(Cow::Borrowed("v")))), "unescaped: borrowed");
        assert!(p.contains(Member::ReportId), "a name is recognised after its escapes are read");
        assert!(p.has_only(&[Member::Policy, Member::ReportId]));
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["policies"][3].as_f64(), Some(1.5));
        assert!(
            matches!(o.get(Member::Policies), Some(Json::Array(items)) if items[3] == Json::Number(Number::from_f64(1.5).unwrap()))
        );
        for name in
            [Member::OrganizationName, Member::MxHostPattern, Member::AdditionalInfoUri, Member::FailureReasonCode]
        {
            assert_eq!(Member::of(name.as_str()), name);
        }
    }
}

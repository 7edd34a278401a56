//! The one table of finding codes.
//!
//! Every finding any parser in this crate can produce has a row here: its stable kebab-case
//! id, its severity, the RFC section that decides it, a message and a fix. Ids are an
//! interface (tools match on them, the web page puts them in `data-code`): never rename one;
//! retire a code by leaving its row in place.

use serde::{Serialize, Serializer};

use crate::finding::Severity;

/// An RFC section a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RfcRef {
    /// RFC number, for example 8461.
    pub number: u16,
    /// Section, for example "3.2".
    pub section: &'static str,
}

impl RfcRef {
    /// "RFC 8461 §3.2".
    pub fn label(&self) -> String {
        format!("RFC {} §{}", self.number, self.section)
    }

    /// A link to the section on the RFC Editor's site.
    pub fn url(&self) -> String {
        format!("https://www.rfc-editor.org/rfc/rfc{}#section-{}", self.number, self.section)
    }
}

/// What part of an MTA-STS / TLS-RPT setup a code is about. The domain check's verdict is
/// a function of the findings in each area (see `check::judge_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// The `_mta-sts` TXT record (RFC 8461 §3.1).
    StsRecord,
    /// The `_smtp._tls` TXT record (RFC 8460 §3).
    TlsRptRecord,
    /// The policy file's content (RFC 8461 §3.2).
    Policy,
    /// The HTTPS fetch of the policy: status, redirects, media type (RFC 8461 §3.3).
    Fetch,
    /// The policy host's name and addresses (RFC 8461 §3.2).
    Host,
    /// The policy host's certificate (RFC 8461 §3.3).
    Cert,
    /// DNS answers as such: failures, NXDOMAIN, CNAMEs, resolvers disagreeing.
    Dns,
    /// DANE TLSA records next to MTA-STS (RFC 8461 §2, RFC 7672).
    Dane,
    /// An MX host as senders meet it: SMTP, STARTTLS and its certificate (RFC 8461 §4.2).
    Smtp,
    /// MX hosts against the policy's patterns (RFC 8461 §4.1).
    Mx,
    /// A TLS-RPT report's content (RFC 8460 §4).
    Report,
    /// How a report arrived: files, archives, emails (RFC 8460 §5).
    Input,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// Stable kebab-case id, `area/what`.
    pub id: &'static str,
    /// What part of a setup the rule is about; verdicts are decided on this, never on the
    /// id's text.
    pub area: Area,
    /// How bad it is.
    pub severity: Severity,
    /// Where the rule is written.
    pub rfc: RfcRef,
    /// What is wrong, as a short lowercase phrase.
    pub message: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

macro_rules! codes {
    ($( $(#[$cfg:meta])* $variant:ident = $id:literal, $area:ident, $sev:ident, $rfc:literal, $sec:literal,
        $msg:literal, $fix:literal; )*) => {
        /// A finding code. Its row in the table is [`Code::info`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$cfg])* #[doc = $msg] $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[ $( $(#[$cfg])* Code::$variant, )* ];

            /// This code's row.
            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $( $(#[$cfg])* Code::$variant => &CodeInfo {
                        id: $id,
                        area: Area::$area,
                        severity: Severity::$sev,
                        rfc: RfcRef { number: $rfc, section: $sec },
                        message: $msg,
                        fix: $fix,
                    }, )*
                }
            }

            // The row's fields one at a time, for callers that need no text: a module that
            // only counts findings by severity (the report worker) then links neither the
            // messages nor the fixes (9 KB gzipped of text in each wasm module).

            /// The stable id, for example `sts-policy/max-age-out-of-range`.
            pub fn id(self) -> &'static str {
                match self { $( $(#[$cfg])* Code::$variant => $id, )* }
            }

            /// What part of a setup this code is about.
            pub fn area(self) -> Area {
                match self { $( $(#[$cfg])* Code::$variant => Area::$area, )* }
            }

            /// How bad it is.
            pub fn severity(self) -> Severity {
                match self { $( $(#[$cfg])* Code::$variant => Severity::$sev, )* }
            }
        }
    };
}

impl Code {
    /// Why this code is an error although the RFC sentence behind it is only a SHOULD or a
    /// MAY: a widely deployed sender applies it as a hard rule and drops the policy, so for
    /// the domain owner it breaks delivery protection just as a MUST would.
    pub fn stricter_than_rfc(self) -> Option<&'static str> {
        match self {
            Code::FetchContentType => Some(
                "RFC 8461 §3.2 says senders SHOULD validate that the media type is \"text/plain\"; \
                 postfix-mta-sts-resolver (the MTA-STS resolver most Postfix sites use) rejects any \
                 other type as a fetch error, so the policy is ignored",
            ),
            Code::StsPolicyTooLarge => Some(
                "RFC 8461 §3.3 lets senders impose a size limit; postfix-mta-sts-resolver stops at \
                 64 KiB (65,536 bytes: one byte more is a fetch error), so a larger policy is ignored",
            ),
            _ => None,
        }
    }

    /// The code with this id, if there is one.
    pub fn from_id(id: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {id:?}")))
    }
}

codes! {
    // ---- _mta-sts TXT record, RFC 8461 §3.1 -------------------------------------------
    StsTxtNoRecord = "sts-txt/no-record", StsRecord, Error, 8461, "3.1",
        "no TXT record at _mta-sts begins with \"v=STSv1;\", so senders see no MTA-STS policy",
        "publish one TXT record at _mta-sts.<domain>, for example \"v=STSv1; id=20240101T000000\"";
    StsTxtMultipleRecords = "sts-txt/multiple-records", StsRecord, Error, 8461, "3.1",
        "more than one TXT record at _mta-sts begins with \"v=STSv1\"; senders then ignore all of them",
        "delete every v=STSv1 record but one";
    StsTxtRecordDiscarded = "sts-txt/record-discarded", StsRecord, Info, 8461, "3.1",
        "this TXT record does not begin with \"v=STSv1;\" and is ignored",
        "nothing to do if it serves something else; an MTA-STS record starts with exactly \"v=STSv1;\"";
    StsTxtVersionCase = "sts-txt/version-case", StsRecord, Error, 8461, "3.1",
        "the version tag is case-sensitive and must be exactly \"v=STSv1\"",
        "write v=STSv1 with exactly this capitalisation";
    StsTxtVersionNotFirst = "sts-txt/version-not-first", StsRecord, Error, 8461, "3.1",
        "the record must begin with the v=STSv1 field",
        "move \"v=STSv1;\" to the very start of the record";
    StsTxtLeadingWhitespace = "sts-txt/leading-whitespace", StsRecord, Error, 8461, "3.1",
        "the record starts with whitespace, so it does not begin with \"v=STSv1;\"",
        "remove the whitespace before v=STSv1";
    StsTxtSpaceBeforeSemicolon = "sts-txt/space-before-semicolon", StsRecord, Warning, 8461, "3.1",
        "whitespace between \"v=STSv1\" and \";\": the ABNF allows it, but the RFC's prose discards records that do not begin with \"v=STSv1;\", so some senders ignore this record",
        "write \"v=STSv1;\" with no space before the semicolon";
    StsTxtNonAscii = "sts-txt/non-ascii", StsRecord, Error, 8461, "3.1",
        "MTA-STS TXT records must be US-ASCII",
        "remove or replace the non-ASCII character";
    StsTxtMissingId = "sts-txt/missing-id", StsRecord, Error, 8461, "3.1",
        "the required id field is missing",
        "add an id, for example \"id=20240101T000000\", and change it whenever the policy changes";
    StsTxtInvalidId = "sts-txt/invalid-id", StsRecord, Error, 8461, "3.1",
        "id must be 1 to 32 letters or digits (sts-id = 1*32(ALPHA / DIGIT))",
        "use only A-Z, a-z and 0-9, at most 32 of them; a timestamp such as 20240101T000000 works well";
    StsTxtDuplicateField = "sts-txt/duplicate-field", StsRecord, Warning, 8461, "3.2",
        "field repeated: senders use the first and ignore the rest",
        "remove the repeated field";
    StsTxtEmptyField = "sts-txt/empty-field", StsRecord, Error, 8461, "3.1",
        "empty field between semicolons",
        "remove the extra semicolon";
    StsTxtMissingValue = "sts-txt/missing-value", StsRecord, Error, 8461, "3.1",
        "field has no value after \"=\" (values are printable ASCII without \"=\", \";\" or spaces)",
        "give the field a value or remove it";
    StsTxtInvalidFieldName = "sts-txt/invalid-field-name", StsRecord, Error, 8461, "3.1",
        "invalid field name: it must start with a letter or digit and have at most 32 letters, digits, \"_\", \"-\" or \".\", followed by \"=\"",
        "fix the field name or remove the field";
    StsTxtUnexpectedText = "sts-txt/unexpected-text", StsRecord, Error, 8461, "3.1",
        "unexpected text: fields are separated by \";\" and values cannot contain spaces, \"=\" or \";\"",
        "separate fields with \";\" and remove stray characters";
    StsTxtTrailingWhitespace = "sts-txt/trailing-whitespace", StsRecord, Error, 8461, "3.1",
        "whitespace at the end of the record is only allowed after a final \";\"",
        "remove the trailing whitespace";
    StsTxtUnknownField = "sts-txt/unknown-field", StsRecord, Info, 8461, "3.2",
        "unknown field: senders ignore it",
        "remove it unless an extension you use needs it";
    StsTxtMisspelledField = "sts-txt/misspelled-field", StsRecord, Warning, 8461, "3.1",
        "unknown field that looks like a misspelt known field; senders ignore it",
        "rename it to the field it was meant to be (field names are case-sensitive)";

    // ---- _smtp._tls TXT record, RFC 8460 §3 ---------------------------------------------
    TlsRptTxtNoRecord = "tlsrpt-txt/no-record", TlsRptRecord, Error, 8460, "3",
        "no TXT record at _smtp._tls begins with \"v=TLSRPTv1;\", so senders will not send TLS reports",
        "publish one TXT record at _smtp._tls.<domain>, for example \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\"";
    TlsRptTxtMultipleRecords = "tlsrpt-txt/multiple-records", TlsRptRecord, Error, 8460, "3",
        "more than one TXT record at _smtp._tls begins with \"v=TLSRPTv1\"; senders then send no reports",
        "merge them into one record: several report addresses go in one rua, separated by commas";
    TlsRptTxtRecordDiscarded = "tlsrpt-txt/record-discarded", TlsRptRecord, Info, 8460, "3",
        "this TXT record does not begin with \"v=TLSRPTv1;\" and is ignored",
        "nothing to do if it serves something else; a TLS-RPT record starts with exactly \"v=TLSRPTv1;\"";
    TlsRptTxtVersionCase = "tlsrpt-txt/version-case", TlsRptRecord, Error, 8460, "3",
        "the version tag is case-sensitive and must be exactly \"v=TLSRPTv1\"",
        "write v=TLSRPTv1 with exactly this capitalisation";
    TlsRptTxtVersionNotFirst = "tlsrpt-txt/version-not-first", TlsRptRecord, Error, 8460, "3",
        "the record must begin with the v=TLSRPTv1 field",
        "move \"v=TLSRPTv1;\" to the very start of the record";
    TlsRptTxtLeadingWhitespace = "tlsrpt-txt/leading-whitespace", TlsRptRecord, Error, 8460, "3",
        "the record starts with whitespace, so it does not begin with \"v=TLSRPTv1;\"",
        "remove the whitespace before v=TLSRPTv1";
    TlsRptTxtSpaceBeforeSemicolon = "tlsrpt-txt/space-before-semicolon", TlsRptRecord, Warning, 8460, "3",
        "whitespace between \"v=TLSRPTv1\" and \";\": the ABNF allows it, but the RFC's prose discards records that do not begin with \"v=TLSRPTv1;\", so some senders ignore this record",
        "write \"v=TLSRPTv1;\" with no space before the semicolon";
    TlsRptTxtNonAscii = "tlsrpt-txt/non-ascii", TlsRptRecord, Error, 8460, "3",
        "the record grammar allows only printable US-ASCII",
        "remove or replace the non-ASCII character (percent-encode it inside a URI)";
    TlsRptTxtMissingRua = "tlsrpt-txt/missing-rua", TlsRptRecord, Error, 8460, "3",
        "the required rua field (where reports go) is missing",
        "add rua=mailto:<address> or rua=https://<endpoint>";
    TlsRptTxtDuplicateField = "tlsrpt-txt/duplicate-field", TlsRptRecord, Warning, 8460, "3",
        "field repeated: the RFC gives it no meaning and many senders use only the first",
        "put all report URIs in one rua field, separated by commas";
    TlsRptTxtEmptyField = "tlsrpt-txt/empty-field", TlsRptRecord, Error, 8460, "3",
        "empty field between semicolons",
        "remove the extra semicolon";
    TlsRptTxtMissingValue = "tlsrpt-txt/missing-value", TlsRptRecord, Error, 8460, "3",
        "field has no value after \"=\" (values are printable ASCII without \"=\", \";\" or spaces)",
        "give the field a value or remove it";
    TlsRptTxtInvalidFieldName = "tlsrpt-txt/invalid-field-name", TlsRptRecord, Error, 8460, "3",
        "invalid field name: it must start with a letter or digit and have at most 32 letters, digits, \"_\", \"-\" or \".\", followed by \"=\"",
        "fix the field name or remove the field";
    TlsRptTxtUnexpectedText = "tlsrpt-txt/unexpected-text", TlsRptRecord, Error, 8460, "3",
        "unexpected text: fields are separated by \";\", report URIs by \",\", and neither may contain spaces",
        "separate fields with \";\" and URIs with \",\"; percent-encode other characters";
    TlsRptTxtTrailingWhitespace = "tlsrpt-txt/trailing-whitespace", TlsRptRecord, Error, 8460, "3",
        "whitespace at the end of the record is only allowed after a final \";\"",
        "remove the trailing whitespace";
    TlsRptTxtUnknownField = "tlsrpt-txt/unknown-field", TlsRptRecord, Info, 8460, "3",
        "unknown field: senders ignore it",
        "remove it unless an extension you use needs it";
    TlsRptTxtMisspelledField = "tlsrpt-txt/misspelled-field", TlsRptRecord, Warning, 8460, "3",
        "unknown field that looks like a misspelt known field; senders ignore it",
        "rename it to the field it was meant to be (field names are case-sensitive; TLS-RPT has no ruf)";
    TlsRptTxtRuaEmptyUri = "tlsrpt-txt/rua-empty-uri", TlsRptRecord, Error, 8460, "3",
        "empty report URI in rua",
        "remove the extra comma";
    TlsRptTxtRuaNotUri = "tlsrpt-txt/rua-not-uri", TlsRptRecord, Error, 8460, "3",
        "report address is not an absolute URI (RFC 3986)",
        "write it as mailto:<address> or https://<host>/<path>";
    TlsRptTxtRuaUnsupportedScheme = "tlsrpt-txt/rua-unsupported-scheme", TlsRptRecord, Error, 8460, "3",
        "only the mailto and https schemes are supported for reports",
        "use mailto:<address> or https://<host>/<path>";
    TlsRptTxtRuaUnencodedChar = "tlsrpt-txt/rua-unencoded-char", TlsRptRecord, Error, 8460, "3",
        "commas, \"!\" and \";\" inside a report URI must be percent-encoded",
        "write \",\" as %2C, \"!\" as %21 and \";\" as %3B";
    TlsRptTxtRuaBadPercent = "tlsrpt-txt/rua-bad-percent", TlsRptRecord, Error, 8460, "3",
        "\"%\" in a URI must be followed by two hexadecimal digits",
        "percent-encode the character correctly, or write \"%\" itself as %25";
    TlsRptTxtRuaBadMailto = "tlsrpt-txt/rua-bad-mailto", TlsRptRecord, Error, 8460, "3",
        "mailto report URI has no valid address (RFC 6068)",
        "write mailto:local-part@domain";
    TlsRptTxtRuaBadHttps = "tlsrpt-txt/rua-bad-https", TlsRptRecord, Error, 8460, "3",
        "https report URI has no valid host",
        "write https://<host>/<path>";

    // ---- policy file, RFC 8461 §3.2 and §3.3 ------------------------------------------
    StsPolicyEmpty = "sts-policy/empty", Policy, Error, 8461, "3.2",
        "the policy is empty",
        "serve the policy text: version, mode, max_age and mx lines";
    StsPolicyHtmlBody = "sts-policy/html-body", Policy, Error, 8461, "3.2",
        "the body is HTML, not a policy: the server probably returned an error page or a web site",
        "serve the plain-text policy at /.well-known/mta-sts.txt, with Content-Type text/plain";
    StsPolicyTooLarge = "sts-policy/too-large", Policy, Error, 8461, "3.3",
        "the policy is larger than 64 KiB, the limit senders are advised to apply",
        "keep the policy small: it needs only version, mode, max_age and mx lines";
    StsPolicyBom = "sts-policy/bom", Policy, Error, 8461, "3.2",
        "the policy starts with a byte-order mark (U+FEFF): the grammar does not allow it and strict senders then see no version field",
        "save the file as UTF-8 without BOM (plain ASCII is best)";
    StsPolicyInvalidUtf8 = "sts-policy/invalid-utf8", Policy, Error, 8461, "3.2",
        "the policy is not valid UTF-8",
        "save the file as plain ASCII or UTF-8";
    StsPolicyControlChar = "sts-policy/control-char", Policy, Error, 8461, "3.2",
        "control character: lines end with LF or CRLF and values contain no control characters",
        "remove the control character (tabs are only allowed around values)";
    StsPolicyBlankLine = "sts-policy/blank-line", Policy, Error, 8461, "3.2",
        "empty line: the policy grammar has no blank lines, so strict senders reject the policy",
        "remove the empty line";
    StsPolicyTrailingWhitespace = "sts-policy/trailing-whitespace", Policy, Info, 8461, "3.2",
        "whitespace at the end of the line: allowed, but some hand-written parsers trip on it",
        "remove the trailing whitespace";
    StsPolicyLineWithoutColon = "sts-policy/line-without-colon", Policy, Error, 8461, "3.2",
        "line is not a \"key: value\" field",
        "write the line as \"key: value\", or remove it";
    StsPolicySpaceBeforeColon = "sts-policy/space-before-colon", Policy, Error, 8461, "3.2",
        "whitespace between the key and \":\" is not allowed",
        "write the key directly followed by \":\", as in \"mode: enforce\"";
    StsPolicyInvalidKey = "sts-policy/invalid-key", Policy, Error, 8461, "3.2",
        "invalid key: it must start with a letter or digit and have at most 32 letters, digits, \"_\", \"-\" or \".\"",
        "fix the key or remove the line";
    StsPolicyEmptyValue = "sts-policy/empty-value", Policy, Error, 8461, "3.2",
        "the field has no value",
        "give the field a value or remove the line";
    StsPolicyMissingVersion = "sts-policy/missing-version", Policy, Error, 8461, "3.2",
        "the required version field is missing",
        "add the line \"version: STSv1\"";
    StsPolicyBadVersion = "sts-policy/bad-version", Policy, Error, 8461, "3.2",
        "version must be exactly \"STSv1\" (case-sensitive)",
        "write \"version: STSv1\"";
    StsPolicyMissingMode = "sts-policy/missing-mode", Policy, Error, 8461, "3.2",
        "the required mode field is missing",
        "add \"mode: testing\" while you watch TLS reports, then \"mode: enforce\"";
    StsPolicyBadMode = "sts-policy/bad-mode", Policy, Error, 8461, "3.2",
        "mode must be enforce, testing or none, in lowercase",
        "write \"mode: testing\", \"mode: enforce\" or \"mode: none\"";
    StsPolicyMissingMaxAge = "sts-policy/missing-max-age", Policy, Error, 8461, "3.2",
        "the required max_age field is missing",
        "add \"max_age: 604800\" (one week) or more";
    StsPolicyMaxAgeNotNumber = "sts-policy/max-age-not-a-number", Policy, Error, 8461, "3.2",
        "max_age must be a plain non-negative integer of digits only",
        "write the number of seconds in digits, for example \"max_age: 604800\"";
    StsPolicyMaxAgeTooManyDigits = "sts-policy/max-age-too-many-digits", Policy, Error, 8461, "3.2",
        "max_age has more than 10 digits (1*10DIGIT)",
        "remove leading zeros";
    StsPolicyMaxAgeOutOfRange = "sts-policy/max-age-out-of-range", Policy, Error, 8461, "3.2",
        "max_age must be at most 31557600 seconds (one year)",
        "use 31557600 or less";
    StsPolicyMaxAgeShort = "sts-policy/max-age-short", Policy, Warning, 8461, "3.2",
        "max_age is under a week while mode is enforce; the RFC expects weeks or more, so that a cached policy outlives an attack at refresh time",
        "use 604800 (a week) or more; 31557600 (a year) is common once the policy is stable";
    StsPolicyMaxAgeShortTesting = "sts-policy/max-age-short-testing", Policy, Info, 8461, "3.2",
        "max_age is under a week: fine while testing, but raise it when you enforce",
        "switch to 604800 (a week) or more together with mode enforce";
    StsPolicyMissingMx = "sts-policy/missing-mx", Policy, Error, 8461, "3.2",
        "no mx field: at least one is required unless mode is none",
        "add one \"mx: <host or *.domain>\" line for every MX host, or a wildcard covering them";
    StsPolicyMxInvalid = "sts-policy/mx-invalid", Policy, Error, 8461, "3.2",
        "mx is not a valid host name or \"*.\" wildcard (sts-policy-mx-value = [\"*.\"] Domain)",
        "write a host name such as mail.example.com, or a wildcard such as *.example.com";
    StsPolicyMxULabel = "sts-policy/mx-u-label", Policy, Error, 8461, "3.2",
        "mx must be written in A-labels (Punycode), not Unicode",
        "write the A-label form given in the message";
    StsPolicyMxIpLiteral = "sts-policy/mx-ip-literal", Policy, Error, 8461, "3.2",
        "mx must be a host name, not an IP address",
        "use the MX host name; certificates are checked against names";
    StsPolicyMxPort = "sts-policy/mx-port", Policy, Error, 8461, "3.2",
        "mx must not include a port",
        "remove the \":port\" part";
    StsPolicyMxTrailingDot = "sts-policy/mx-trailing-dot", Policy, Error, 8461, "3.2",
        "mx must not end with a dot: the grammar's Domain (RFC 5321) has no trailing dot",
        "remove the final dot";
    StsPolicyMxBadWildcard = "sts-policy/mx-bad-wildcard", Policy, Error, 8461, "4.1",
        "\"*\" may only be the whole left-most label, as in \"*.example.com\"",
        "use \"*.example.com\", or list each MX host by name";
    StsPolicyDuplicateMx = "sts-policy/duplicate-mx", Policy, Info, 8461, "3.2",
        "the same mx pattern is listed more than once",
        "remove the repeated line";
    StsPolicyDuplicateKey = "sts-policy/duplicate-key", Policy, Warning, 8461, "3.2",
        "field repeated: senders use the first and ignore the rest",
        "remove the repeated line; only mx may repeat";
    StsPolicyUnknownKey = "sts-policy/unknown-key", Policy, Info, 8461, "3.2",
        "unknown field: senders ignore it",
        "remove it unless an extension you use needs it";
    StsPolicyMisspelledKey = "sts-policy/misspelled-key", Policy, Warning, 8461, "3.2",
        "unknown field that looks like a misspelt known field; senders ignore it",
        "rename it to the field it was meant to be (keys are case-sensitive)";
    StsPolicyModeTesting = "sts-policy/mode-testing", Policy, Info, 8461, "5",
        "mode testing: senders report failures but still deliver without TLS, so mail is not protected yet",
        "switch to mode enforce once TLS reports show no failures";
    StsPolicyModeNone = "sts-policy/mode-none", Policy, Info, 8461, "8.3",
        "mode none: senders treat the domain as having no policy (the way to retire MTA-STS)",
        "use mode testing or enforce to protect mail";

    // ---- TLS-RPT reports, RFC 8460 §4 and §5 ------------------------------------------
    ReportNotJson = "report/not-json", Report, Error, 8460, "4",
        "not a JSON document",
        "check that the file is the report itself (a .json, or a .json.gz to decompress), not a truncated or different file";
    ReportNotObject = "report/not-object", Report, Error, 8460, "4.4",
        "the report is not a JSON object",
        "a report is one JSON object with organization-name, date-range, report-id and policies";
    ReportNotAReport = "report/not-a-report", Report, Error, 8460, "4.4",
        "a JSON object, but not a TLS report: it has neither \"policies\" nor \"date-range\"",
        "give the report itself: one JSON object with organization-name, date-range, contact-info, report-id and policies (RFC 8460 §4.4)";
    ReportMissingField = "report/missing-field", Report, Error, 8460, "4.4",
        "a required member is missing",
        "the sender's report is incomplete; the rest of it is still counted";
    ReportWrongType = "report/wrong-type", Report, Error, 8460, "4.4",
        "a member has the wrong JSON type",
        "the sender's report does not follow the schema; the value was read as well as possible";
    ReportNullField = "report/null-field", Report, Info, 8460, "4.4",
        "a member is null; treated as absent",
        "nothing to do: some senders write null for empty fields";
    ReportMissingContactInfo = "report/missing-contact-info", Report, Warning, 8460, "4.4",
        "contact-info is missing: there is no address to ask the sender about this report",
        "nothing to do on your side";
    ReportBadDatetime = "report/bad-datetime", Report, Error, 8460, "4.4",
        "date-time is not in RFC 3339 format",
        "the report's time range cannot be placed; its counts are still included";
    ReportDatetimeNoTimezone = "report/datetime-no-timezone", Report, Info, 8460, "4.4",
        "date-time has no time zone; read as UTC (some Microsoft reports do this)",
        "nothing to do: RFC 3339 requires a zone, and UTC is what the sender means";
    ReportDateRangeReversed = "report/date-range-reversed", Report, Error, 8460, "4.1",
        "end-datetime is before start-datetime",
        "the sender's clock or report is broken; counts are attributed to the start day";
    ReportNotUtcDay = "report/not-utc-day", Report, Info, 8460, "4.1",
        "the report does not cover one full UTC day (00:00-24:00)",
        "nothing to do: daily charts place the report on its start day";
    ReportPoliciesNotArray = "report/policies-not-array", Report, Error, 8460, "4",
        "policies must be an array, even for a single policy",
        "the single policy object was read as a one-element array";
    ReportUnknownPolicyType = "report/unknown-policy-type", Report, Warning, 8460, "4.4",
        "policy-type is not tlsa, sts or no-policy-found",
        "kept as reported; check the sender's documentation";
    ReportMissingPolicyString = "report/missing-policy-string", Report, Info, 8460, "4.4",
        "the policy has no policy-string, so the policy the sender applied is unknown",
        "nothing to do: counts are still included";
    ReportPolicyStringJsonArray = "report/policy-string-json-array", Report, Info, 8460, "4.5",
        "policy-string holds one string that is itself a JSON array (a Microsoft quirk); its elements were read as the records",
        "nothing to do";
    ReportMissingPolicyDomain = "report/missing-policy-domain", Report, Warning, 8460, "4.4",
        "the policy has no policy-domain",
        "the policy is counted under an unknown domain";
    ReportMxHostPatternKey = "report/mx-host-pattern-key", Report, Info, 8460, "4.4",
        "mx-host given as \"mx-host-pattern\", the name the RFC's prose uses; its JSON schema says \"mx-host\": both are accepted",
        "nothing to do";
    ReportMxHostString = "report/mx-host-string", Report, Info, 8460, "4.4",
        "mx-host is a single string; the RFC's prose says a JSON array of strings (its example uses a string): both are accepted",
        "nothing to do";
    ReportNegativeCount = "report/negative-count", Report, Error, 8460, "4.2",
        "a session count is negative",
        "the sender's report is broken; the count was read as 0";
    ReportCountOverflow = "report/count-overflow", Report, Warning, 8460, "4.2",
        "session counts add up to more than 18446744073709551615 (the largest count there is): totals stop there",
        "a real mail server never sends this many sessions; ask the reporting organisation to check its report generator";
    ReportMissingFailureCount = "report/missing-failure-count", Report, Info, 8460, "4.2.2",
        "total-failure-session-count is missing; read as the sum of the failure details",
        "nothing to do";
    ReportMissingFailureDetails = "report/missing-failure-details", Report, Info, 8460, "4.4",
        "failures are counted but no failure-details say which",
        "nothing to do; ask the sender (contact-info) if the failures matter";
    ReportUnknownResultType = "report/unknown-result-type", Report, Warning, 8460, "4.3",
        "result-type is not one of the RFC's types (the registry can grow); kept as reported",
        "look the type up in the IANA STARTTLS Validation Result Types registry or the sender's documentation";
    ReportEmptyIp = "report/empty-ip", Report, Info, 8460, "4.4",
        "an IP address member is an empty string; treated as absent",
        "nothing to do";
    ReportBadIp = "report/bad-ip", Report, Warning, 8460, "4.4",
        "an IP address member is not an IPv4 or IPv6 address",
        "kept as reported";
    ReportAdditionalInfoUriKey = "report/additional-info-uri-key", Report, Info, 8460, "4.4",
        "additional information given as \"additional-info-uri\", the name the RFC's prose uses; its JSON schema says \"additional-information\": both are accepted",
        "nothing to do";
    ReportDetailsExceedTotal = "report/details-exceed-total", Report, Info, 8460, "4",
        "failure-details add up to more than total-failure-session-count (result types are not exclusive: one session can fail several ways)",
        "nothing to do";
    ReportUnknownField = "report/unknown-field", Report, Info, 8460, "4.4",
        "member not in the RFC's schema; ignored",
        "nothing to do";
    ReportDuplicate = "report/duplicate", Report, Info, 8460, "5.3",
        "the same report (organization-name and report-id) was seen before; counted once",
        "nothing to do: senders may deliver a report more than once";
    ReportMetadataMismatch = "report/metadata-mismatch", Report, Warning, 8460, "5.6",
        "the email headers, subject or file name disagree with the report body; the body wins",
        "nothing to do on your side; the sender's metadata is inconsistent";
    ReportMissingReportHeaders = "report/missing-report-headers", Report, Info, 8460, "5.3",
        "the email lacks the TLS-Report-Domain or TLS-Report-Submitter header the RFC requires",
        "nothing to do on your side";
    ReportDkimUnverified = "report/dkim-unverified", Report, Error, 8460, "3",
        "not counted (--signed-only): the email has no valid DKIM signature by the reporting domain without l=, and the RFC says to ignore such reports",
        "ask the reporter to sign its reports with its own domain and no l= (RFC 8460 §3), or read without --signed-only";
    InputUnreadable = "input/unreadable", Input, Error, 8460, "5",
        "the input (a file, or an IMAP mailbox) could not be read",
        "check the path and its permissions (for a mailbox: the URL, the password and the server's certificate)";
    InputNoReport = "input/no-report", Input, Error, 8460, "5.3",
        "no TLS-RPT report found in this input",
        "give a .json or .json.gz report, a .zip of them, or the report email (.eml or mbox)";
    InputLenientBase64 = "input/lenient-base64", Input, Info, 8460, "5.3",
        "the attachment's base64 is malformed (a stray character or bad length); it was decoded leniently",
        "nothing to do: the sender's encoder is sloppy, the report was read";
    InputTooLarge = "input/too-large", Input, Error, 8460, "5.2",
        "decompressed data exceeds the size limit; this input was skipped",
        "raise the limit (--max-bytes) if the file is genuine";
    InputBadCompression = "input/bad-compression", Input, Error, 8460, "5.2",
        "the compressed data is corrupt or truncated",
        "fetch the attachment again";
    InputBadEmail = "input/bad-email", Input, Error, 8460, "5.3",
        "the email could not be read",
        "save the message in its raw form (.eml) and try again";
    InputTooManyParts = "input/too-many-parts", Input, Error, 8460, "5.3",
        "more attachments or archive entries than the limit; the rest were skipped",
        "raise the limit (--max-parts) if the file is genuine";
    InputTooManyReports = "input/too-many-reports", Input, Error, 8460, "5",
        "more reports than the batch limit; the rest were skipped",
        "raise the limit (--max-reports) or split the batch";

    // ---- the HTTPS policy fetch, RFC 8461 §3.3 (checked from `curl -sS -D -` output) ---
    FetchNotHttp = "sts-fetch/not-http", Fetch, Error, 8461, "3.3",
        "this is not an HTTP response (expected the output of curl -sS -D - --max-redirs 0 URL: status line, headers, blank line, body)",
        "run the curl command shown and paste its whole output";
    FetchRedirect = "sts-fetch/redirect", Fetch, Error, 8461, "3.3",
        "the policy URL answers with a redirect, and \"HTTP 3xx redirects MUST NOT be followed\": senders get no policy",
        "serve the policy directly at https://mta-sts.<domain>/.well-known/mta-sts.txt with status 200";
    FetchStatus = "sts-fetch/status", Fetch, Error, 8461, "3.3",
        "\"Policies fetched via HTTPS are only valid if the HTTP response code is 200 (OK)\"",
        "make the policy URL answer 200 with the policy text";
    FetchContentType = "sts-fetch/content-type", Fetch, Error, 8461, "3.2",
        "the policy is not served as text/plain; senders \"SHOULD validate that the media type is text/plain\", and those that do ignore it",
        "serve /.well-known/mta-sts.txt with Content-Type: text/plain";
    FetchCharset = "sts-fetch/charset", Fetch, Warning, 8461, "3.2",
        "a charset other than utf-8 or us-ascii: senders read the policy as UTF-8 regardless",
        "serve it as text/plain; charset=utf-8 (or without a charset)";
    FetchNoBody = "sts-fetch/no-body", Fetch, Error, 8461, "3.2",
        "the response has no body after the headers",
        "serve the policy text in the response body";

    // ---- DNS answers and the policy host, for the domain check --------------------------
    DnsServfail = "dns/servfail", Dns, Error, 8461, "3.1",
        "the resolver answered SERVFAIL: senders cannot read this name either (often a DNSSEC or delegation problem)",
        "check the zone's DNSSEC signatures and its name servers";
    DnsTimeout = "dns/timeout", Dns, Error, 8461, "3.1",
        "the lookup timed out",
        "check that the zone's name servers answer; try again";
    DnsFailed = "dns/failed", Dns, Error, 8461, "3.1",
        "the lookup failed (the DNS-over-HTTPS resolver could not be reached or gave no usable answer)",
        "check the resolver setting and the network; the domain itself may be fine";
    DnsResolversDisagree = "dns/resolvers-disagree", Dns, Warning, 8461, "3.1",
        "two resolvers gave different answers for this name (split horizon, or a change still propagating)",
        "wait for the old records' TTL to pass, or check which name servers serve stale data";
    DnsNxdomain = "dns/nxdomain", Dns, Info, 8461, "3.1",
        "the name does not exist (NXDOMAIN)",
        "nothing to do unless a record is meant to be published at this name";
    DnsNodata = "dns/nodata", Dns, Info, 8461, "3.1",
        "the name exists but has no records of this type (NODATA)",
        "nothing to do unless a record of this type is meant to be published here";
    DnsNoDomain = "dns/no-domain", Dns, Error, 8461, "4",
        "the domain itself does not exist (NXDOMAIN for its MX lookup): no mail can be delivered to it",
        "check the spelling of the domain, and that it is delegated";
    DnsCname = "dns/cname", Dns, Info, 8461, "3.1",
        "the name is an alias (CNAME); senders follow it, as the RFC requires, and read the target's records: the policy is delegated",
        "nothing to do; keep the alias target's record and the provider's policy host in step";
    StsHostNoAddress = "sts-host/no-address", Host, Error, 8461, "3.2",
        "mta-sts.<domain> has no A or AAAA record, so senders cannot fetch the policy",
        "publish an address for mta-sts.<domain> on a host that serves the policy over HTTPS";
    CertNameMismatch = "sts-host/cert-name-mismatch", Cert, Error, 8461, "3.3",
        "the policy host's certificate is not valid for mta-sts.<domain> (only its DNS-IDs count; a wildcard covers one label)",
        "get a certificate whose subjectAltName lists mta-sts.<domain> (or *.<domain>)";
    CertExpired = "sts-host/cert-expired", Cert, Error, 8461, "3.3",
        "the policy host's certificate has expired: senders cannot fetch the policy",
        "renew the certificate of mta-sts.<domain>, and check why automatic renewal did not";
    CertNotYetValid = "sts-host/cert-not-yet-valid", Cert, Error, 8461, "3.3",
        "the policy host's certificate is not valid yet",
        "check the server's clock and the certificate's notBefore";
    CertExpiresSoon = "sts-host/cert-expires-soon", Cert, Warning, 8461, "3.3",
        "the policy host's certificate expires within two weeks; when it does, senders can no longer refresh the policy",
        "renew it now; automated renewal normally happens with 30 days left, so it is probably failing";
    CertUnreadable = "sts-host/cert-unreadable", Cert, Error, 8461, "3.3",
        "the policy host's certificate could not be read as X.509",
        "serve a standard X.509 certificate for mta-sts.<domain>";
    FetchUnreachable = "sts-fetch/unreachable", Fetch, Error, 8461, "3.3",
        "the policy host could not be reached over HTTPS with a certificate the browser trusts (unreachable, or an untrusted or mismatched certificate); senders cannot fetch the policy either",
        "serve https://mta-sts.<domain>/ with a certificate valid for mta-sts.<domain> from a public CA";
    FetchNotVerifiable = "sts-fetch/not-verifiable", Fetch, Info, 8461, "3.3",
        "the policy host answers over HTTPS with a trusted certificate, but the browser may not read the answer (no CORS header), so the policy itself is not verifiable from here",
        "paste the policy, or the output of curl -sS -D - --max-redirs 0 <url>, to check it";
    DaneTlsaUsage = "dane/tlsa-usage", Dane, Warning, 8461, "2",
        "TLSA usage 0 or 1 (PKIX) is not used for SMTP: RFC 7672 says senders treat it as unusable",
        "publish usage 3 (DANE-EE) or 2 (DANE-TA) records";
    DaneTlsaInvalid = "dane/tlsa-invalid", Dane, Error, 8461, "2",
        "TLSA record with an unknown selector or matching type, or data of the wrong length",
        "use selector 0 or 1 and matching type 1 (SHA-256, 32 bytes) or 2 (SHA-512, 64 bytes)";
    DaneNotAuthenticated = "dane/not-authenticated", Dane, Warning, 8461, "2",
        "TLSA records without DNSSEC validation (AD bit not set): senders ignore DANE for this host",
        "sign the zone with DNSSEC; until then only MTA-STS protects this host";
    DaneAndSts = "dane/and-sts", Dane, Info, 8461, "2",
        "this MX has DANE (DNSSEC-validated TLSA); senders that do DANE use it instead of MTA-STS for this host",
        "keep both consistent: the TLSA records must match the certificate the MTA-STS policy expects";

    DaneStsDisagree = "dane/sts-disagree", Dane, Warning, 8461, "2",
        "this MX host has DNSSEC-validated TLSA records, but the MTA-STS policy does not list it: DANE senders deliver to it, MTA-STS senders refuse it (enforce) or report a failure (testing)",
        "add the host to the policy's mx lines, or take it out of the MX set";
    DanePartial = "dane/partial", Dane, Info, 8461, "2",
        "only some MX hosts have DNSSEC-validated TLSA records: senders use DANE for those and MTA-STS (if any) for the rest",
        "publish TLSA records for every MX host, or rely on MTA-STS alone";

    // ---- MX host matching, RFC 8461 §4.1 ------------------------------------------------
    MxInvalidHost = "mx/invalid-host", Mx, Error, 8461, "4.1",
        "not a valid MX host name",
        "give a host name such as mail.example.com";
    MxNotCovered = "mx/not-covered", Mx, Error, 8461, "4.1",
        "no mx pattern of the policy matches this MX host: under enforce senders will not deliver to it, under testing they report a failure",
        "add \"mx: <host>\" (or a \"*.\" pattern covering it) to the policy, publish it, and change the id in the _mta-sts record";
    MxStalePattern = "mx/stale-pattern", Mx, Info, 8461, "4.1",
        "this mx pattern matches none of the domain's MX hosts",
        "remove it if the host is gone; keep it if you are about to add it to DNS";
    MxNullMx = "mx/null-mx", Mx, Info, 8461, "4",
        "the domain publishes a null MX (RFC 7505): it accepts no mail, so there is nothing for MTA-STS to protect",
        "remove the MTA-STS policy, or publish real MX records";
    MxImplicit = "mx/implicit", Mx, Info, 8461, "4.1",
        "the domain has no MX records, so senders use the domain itself as its MX (RFC 5321 §5.1)",
        "publish MX records; the policy must then cover those hosts";

    // ---- An MX host on the wire: STARTTLS and its certificate, RFC 8461 §4.2 ---------------
    // Only where certificates are read (the CLI's probe); ids end in the RFC 8460 §4.3
    // result type a sender would report, where one applies.
    #[cfg(feature = "probe")]
    SmtpUnreachable = "smtp/unreachable", Smtp, Error, 8461, "5",
        "the MX host could not be reached on its SMTP port: senders queue mail for it and try the next MX",
        "check that the host listens on port 25 and that no firewall drops connections to it";
    #[cfg(feature = "probe")]
    SmtpTimeout = "smtp/timeout", Smtp, Error, 8461, "5",
        "the MX host did not answer in time",
        "check the SMTP server's load, greeting delay and firewall; senders give up after a few minutes";
    #[cfg(feature = "probe")]
    SmtpRejected = "smtp/rejected", Smtp, Error, 8461, "5",
        "the MX host refused the conversation with an error reply",
        "look at the reply: a 554 greeting or a refused EHLO turns every sender away";
    #[cfg(feature = "probe")]
    SmtpStarttlsNotSupported = "smtp/starttls-not-supported", Smtp, Error, 8461, "4.2",
        "the MX host does not offer STARTTLS (or refused it): under an enforce policy senders will not deliver to it",
        "enable STARTTLS with a certificate for this host (Postfix: smtpd_tls_security_level = may, smtpd_tls_chain_files)";
    #[cfg(feature = "probe")]
    SmtpValidationFailure = "smtp/validation-failure", Smtp, Error, 8461, "4.2",
        "the TLS handshake with the MX host failed",
        "look at the reason; test with: openssl s_client -starttls smtp -connect <host>:25";
    #[cfg(feature = "probe")]
    SmtpOldTls = "smtp/old-tls", Smtp, Error, 8461, "4.2",
        "the MX host negotiated a TLS version older than 1.2, which current senders refuse (RFC 8996)",
        "enable TLS 1.2 and 1.3 on the SMTP server and disable TLS 1.0 and 1.1";
    #[cfg(feature = "probe")]
    SmtpCertificateHostMismatch = "smtp/certificate-host-mismatch", Smtp, Error, 8461, "4.2",
        "the MX host's certificate is not valid for its name (only subjectAltName DNS-IDs count; a wildcard covers one label)",
        "serve a certificate whose subjectAltName lists <host>";
    #[cfg(feature = "probe")]
    SmtpCertificateExpired = "smtp/certificate-expired", Smtp, Error, 8461, "4.2",
        "the MX host's certificate has expired",
        "renew it, automate the renewal, and make the SMTP server reload the new certificate";
    #[cfg(feature = "probe")]
    SmtpCertificateNotYetValid = "smtp/certificate-not-yet-valid", Smtp, Error, 8461, "4.2",
        "the MX host's certificate is not valid yet",
        "check the server's clock and the certificate's notBefore";
    #[cfg(feature = "probe")]
    SmtpCertificateExpiresSoon = "smtp/certificate-expires-soon", Smtp, Warning, 8461, "4.2",
        "the MX host's certificate expires within two weeks: automatic renewal is probably failing",
        "renew it now and find out why the renewal did not happen";
    #[cfg(feature = "probe")]
    SmtpCertificateNotTrusted = "smtp/certificate-not-trusted", Smtp, Error, 8461, "4.2",
        "the MX host's certificate does not chain to a root CA senders trust (self-signed, private CA, or intermediates missing)",
        "serve a certificate from a public CA together with its intermediate certificates (the full chain file)";
    #[cfg(feature = "probe")]
    SmtpChainOrder = "smtp/chain-order", Smtp, Warning, 8461, "4.2",
        "the presented chain is not in order (each certificate should be followed by its issuer), which older TLS stacks reject",
        "serve the leaf first, then each intermediate in order (the CA's fullchain file)";
    #[cfg(feature = "probe")]
    SmtpWeakKey = "smtp/weak-key", Smtp, Warning, 8461, "4.2",
        "a certificate in the chain has an RSA key under 2048 bits, which CAs and current senders no longer accept",
        "issue a new certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key";
    #[cfg(feature = "probe")]
    SmtpWeakSignature = "smtp/weak-signature", Smtp, Warning, 8461, "4.2",
        "a certificate in the chain is signed with SHA-1, which current senders reject",
        "reissue the certificate; every public CA signs with SHA-256 or better";
    #[cfg(feature = "probe")]
    SmtpUnreadableCertificate = "smtp/unreadable-certificate", Smtp, Error, 8461, "4.2",
        "a certificate the MX host presented could not be read as X.509",
        "serve standard X.509 certificates in the chain";
    #[cfg(feature = "probe")]
    DaneTlsaMatch = "dane/tlsa-match", Dane, Info, 8461, "2",
        "a DANE-EE or DANE-TA TLSA record matches the certificate chain this MX host presents",
        "keep the TLSA records updated before each key change (publish the next key's record first)";
    #[cfg(feature = "probe")]
    DaneTlsaMismatch = "dane/tlsa-mismatch", Dane, Error, 8461, "2",
        "no DANE-EE or DANE-TA TLSA record matches the chain this MX host presents: DANE senders will not deliver to it (result type tlsa-invalid)",
        "publish a TLSA record for the certificate in use (e.g. 3 1 1 and the SHA-256 of its public key), or restore the key the records name";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-field accessors read the same row as `info()`.
    #[test]
    fn fields_one_at_a_time_agree_with_the_row() {
        for &c in Code::ALL {
            let row = c.info();
            assert_eq!((c.id(), c.area(), c.severity()), (row.id, row.area, row.severity), "{c:?}");
        }
    }

    /// Every code has a complete, well-formed row, and ids are unique: the table is the
    /// interface tools match on.
    #[test]
    fn every_code_has_its_row() {
        let mut ids = std::collections::HashSet::new();
        for &code in Code::ALL {
            let i = code.info();
            assert!(ids.insert(i.id), "duplicate id {}", i.id);
            let (area, what) = i.id.split_once('/').unwrap_or_else(|| panic!("{} has no area", i.id));
            assert!(
                [
                    "sts-txt",
                    "tlsrpt-txt",
                    "sts-policy",
                    "sts-fetch",
                    "sts-host",
                    "dns",
                    "dane",
                    "mx",
                    "smtp",
                    "report",
                    "input"
                ]
                .contains(&area),
                "{}: unknown area",
                i.id
            );
            assert!(
                !what.is_empty() && what.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                i.id
            );
            // Lowercase phrases; an acronym such as "MTA-STS" may open one.
            let mut chars = i.message.chars();
            let (first, second) = (chars.next().unwrap_or(' '), chars.next().unwrap_or(' '));
            assert!(
                !first.is_ascii_uppercase() || second.is_ascii_uppercase(),
                "{}: message is not a lowercase phrase",
                i.id
            );
            assert!(!i.message.ends_with('.'), "{}: message ends with a period", i.id);
            assert!(!i.fix.is_empty(), "{}: no fix", i.id);
            assert!([8460, 8461].contains(&i.rfc.number) && !i.rfc.section.is_empty(), "{}: rfc", i.id);
            assert_eq!(Code::from_id(i.id), Some(code));
            let expected_area = match area {
                "sts-txt" => Area::StsRecord,
                "tlsrpt-txt" => Area::TlsRptRecord,
                "sts-policy" => Area::Policy,
                "sts-fetch" => Area::Fetch,
                "sts-host" if what.starts_with("cert-") => Area::Cert,
                "sts-host" => Area::Host,
                "dns" => Area::Dns,
                "dane" => Area::Dane,
                "mx" => Area::Mx,
                "smtp" => Area::Smtp,
                "report" => Area::Report,
                _ => Area::Input,
            };
            assert_eq!(i.area, expected_area, "{}: area", i.id);
            if code.stricter_than_rfc().is_some() {
                assert_eq!(i.severity, Severity::Error, "{}: only errors need a reason to be stricter", i.id);
            }
        }
    }

    #[test]
    fn rfc_links() {
        let r = Code::StsPolicyMaxAgeOutOfRange.info().rfc;
        assert_eq!(r.label(), "RFC 8461 §3.2");
        assert_eq!(r.url(), "https://www.rfc-editor.org/rfc/rfc8461#section-3.2");
    }
}

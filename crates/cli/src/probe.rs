//! `mtasts probe HOST`: talk to an MX host as a sender does (issue 11). The SMTP dialogue up
//! to STARTTLS (RFC 3207), the TLS handshake with rustls, recording the chain the host
//! presents; the chain checked against the Mozilla roots (webpki-roots, plus `--ca-cert`);
//! its TLSA records read over DNS-over-HTTPS. Core's `probe::judge` decides what it means.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mtasts_core::check::{self as core_check, DnsAnswer, Tlsa};
use mtasts_core::dns::{self, Kind};
use mtasts_core::mta_sts::policy::StsPolicy;
use mtasts_core::probe::{self, Dialogue, Probe, Session, Trust};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::check::{self, Net};

/// `mtasts probe` options.
#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The MX host to probe.
    host: String,
    /// The SMTP port.
    #[arg(long, default_value_t = 25)]
    port: u16,
    /// Also judge whether HOST is covered by this domain's MTA-STS policy (fetched as
    /// `mtasts check` does).
    #[arg(long, value_name = "DOMAIN")]
    policy_domain: Option<String>,
    /// The name to give in EHLO.
    #[arg(long, default_value = "mtasts-probe.invalid")]
    ehlo: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Judge a saved chain instead of connecting: a file ("-": standard input) with the
    /// PEM certificates HOST presents (leaf first), or everything `openssl s_client
    /// -starttls smtp -connect HOST:25 -showcerts` printed. Trust is then OpenSSL's verdict
    /// in that output ("Verify return code"), unknown without it: the judgement of the web
    /// page's certificate tab, which takes the same paste. TLSA records are still looked up.
    #[arg(long, value_name = "FILE")]
    paste: Option<String>,
    #[command(flatten)]
    net: Net,
}

/// A reply's lines longer than this, or more of them, end the conversation: a hostile
/// server cannot make the probe hold unbounded text.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// One SMTP reply: its code and its lines (RFC 5321 §4.2: "NNN-text" until "NNN text").
fn reply(r: &mut impl BufRead) -> std::io::Result<(u16, Vec<String>)> {
    let mut lines = Vec::new();
    let mut total = 0usize;
    loop {
        let mut line = Vec::new();
        let n = r.by_ref().take(4096).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the server closed the connection"));
        }
        total = total.saturating_add(n);
        if total > MAX_REPLY_BYTES {
            return Err(std::io::Error::other("the reply is longer than 64 KiB"));
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let code = text.get(..3).and_then(|c| c.parse::<u16>().ok());
        let last = text.as_bytes().get(3) != Some(&b'-');
        let Some(code) = code else {
            return Err(std::io::Error::other(format!("not an SMTP reply: {text:?}")));
        };
        lines.push(text);
        if last {
            return Ok((code, lines));
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
}

/// Records the chain and accepts it: the judgement is made afterwards, so that an
/// expired or untrusted certificate is reported, not just a failed handshake. Handshake
/// signatures are still verified.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity).chain(intermediates).map(|c| c.as_ref().to_vec()).collect();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The Mozilla roots, plus the PEM certificates in `extra`.
pub(crate) fn roots(extra: Option<&str>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = extra {
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut n = 0;
        for c in certs {
            let c = c.map_err(|e| format!("{path} is not a PEM certificate: {e}"))?;
            store.add(c).map_err(|e| format!("{path}: {e}"))?;
            n += 1;
        }
        if n == 0 {
            return Err(format!("{path} holds no PEM certificate"));
        }
    }
    Ok(store)
}

/// Whether `chain` leads to a trusted root, asked of webpki at a time inside the leaf's
/// validity (core judges the dates) and for `host` (a name mismatch is reported after the
/// path was built, so it means the chain itself is trusted; core judges the names).
fn trust(chain: &[Vec<u8>], host: &str, store: RootCertStore, now: i64) -> Trust {
    let Some((leaf, rest)) = chain.split_first() else { return Trust::Unknown };
    let verifier =
        match rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider()).build() {
            Ok(v) => v,
            Err(e) => return Trust::Untrusted(format!("cannot set up verification: {e}")),
        };
    let Ok(name) = ServerName::try_from(host.to_string()) else { return Trust::Unknown };
    let leaf_der = CertificateDer::from(leaf.clone());
    let intermediates: Vec<CertificateDer<'_>> = rest.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let at = mtasts_core::probe::inside_validity(leaf, now);
    let at = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(at).unwrap_or(0)));
    match verifier.verify_server_cert(&leaf_der, &intermediates, &name, &[], at) {
        Ok(_) => Trust::Trusted,
        Err(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName | rustls::CertificateError::NotValidForNameContext { .. },
        )) => Trust::Trusted,
        Err(e) => Trust::Untrusted(e.to_string()),
    }
}

/// Where to connect for `host`: a `--resolve` rule, else the system resolver.
fn address(net: &Net, host: &str, port: u16) -> Result<SocketAddr, String> {
    if let Some(addr) = net.resolved(host)? {
        return Ok(addr);
    }
    (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))
}

fn tls_version(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        rustls::ProtocolVersion::TLSv1_1 => "TLSv1.1".to_string(),
        rustls::ProtocolVersion::TLSv1_0 => "TLSv1.0".to_string(),
        other => format!("{other:?}"),
    }
}

/// The conversation: greeting, EHLO, STARTTLS, the handshake, QUIT.
fn converse(host: &str, port: u16, addr: SocketAddr, ehlo: &str, timeout: Duration) -> Session {
    let mut s = Session {
        host: host.to_string(),
        port,
        banner: None,
        dialogue: Dialogue::Unreachable(String::new()),
        chain: Vec::new(),
        trust: Trust::Unknown,
    };
    let tcp = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(t) => t,
        Err(e) if is_timeout(&e) => {
            s.dialogue = Dialogue::Timeout(format!("the connection to {addr}"));
            return s;
        }
        Err(e) => {
            s.dialogue = Dialogue::Unreachable(format!("{addr}: {e}"));
            return s;
        }
    };
    let _ = tcp.set_read_timeout(Some(timeout));
    let _ = tcp.set_write_timeout(Some(timeout));
    let Ok(write_half) = tcp.try_clone() else {
        s.dialogue = Dialogue::Unreachable("cannot use the connection".to_string());
        return s;
    };
    let mut w = write_half;
    let mut r = BufReader::new(tcp);
    let fail = |step: &str, e: std::io::Error| {
        if is_timeout(&e) {
            Dialogue::Timeout(step.to_string())
        } else {
            Dialogue::Rejected(step.to_string(), e.to_string())
        }
    };
    match reply(&mut r) {
        Ok((220, lines)) => s.banner = lines.first().cloned(),
        Ok((_, lines)) => {
            s.dialogue = Dialogue::Rejected("the greeting".to_string(), lines.join(" / "));
            return s;
        }
        Err(e) => {
            s.dialogue = fail("the greeting", e);
            return s;
        }
    }
    let ehlo_lines = match w.write_all(format!("EHLO {ehlo}\r\n").as_bytes()).and_then(|()| reply(&mut r)) {
        Ok((250, lines)) => lines,
        Ok((_, lines)) => {
            s.dialogue = Dialogue::Rejected("EHLO".to_string(), lines.join(" / "));
            return s;
        }
        Err(e) => {
            s.dialogue = fail("EHLO", e);
            return s;
        }
    };
    let offers =
        ehlo_lines.iter().skip(1).any(|l| l.get(4..).is_some_and(|k| k.trim().eq_ignore_ascii_case("STARTTLS")));
    if !offers {
        let _ = w.write_all(b"QUIT\r\n");
        s.dialogue = Dialogue::NoStarttls(ehlo_lines);
        return s;
    }
    match w.write_all(b"STARTTLS\r\n").and_then(|()| reply(&mut r)) {
        Ok((220, _)) => {}
        Ok((_, lines)) => {
            s.dialogue = Dialogue::Rejected("STARTTLS".to_string(), lines.join(" / "));
            return s;
        }
        Err(e) => {
            s.dialogue = fail("STARTTLS", e);
            return s;
        }
    }
    // Nothing may be buffered past the 220: the server speaks TLS from here.
    if !r.buffer().is_empty() {
        s.dialogue = Dialogue::TlsFailed("the server sent data after its 220 reply to STARTTLS".to_string());
        return s;
    }
    let tcp = r.into_inner();
    let p = provider();
    let recorder =
        Arc::new(Recorder { chain: Mutex::new(Vec::new()), algorithms: p.signature_verification_algorithms });
    let config = match rustls::ClientConfig::builder_with_provider(p)
        .with_safe_default_protocol_versions()
        .map(|b| b.dangerous().with_custom_certificate_verifier(recorder.clone()).with_no_client_auth())
    {
        Ok(c) => c,
        Err(e) => {
            s.dialogue = Dialogue::TlsFailed(e.to_string());
            return s;
        }
    };
    let name = ServerName::try_from(host.to_string())
        .unwrap_or_else(|_| ServerName::try_from("invalid.invalid").unwrap_or(ServerName::IpAddress(addr.ip().into())));
    let conn = match rustls::ClientConnection::new(Arc::new(config), name) {
        Ok(c) => c,
        Err(e) => {
            s.dialogue = Dialogue::TlsFailed(e.to_string());
            return s;
        }
    };
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut done = Ok(());
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            done = Err(e);
            break;
        }
    }
    s.chain = recorder.chain.lock().map(|c| c.clone()).unwrap_or_default();
    s.dialogue = match done {
        Err(e) if is_timeout(&e) => Dialogue::Timeout("the TLS handshake".to_string()),
        Err(e) if too_old(&e) => Dialogue::TooOld(format!("no TLS version in common from 1.2 up ({e})")),
        Err(e) => Dialogue::TlsFailed(e.to_string()),
        Ok(()) => {
            let version = tls.conn.protocol_version().map_or("?".to_string(), tls_version);
            let cipher = tls.conn.negotiated_cipher_suite().map_or("?".to_string(), |c| format!("{:?}", c.suite()));
            let _ = tls.write_all(b"QUIT\r\n");
            let _ = tls.flush();
            Dialogue::Tls { version, cipher }
        }
    };
    s
}

/// Whether a failed handshake means the server offers only TLS 1.1 or older: it answered
/// our TLS 1.2/1.3 hello with a protocol_version alert, or rustls found no version in
/// common.
fn too_old(e: &std::io::Error) -> bool {
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else { return false };
    matches!(
        tls,
        rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)
            | rustls::Error::PeerIncompatible(
                rustls::PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
                    | rustls::PeerIncompatible::SupportedVersionsExtensionRequired
            )
    )
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Probes `host`: the conversation, the chain's trust, and (with a client) its TLSA records.
pub fn probe_host(
    host: &str,
    port: u16,
    net: &Net,
    ehlo: &str,
    tlsa: Option<&DnsAnswer<Tlsa>>,
    policy: Option<&StsPolicy>,
) -> Result<Probe, String> {
    let store = roots(net.ca_cert())?;
    let mut session = match address(net, host, port) {
        Ok(addr) => converse(host, port, addr, ehlo, net.timeout()),
        Err(e) => Session {
            host: host.to_string(),
            port,
            banner: None,
            dialogue: Dialogue::Unreachable(e),
            chain: Vec::new(),
            trust: Trust::Unknown,
        },
    };
    let t = now();
    session.trust = trust(&session.chain, host, store, t);
    Ok(probe::judge(&session, t, tlsa, policy))
}

fn human(p: &Probe) -> String {
    let mut out = format!(
        "{}:{}: {}\n",
        p.host,
        p.port,
        if p.valid { "OK — STARTTLS with a trusted certificate valid for the host" } else { "NOT OK" }
    );
    if let Some(b) = &p.banner {
        out.push_str(&format!("  greeting   {b}\n"));
    }
    out.push_str(&format!("  STARTTLS   {}\n", if p.starttls { "offered" } else { "not offered" }));
    if let (Some(v), Some(c)) = (&p.tls_version, &p.cipher) {
        // A paste of PEM certificates alone says nothing of the session.
        if !mtasts_core::probe::stated(v) && !mtasts_core::probe::stated(c) {
            out.push_str("  TLS        (version and cipher not in the paste)\n");
        } else {
            out.push_str(&format!("  TLS        {v}, {c}\n"));
        }
    }
    for (i, c) in p.chain.iter().enumerate() {
        out.push_str(&format!(
            "  cert {}     {}\n             issuer {}\n             valid {} to {}; {}; {}\n",
            i + 1,
            c.subject,
            c.issuer,
            c.not_before,
            c.not_after,
            c.key,
            c.signature
        ));
        if !c.dns_names.is_empty() {
            out.push_str(&format!("             DNS-IDs {}\n", c.dns_names.join(", ")));
        }
    }
    if let Some(d) = &p.dane {
        out.push_str(&format!(
            "  DANE       {} ({}): {}\n",
            d.name,
            if d.authenticated { "DNSSEC-validated" } else { "not validated" },
            d.matched.as_deref().map_or("no record matches".to_string(), |m| format!("matches {m}"))
        ));
    }
    for f in &p.findings {
        let info = f.code.info();
        out.push_str(&format!("{}[{}]: {}\n", info.severity.as_str(), info.id, f.message()));
        out.push_str(&format!(
            "   = {} <{}>\n   = fix: {}\n",
            info.rfc.label(),
            info.rfc.url(),
            info.fix.replace("<host>", &p.host)
        ));
    }
    out
}

/// The probe as JSON: issue 11's fields, and more.
pub fn json(p: &Probe) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = p
        .findings
        .iter()
        .map(|f| {
            let info = f.code.info();
            serde_json::json!({
                "code": info.id,
                "severity": info.severity.as_str(),
                "message": f.message(),
                "rfc": info.rfc.label(),
                "fix": info.fix.replace("<host>", &p.host),
            })
        })
        .collect();
    serde_json::json!({
        "host": p.host,
        "port": p.port,
        "valid": p.valid,
        "banner": p.banner,
        "starttls": p.starttls,
        "tls_version": p.tls_version,
        "cipher": p.cipher,
        "chain": p.chain,
        "findings": findings,
        "dane": p.dane,
    })
}

/// Runs `mtasts probe`. Exit 0 when STARTTLS is offered and the chain is trusted, valid
/// for HOST and in date; 1 otherwise; 2 usage or set-up errors.
pub fn run(args: &ProbeArgs) -> u8 {
    let host = args.host.trim().trim_end_matches('.').to_ascii_lowercase();
    if core_check::normalize_domain(&host).is_err() || host.contains('@') {
        eprintln!("mtasts: {:?} is not a host name", args.host);
        return 2;
    }
    if let Err(e) = dns::check_resolver(&args.net.doh) {
        eprintln!("mtasts: {e}");
        return 2;
    }
    let policy = match &args.policy_domain {
        None => None,
        Some(d) => match core_check::normalize_domain(d)
            .map_err(|e| e.to_string())
            .and_then(|d| check::gather_live(&d, &args.net))
        {
            Ok((c, _)) => match c.policy {
                Some(p) => Some(p),
                None => {
                    eprintln!("mtasts: no policy could be read for {d}: {}", c.reason);
                    return 2;
                }
            },
            Err(e) => {
                eprintln!("mtasts: {e}");
                return 2;
            }
        },
    };
    let tlsa = match args.net.client(&[args.net.doh_host()]) {
        Ok(c) => check::lookup(&c, &args.net.doh, &format!("_25._tcp.{host}"), Kind::Tlsa, dns::decode_tlsa).0,
        Err(e) => {
            eprintln!("mtasts: {e}");
            return 2;
        }
    };
    let probed = match &args.paste {
        Some(file) => read_paste(file)
            .map(|text| probe::judge(&probe::from_paste(&text, &host), now(), Some(&tlsa), policy.as_ref())),
        None => probe_host(&host, args.port, &args.net, &args.ehlo, Some(&tlsa), policy.as_ref()),
    };
    match probed {
        Ok(p) => {
            if args.json {
                println!("{:#}", json(&p));
            } else {
                print!("{}", human(&p));
            }
            u8::from(!p.valid)
        }
        Err(e) => {
            eprintln!("mtasts: {e}");
            2
        }
    }
}

/// The text of `--paste FILE` ("-": standard input).
fn read_paste(file: &str) -> Result<String, String> {
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(file)
    };
    let bytes = bytes.map_err(|e| format!("cannot read {file}: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_protocol_version_alert_means_too_old() {
        let wrap = |e: rustls::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        assert!(too_old(&wrap(rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion))));
        assert!(!too_old(&wrap(rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure))));
        assert!(!too_old(&std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof")));
        let s = Session {
            host: "mx.example.com".into(),
            port: 25,
            banner: None,
            dialogue: Dialogue::TooOld("no TLS version in common".into()),
            chain: Vec::new(),
            trust: Trust::Unknown,
        };
        let p = probe::judge(&s, 0, None, None);
        assert!(p.starttls && !p.valid);
        assert_eq!(p.findings[0].code.id(), "smtp/old-tls");
    }

    #[test]
    fn smtp_replies_are_read_whole_and_bounded() {
        let mut r = std::io::Cursor::new(b"250-mx.example.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n".to_vec());
        let (code, lines) = reply(&mut r).unwrap();
        assert_eq!((code, lines.len()), (250, 3));
        let mut endless = std::io::Cursor::new(b"250-x\r\n".repeat(20_000));
        assert!(reply(&mut endless).is_err(), "a reply over 64 KiB ends the conversation");
        assert!(reply(&mut std::io::Cursor::new(b"hello\r\n".to_vec())).is_err());
    }
}

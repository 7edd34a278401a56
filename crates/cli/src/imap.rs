//! `mtasts report imaps://user@host[:port]/MAILBOX` (and `imap://`, upgraded with
//! STARTTLS): the report mailbox read where the reports arrive. The `imap` crate speaks the
//! protocol; TLS is rustls with the Mozilla roots plus `--ca-cert`, always verified, so the
//! password never crosses the network in the clear.
//!
//! Messages are fetched with `BODY.PEEK[]` (reading does not mark them seen), in UID order,
//! a chunk at a time. With `--state`, the mailbox's UIDVALIDITY and the last UID read are
//! remembered, and the next run fetches only what arrived since (all of it again when the
//! server renumbered the mailbox).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;

use rustls::pki_types::ServerName;

use mtasts_core::text::percent_decode;

use crate::check::Net;

/// Messages fetched per command.
const CHUNK: usize = 50;

/// An `imap://` or `imaps://` URL (RFC 5092's server and mailbox parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxUrl {
    /// `imaps` (TLS from the start, port 993) or `imap` (STARTTLS, port 143).
    pub implicit_tls: bool,
    /// The login name.
    pub user: String,
    /// The server.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The mailbox (INBOX when the URL names none).
    pub mailbox: String,
}

impl MailboxUrl {
    /// `Ok(None)` when `s` is not an IMAP URL at all.
    pub fn parse(s: &str) -> Result<Option<MailboxUrl>, String> {
        let (implicit_tls, rest) = if let Some(r) = s.strip_prefix("imaps://") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("imap://") {
            (false, r)
        } else {
            return Ok(None);
        };
        let bad = |why: &str| Err(format!("{s}: {why} (expected imaps://USER@HOST[:PORT]/MAILBOX)"));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let Some((user, server)) = authority.rsplit_once('@') else { return bad("no user name") };
        if user.contains(':') {
            return bad("a password in the URL would be seen by anyone who lists processes; use MTASTS_IMAP_PASSWORD or --password-file");
        }
        let (host, port) = match server.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || server.starts_with('[') => match p.parse::<u16>() {
                Ok(p) => (h, p),
                Err(_) => return bad("the port is not a number"),
            },
            _ => (server, if implicit_tls { 993 } else { 143 }),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return bad("no host");
        }
        let mailbox = percent_decode(path.split(';').next().unwrap_or(""));
        Ok(Some(MailboxUrl {
            implicit_tls,
            user: percent_decode(user),
            host: host.to_string(),
            port,
            mailbox: if mailbox.is_empty() { "INBOX".to_string() } else { mailbox },
        }))
    }

    /// How `--state` and the output name this mailbox.
    pub fn key(&self) -> String {
        let scheme = if self.implicit_tls { "imaps" } else { "imap" };
        format!("{scheme}://{}@{}:{}/{}", self.user, self.host, self.port, self.mailbox)
    }
}

/// Where a mailbox was read up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mark {
    /// The mailbox's UIDVALIDITY: UIDs mean nothing under another one.
    pub uid_validity: u32,
    /// The highest UID read.
    pub last_uid: u32,
}

type Stream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// A mailbox read: its messages by UID, where to resume, and why it stopped early if it did.
pub struct Fetched {
    /// (UID, the whole message), to be taken.
    pub messages: Vec<(u32, Vec<u8>)>,
    /// The UIDs fetched (what --move-to moves).
    uids: Vec<u32>,
    /// UIDVALIDITY and the last UID fetched (the old mark when nothing was new).
    pub mark: Option<Mark>,
    /// Why the rest could not be fetched (a dropped connection, a message too large).
    pub problems: Vec<(String, String)>,
    session: imap::Session<Stream>,
}

impl Fetched {
    /// The name a message is read under: its RFC 5092 URL.
    pub fn name(url: &MailboxUrl, uid_validity: u32, uid: u32) -> String {
        format!("{};UIDVALIDITY={uid_validity}/;UID={uid}", url.key())
    }

    /// Moves the fetched messages to `mailbox` (MOVE, or COPY and expunge where the
    /// server has no MOVE), then logs out.
    pub fn move_to(mut self, mailbox: &str) -> Result<usize, String> {
        let uids: Vec<String> = self.uids.iter().map(u32::to_string).collect();
        let n = uids.len();
        for set in uids.chunks(CHUNK).map(|c| c.join(",")) {
            let moved = self.session.uid_mv(&set, mailbox);
            if moved.is_err() {
                self.session.uid_copy(&set, mailbox).map_err(|e| format!("cannot copy to {mailbox}: {e}"))?;
                self.session
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .map_err(|e| format!("cannot mark moved messages deleted: {e}"))?;
                self.session.expunge().map_err(|e| format!("cannot expunge moved messages: {e}"))?;
            }
        }
        let _ = self.session.logout();
        Ok(n)
    }

    /// Logs out.
    pub fn close(mut self) {
        let _ = self.session.logout();
    }
}

fn tls(host: &str, tcp: TcpStream, net: &Net) -> Result<Stream, String> {
    let store = crate::probe::roots(net.ca_cert())?;
    let config = rustls::ClientConfig::builder_with_provider(crate::probe::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(store)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so that a certificate problem is named as one.
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|e| format!("TLS with {host} failed: {e}"))?;
    }
    Ok(stream)
}

fn connect(url: &MailboxUrl, net: &Net) -> Result<TcpStream, String> {
    let addr: SocketAddr = match net.resolved(&url.host)? {
        Some(a) => a,
        None => (url.host.as_str(), url.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
            .next()
            .ok_or_else(|| format!("{} has no address", url.host))?,
    };
    let timeout = net.timeout();
    let tcp = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    tcp.set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    Ok(tcp)
}

/// The STARTTLS upgrade of an `imap://` connection: the greeting and the capabilities are
/// read by the crate; it has no public STARTTLS without its own TLS stack, so the one
/// command is sent here.
fn starttls(url: &MailboxUrl, tcp: TcpStream, net: &Net) -> Result<Stream, String> {
    let mut client = imap::Client::new(tcp);
    client.read_greeting().map_err(|e| format!("{}: no IMAP greeting: {e}", url.host))?;
    let caps = client.capabilities().map_err(|e| format!("{}: {e}", url.host))?;
    if !caps.has_str("STARTTLS") {
        return Err(format!(
            "{} does not offer STARTTLS: the password would cross the network in the clear (use imaps://)",
            url.host
        ));
    }
    let mut tcp = client.into_inner().map_err(|e| e.to_string())?;
    tcp.write_all(b"m0 STARTTLS\r\n").map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(tcp.try_clone().map_err(|e| e.to_string())?);
    loop {
        let mut line = String::new();
        if reader.by_ref().take(4096).read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err(format!("{} closed the connection at STARTTLS", url.host));
        }
        if let Some(answer) = line.strip_prefix("m0 ") {
            if !answer.starts_with("OK") {
                return Err(format!("{} refused STARTTLS: {}", url.host, answer.trim_end()));
            }
            break;
        }
    }
    tls(&url.host, tcp, net)
}

/// Logs in to `url` with `password` and fetches the messages after `since` (all of them
/// without a mark, or when UIDVALIDITY changed); messages over `max_bytes` are named in
/// `problems` and not fetched whole.
pub fn fetch(
    url: &MailboxUrl,
    password: &str,
    net: &Net,
    since: Option<Mark>,
    max_bytes: u64,
) -> Result<Fetched, String> {
    let tcp = connect(url, net)?;
    let stream = if url.implicit_tls { tls(&url.host, tcp, net)? } else { starttls(url, tcp, net)? };
    let mut client = imap::Client::new(stream);
    if url.implicit_tls {
        client.read_greeting().map_err(|e| format!("{}: no IMAP greeting: {e}", url.host))?;
    }
    let mut session = client
        .login(&url.user, password)
        .map_err(|(e, _)| format!("login as {} at {} failed: {e}", url.user, url.host))?;
    let mailbox = session.select(&url.mailbox).map_err(|e| format!("cannot open mailbox {}: {e}", url.mailbox))?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let after = since.filter(|m| m.uid_validity == validity).map_or(0, |m| m.last_uid);
    // "n:*" always names the last message, even below n: filtered again here.
    let query = format!("UID {}:*", after.saturating_add(1));
    let mut uids: Vec<u32> = session
        .uid_search(&query)
        .map_err(|e| format!("cannot list {}: {e}", url.mailbox))?
        .into_iter()
        .filter(|u| *u > after)
        .collect();
    uids.sort_unstable();
    let mut fetched = Fetched { messages: Vec::new(), uids: Vec::new(), mark: since, problems: Vec::new(), session };
    let mut last = after;
    let lost = |read: usize, e: &imap::Error| (url.key(), format!("the connection failed after {read} messages: {e}"));
    'chunks: for chunk in uids.chunks(CHUNK) {
        let set = chunk.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        // Sizes first, so that an enormous message is refused before it is downloaded.
        let sizes = match fetched.session.uid_fetch(&set, "(UID RFC822.SIZE)") {
            Ok(s) => s,
            Err(e) => {
                fetched.problems.push(lost(fetched.messages.len(), &e));
                break;
            }
        };
        let too_big: Vec<u32> =
            sizes.iter().filter(|f| f.size.is_some_and(|s| u64::from(s) > max_bytes)).filter_map(|f| f.uid).collect();
        let wanted: Vec<String> = chunk.iter().filter(|u| !too_big.contains(u)).map(u32::to_string).collect();
        let mut bodies: Vec<(u32, Vec<u8>)> = Vec::new();
        if !wanted.is_empty() {
            match fetched.session.uid_fetch(wanted.join(","), "(UID BODY.PEEK[])") {
                Ok(got) => bodies.extend(got.iter().filter_map(|f| Some((f.uid?, f.body()?.to_vec())))),
                Err(e) => {
                    fetched.problems.push(lost(fetched.messages.len(), &e));
                    break 'chunks;
                }
            }
        }
        bodies.sort_by_key(|(u, _)| *u);
        for &uid in chunk {
            if too_big.contains(&uid) {
                fetched
                    .problems
                    .push((Fetched::name(url, validity, uid), format!("larger than --max-file-bytes ({max_bytes})")));
            } else if let Some(i) = bodies.iter().position(|(u, _)| *u == uid) {
                fetched.messages.push(bodies.swap_remove(i));
                fetched.uids.push(uid);
            } else {
                // Expunged meanwhile: nothing to read.
                continue;
            }
            last = uid;
        }
        bodies.clear();
    }
    fetched.mark = Some(Mark { uid_validity: validity, last_uid: last });
    Ok(fetched)
}

/// The password: `$MTASTS_IMAP_PASSWORD`, or the first line of `file`.
pub fn password(file: Option<&std::path::Path>) -> Result<String, String> {
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        return Ok(text.lines().next().unwrap_or("").to_string());
    }
    std::env::var("MTASTS_IMAP_PASSWORD")
        .map_err(|_| "an IMAP mailbox needs a password: set MTASTS_IMAP_PASSWORD or give --password-file".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = MailboxUrl::parse("imaps://tls%40example.com@mail.example.com/Reports%2FTLS").unwrap().unwrap();
        assert_eq!(
            u,
            MailboxUrl {
                implicit_tls: true,
                user: "tls@example.com".into(),
                host: "mail.example.com".into(),
                port: 993,
                mailbox: "Reports/TLS".into()
            }
        );
        let u = MailboxUrl::parse("imap://rua@127.0.0.1:10143").unwrap().unwrap();
        assert_eq!((u.implicit_tls, u.port, u.mailbox.as_str()), (false, 10143, "INBOX"));
        assert_eq!(MailboxUrl::parse("imaps://u@[::1]:994/X").unwrap().unwrap().host, "::1");
        assert_eq!(MailboxUrl::parse("reports/").unwrap(), None);
        assert!(MailboxUrl::parse("imaps://u:secret@h/INBOX").unwrap_err().contains("password in the URL"));
        assert!(MailboxUrl::parse("imaps://h/INBOX").unwrap_err().contains("no user"));
        assert!(MailboxUrl::parse("imaps://u@h:x/INBOX").unwrap_err().contains("port"));
        assert_eq!(Fetched::name(&u, 7, 3), "imap://rua@127.0.0.1:10143/INBOX;UIDVALIDITY=7/;UID=3");
    }
}

//! `mtasts report imaps://...` against a real IMAP server (issue 12): Debian's Dovecot
//! (installed by .ci/setup), configured here in a temporary directory on loopback ports,
//! with a certificate made here (rcgen) and a mailbox holding every corpus email, a mail
//! that is not a report and a report whose attachment is corrupt. The mailbox over IMAP
//! gives the same totals as the same messages read as a Maildir; `--state` reads each
//! message once; `--move-to` empties the mailbox; a wrong password, an unknown CA and a
//! server that is not there are each one clear line and exit 1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::Value;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn find_emails(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            find_emails(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
}

/// Dovecot with its own configuration, stopped (with its login and auth processes) when
/// dropped.
struct Dovecot {
    conf: PathBuf,
    child: Child,
    imaps: u16,
    imap: u16,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("dovecot").arg("-c").arg(&self.conf).arg("stop").status();
        let _ = self.child.wait();
    }
}

fn dovecot(d: &Path, mail: &Path, cert: &Path, key: &Path) -> Dovecot {
    let (imaps, imap) = (free_port(), free_port());
    // Dovecot never serves mail as root: as root, the mail belongs to nobody.
    let me = std::fs::metadata(d).unwrap();
    let (uid, gid) = if me.uid() == 0 { (65534, 65534) } else { (me.uid(), me.gid()) };
    for p in [mail.to_path_buf(), d.join("home")] {
        std::fs::create_dir_all(&p).unwrap();
        chown_all(&p, uid, gid);
    }
    std::fs::write(d.join("passwd"), "rua:{PLAIN}s3cret-pass\n").unwrap();
    let conf = d.join("dovecot.conf");
    let text = format!(
        r#"base_dir = {d}/run
state_dir = {d}/state
instance_name = mtasts-test-{pid}-{name}
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
mail_location = maildir:{mail}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"#,
        d = d.display(),
        pid = std::process::id(),
        name = d.file_name().unwrap().to_string_lossy(),
        cert = cert.display(),
        key = key.display(),
        mail = mail.display(),
    );
    std::fs::write(&conf, text).unwrap();
    let child = Command::new("dovecot")
        .arg("-F")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .spawn()
        .expect("dovecot (Debian dovecot-imapd, installed by .ci/setup)");
    let server = Dovecot { conf, child, imaps, imap };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", imaps)).is_ok() {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("dovecot did not listen: {}", std::fs::read_to_string(d.join("dovecot.log")).unwrap_or_default());
}

/// A test CA and a certificate for imap.test it signed: (certificate, key, CA) files in `d`.
fn certificates(d: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "mtasts test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["imap.test".to_string()]).unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    let (cert, key, trust) = (d.join("cert.pem"), d.join("key.pem"), d.join("ca.pem"));
    std::fs::write(&cert, leaf_cert.pem()).unwrap();
    std::fs::write(&key, leaf_key.serialize_pem()).unwrap();
    std::fs::write(&trust, ca_cert.pem()).unwrap();
    (cert, key, trust)
}

fn chown_all(p: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chown_all(&e.unwrap().path(), uid, gid);
        }
    }
}

fn mtasts(args: &[&str], password: &str) -> (i32, Value, String) {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .arg("report")
        .arg("--json")
        .args(args)
        .env("MTASTS_IMAP_PASSWORD", password)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn totals(v: &Value) -> [u64; 4] {
    ["reports", "duplicates", "successful", "failed"].map(|k| v[k].as_u64().unwrap_or(u64::MAX))
}

fn inputs(v: &Value) -> usize {
    v["inputs"].as_array().map_or(usize::MAX, Vec::len)
}

#[test]
fn the_report_mailbox_over_imap() {
    let d = std::env::temp_dir().join(format!("mtasts-imap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let mail = d.join("Maildir");
    for sub in ["cur", "new", "tmp", ".Processed/cur", ".Processed/new", ".Processed/tmp"] {
        std::fs::create_dir_all(mail.join(sub)).unwrap();
    }
    let mut emails = Vec::new();
    find_emails(&common::corpus(), &mut emails);
    emails.sort();
    assert!(emails.len() >= 10, "the corpus's emails: {emails:?}");
    for (i, e) in emails.iter().enumerate() {
        std::fs::copy(e, mail.join(format!("new/17000000{i:02}.M{i}P1.corpus"))).unwrap();
    }
    std::fs::write(
        mail.join("new/1800000000.M1P2.other"),
        "From: someone@example.net\r\nTo: rua@example.com\r\nSubject: lunch?\r\n\r\nNot a report.\r\n",
    )
    .unwrap();
    std::fs::write(
        mail.join("new/1800000001.M1P3.corrupt"),
        "From: tlsrpt@example.net\r\nTo: rua@example.com\r\nSubject: Report Domain: example.com\r\n\
         MIME-Version: 1.0\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         H4sIAAAAAAAAA3N0dHVzUQQAAAD//w==\r\n",
    )
    .unwrap();

    // The same messages as a Maildir, before Dovecot adds its own files.
    let (md_code, md, _) = mtasts(&[mail.to_str().unwrap()], "");
    assert_eq!(md_code, 1, "the lunch mail and the corrupt attachment are not reports: {md:#}");
    assert_eq!(inputs(&md), emails.len() + 2);

    let (cert, key, trust) = certificates(&d);
    let server = dovecot(&d, &mail, &cert, &key);
    let resolve = format!("imap.test=127.0.0.1:{}", server.imaps);
    let resolve_plain = format!("imap.test=127.0.0.1:{}", server.imap);
    let state = d.join("state.json");
    let net = ["--ca-cert", trust.to_str().unwrap(), "--resolve", &resolve];
    let with = |extra: &[&str]| -> Vec<String> { net.iter().chain(extra).map(ToString::to_string).collect() };
    let run = |args: &[String], pw: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        mtasts(&args, pw)
    };

    // Over IMAP: the Maildir's totals, one input per message, named by its IMAP URL.
    let (code, v, err) =
        run(&with(&["imaps://rua@imap.test/INBOX", "--state", state.to_str().unwrap()]), "s3cret-pass");
    assert_eq!(code, md_code, "{err}\n{v:#}");
    assert_eq!(totals(&v), totals(&md), "{v:#}");
    assert_eq!(inputs(&v), emails.len() + 2);
    let first = v["inputs"][0]["path"].as_str().unwrap();
    assert!(first.starts_with("imaps://rua@imap.test:993/INBOX;UIDVALIDITY=") && first.ends_with("/;UID=1"), "{first}");
    let bad: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["errors"].as_array().unwrap().is_empty())
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(bad.len(), 2, "{v:#}");

    // Again with the state: nothing new, nothing read.
    let (code, v, err) =
        run(&with(&["imaps://rua@imap.test/INBOX", "--state", state.to_str().unwrap()]), "s3cret-pass");
    assert_eq!((code, inputs(&v), totals(&v)[0]), (0, 0, 0), "{err}\n{v:#}");

    // A report arrives: only it is read.
    std::fs::copy(&emails[0], mail.join("new/1900000000.M1P9.arrival")).unwrap();
    chown_all(
        &mail.join("new"),
        std::fs::metadata(mail.join("cur")).unwrap().uid(),
        std::fs::metadata(mail.join("cur")).unwrap().gid(),
    );
    let (code, v, err) =
        run(&with(&["imaps://rua@imap.test/INBOX", "--state", state.to_str().unwrap()]), "s3cret-pass");
    assert_eq!((code, inputs(&v)), (0, 1), "{err}\n{v:#}");
    assert!(v["inputs"][0]["path"].as_str().unwrap().ends_with(&format!(";UID={}", emails.len() + 3)));

    // imap:// upgrades with STARTTLS and reads the same.
    let starttls = ["--ca-cert", trust.to_str().unwrap(), "--resolve", &resolve_plain, "imap://rua@imap.test/INBOX"];
    let (code, v, err) = mtasts(&starttls, "s3cret-pass");
    assert_eq!(code, 1, "{err}");
    assert_eq!(inputs(&v), emails.len() + 3, "{v:#}");
    assert_eq!(totals(&v)[0], totals(&md)[0], "the arrival is a duplicate of a report already there");

    // A wrong password, a CA not trusted, no server: one clear line each, exit 1.
    let (code, v, _) = run(&with(&["imaps://rua@imap.test/INBOX"]), "wrong");
    assert_eq!(code, 1);
    let why = v["inputs"][0]["errors"][0]["message"].as_str().unwrap();
    assert!(why.contains("login as rua at imap.test failed"), "{why}");
    let (code, v, _) = mtasts(&["--resolve", &resolve, "imaps://rua@imap.test/INBOX"], "s3cret-pass");
    assert_eq!(code, 1);
    assert!(v["inputs"][0]["errors"][0]["message"].as_str().unwrap().contains("invalid peer certificate"), "{v:#}");
    let (code, v, _) = mtasts(&["--resolve", "imap.test=127.0.0.1:1", "imaps://rua@imap.test/INBOX"], "s3cret-pass");
    assert_eq!(code, 1);
    assert!(v["inputs"][0]["errors"][0]["message"].as_str().unwrap().contains("cannot connect"), "{v:#}");
    let (code, v, _) = mtasts(&["imaps://rua:pw@imap.test/INBOX"], "");
    assert_eq!(code, 1);
    assert!(v["inputs"][0]["errors"][0]["message"].as_str().unwrap().contains("password in the URL"), "{v:#}");

    // --move-to: everything read leaves INBOX for Processed.
    let (code, _, err) = run(&with(&["imaps://rua@imap.test/INBOX", "--move-to", "Processed"]), "s3cret-pass");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("moved {} messages", emails.len() + 3)), "{err}");
    let (code, v, err) = run(&with(&["imaps://rua@imap.test/INBOX"]), "s3cret-pass");
    assert_eq!((code, inputs(&v)), (0, 0), "{err}\n{v:#}");
    let (_, v, _) = run(&with(&["imaps://rua@imap.test/Processed"]), "s3cret-pass");
    assert_eq!(inputs(&v), emails.len() + 3);
    let [reports, duplicates, successful, failed] = totals(&md);
    assert_eq!(totals(&v), [reports, duplicates + 1, successful, failed], "the arrival counted as a duplicate");

    drop(server);
    let _ = std::fs::remove_dir_all(&d);
}

/// A server that greets and then drops the connection: one clear line, exit 1, and the
/// other inputs still read.
#[test]
fn a_server_that_drops_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        std::io::Write::write_all(&mut s, b"* OK IMAP4rev1 ready\r\n").unwrap();
        let mut line = [0u8; 64];
        let _ = std::io::Read::read(&mut s, &mut line);
        // Gone without an answer.
    });
    let resolve = format!("imap.test=127.0.0.1:{port}");
    let report = common::corpus().join("isseis-tlsrpt-digest/tlsrpt_failure.eml");
    let (code, v, _) = mtasts(&["--resolve", &resolve, "imap://rua@imap.test/INBOX", report.to_str().unwrap()], "pw");
    server.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(v["reports"], 1, "the other input is still read: {v:#}");
    let why = v["inputs"][0]["errors"][0]["message"].as_str().unwrap();
    assert!(why.contains("imap.test"), "{why}");
}

/// A TCP proxy on a free loopback port to `port`, for one connection: it forwards the
/// server's first `cut` bytes (all of them: `usize::MAX`), then drops the connection.
/// Joining it gives how many of the server's bytes went through.
fn proxy(port: u16, cut: usize) -> (u16, std::thread::JoinHandle<usize>) {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut client, _) = listener.accept().unwrap();
        let mut server = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (mut c, mut s) = (client.try_clone().unwrap(), server.try_clone().unwrap());
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut c, &mut s);
            let _ = s.shutdown(std::net::Shutdown::Both);
        });
        let (mut sent, mut buf) = (0usize, vec![0u8; 16 * 1024]);
        loop {
            let n = match server.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n.min(cut - sent),
            };
            if client.write_all(&buf[..n]).is_err() {
                break;
            }
            sent += n;
            if sent == cut {
                break;
            }
        }
        let _ = client.shutdown(std::net::Shutdown::Both);
        let _ = server.shutdown(std::net::Shutdown::Both);
        sent
    });
    (at, handle)
}

/// The connection drops while the second batch of messages is being fetched: the first
/// batch is counted, the run says what happened and exits 1, `--state` remembers only what
/// was read, and the next run reads exactly the rest: nothing lost, nothing counted twice.
#[test]
fn a_connection_lost_mid_fetch_loses_nothing() {
    let d = std::env::temp_dir().join(format!("mtasts-imap-drop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let mail = d.join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(mail.join(sub)).unwrap();
    }
    // 60 reports of the same size: more than one fetch of 50.
    for i in 0..60 {
        let report = format!(
            r#"{{"organization-name":"Org","date-range":{{"start-datetime":"2024-05-01T00:00:00Z","end-datetime":"2024-05-01T23:59:59Z"}},"contact-info":"tlsrpt@org.test","report-id":"r{i:03}","policies":[{{"policy":{{"policy-type":"no-policy-found","policy-domain":"example.com"}},"summary":{{"total-successful-session-count":{},"total-failure-session-count":0}}}}]}}"#,
            1000 + i
        );
        let email = format!(
            "From: tlsrpt@org.test\r\nTo: rua@example.com\r\nSubject: Report Domain: example.com Report-ID: <r{i:03}>\r\n\
             X-Padding: {pad}\r\nX-Padding: {pad}\r\n\
             MIME-Version: 1.0\r\nContent-Type: application/tlsrpt+json\r\n\r\n{report}\r\n",
            pad = "x".repeat(900)
        );
        std::fs::write(mail.join(format!("new/17000000{i:02}.M{i}P1.gen")), email).unwrap();
    }
    let (cert, key, trust) = certificates(&d);
    let server = dovecot(&d, &mail, &cert, &key);
    let read = |port: u16, state: &Path| {
        let resolve = format!("imap.test=127.0.0.1:{port}");
        mtasts(
            &[
                "--ca-cert",
                trust.to_str().unwrap(),
                "--resolve",
                &resolve,
                "imaps://rua@imap.test/INBOX",
                "--state",
                state.to_str().unwrap(),
            ],
            "s3cret-pass",
        )
    };
    // Through the proxy whole: how many bytes a full read takes, and the totals.
    let (at, through) = proxy(server.imaps, usize::MAX);
    let (code, all, err) = read(at, &d.join("state-all.json"));
    let total = through.join().unwrap();
    assert_eq!((code, all["reports"].as_u64()), (0, Some(60)), "{err}");

    // Cut at nine tenths: inside the second fetch, which carries the last ten messages.
    let state = d.join("state.json");
    let (at, through) = proxy(server.imaps, total * 9 / 10);
    let (code, first, _) = read(at, &state);
    through.join().unwrap();
    assert_eq!(code, 1, "{first:#}");
    assert_eq!(first["reports"].as_u64(), Some(50), "{first:#}");
    let why: Vec<&str> =
        first["inputs"].as_array().unwrap().iter().filter_map(|i| i["errors"][0]["message"].as_str()).collect();
    assert!(why.iter().any(|m| m.contains("the connection failed after 50 messages")), "{why:?}");

    // The next run reads the ten left, and the two runs add up to the whole mailbox.
    let (code, rest, err) = read(server.imaps, &state);
    assert_eq!((code, rest["reports"].as_u64()), (0, Some(10)), "{err}\n{rest:#}");
    let sum = first["successful"].as_u64().unwrap() + rest["successful"].as_u64().unwrap();
    assert_eq!(sum, all["successful"].as_u64().unwrap());
    drop(server);
    let _ = std::fs::remove_dir_all(&d);
}

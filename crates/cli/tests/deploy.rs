//! `mtasts init` and `mtasts plan` for real: a setup generated from the mock's newcomer
//! domain (deploy.test: MX only) is served by Debian's nginx, Caddy and Apache (installed by
//! .ci/setup), by nginx as a plain static host of the generated folder, and by the generated
//! serverless worker under Node; the mock resolver serves the generated records; and
//! `mtasts check` must call each setup testing or protected, as requested. Every server
//! listens on loopback only and is stopped when its guard drops.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::{mock, mock_with, root, Mock};

fn mtasts(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts")).args(args).output().unwrap()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    })
}

fn ca() -> String {
    root().join("tests/mock/ca.pem").to_str().unwrap().to_string()
}

/// A fresh folder under target/ that every user may read (Apache's workers drop root).
fn workdir(name: &str) -> PathBuf {
    let d = root().join("target/deploy-test").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let _ = Command::new("chmod").args(["-R", "a+rX"]).arg(root().join("target/deploy-test")).status();
    d
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process, killed when dropped; its log is shown when it did not come up.
struct Server {
    child: Child,
    port: u16,
    name: &'static str,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn program(name: &str) -> String {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {name} || ls /usr/sbin/{name}")).output().unwrap();
    let path = String::from_utf8_lossy(&found.stdout).lines().next().unwrap_or("").trim().to_string();
    assert!(
        !path.is_empty(),
        "{name} is not installed: run .ci/setup (it installs nginx, caddy and apache2 from Debian)"
    );
    path
}

fn start(name: &'static str, mut cmd: Command, port: u16, log: &Path) -> Server {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} exited ({status}): {}", std::fs::read_to_string(log).unwrap_or_default());
        }
        assert!(
            Instant::now() < deadline,
            "{name} did not listen on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port, name }
}

fn cert_paths() -> (String, String) {
    let m = root().join("tests/mock");
    (m.join("cert.pem").to_str().unwrap().to_string(), m.join("key.pem").to_str().unwrap().to_string())
}

/// The generated text with the production paths and port swapped for the test's: only
/// these lines change; every header, location and type rule is served as generated.
fn localise(text: &str, out: &Path, port: u16) -> String {
    let (cert, key) = cert_paths();
    text.replace("/etc/letsencrypt/live/mta-sts.deploy.test/fullchain.pem", &cert)
        .replace("/etc/letsencrypt/live/mta-sts.deploy.test/privkey.pem", &key)
        .replace("/var/www/mta-sts", out.to_str().unwrap())
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace("    listen [::]:443 ssl;\n", "")
        .replace("<VirtualHost *:443>", &format!("<VirtualHost 127.0.0.1:{port}>"))
}

fn nginx(dir: &Path, site: &str, port: u16) -> Server {
    let conf = dir.join(format!("nginx-{port}.conf"));
    let log = dir.join(format!("nginx-{port}.log"));
    let t = dir.join(format!("nginx-{port}-tmp"));
    std::fs::create_dir_all(&t).unwrap();
    let temps: String = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .iter()
        .map(|k| format!("    {k}_temp_path {};\n", t.join(k).display()))
        .collect();
    std::fs::write(
        &conf,
        format!(
            "daemon off;\nmaster_process off;\npid {pid};\nerror_log {log};\nevents {{}}\nhttp {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temps}{site}\n}}\n",
            pid = dir.join(format!("nginx-{port}.pid")).display(),
            log = log.display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(program("nginx"));
    cmd.arg("-c").arg(&conf).arg("-e").arg(&log);
    start("nginx", cmd, port, &log)
}

fn caddy(dir: &Path, caddyfile: &str, out: &Path, port: u16) -> Server {
    let (cert, key) = cert_paths();
    let site = localise(caddyfile, out, port).replace(
        "mta-sts.deploy.test {\n",
        &format!("https://mta-sts.deploy.test:{port} {{\n\tbind 127.0.0.1\n\ttls {cert} {key}\n"),
    );
    assert!(site.contains(&format!(":{port} {{")), "the Caddyfile's site address changed shape: {caddyfile}");
    let conf = dir.join("Caddyfile");
    let global = format!(
        "{{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system {}\n\tlog {{\n\t\toutput file {}\n\t}}\n}}\n",
        dir.join("caddy-data").display(),
        dir.join("caddy.log").display()
    );
    std::fs::write(&conf, format!("{global}{site}")).unwrap();
    let mut cmd = Command::new(program("caddy"));
    cmd.args(["run", "--adapter", "caddyfile", "--config"]).arg(&conf).env("HOME", dir).env("XDG_DATA_HOME", dir);
    start("caddy", cmd, port, &dir.join("caddy.log"))
}

fn apache(dir: &Path, vhost: &str, out: &Path, port: u16) -> Server {
    let m = "/usr/lib/apache2/modules";
    let modules: String = [
        ("mpm_event", "mod_mpm_event"),
        ("authz_core", "mod_authz_core"),
        ("mime", "mod_mime"),
        ("ssl", "mod_ssl"),
        ("headers", "mod_headers"),
        ("socache_shmcb", "mod_socache_shmcb"),
    ]
    .iter()
    .map(|(n, f)| format!("LoadModule {n}_module {m}/{f}.so\n"))
    .collect();
    let log = dir.join("apache-error.log");
    let conf = dir.join("httpd.conf");
    std::fs::write(
        &conf,
        format!(
            "ServerRoot {d}\nDefaultRuntimeDir {d}\nPidFile {d}/apache.pid\nErrorLog {log}\nMutex file:{d}\n{modules}\
             TypesConfig /etc/mime.types\nServerName localhost\nListen 127.0.0.1:{port}\n{vhost}",
            d = dir.display(),
            log = log.display(),
            vhost = localise(vhost, out, port)
        ),
    )
    .unwrap();
    let mut cmd = Command::new(program("apache2"));
    cmd.arg("-f").arg(&conf).arg("-DFOREGROUND");
    start("apache", cmd, port, &log)
}

fn worker(script: &Path) -> Server {
    let (cert, key) = cert_paths();
    let mut child = Command::new("node")
        .arg(root().join("tests/deploy/worker-host.mjs"))
        .args([script.to_str().unwrap(), &cert, &key])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let port = first.trim().rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("{first:?}"));
    Server { child, port, name: "worker" }
}

/// What a sender's fetch gets from the server: status, Content-Type, Cache-Control, body.
fn fetch(port: u16, path: &str) -> (u16, String, String, Vec<u8>) {
    let cert = reqwest::Certificate::from_pem(&std::fs::read(ca()).unwrap()).unwrap();
    let c = reqwest::blocking::Client::builder()
        .add_root_certificate(cert)
        .redirect(reqwest::redirect::Policy::none())
        .resolve("mta-sts.deploy.test", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    let mut r = c.get(format!("https://mta-sts.deploy.test:{port}{path}")).send().unwrap();
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (ct, cc) = (h("content-type"), h("cache-control"));
    let mut body = Vec::new();
    r.read_to_end(&mut body).unwrap();
    (r.status().as_u16(), ct, cc, body)
}

/// The generated records as a scenario of the mock, so its resolver answers with them.
fn zone_for(init: &Value, dir: &Path) -> PathBuf {
    let mut sts = Value::Null;
    let mut rpt = Value::Null;
    for r in init["records"].as_array().unwrap() {
        let txt = json!([[r["value"]]]);
        match r["name"].as_str().unwrap() {
            "_mta-sts.deploy.test" => sts = txt,
            "_smtp._tls.deploy.test" => rpt = txt,
            other => panic!("unexpected record {other}"),
        }
    }
    let zone = json!({"deploy.test": {
        "mx": [[10, "mx1.mail.deploy.test"], [20, "mx2.mail.deploy.test"]],
        "sts": sts, "rpt": rpt,
        // Only so that mta-sts.deploy.test has an address; the policy comes from the server.
        "policy": {"body": ""},
    }});
    let path = dir.join("zone.json");
    std::fs::write(&path, zone.to_string()).unwrap();
    path
}

fn check_through(m: &Mock, port: u16) -> Value {
    let resolve = format!("mta-sts.deploy.test=127.0.0.1:{port}");
    let o = mtasts(&[
        "check",
        "deploy.test",
        "--doh",
        &m.doh(),
        "--doh2",
        "none",
        "--ca-cert",
        &ca(),
        "--resolve",
        &resolve,
        "--json",
    ]);
    json_of(&o)
}

fn served_by_every_recipe(mode: &str, extra: &[&str], verdict: &str) {
    let dir = workdir(mode);
    let out = dir.join("out");
    let setup_mock = mock();
    let doh = setup_mock.doh();
    let ca = ca();
    let mut args = vec!["init", "deploy.test", "--doh", &doh, "--ca-cert", &ca, "--mode", mode];
    args.extend(["--rua", "tlsrpt@deploy.test", "--out", out.to_str().unwrap(), "--json"]);
    args.extend(extra);
    let o = mtasts(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let init = json_of(&o);
    drop(setup_mock);
    let _ = Command::new("chmod").args(["-R", "a+rX"]).arg(&dir).status();
    let policy = std::fs::read(out.join(".well-known/mta-sts.txt")).unwrap();
    assert_eq!(policy, init["policy"].as_str().unwrap().as_bytes());
    assert!(policy.starts_with(b"version: STSv1\r\n"), "CRLF by default");
    let m = mock_with(Some(&zone_for(&init, &dir)));

    let recipe = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    let servers = vec![
        {
            let port = free_port();
            nginx(&dir, &localise(&recipe("nginx/mta-sts.deploy.test.conf"), &out, port), port)
        },
        caddy(&dir, &recipe("caddy/Caddyfile"), &out, free_port()),
        apache(&dir, &recipe("apache/mta-sts.deploy.test.conf"), &out, free_port()),
        worker(&out.join("worker/mta-sts.js")),
        {
            // The static folder on a host that knows nothing but its files and mime.types.
            let port = free_port();
            let (cert, key) = cert_paths();
            let site = format!(
                "server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name mta-sts.deploy.test;\n    ssl_certificate {cert};\n    ssl_certificate_key {key};\n    root {};\n}}\n",
                out.display()
            );
            let mut s = nginx(&dir, &site, port);
            s.name = "static folder";
            s
        },
    ];
    for s in &servers {
        let (status, ct, cc, body) = fetch(s.port, "/.well-known/mta-sts.txt");
        assert_eq!(status, 200, "{}", s.name);
        assert!(ct.starts_with("text/plain"), "{}: Content-Type {ct:?}", s.name);
        if s.name != "static folder" {
            assert_eq!(cc, "no-cache", "{}", s.name);
        }
        assert_eq!(body, policy, "{}: the policy byte for byte", s.name);
        let (other, _, _, _) = fetch(s.port, "/index.html");
        if s.name != "static folder" {
            assert_eq!(other, 404, "{}: nothing but the policy", s.name);
        }
        let v = check_through(&m, s.port);
        assert_eq!(v["verdict"], verdict, "{} ({mode}): {v:#}", s.name);
        let loud: Vec<&Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["severity"] != "info").collect();
        assert!(loud.is_empty(), "{} ({mode}): {loud:#?}", s.name);
    }
}

#[test]
fn a_testing_setup_is_served_correctly_by_every_recipe() {
    served_by_every_recipe("testing", &[], "testing");
}

#[test]
fn an_enforce_setup_with_an_accepted_wildcard_is_protected() {
    served_by_every_recipe("enforce", &["--wildcard", "*.mail.deploy.test"], "protected");
}

fn plan(m: &Mock, domain: &str, to: &str) -> (i32, Value) {
    let doh = m.doh();
    let to_mock = format!("*.test=127.0.0.1:{}", m.port);
    let ca = ca();
    let o = mtasts(&[
        "plan",
        domain,
        "--to",
        to,
        "--now",
        "2026-12-01T10:00:00Z",
        "--json",
        "--doh",
        &doh,
        "--ca-cert",
        &ca,
        "--resolve",
        &to_mock,
    ]);
    (o.status.code().unwrap(), if o.status.success() { json_of(&o) } else { json!(String::from_utf8_lossy(&o.stderr)) })
}

fn when(v: &Value) -> Vec<&str> {
    v["steps"].as_array().unwrap().iter().map(|s| s["not_before"].as_str().unwrap()).collect()
}

#[test]
fn plans_take_their_dates_from_the_live_max_age() {
    let m = mock();
    // good.test enforces with max_age 604800 (a week): removal ends a week from now.
    let (code, v) = plan(&m, "good.test", "remove");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["live"]["max_age"], 604_800);
    assert_eq!(when(&v), ["2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "2026-12-08T10:00:00Z"]);
    let steps = v["steps"].as_array().unwrap();
    assert!(steps[0]["policy"].as_str().unwrap().contains("mode: none"), "{v:#}");
    assert!(steps[1]["records"][0]["value"].as_str().unwrap().starts_with("v=STSv1; id=20261201100000"));
    assert_eq!(steps[2]["records"][0]["action"], "delete");
    // Moving MX: the new hosts join the policy now, MX move after the week, old host gone a day later.
    let (_, v) = plan(&m, "good.test", "mx=mx3.good.test");
    assert_eq!(when(&v)[2..], ["2026-12-08T10:00:00Z", "2026-12-09T10:00:00Z", "2026-12-09T10:00:00Z"]);
    let first = v["steps"][0]["policy"].as_str().unwrap();
    assert!(first.contains("mx: mx1.good.test\r\nmx: mx2.good.test\r\nmx: mx3.good.test"), "{first}");
    // testing.test tests with a one-day max_age: enforce now (reports first), long max_age in two weeks.
    let (_, v) = plan(&m, "testing.test", "enforce");
    assert_eq!(v["steps"][0]["link"], "#/reports");
    assert_eq!(when(&v).last().copied(), Some("2026-12-15T10:00:00Z"));
    // The newcomer: TLS-RPT first (default address at the domain), testing now, enforce after a week.
    let (_, v) = plan(&m, "deploy.test", "enforce");
    assert_eq!(v["steps"][0]["records"][0]["value"], "v=TLSRPTv1; rua=mailto:tlsrpt@deploy.test");
    assert!(when(&v).contains(&"2026-12-08T10:00:00Z"));
    // A resolver that answers nothing gives no plan, not a plan from a guess.
    let o =
        mtasts(&["plan", "good.test", "--to", "enforce", "--doh", "https://127.0.0.1:9/dns-query", "--timeout", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("could not be read"), "{}", String::from_utf8_lossy(&o.stderr));
    for (to, says) in [("enforced", "expected testing"), ("mx=a..b", "MX host")] {
        let (code, e) = plan(&m, "good.test", to);
        assert_eq!(code, 2);
        assert!(e.as_str().unwrap().contains(says), "{e}");
    }
    let o = mtasts(&["plan", "good.test", "--to", "enforce", "--now", "yesterday"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("RFC 3339"));
}

#[test]
fn init_refuses_bad_input_and_writes_nothing() {
    let m = mock();
    let dir = workdir("refused");
    let out = dir.join("out");
    let (doh, ca) = (m.doh(), ca());
    let cases: &[(&[&str], &str)] = &[
        (&["init", "deploy.test", "--mx", "mx..deploy.test"], "MX host"),
        (&["init", "deploy.test", "--mx", "mx.deploy.test", "--rua", "http://r.deploy.test/"], "https only"),
        (&["init", "deploy.test", "--mx", "mx.deploy.test", "--rua", "nobody"], "neither an e-mail"),
        (&["init", "deploy.test", "--mx", "mx.deploy.test", "--id", "2026-12-01"], "letters and digits"),
        (&["init", "deploy.test", "--mx", "mx.deploy.test", "--mode", "enforce", "--max-age", "86400"], "lint clean"),
        (
            &["init", "deploy.test", "--wildcard", "*.*.deploy.test", "--doh", &doh, "--ca-cert", &ca],
            "exactly one label",
        ),
        (&["init", "nxdomain.test", "--doh", &doh, "--ca-cert", &ca], "no MX found for nxdomain.test and none given"),
        (&["init", "nullmx.test", "--doh", &doh, "--ca-cert", &ca], "null MX"),
    ];
    for (args, says) in cases {
        let mut a = args.to_vec();
        a.extend(["--out", out.to_str().unwrap()]);
        let o = mtasts(&a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote files");
    }
    // The text output names the domain's own hosts and the wildcard on offer.
    let o = mtasts(&["init", "deploy.test", "--doh", &doh, "--ca-cert", &ca, "--lf"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0));
    assert!(text.contains("mx: mx1.mail.deploy.test\n"), "{text}");
    assert!(text.contains("(offer) --wildcard *.mail.deploy.test"), "{text}");
    assert!(text.contains("reports go to mailto:tlsrpt@deploy.test: make sure that mailbox exists"), "{text}");
}

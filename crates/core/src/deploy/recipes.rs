//! Hosting recipes for `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 §3.3):
//! 200, `text/plain`, no redirect, nothing cached in between. Each is a complete set of files
//! (tests/deploy serves them with Debian's nginx, Caddy and Apache, and the worker under
//! Node) plus what to switch off on the way: HTTPS or "www" redirects on that host (senders
//! "MUST NOT follow redirects"), bot and browser-integrity checks (a sending MTA is not a
//! browser), and caches that would serve an old policy after the id changed.

use super::{Recipe, RecipeFile, Setup};

/// Where the recipes put the policy on a server.
const WEBROOT: &str = "/var/www/mta-sts";

fn file(path: &str, text: String) -> RecipeFile {
    RecipeFile { path: path.to_string(), text }
}

fn common_notes(host: &str) -> Vec<String> {
    vec![
        format!("{host} needs a certificate valid for exactly that name from a public CA (senders validate it: RFC 8461 §3.3)."),
        format!("Switch off any redirect on {host} (HTTP→HTTPS is fine for browsers, but https://{host}/.well-known/mta-sts.txt itself must answer 200: senders do not follow redirects)."),
        "Switch off bot protection, \"browser integrity\" checks and challenges for this host: the client is a mail server, not a browser.".to_string(),
    ]
}

pub(super) fn all(s: &Setup) -> Vec<Recipe> {
    let host = format!("mta-sts.{}", s.domain);
    let policy = s.policy();
    vec![
        static_folder(&host, &policy),
        nginx(&host, &policy),
        caddy(&host, &policy),
        apache(&host, &policy),
        worker(&host, &policy),
    ]
}

fn policy_file(policy: &str) -> RecipeFile {
    file(".well-known/mta-sts.txt", policy.to_string())
}

fn static_folder(host: &str, policy: &str) -> Recipe {
    let headers = "/.well-known/mta-sts.txt\n  Content-Type: text/plain; charset=utf-8\n  Cache-Control: no-cache\n";
    let mut notes = vec![
        format!("Publish this folder as the site of {host} (GitHub Pages, Netlify, Cloudflare Pages, S3 + CloudFront, any static host), with {host} as its custom domain and HTTPS on."),
        "Keep .nojekyll: without it GitHub Pages runs Jekyll, which skips folders whose name starts with a dot, so .well-known/ would not be published.".to_string(),
        "_headers sets text/plain and no-cache on Netlify and Cloudflare Pages; on S3 set Content-Type: text/plain on the object; elsewhere check the Content-Type your host sends for .txt.".to_string(),
        "Switch off \"pretty URLs\", trailing-slash and clean-URL rewriting for this site: /.well-known/mta-sts.txt must be served as it is, without a redirect.".to_string(),
    ];
    notes.extend(common_notes(host));
    Recipe {
        id: "static",
        title: "Static site folder",
        files: vec![policy_file(policy), file(".nojekyll", String::new()), file("_headers", headers.to_string())],
        notes,
    }
}

fn nginx(host: &str, policy: &str) -> Recipe {
    let conf = format!(
        "# {host}: serves the MTA-STS policy (RFC 8461 §3.3) and nothing else.\n\
         # Install: the policy at {WEBROOT}/.well-known/mta-sts.txt, this file in\n\
         # /etc/nginx/sites-enabled/, a certificate for {host} (certbot --nginx -d {host}).\n\
         server {{\n\
         \x20   listen 443 ssl;\n\
         \x20   listen [::]:443 ssl;\n\
         \x20   server_name {host};\n\
         \x20   ssl_certificate /etc/letsencrypt/live/{host}/fullchain.pem;\n\
         \x20   ssl_certificate_key /etc/letsencrypt/live/{host}/privkey.pem;\n\
         \x20   root {WEBROOT};\n\
         \n\
         \x20   location = /.well-known/mta-sts.txt {{\n\
         \x20       types {{ }}\n\
         \x20       default_type \"text/plain; charset=utf-8\";\n\
         \x20       add_header Cache-Control \"no-cache\" always;\n\
         \x20       try_files $uri =404;\n\
         \x20   }}\n\
         \x20   location / {{\n\
         \x20       return 404;\n\
         \x20   }}\n\
         }}\n"
    );
    let mut notes = vec![
        format!("Copy .well-known/mta-sts.txt to {WEBROOT}/.well-known/ and nginx/{host}.conf to /etc/nginx/sites-enabled/; then nginx -t && systemctl reload nginx."),
        "A site-wide \"return 301 https://$host$request_uri\" belongs in the port-80 server only; nothing in this server may redirect.".to_string(),
    ];
    notes.extend(common_notes(host));
    Recipe {
        id: "nginx",
        title: "nginx",
        files: vec![policy_file(policy), file(&format!("nginx/{host}.conf"), conf)],
        notes,
    }
}

fn caddy(host: &str, policy: &str) -> Recipe {
    let conf = format!(
        "# {host}: serves the MTA-STS policy (RFC 8461 §3.3) and nothing else.\n\
         # Caddy gets and renews the certificate for {host} by itself.\n\
         {host} {{\n\
         \troot * {WEBROOT}\n\
         \t@policy path /.well-known/mta-sts.txt\n\
         \thandle @policy {{\n\
         \t\theader Content-Type \"text/plain; charset=utf-8\"\n\
         \t\theader Cache-Control \"no-cache\"\n\
         \t\tfile_server\n\
         \t}}\n\
         \thandle {{\n\
         \t\trespond 404\n\
         \t}}\n\
         }}\n"
    );
    let mut notes = vec![
        format!("Copy .well-known/mta-sts.txt to {WEBROOT}/.well-known/ and add caddy/Caddyfile to /etc/caddy/Caddyfile; then systemctl reload caddy."),
        "Caddy's automatic HTTP→HTTPS redirect applies to port 80 only, which senders never use: leave it on.".to_string(),
    ];
    notes.extend(common_notes(host));
    Recipe { id: "caddy", title: "Caddy", files: vec![policy_file(policy), file("caddy/Caddyfile", conf)], notes }
}

fn apache(host: &str, policy: &str) -> Recipe {
    let conf = format!(
        "# {host}: serves the MTA-STS policy (RFC 8461 §3.3) and nothing else.\n\
         # Needs mod_ssl and mod_headers: a2enmod ssl headers\n\
         <VirtualHost *:443>\n\
         \x20   ServerName {host}\n\
         \x20   DocumentRoot {WEBROOT}\n\
         \x20   SSLEngine on\n\
         \x20   SSLCertificateFile /etc/letsencrypt/live/{host}/fullchain.pem\n\
         \x20   SSLCertificateKeyFile /etc/letsencrypt/live/{host}/privkey.pem\n\
         \x20   <Directory {WEBROOT}>\n\
         \x20       Require all granted\n\
         \x20       Options None\n\
         \x20       AllowOverride None\n\
         \x20   </Directory>\n\
         \x20   <Location \"/.well-known/mta-sts.txt\">\n\
         \x20       ForceType \"text/plain; charset=utf-8\"\n\
         \x20       Header always set Cache-Control \"no-cache\"\n\
         \x20   </Location>\n\
         </VirtualHost>\n"
    );
    let mut notes = vec![
        format!("Copy .well-known/mta-sts.txt to {WEBROOT}/.well-known/ and apache/{host}.conf to /etc/apache2/sites-available/; then a2enmod ssl headers && a2ensite {host} && systemctl reload apache2."),
        "Make sure no Redirect or RewriteRule from another site or .htaccess applies to this virtual host.".to_string(),
    ];
    notes.extend(common_notes(host));
    Recipe {
        id: "apache",
        title: "Apache",
        files: vec![policy_file(policy), file(&format!("apache/{host}.conf"), conf)],
        notes,
    }
}

fn worker(host: &str, policy: &str) -> Recipe {
    let literal = serde_json::to_string(policy).unwrap_or_default();
    let script = format!(
        "// {host}: serves the MTA-STS policy (RFC 8461 §3.3) from a serverless worker\n\
         // (Cloudflare Workers or any runtime with the standard fetch handler). Route it to\n\
         // {host}/* and give it that custom domain so the platform issues the certificate.\n\
         const POLICY = {literal};\n\
         \n\
         export default {{\n\
         \x20 async fetch(request) {{\n\
         \x20   const url = new URL(request.url);\n\
         \x20   if (url.pathname !== '/.well-known/mta-sts.txt') {{\n\
         \x20     return new Response('not found\\n', {{ status: 404, headers: {{ 'content-type': 'text/plain; charset=utf-8' }} }});\n\
         \x20   }}\n\
         \x20   if (request.method !== 'GET' && request.method !== 'HEAD') {{\n\
         \x20     return new Response(null, {{ status: 405, headers: {{ allow: 'GET, HEAD' }} }});\n\
         \x20   }}\n\
         \x20   return new Response(request.method === 'HEAD' ? null : POLICY, {{\n\
         \x20     status: 200,\n\
         \x20     headers: {{ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }},\n\
         \x20   }});\n\
         \x20 }},\n\
         }};\n"
    );
    let mut notes = vec![
        "Deploy worker/mta-sts.js (wrangler deploy, or paste it in the dashboard) with the custom domain or route for this host.".to_string(),
        "The policy is in the script: change it there and deploy before publishing a new _mta-sts id.".to_string(),
    ];
    notes.extend(common_notes(host));
    Recipe { id: "worker", title: "Serverless worker", files: vec![file("worker/mta-sts.js", script)], notes }
}

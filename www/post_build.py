#!/usr/bin/env python3
"""Trunk post-build hook, run on the staged site before it replaces dist/.

1. Minifies the JavaScript (wasm-bindgen's glue and its snippets) and the CSS with esbuild
   from npm (tests/e2e/package.json; Trunk's own minifier breaks on wasm-bindgen output,
   esbuild does not). It keeps every export and property name, so the wasm imports still
   match; about 2 KB of the gzipped download. The Subresource Integrity hashes Trunk wrote
   for the minified files are recomputed.
2. Adds a Content-Security-Policy: scripts only from the site itself, plus the one inline
   module script Trunk writes to start the app (by its SHA-256, computed here because the
   script names the hashed file names of each build) and WebAssembly compilation
   ('wasm-unsafe-eval'). No eval and no other inline script. Connections: the site, and
   HTTPS only (the domain check asks a DNS-over-HTTPS resolver the user chooses and fetches
   https://mta-sts.<domain>/, so the host cannot be listed in advance); plain http is
   refused. Inline style attributes are allowed (bar widths are set that way). Workers
   ('worker-src'): the site only (the report worker and the service worker).
3. Names the report worker and the report analyser's page module by content hash. Trunk names worker files after the binary
   (report-worker.js, report-worker_bg.wasm, report-worker_loader.js), so two deploys would
   share a name; here they become report-worker-<hash>.js / _bg.wasm / _loader.js, and the
   page finds the loader through <meta name="mtasts-report-worker">; likewise
   reports-ui-<hash>.js / _bg.wasm, named by <meta name="mtasts-reports-ui(-wasm)">.
4. Writes the service worker (sw.js, at the site root so that it controls the whole site):
   it precaches exactly this build's files under a cache named by their hashes, serves
   them from that cache, answers navigations from the network and, offline, from the
   cached page, and deletes every other build's cache when it activates. Requests to other
   origins (DNS-over-HTTPS, policy hosts) are never touched.
"""
import base64
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()

# 3. The report worker and the report analyser's page module, named by content hash
#    (before minifying: the loader names the files).
def hash_rename(name, what):
    """Renames NAME.js and NAME_bg.wasm to NAME-<hash>.*; returns NAME-<hash>."""
    js, wasm = (os.path.join(staging, name + ext) for ext in (".js", "_bg.wasm"))
    if not (os.path.exists(js) and os.path.exists(wasm)):
        sys.exit(f"post_build.py: {what} ({name}.js, {name}_bg.wasm) was not built")
    base = name + "-" + hashlib.sha256(open(js, "rb").read() + open(wasm, "rb").read()).hexdigest()[:16]
    os.replace(js, os.path.join(staging, base + ".js"))
    os.replace(wasm, os.path.join(staging, base + "_bg.wasm"))
    return base


def put_meta(key, tag):
    """Puts TAG right after <meta charset>, replacing a <meta KEY ...> already there."""
    global html
    html = re.sub(r'<meta ' + re.escape(key) + r'[^>]*>\n?', "", html)
    html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  ' + tag, 1)


def add_meta(name, content):
    put_meta(f'name="{name}"', f'<meta name="{name}" content="{content}">')


worker_base = hash_rename("report-worker", "the report worker")
old_loader = os.path.join(staging, "report-worker_loader.js")
if os.path.exists(old_loader):
    os.remove(old_loader)
with open(os.path.join(staging, worker_base + "_loader.js"), "w", encoding="utf-8") as f:
    f.write(f'importScripts("./{worker_base}.js");wasm_bindgen({{module_or_path:"./{worker_base}_bg.wasm"}});\n')
add_meta("mtasts-report-worker", f"./{worker_base}_loader.js")
ui_base = hash_rename("reports-ui", "the report analyser module")
add_meta("mtasts-reports-ui", f"./{ui_base}.js")
add_meta("mtasts-reports-ui-wasm", f"./{ui_base}_bg.wasm")

# 1. Minify, then fix the integrity attributes of what changed.
esbuild = shutil.which("esbuild") or os.path.join("tests", "e2e", "node_modules", ".bin", "esbuild")
if not os.path.exists(esbuild):
    sys.exit("post_build.py: esbuild not found: run .ci/setup (it installs the npm packages)")
assets = glob.glob(os.path.join(staging, "*.js")) + glob.glob(os.path.join(staging, "snippets", "**", "*.js"), recursive=True)
assets += glob.glob(os.path.join(staging, "*.css"))
for js in assets:
    if os.path.basename(js).startswith("report-worker-"):
        # A classic worker script: its top-level wasm_bindgen must keep its name.
        as_js = ["--target=es2020"]
    else:
        as_js = ["--format=esm", "--target=es2020"] if js.endswith(".js") else []
    subprocess.run([esbuild, js, "--minify", *as_js, "--log-level=warning", f"--outfile={js}", "--allow-overwrite"],
                   check=True)
    digest = base64.b64encode(hashlib.sha384(open(js, "rb").read()).digest()).decode()
    href = "/" + os.path.relpath(js, staging).replace(os.sep, "/")
    pattern = re.compile(r'(<link[^>]*href="' + re.escape(href) + r'"[^>]*integrity=")sha384-[^"]*(")')
    html, n = pattern.subn(lambda m: m.group(1) + "sha384-" + digest + m.group(2), html)
    if n == 0 and 'integrity="' in html and f'href="{href}"' in html:
        sys.exit(f"post_build.py: found {href} in index.html but not its integrity attribute")

# 2. The Content-Security-Policy.
inline = re.findall(r"<script type=\"module\">(.*?)</script>", html, flags=re.S)
if len(inline) != 1:
    sys.exit(f"post_build.py: expected one inline module script in {path}, found {len(inline)}")
digest = base64.b64encode(hashlib.sha256(inline[0].encode("utf-8")).digest()).decode()
policy = "; ".join([
    "default-src 'self'",
    f"script-src 'self' 'wasm-unsafe-eval' 'sha256-{digest}'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' https:",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])
put_meta('http-equiv="Content-Security-Policy"', f'<meta http-equiv="Content-Security-Policy" content="{policy}">')
open(path, "w", encoding="utf-8").write(html)

# 4. The service worker.
files = sorted(
    os.path.relpath(f, staging).replace(os.sep, "/")
    for f in glob.glob(os.path.join(staging, "**", "*"), recursive=True)
    if os.path.isfile(f) and os.path.basename(f) != "sw.js"
)
version = hashlib.sha256()
for rel in files:
    version.update(rel.encode() + b"\0" + open(os.path.join(staging, rel), "rb").read())
cache = "mtasts-" + version.hexdigest()[:16]
precache = ["./"] + ["./" + f for f in files if f != "index.html"]
sw = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sw.js"), encoding="utf-8").read()
sw = sw.replace("__CACHE__", cache).replace('"__FILES__"', ",".join(f'"{f}"' for f in precache))
open(os.path.join(staging, "sw.js"), "w", encoding="utf-8").write(sw)

"""A real SMTP server on loopback for `mtasts probe`'s tests (issue 11), built on aiosmtpd
(PyPI, installed by .ci/setup). Prints "ready PORT" once it listens on 127.0.0.1 (a free
port), then serves until killed.

    python3 tests/smtp/server.py MODE [CERT KEY]

MODE: starttls  STARTTLS offered with CERT/KEY (a PEM chain, leaf first, and its key)
      tls11     the same, but TLS 1.1 at most
      plain     no STARTTLS in the EHLO reply
      refuse    STARTTLS offered, then refused with 454
      silent    accepts connections and never says a word (timeouts)
      reject    greets with 554 and nothing else
"""
import asyncio
import warnings
import ssl
import sys

from aiosmtpd.smtp import SMTP

# TLS 1.1 is deprecated, which is the point of the tls11 mode.
warnings.filterwarnings("ignore", category=DeprecationWarning)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class Refusing(SMTP):
    async def smtp_STARTTLS(self, arg):
        await self.push("454 4.7.0 TLS not available due to temporary reason")


async def main():
    mode = sys.argv[1]
    loop = asyncio.get_running_loop()
    if mode in ("silent", "reject"):
        async def talk(reader, writer):
            if mode == "reject":
                writer.write(b"554 5.3.2 no service here\r\n")
                await writer.drain()
            await asyncio.sleep(3600)
        server = await asyncio.start_server(talk, "127.0.0.1", 0)
    else:
        ctx = None
        if mode in ("starttls", "tls11", "refuse"):
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            if mode != "refuse":
                ctx.load_cert_chain(sys.argv[2], sys.argv[3])
            if mode == "tls11":
                # OpenSSL 3 refuses TLS 1.1 at its default security level.
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
                ctx.minimum_version = ssl.TLSVersion.TLSv1
                ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        cls = Refusing if mode == "refuse" else SMTP
        server = await loop.create_server(
            lambda: cls(Sink(), hostname="mx.probe.test", tls_context=ctx, require_starttls=False),
            "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())

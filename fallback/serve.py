"""Serve the static fallback TwiML, with nothing but the standard library.

Twilio calls the fallback URL with POST when the main app fails or times out. This server
answers any GET or POST under /voice with voice.xml and under /sms with sms.xml, so it keeps
working when the app, its virtualenv or its database is broken. Run it as its own service:

    python3 fallback/serve.py --dir /srv/loalang/fallback --port 5001
"""
import argparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def handler_for(directory: Path):
    class Fallback(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(min(length, 1 << 20))  # drain the form; its content is not needed
            name = "sms.xml" if self.path.startswith("/sms") else "voice.xml"
            body = (directory / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, fmt, *args):
            return  # request lines would carry nothing useful and the log must hold no numbers

    return Fallback


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="var/fallback", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=5001, type=int)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler_for(args.dir))
    print(f"fallback TwiML on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

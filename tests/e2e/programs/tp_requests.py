# Debian's python3-requests (with urllib3, idna, chardet/charset_normalizer
# and certifi, Debian's pointing at the system's CA bundle): a GET, a POST
# with JSON, a session with a header and a 404, against a local HTTP server
# in a thread (no network), and the distributions' metadata.
import http.server
import importlib.metadata
import json
import threading

import requests


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/missing"):
            self.send_error(404)
            return
        body = json.dumps({"path": self.path, "agent": self.headers.get("X-App")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps({"sum": sum(data["numbers"])}).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

r = requests.get(base + "/items", params={"q": "a b"}, timeout=10)
print(r.status_code, r.headers["Content-Type"], r.json())
r = requests.post(base + "/sum", json={"numbers": [1, 2, 3.5]}, timeout=10)
print(r.status_code, r.json())
with requests.Session() as s:
    s.headers["X-App"] = "frozen-or-not"
    print(s.get(base + "/who", timeout=10).json())
    miss = s.get(base + "/missing", timeout=10)
    print(miss.status_code, miss.ok)
    try:
        miss.raise_for_status()
    except requests.HTTPError as e:
        print("HTTPError", e.response.status_code)
print(requests.utils.quote("a b/c"), requests.certs.where().startswith("/"))
print(sorted(importlib.metadata.version(d) for d in ("requests", "urllib3", "idna")))
server.shutdown()

"""A JSON-RPC proxy on loopback in front of a real node, made to misbehave on purpose.

``drop_after=N``: requests after the N-th are answered by closing the connection (a network that dies in the
middle of a sync). ``max_log_range=R``: ``eth_getLogs`` over more than R blocks gets the error public RPCs
give. ``garble_logs``: log answers come back malformed. Everything else is forwarded unchanged.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RpcProxy:
    def __init__(self, upstream: str, *, drop_after: int | None = None, max_log_range: int | None = None,
                 garble_logs: bool = False) -> None:
        self.upstream = upstream
        self.drop_after = drop_after
        self.max_log_range = max_log_range
        self.garble_logs = garble_logs
        self.requests = 0
        self.dropped = 0
        self.methods: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with proxy._lock:
                    proxy.requests += 1
                    n = proxy.requests
                    proxy.methods.extend(_methods(body))
                if proxy.drop_after is not None and n > proxy.drop_after:
                    with proxy._lock:
                        proxy.dropped += 1
                    self.close_connection = True
                    self.connection.shutdown(2)  # the peer sees the connection die, no answer
                    return
                answer = proxy._range_error(body) or proxy._garbled(body) or proxy._forward(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RpcProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, body: bytes) -> bytes:
        req = urllib.request.Request(self.upstream, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return bytes(resp.read())

    def _garbled(self, body: bytes) -> bytes | None:
        """Logs whose fields are not what a node writes (a broken or hostile node)."""
        if not self.garble_logs or b"eth_getLogs" not in body:
            return None
        doc = json.loads(self._forward(body))
        answers = doc if isinstance(doc, list) else [doc]
        for a in answers:
            if isinstance(a.get("result"), list):
                a["result"] = [{"blockNumber": "0xzz", "topics": ["0x1"], "address": 7}]
        return json.dumps(doc).encode()

    def _range_error(self, body: bytes) -> bytes | None:
        if self.max_log_range is None:
            return None
        doc = json.loads(body)
        calls = doc if isinstance(doc, list) else [doc]
        for call in calls:
            if call.get("method") == "eth_getLogs":
                flt = call["params"][0]
                span = int(flt["toBlock"], 16) - int(flt["fromBlock"], 16) + 1
                if span > self.max_log_range:
                    error = {"code": -32005, "message": f"query exceeds max block range {self.max_log_range}"}
                    answers = [{"jsonrpc": "2.0", "id": c.get("id"), "error": error} for c in calls]
                    return json.dumps(answers if isinstance(doc, list) else answers[0]).encode()
        return None


def _methods(body: bytes) -> list[str]:
    try:
        doc = json.loads(body)
    except ValueError:
        return []
    calls = doc if isinstance(doc, list) else [doc]
    return [str(c.get("method")) for c in calls if isinstance(c, dict)]

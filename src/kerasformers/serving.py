"""``WebServing``: serve a Python function as a small JSON web API (standard library only).

bert4keras's ``WebServing`` wrapped bottle; this one keeps its interface
(``route(path, func, arguments, method)``, replies ``{"code", "desc", "data"}``)
on ``http.server``, with a request size limit and 4xx replies for bad requests.
It is meant for demos and internal tools, not for high load.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

#: ``{name: (converter or None, required)}``, as in bert4keras.
Arguments = Dict[str, Tuple[Optional[Callable[[str], Any]], bool]]


class _BadRequest(Exception):
    def __init__(self, status: int, code: int, desc: str):
        super().__init__(desc)
        self.status, self.code, self.desc = status, code, desc


class WebServing:
    """A JSON web API over functions, as bert4keras's ``WebServing``.

    Arguments come from the query string (GET) or from the body (POST), either
    form-encoded or a JSON object. Each argument is converted with its converter
    (query and form values arrive as strings). Replies are JSON:
    ``{"code": 0, "desc": "succeeded", "data": func(**kwargs)}``; a missing or
    unconvertible argument or a body that is not a JSON object answers 400 with
    ``code`` 1, a body over ``max_request_bytes`` 413, an unknown path 404, and an
    exception inside ``func`` 500 with ``code`` 2 and the error text.

    Example:
        >>> web = WebServing(host="127.0.0.1", port=0)   # port 0: any free port
        >>> web.route("/double", lambda n: 2 * n, {"n": (int, True)})
        >>> web.start(block=False)
        >>> import urllib.request, json
        >>> json.load(urllib.request.urlopen(f"http://127.0.0.1:{web.port}/double?n=21"))["data"]
        42
        >>> web.stop()
    """

    def __init__(self, host: str = "0.0.0.0", port: int = 8000, server: Optional[str] = None,
                 max_request_bytes: int = 1 << 20):
        # ``server`` chose bottle's backend in bert4keras; kept so scripts run, not used.
        self.host, self.port, self.server = host, port, server
        self.max_request_bytes = max_request_bytes
        self.routes: Dict[Tuple[str, str], Callable[[Dict[str, Any]], Any]] = {}
        self._httpd: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    def wraps(self, func: Callable, arguments: Arguments, method: str = "GET") -> Callable[[Dict[str, Any]], Any]:
        """``func`` as a function of the raw request arguments (converted and checked)."""

        def handler(raw: Dict[str, Any]):
            kwargs = {}
            for key, (convert, required) in arguments.items():
                if key not in raw:
                    if required:
                        raise _BadRequest(400, 1, f'lack of "{key}" argument')
                    continue
                try:
                    kwargs[key] = raw[key] if convert is None else convert(raw[key])
                except (TypeError, ValueError) as e:
                    raise _BadRequest(400, 1, f'bad value for "{key}": {e}') from e
            return func(**kwargs)

        return handler

    def route(self, path: str, func: Callable, arguments: Arguments, method: str = "GET") -> None:
        """Serve ``func`` at ``path`` for ``method`` ('GET' or 'POST')."""
        method = method.upper()
        if method not in ("GET", "POST"):
            raise ValueError(f"WebServing.route: method must be 'GET' or 'POST', got {method!r}.")
        self.routes[(method, path)] = self.wraps(func, arguments, method)

    def start(self, block: bool = True) -> None:
        """Start serving; blocks (as in bert4keras) unless ``block=False`` (then serves from a thread)."""
        self._httpd = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        if block:
            self._httpd.serve_forever()
        else:
            self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop a server started with ``block=False``."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


def _parse_body(body: bytes, content_type: str) -> Dict[str, Any]:
    if "json" in content_type:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise _BadRequest(400, 1, f"request body is not valid JSON: {e}") from e
        if not isinstance(parsed, dict):
            raise _BadRequest(400, 1, "request body must be a JSON object of arguments")
        return parsed
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _make_handler(web: WebServing):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str):
            url = urlsplit(self.path)
            try:
                handler = web.routes.get((method, url.path))
                if handler is None:
                    raise _BadRequest(404, 1, f"no {method} route {url.path!r}")
                raw = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    if length > web.max_request_bytes:
                        raise _BadRequest(413, 1, f"request body of {length} bytes is over the {web.max_request_bytes} limit")
                    raw.update(_parse_body(self.rfile.read(length), self.headers.get("Content-Type", "")))
                try:
                    reply = {"code": 0, "desc": "succeeded", "data": handler(raw)}
                    status = 200
                except _BadRequest:
                    raise
                except Exception as e:  # the served function failed: report it, keep serving
                    reply, status = {"code": 2, "desc": str(e), "data": {}}, 500
            except _BadRequest as e:
                reply, status = {"code": e.code, "desc": e.desc, "data": {}}, e.status
            body = json.dumps(reply, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's name
            self._serve("GET")

        def do_POST(self):  # noqa: N802
            self._serve("POST")

        def log_message(self, format, *args):  # quiet: demos print their own output
            pass

    return Handler

"""A fake Telegram Bot API server speaking real HTTP on 127.0.0.1, run in a background thread."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from . import botmethods, messages  # noqa: F401  (importing registers the handlers)
from .inspection import Inspection
from .params import ApiError, Params, decode_body
from .ratelimit import RateLimits
from .registry import HANDLERS, Context
from .store import Call, Store
from .webhook import WebhookPusher

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijk"
_LOG = logging.getLogger(__name__)
# An optional /via-NAME first: a bot process given that URL has its calls recorded with client NAME (which worker).
_BOT_ROUTE = re.compile(r"(?:/via-([A-Za-z0-9_-]+))?/bot([^/]+)/([A-Za-z0-9_]+)/?")
_FILE_ROUTE = re.compile(r"(?:/via-[A-Za-z0-9_-]+)?/file/bot([^/]+)/(.+)")


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default backlog of 5 resets connections when a bot opens many at once
    api: FakeBotApi
    connections: set[socket.socket]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request (a killed bot) is not an error of the fake."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP adapter; all Bot API logic lives in FakeBotApi.handle_http."""

    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
    timeout = 120  # idle keep-alive connections are dropped eventually
    disable_nagle_algorithm = True  # headers and body go out in two writes; avoid 40 ms delayed-ACK stalls
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, content_type, payload = self.server.api.handle_http(
            self.path, self.headers.get("Content-Type", ""), body
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a cancelled long poll); nothing to tell it


class FakeBotApi(Inspection):
    """In-process fake of api.telegram.org; point PTB at `base_url` (and `base_file_url`).

    Defaults are lenient where Telegram is lenient: no flood limits unless `rate_limits` is
    given; `strict_html` refuses bare '&'/'>' (documented as required, tolerated by Telegram);
    `group_privacy` mirrors BotFather's default privacy mode for group messages.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "fake_legal_bot",
        bot_name: str = "Legal Bot",
        rate_limits: RateLimits | None = None,
        strict_html: bool = True,
        group_privacy: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        push_webhook: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.group_privacy = group_privacy
        self.host, self.port = host, port
        bot_user = {"id": self.bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.store = Store(bot_user, rate_limits or RateLimits())
        bot_info = {
            **bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.context = Context(self.store, bot_info, strict_html)
        self.internal_errors: list[str] = []
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        # Like Telegram, push updates to the URL setWebhook names (plain http on 127.0.0.1 allowed for tests).
        self.pusher = WebhookPusher(self.store) if push_webhook else None
        self.store.http_webhook_ok = push_webhook

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL, e.g. http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    def url_via(self, client: str) -> str:
        """The root URL for one of several bot processes: its calls are recorded with `client` (Call.client)."""
        return f"{self.url}/via-{client}"

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder.base_url()."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass to ApplicationBuilder.base_file_url() for File.download_*."""
        return f"{self.url}/file/bot"

    def start(self) -> FakeBotApi:
        self.store.closed = False
        httpd = _HttpServer((self.host, self.port), _Handler)
        httpd.api, httpd.connections = self, set()
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fakebotapi:{self.port}", daemon=True
        )
        self._thread.start()
        if self.pusher is not None:
            self.pusher.start()
        return self

    def stop(self) -> None:
        """Release long polls, stop accepting, and close open keep-alive connections."""
        if self.pusher is not None:
            self.pusher.stop()
        with self.store.lock:
            self.store.closed = True
            self.store.changed.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            for conn in list(self._httpd.connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- test controls -----------------------------------------------------

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        """Swap flood limits mid-test (None turns them off); counters restart."""
        with self.store.lock:
            self.store.limiter.limits = limits or RateLimits()
            self.store.limiter.reset()

    def inject_error(
        self, method: str, description: str, code: int = 400, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` fail with this error (e.g. 403 blocked, 502)."""
        parameters = {"retry_after": retry_after} if retry_after else None
        with self.store.lock:
            self.store.injected.extend([(method, ApiError(code, description, parameters))] * times)

    def block(self, user_id: int, blocked: bool = True) -> None:
        """Simulate the user blocking (or unblocking) the bot: sends then fail with 403."""
        with self.store.lock:
            (self.store.blocked.add if blocked else self.store.blocked.discard)(user_id)

    # --- HTTP --------------------------------------------------------------

    def handle_http(self, path: str, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """Route one request; returns (status, content type, body)."""
        parts = urlsplit(path)
        route = unquote(parts.path)  # PTB percent-encodes file paths, ':' of the token included
        file_match = _FILE_ROUTE.fullmatch(route)
        if file_match and file_match.group(1) == self.token:
            stored = self.store.files.get(file_match.group(2).rsplit("/", 1)[-1])
            if stored is not None:
                return 200, stored.mime_type or "application/octet-stream", stored.content
        match = _BOT_ROUTE.fullmatch(route)
        if match is None or file_match:
            return _json(ApiError(404, "Not Found").payload(), 404)
        if match.group(2) != self.token:
            return _json(ApiError(401, "Unauthorized").payload(), 401)
        try:
            params = decode_body(content_type, body, parts.query)
        except ApiError as err:
            return _json(err.payload(), err.code)
        except (ValueError, LookupError) as err:  # undecodable bytes, broken multipart
            return _json(ApiError(400, f"Bad Request: can't parse request: {err}").payload(), 400)
        status, response = self.dispatch(match.group(3), params, match.group(1) or "")
        return _json(response, status)

    def dispatch(self, method: str, params: dict[str, Any], client: str = "") -> tuple[int, dict[str, Any]]:
        """Run one Bot API method under the state lock and record it (with the client's name, when it gave one)."""
        started = time.time()
        with self.store.lock:
            try:
                handler = HANDLERS.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found")
                injected = self.store.take_injected(method)
                if injected is not None:
                    raise injected
                result = handler(self.context, Params(params))
                # Round-trip through JSON: the recorded response is a snapshot, like the wire.
                status, response = 200, json.loads(json.dumps({"ok": True, "result": result}))
            except ApiError as err:
                status, response = err.code, err.payload()
            except Exception as exc:  # a bug in the fake must not look like a Telegram answer
                _LOG.exception("fake Bot API crashed in %s", method)
                self.internal_errors.append(f"{method}: {exc!r}")
                status = 500
                response = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"}
            self.store.record(Call(method, params, started, status, response, client))
        return status, response


def _json(payload: dict[str, Any], status: int) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload, ensure_ascii=False).encode("utf-8")

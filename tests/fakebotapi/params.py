"""Request decoding (query, JSON, urlencoded, multipart) and typed parameter access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl


class ApiError(Exception):
    """A Bot API failure; rendered as {"ok": false, "error_code", "description", "parameters"}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Upload:
    """A file sent as a multipart part."""

    filename: str
    content: bytes
    content_type: str


def decode_body(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Merge query-string and body parameters; form values stay strings, as Telegram receives them."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if ctype == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as err:
            raise bad_request("can't parse JSON encoded request: unexpected data") from err
        if not isinstance(decoded, dict):
            raise bad_request("JSON object expected")
        params.update(decoded)
    elif ctype == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif ctype == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    return params


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Parse multipart/form-data with the stdlib email parser (cgi is gone in 3.13)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    result: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            result[str(name)] = Upload(filename, payload, part.get_content_type())
        else:
            charset = part.get_content_charset() or "utf-8"
            result[str(name)] = payload.decode(charset)
    return result


class Params:
    """Typed access to one request's parameters, raising Telegram-style errors."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value) if not isinstance(value, str) or "." not in value else int(float(value))
        except (TypeError, ValueError) as err:
            raise bad_request(f"invalid {name} specified") from err

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1")

    def get_json(self, name: str, default: Any = None, what: str | None = None) -> Any:
        """Objects arrive decoded in JSON bodies and as JSON text in form fields."""
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as err:
            raise bad_request(f"can't parse {what or name} JSON object") from err

"""The one JSON parser of the API: DRF's, plus a 400 for what would otherwise be a 500.

- A deeply nested document (`[[[[…]]]]`, thousands of levels) makes `json` raise RecursionError;
- a lone UTF-16 surrogate (`"\\ud800"`, as a value or a key) parses, but can be neither stored in PostgreSQL
  nor echoed back in an error message.
Both are refused while parsing, so no view ever sees them.
"""

import json
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# `\ud800`..`\udfff` escapes: the only way a lone surrogate gets into a UTF-8 JSON body.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_bytes(body: bytes) -> object:
    """`body` decoded as strict JSON (no NaN/Infinity), or ParseError naming the problem."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise ParseError("JSON parse error - the document nests too deeply.") from exc
    except ValueError as exc:
        raise ParseError(f"JSON parse error - {exc}") from exc
    if SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError as exc:
            raise ParseError("JSON parse error - the document holds a lone UTF-16 surrogate.") from exc
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> object:
        return parse_json_bytes(stream.read() if stream is not None else b"")

"""The JSON parser of the network import: a larger body limit (WASTE_IMPORT_MAX_BYTES) on that endpoint only."""

import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.exceptions import DomainError

SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class ImportTooLargeError(DomainError):
    """The network document is larger than WASTE_IMPORT_MAX_BYTES."""

    status_code = 413
    code = "request_too_large"


class NetworkImportParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> object:
        limit = settings.WASTE_IMPORT_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ImportTooLargeError(f"The network document is larger than {limit} bytes.")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise ParseError("The body is not valid JSON (or nests too deeply).") from exc
        if SURROGATE_ESCAPE.search(body):
            try:  # a lone surrogate could be neither stored nor echoed in an error
                json.dumps(data, ensure_ascii=False).encode()
            except UnicodeEncodeError as exc:
                raise ParseError("The body holds a lone UTF-16 surrogate.") from exc
        return data

"""The JSON parser of the network import: a larger body limit (WASTE_IMPORT_MAX_BYTES) on that endpoint only."""

from django.conf import settings

from config.exceptions import DomainError
from config.parsers import JSONParser, parse_json_bytes


class ImportTooLargeError(DomainError):
    """The network document is larger than WASTE_IMPORT_MAX_BYTES."""

    status_code = 413
    code = "request_too_large"


class NetworkImportParser(JSONParser):
    """The project's JSON parser with the import's own size limit."""

    def parse(self, stream, media_type=None, parser_context=None) -> object:
        limit = settings.WASTE_IMPORT_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ImportTooLargeError(f"The network document is larger than {limit} bytes.")
        return parse_json_bytes(body)

from config.exceptions import DomainError


class DealsFileError(DomainError):
    """The uploaded deals.csv was rejected; the message says what is wrong and on which line."""

    code = "deals_file_invalid"

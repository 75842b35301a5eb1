"""Domain errors of the books app; `config.exceptions.exception_handler` maps them to HTTP responses."""

from config.exceptions import ConflictError, DomainError, NotFoundError


class BookNotFoundError(NotFoundError):
    """Book not found."""

    code = "book_not_found"


class AuthorNotFoundError(NotFoundError):
    """Author not found."""

    code = "author_not_found"


class RatingNotFoundError(NotFoundError):
    """You have not rated this book."""

    code = "rating_not_found"


class UnknownAuthorsError(DomainError):
    """Some author ids do not exist."""

    code = "unknown_authors"


class AuthorNameAndIdsError(DomainError):
    """Give either `author` (one author's name) or `author_ids`, not both."""

    code = "author_and_author_ids"


class AuthorIsSoleAuthorError(ConflictError):
    """The author is the only author of some books; delete or re-assign those books first."""

    code = "author_is_sole_author"


class BookAuthorsRequiredError(DomainError):
    """A book needs at least one author."""

    code = "authors_required"


class BookPublishedInFutureError(DomainError):
    """The publication date is in the future."""

    code = "published_in_future"


class InvalidScoreError(DomainError):
    """A score is an integer from 1 to 5."""

    code = "invalid_score"

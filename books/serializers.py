"""Input and output shapes of the books API. Inputs validate format only; rules live in books.services, whose
domain errors the inputs surface as field errors where a field is to blame."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from books.exceptions import BookPublishedInFutureError
from books.models import Book
from books.selectors import BOOK_FIELDS, BOOK_ORDERINGS, book_representation
from books.services import MAX_SCORE, MIN_SCORE, book_publication_date_check
from config.api import StrictIntegerField

MAX_AUTHORS_PER_BOOK = 50
MAX_ID = 2**63 - 1  # bigint primary keys
EITHER_AUTHOR = "Give either `author` (one author's name) or `author_ids`, not both."


class StrictCharField(serializers.CharField):
    """A JSON string; a number is not silently turned into text."""

    default_error_messages = {"invalid": "Must be a JSON string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BookInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=300)
    published_on = serializers.DateField(help_text="ISO date, not in the future.")
    author_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_AUTHORS_PER_BOOK,
        required=False,
        help_text="Ids of existing authors, at least one. Give this or `author`.",
    )
    author = StrictCharField(
        source="author_name",
        max_length=200,
        required=False,
        help_text="One author's name: the author with exactly this name, created if there is "
        "none. Give this or `author_ids`.",
    )

    def validate_published_on(self, value: Any) -> Any:
        try:
            book_publication_date_check(published_on=value)
        except BookPublishedInFutureError as exc:
            raise serializers.ValidationError(exc.message) from None
        return value

    def to_internal_value(self, data: Any) -> dict:
        # The author rule is checked together with the field errors, so one answer names every problem.
        errors: dict = {}
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors, attrs = dict(exc.detail), {}
        if isinstance(data, Mapping):
            given = [name for name in ("author", "author_ids") if name in data]
            if len(given) == 2:
                errors.update({name: [EITHER_AUTHOR] for name in given})
            elif not given and not self.partial:
                errors.setdefault("author_ids", ["This field is required (or give `author`, one author's name)."])
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class BookListParamsSerializer(serializers.Serializer):
    # Query-string values are text by nature: here "5" is the number 5.
    search = serializers.CharField(required=False, max_length=200, help_text="Part of the title or an author's name.")
    author = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only books by this author id."
    )
    published_after = serializers.DateField(required=False, help_text="Published on or after this date.")
    published_before = serializers.DateField(required=False, help_text="Published on or before this date.")
    ordering = serializers.ChoiceField(
        required=False,
        choices=list(BOOK_ORDERINGS),
        help_text="Unrated books last; equal ratings: more votes first, then lower id.",
    )

    def validate(self, attrs: dict) -> dict:
        after, before = attrs.get("published_after"), attrs.get("published_before")
        if after and before and after > before:
            raise serializers.ValidationError({"published_before": ["Must not be earlier than published_after."]})
        return attrs


class RatingInputSerializer(serializers.Serializer):
    score = StrictIntegerField(min_value=MIN_SCORE, max_value=MAX_SCORE, help_text="A JSON integer from 1 to 5.")


class RatingOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    rating = serializers.FloatField(allow_null=True, help_text="Mean score, 2 decimals; null while unrated.")
    rating_count = serializers.IntegerField()


class AuthorRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookOutputSerializer(serializers.Serializer):
    """A book as every answer (and the book events) show it; `authors` should be prefetched."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.CharField(help_text='The authors\' names joined by ", " in the order of `authors`.')
    authors = AuthorRefOutputSerializer(many=True, help_text="By name.")
    published_on = serializers.DateField()
    rating = serializers.FloatField(allow_null=True, help_text="Mean score, 2 decimals; null while unrated.")
    rating_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, book: Book) -> dict:
        # The same function builds the cached read payloads, so a write answer and a read agree byte for byte.
        row = {field: getattr(book, field) for field in BOOK_FIELDS}
        return book_representation(row, [{"id": author.pk, "name": author.name} for author in book.authors.all()])


class BookDetailOutputSerializer(BookOutputSerializer):
    my_rating = serializers.IntegerField(allow_null=True, help_text="Your own score, null if you have not rated.")


class AuthorInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    bio = StrictCharField(required=False, allow_blank=True, max_length=10_000)


class AuthorListParamsSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=200, help_text="Part of the name.")


class AuthorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    bio = serializers.CharField()
    books_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TopBookOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    published_on = serializers.DateField()
    rating = serializers.FloatField(allow_null=True)
    rating_count = serializers.IntegerField()


class AuthorDetailOutputSerializer(AuthorOutputSerializer):
    top_books = TopBookOutputSerializer(
        many=True, help_text="Up to 5 best-rated books: rating desc (unrated last), more votes, lower id."
    )

"""Input and output shapes of the books API; inputs validate format only, business rules live in services."""

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from books.selectors import BOOK_ORDERINGS
from books.services import MAX_SCORE, MIN_SCORE

MAX_AUTHORS_PER_BOOK = 50
MAX_ID = 2**63 - 1  # bigint primary keys


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict:
    """Validated data of `data`, or a 400 `{"field": ["message"]}`."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PastOrTodayDateField(serializers.DateField):
    def to_internal_value(self, value: Any):
        parsed = super().to_internal_value(value)
        if parsed > timezone.localdate():
            raise serializers.ValidationError("The publication date cannot be in the future.")
        return parsed


class BookInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    published_on = PastOrTodayDateField(help_text="ISO date, not in the future.")
    author_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_AUTHORS_PER_BOOK,
        help_text="Ids of existing authors, at least one.",
    )


class BookListParamsSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=200, help_text="Part of the title or an author's name.")
    author = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only books by this author id."
    )
    published_after = serializers.DateField(required=False, help_text="Published on or after this date.")
    published_before = serializers.DateField(required=False, help_text="Published on or before this date.")
    ordering = serializers.ChoiceField(required=False, choices=list(BOOK_ORDERINGS), help_text="Unrated books last.")

    def validate(self, attrs: dict) -> dict:
        after, before = attrs.get("published_after"), attrs.get("published_before")
        if after and before and after > before:
            raise serializers.ValidationError({"published_before": ["Must not be earlier than published_after."]})
        return attrs


class ScoreField(serializers.IntegerField):
    """A JSON integer 1..5; floats (even 4.0), strings and booleans are refused rather than coerced."""

    default_error_messages = {"not_integer": "A score is a JSON integer from 1 to 5 (not a float or a string)."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=MIN_SCORE, max_value=MAX_SCORE, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_integer")
        return super().to_internal_value(data)


class RatingInputSerializer(serializers.Serializer):
    score = ScoreField()


class RatingOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()


class AuthorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    published_on = serializers.DateField()
    authors = AuthorRefSerializer(many=True)
    rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Mean score, 2 decimals; null while unrated."
    )
    rating_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class BookDetailOutputSerializer(BookOutputSerializer):
    my_rating = serializers.IntegerField(allow_null=True, help_text="Your own score, null if you have not rated.")


class AuthorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class AuthorListParamsSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=200, help_text="Part of the name.")


class AuthorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    bio = serializers.CharField()
    books_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TopBookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    published_on = serializers.DateField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    rating_count = serializers.IntegerField()


class AuthorDetailOutputSerializer(AuthorOutputSerializer):
    top_books = TopBookSerializer(many=True, help_text="Up to 5 best-rated books: rating desc (unrated last).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)

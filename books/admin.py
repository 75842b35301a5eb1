"""Django admin for authors, books, ratings and the outbox. Every write goes through books.services, so the
admin keeps the same rules as the API: outbox events, cache invalidation, rating counters, the sole-author 409."""

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from books.exceptions import BookPublishedInFutureError
from books.models import Author, Book, OutboxEvent, Rating
from books.services import (
    author_create,
    author_delete,
    author_update,
    book_create,
    book_delete,
    book_publication_date_check,
    book_rating_withdraw,
    book_update,
)


class BookAdminForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "published_on", "authors"]

    def clean_published_on(self):
        published_on = self.cleaned_data["published_on"]
        try:
            book_publication_date_check(published_on=published_on)
        except BookPublishedInFutureError as exc:
            raise forms.ValidationError(exc.message) from None
        return published_on


class AuthorshipInline(admin.TabularInline):
    """The book's authors (or the author's books), shown inline; edited through the `authors` field."""

    model = Book.authors.through
    extra = 0
    can_delete = False
    verbose_name = "authorship"
    verbose_name_plural = "authorships"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class BookAuthorsInline(AuthorshipInline):
    fk_name = "book"
    fields = readonly_fields = ["author"]


class AuthorBooksInline(AuthorshipInline):
    fk_name = "author"
    fields = readonly_fields = ["book"]


def _skip_readonly_formsets(formsets) -> None:
    # The authorship inlines are read-only: nothing to save, and the admin's change message sees no changes.
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class RatedFilter(admin.SimpleListFilter):
    title = "rated"
    parameter_name = "rated"

    def lookups(self, request, model_admin):
        return [("yes", "Rated"), ("no", "Unrated")]

    def queryset(self, request, queryset: QuerySet[Book]) -> QuerySet[Book]:
        if self.value() == "yes":
            return queryset.filter(rating_count__gt=0)
        if self.value() == "no":
            return queryset.filter(rating_count=0)
        return queryset


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "books_count", "updated_at"]
    search_fields = ["name"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    fields = ["name", "bio", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AuthorBooksInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Author]:
        return super().get_queryset(request).annotate(books_count=Count("books"))

    @admin.display(ordering="books_count")
    def books_count(self, author: Author) -> int:
        return author.books_count

    def save_model(self, request, obj: Author, form, change: bool) -> None:
        data = form.cleaned_data
        saved = (
            author_update(author_id=obj.pk, name=data["name"], bio=data["bio"])
            if change
            else author_create(name=data["name"], bio=data["bio"])
        )
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def save_related(self, request, form, formsets, change: bool) -> None:
        _skip_readonly_formsets(formsets)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # An author who is the only author of a book cannot be deleted (the API answers 409): list those books
        # as protected, so the admin refuses too.
        sole = Book.objects.filter(authors__in=objs).annotate(n=Count("authors")).filter(n=1).order_by("id")
        protected = [*protected, *(f"{book} (only author)" for book in sole)]
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request, obj: Author) -> None:
        author_delete(author_id=obj.pk)

    def delete_queryset(self, request, queryset: QuerySet[Author]) -> None:
        for author_id in queryset.values_list("id", flat=True):
            author_delete(author_id=author_id)


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    form = BookAdminForm
    list_display = ["id", "title", "published_on", "author_names", "rating", "rating_count"]
    search_fields = ["title", "authors__name"]
    list_filter = [RatedFilter, ("published_on", admin.DateFieldListFilter)]
    date_hierarchy = "published_on"
    autocomplete_fields = ["authors"]
    readonly_fields = ["rating", "rating_count", "rating_sum", "created_at", "updated_at"]
    inlines = [BookAuthorsInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Book]:
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description="authors")
    def author_names(self, book: Book) -> str:
        return ", ".join(author.name for author in book.authors.all())

    def save_model(self, request, obj: Book, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "published_on": data["published_on"],
            "author_ids": [author.pk for author in data["authors"]],
        }
        saved = book_update(book_id=obj.pk, **fields) if change else book_create(**fields)
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at

    def save_related(self, request, form, formsets, change: bool) -> None:
        _skip_readonly_formsets(formsets)  # the service already set the authors

    def delete_model(self, request, obj: Book) -> None:
        book_delete(book_id=obj.pk)

    def delete_queryset(self, request, queryset: QuerySet[Book]) -> None:
        for book_id in queryset.values_list("id", flat=True):
            book_delete(book_id=book_id)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Scores are given through the API; the admin can look and withdraw (which keeps the counters right)."""

    list_display = ["id", "book", "user", "score", "updated_at"]
    list_filter = ["score"]
    search_fields = ["book__title", "user__username"]
    list_select_related = ["book", "user"]
    readonly_fields = ["book", "user", "score", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: Rating) -> None:
        book_rating_withdraw(book_id=obj.book_id, user=obj.user)

    def delete_queryset(self, request, queryset: QuerySet[Rating]) -> None:
        for rating in queryset.select_related("user"):
            book_rating_withdraw(book_id=rating.book_id, user=rating.user)


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read-only view of the book events and whether the relay has published them."""

    list_display = ["id", "type", "aggregate_id", "occurred_at", "published_at"]
    list_filter = ["type", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id", "aggregate_id"]
    readonly_fields = ["event_id", "type", "aggregate_id", "payload", "occurred_at", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

"""The REST endpoints of books, ratings and authors: success, 400, 401, 404 and 409 paths."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from books.models import Author, Book, Rating
from books.services import book_rate
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-datetime.timedelta(seconds=1))
    return f"Bearer {token}"


ENDPOINTS = [
    ("get", "/books"),
    ("post", "/books"),
    ("get", "/books/{book}"),
    ("put", "/books/{book}"),
    ("patch", "/books/{book}"),
    ("delete", "/books/{book}"),
    ("get", "/books/{book}/rating"),
    ("put", "/books/{book}/rating"),
    ("delete", "/books/{book}/rating"),
    ("get", "/authors"),
    ("post", "/authors"),
    ("get", "/authors/{author}"),
    ("put", "/authors/{author}"),
    ("patch", "/authors/{author}"),
    ("delete", "/authors/{author}"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("credentials", ["none", "garbage", "expired"])
def test_every_endpoint_needs_a_valid_jwt(method, path, credentials, user):
    author = AuthorFactory()
    book = BookFactory(authors=[author])
    client = APIClient()
    if credentials == "garbage":
        client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    elif credentials == "expired":
        client.credentials(HTTP_AUTHORIZATION=expired_token(user))
    response = getattr(client, method)(path.format(book=book.pk, author=author.pk), {}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()
    assert Book.objects.filter(pk=book.pk).exists()


class TestBooks:
    def test_create(self, auth_client):
        authors = AuthorFactory.create_batch(2)
        response = auth_client.post(
            "/books",
            {"title": "Good Omens", "published_on": "1990-05-01", "author_ids": [a.pk for a in authors]},
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["title"] == "Good Omens"
        assert body["published_on"] == "1990-05-01"
        assert sorted(a["id"] for a in body["authors"]) == sorted(a.pk for a in authors)
        assert (body["rating"], body["rating_count"], body["my_rating"]) == (None, 0, None)
        assert Book.objects.get(pk=body["id"]).title == "Good Omens"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"published_on": "2000-01-01", "author_ids": ["A"]}, "title"),
            ({"title": "", "published_on": "2000-01-01", "author_ids": ["A"]}, "title"),
            ({"title": "   ", "published_on": "2000-01-01", "author_ids": ["A"]}, "title"),
            ({"title": "x" * 301, "published_on": "2000-01-01", "author_ids": ["A"]}, "title"),
            ({"title": "T", "author_ids": ["A"]}, "published_on"),
            ({"title": "T", "published_on": "01.01.2000", "author_ids": ["A"]}, "published_on"),
            ({"title": "T", "published_on": "2000-02-30", "author_ids": ["A"]}, "published_on"),
            ({"title": "T", "published_on": TOMORROW, "author_ids": ["A"]}, "published_on"),
            ({"title": "T", "published_on": "2000-01-01"}, "author_ids"),
            ({"title": "T", "published_on": "2000-01-01", "author_ids": []}, "author_ids"),
            ({"title": "T", "published_on": "2000-01-01", "author_ids": "A"}, "author_ids"),
            ({"title": "T", "published_on": "2000-01-01", "author_ids": ["x"]}, "author_ids"),
            ({"title": "T", "published_on": "2000-01-01", "author_ids": [0]}, "author_ids"),
        ],
    )
    def test_create_invalid_input_names_the_field(self, auth_client, payload, field):
        author = AuthorFactory()
        if isinstance(payload.get("author_ids"), list):
            payload = {**payload, "author_ids": [author.pk if a == "A" else a for a in payload["author_ids"]]}
        elif payload.get("author_ids") == "A":
            payload = {**payload, "author_ids": author.pk}
        response = auth_client.post("/books", payload, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not Book.objects.exists()

    def test_create_with_unknown_author_names_it(self, auth_client):
        author = AuthorFactory()
        response = auth_client.post(
            "/books", {"title": "T", "published_on": "2000-01-01", "author_ids": [author.pk, 987654]}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["author_ids"] == [987654]
        assert "987654" in response.json()["detail"]
        assert response.json()["code"] == "unknown_authors"

    def test_malformed_json_is_400(self, auth_client):
        response = auth_client.generic("POST", "/books", "{not json", content_type="application/json")
        assert response.status_code == 400

    def test_detail_shows_all_authors_and_my_rating(self, auth_client):
        authors = [AuthorFactory(name="B"), AuthorFactory(name="A")]
        book = BookFactory(authors=authors, title="T", published_on=datetime.date(2001, 2, 3))
        book_rate(book_id=book.pk, user=auth_client.user, score=4)
        book_rate(book_id=book.pk, user=UserFactory(), score=5)
        body = auth_client.get(f"/books/{book.pk}").json()
        assert body["authors"] == [{"id": authors[1].pk, "name": "A"}, {"id": authors[0].pk, "name": "B"}]
        assert (body["rating"], body["rating_count"], body["my_rating"]) == (4.5, 2, 4)
        assert set(body) == {
            "id", "title", "author", "published_on", "authors", "rating", "rating_count", "my_rating", "created_at",
            "updated_at",
        }  # fmt: skip

    @pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ENDPOINTS if "{book}" in p])
    def test_unknown_book_is_404(self, auth_client, method, path):
        payload = {"score": 3} if path.endswith("rating") else {"title": "T"}
        if method == "put" and not path.endswith("rating"):
            payload = {"title": "T", "published_on": "2000-01-01", "author_ids": [AuthorFactory().pk]}
        response = getattr(auth_client, method)(path.format(book=987654), payload, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "book_not_found"

    def test_non_integer_id_is_404(self, auth_client):
        assert auth_client.get("/books/abc").status_code == 404

    def test_put_replaces_all_fields(self, auth_client):
        book = BookFactory()
        author = AuthorFactory(name="New")
        response = auth_client.put(
            f"/books/{book.pk}",
            {"title": "New", "published_on": "1999-12-31", "author_ids": [author.pk]},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["authors"] == [{"id": author.pk, "name": "New"}]
        book.refresh_from_db()
        assert (book.title, book.published_on) == ("New", datetime.date(1999, 12, 31))

    def test_put_needs_every_field(self, auth_client):
        book = BookFactory()
        response = auth_client.put(f"/books/{book.pk}", {"title": "New"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"published_on", "author_ids"}

    def test_patch_changes_only_the_given_fields(self, auth_client):
        book = BookFactory(title="Old")
        authors = list(book.authors.all())
        response = auth_client.patch(f"/books/{book.pk}", {"published_on": "1980-01-01"}, format="json")
        assert response.status_code == 200
        book.refresh_from_db()
        assert (book.title, book.published_on, list(book.authors.all())) == ("Old", datetime.date(1980, 1, 1), authors)

    @pytest.mark.parametrize(
        ("payload", "status"),
        [
            ({"author_ids": []}, 400),
            ({"title": ""}, 400),
            ({"published_on": TOMORROW}, 400),
            ({"author_ids": [987654]}, 400),
        ],
    )
    def test_patch_invalid(self, auth_client, payload, status):
        book = BookFactory(title="Old")
        response = auth_client.patch(f"/books/{book.pk}", payload, format="json")
        assert response.status_code == status
        book.refresh_from_db()
        assert book.title == "Old"

    def test_delete(self, auth_client):
        book = BookFactory()
        assert auth_client.delete(f"/books/{book.pk}").status_code == 204
        assert not Book.objects.filter(pk=book.pk).exists()
        assert auth_client.get(f"/books/{book.pk}").status_code == 404


class TestRating:
    def test_put_get_delete(self, auth_client):
        book = BookFactory()
        book_rate(book_id=book.pk, user=UserFactory(), score=4)
        response = auth_client.put(f"/books/{book.pk}/rating", {"score": 5}, format="json")
        assert response.status_code == 200
        assert response.json() == {"score": 5, "rating": 4.5, "rating_count": 2}
        assert auth_client.get(f"/books/{book.pk}/rating").json() == {"score": 5, "rating": 4.5, "rating_count": 2}
        assert auth_client.put(f"/books/{book.pk}/rating", {"score": 1}, format="json").json() == {
            "score": 1, "rating": 2.5, "rating_count": 2
        }  # fmt: skip
        assert auth_client.delete(f"/books/{book.pk}/rating").status_code == 204
        assert auth_client.get(f"/books/{book.pk}/rating").status_code == 404
        assert auth_client.delete(f"/books/{book.pk}/rating").status_code == 404
        assert auth_client.get(f"/books/{book.pk}").json()["rating"] == 4.0

    def test_get_without_a_score_is_404(self, auth_client):
        book = BookFactory()
        response = auth_client.get(f"/books/{book.pk}/rating")
        assert response.status_code == 404
        assert response.json()["code"] == "rating_not_found"

    @pytest.mark.parametrize("score", [0, 6, -1, 4.5, 4.0, "5", "five", None, True, [5], {"v": 5}])
    def test_invalid_score_is_400(self, auth_client, score):
        book = BookFactory()
        response = auth_client.put(f"/books/{book.pk}/rating", {"score": score}, format="json")
        assert response.status_code == 400
        assert "score" in response.json()
        assert not Rating.objects.exists()

    def test_missing_score_is_400(self, auth_client):
        response = auth_client.put(f"/books/{BookFactory().pk}/rating", {}, format="json")
        assert response.status_code == 400
        assert "score" in response.json()

    @pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
    def test_every_valid_score(self, auth_client, score):
        response = auth_client.put(f"/books/{BookFactory().pk}/rating", {"score": score}, format="json")
        assert response.json() == {"score": score, "rating": float(score), "rating_count": 1}

    def test_scores_are_per_user(self, auth_client, api_client):
        from tests.conftest import bearer

        book = BookFactory()
        other = UserFactory()
        api_client.credentials(HTTP_AUTHORIZATION=bearer(other))
        auth_client.put(f"/books/{book.pk}/rating", {"score": 5}, format="json")
        api_client.put(f"/books/{book.pk}/rating", {"score": 2}, format="json")
        assert auth_client.get(f"/books/{book.pk}").json()["my_rating"] == 5
        assert api_client.get(f"/books/{book.pk}").json()["my_rating"] == 2
        assert api_client.get(f"/books/{book.pk}").json()["rating"] == 3.5


class TestBookList:
    @pytest.fixture
    def catalogue(self):
        tolkien = AuthorFactory(name="J. R. R. Tolkien")
        lewis = AuthorFactory(name="C. S. Lewis")
        books = {
            "hobbit": BookFactory(title="The Hobbit", published_on=datetime.date(1937, 9, 21), authors=[tolkien]),
            "lotr": BookFactory(
                title="The Lord of the Rings", published_on=datetime.date(1954, 7, 29), authors=[tolkien]
            ),
            "narnia": BookFactory(title="Narnia", published_on=datetime.date(1950, 10, 16), authors=[lewis]),
            "both": BookFactory(title="Inklings", published_on=datetime.date(1960, 1, 1), authors=[tolkien, lewis]),
            "unrated": BookFactory(title="Unrated", published_on=datetime.date(2000, 1, 1), authors=[lewis]),
        }
        for key, scores in {"hobbit": [5, 4], "lotr": [5], "narnia": [3], "both": [4, 4, 5]}.items():
            for score in scores:
                book_rate(book_id=books[key].pk, user=UserFactory(), score=score)
        return {"tolkien": tolkien, "lewis": lewis, **books}

    def titles(self, client, query: str) -> list[str]:
        response = client.get(f"/books?{query}")
        assert response.status_code == 200, response.json()
        return [item["title"] for item in response.json()["items"]]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("", ["The Hobbit", "The Lord of the Rings", "Narnia", "Inklings", "Unrated"]),
            ("search=hobbit", ["The Hobbit"]),
            ("search=THE", ["The Hobbit", "The Lord of the Rings"]),
            ("search=tolkien", ["The Hobbit", "The Lord of the Rings", "Inklings"]),
            ("search=s.%20lew", ["Narnia", "Inklings", "Unrated"]),
            ("search=r.", ["The Hobbit", "The Lord of the Rings", "Inklings"]),
            ("search=nothing-matches", []),
            ("search=%25", []),
            ("published_after=1950-10-16", ["The Lord of the Rings", "Narnia", "Inklings", "Unrated"]),
            ("published_before=1950-10-16", ["The Hobbit", "Narnia"]),
            ("published_after=1940-01-01&published_before=1955-01-01", ["The Lord of the Rings", "Narnia"]),
            ("ordering=title", ["Inklings", "Narnia", "The Hobbit", "The Lord of the Rings", "Unrated"]),
            ("ordering=-title", ["Unrated", "The Lord of the Rings", "The Hobbit", "Narnia", "Inklings"]),
            ("ordering=published_on", ["The Hobbit", "Narnia", "The Lord of the Rings", "Inklings", "Unrated"]),
            ("ordering=-published_on", ["Unrated", "Inklings", "The Lord of the Rings", "Narnia", "The Hobbit"]),
            ("ordering=rating", ["Narnia", "Inklings", "The Hobbit", "The Lord of the Rings", "Unrated"]),
            ("ordering=-rating", ["The Lord of the Rings", "The Hobbit", "Inklings", "Narnia", "Unrated"]),
            ("search=the&ordering=-rating", ["The Lord of the Rings", "The Hobbit"]),
        ],
    )
    def test_filters_and_ordering(self, auth_client, catalogue, query, expected):
        assert self.titles(auth_client, query) == expected

    def test_filter_by_author(self, auth_client, catalogue):
        assert self.titles(auth_client, f"author={catalogue['lewis'].pk}&ordering=title") == [
            "Inklings", "Narnia", "Unrated"
        ]  # fmt: skip
        assert self.titles(auth_client, "author=987654") == []

    def test_book_with_two_matching_authors_appears_once(self, auth_client, catalogue):
        response = auth_client.get("/books?search=.")  # both "J. R. R." and "C. S." match
        assert response.json()["count"] == 5

    def test_pagination(self, auth_client, catalogue):
        body = auth_client.get("/books?limit=2&offset=1&ordering=title").json()
        assert body["count"] == 5
        assert [item["title"] for item in body["items"]] == ["Narnia", "The Hobbit"]
        item = body["items"][0]
        assert item["authors"] == [{"id": catalogue["lewis"].pk, "name": "C. S. Lewis"}]
        assert "my_rating" not in item

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("author=abc", "author"),
            ("author=0", "author"),
            ("author=-1", "author"),
            ("published_after=yesterday", "published_after"),
            ("published_before=2020-13-01", "published_before"),
            ("published_after=2000-01-02&published_before=2000-01-01", "published_before"),
            ("ordering=author", "ordering"),
            ("ordering=-created_at", "ordering"),
            ("search=" + "x" * 201, "search"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=x", "limit"),
            ("offset=-1", "offset"),
        ],
    )
    def test_invalid_filter_is_400_naming_it(self, auth_client, query, field):
        response = auth_client.get(f"/books?{query}")
        assert response.status_code == 400
        assert field in response.json()

    def test_empty_search_is_ignored(self, auth_client, catalogue):
        assert len(self.titles(auth_client, "search=")) == 5


def test_equal_ratings_are_ordered_alike_in_the_list_and_top_books(auth_client):
    """One tie-break everywhere: rating desc (unrated last), more votes first, then the lower id."""
    author = AuthorFactory()
    titles = ["Zeta: 4.00 by 2, older", "Alpha: 4.00 by 2, newer", "Beta: 4.00 by 1", "Aardvark: unrated"]
    books = [BookFactory(title=title, authors=[author]) for title in titles]
    for book, scores in zip(books, [[4, 4], [5, 3], [4], []], strict=True):
        for score in scores:
            book_rate(book_id=book.pk, user=UserFactory(), score=score)
    listed = [item["title"] for item in auth_client.get("/books?ordering=-rating").json()["items"]]
    top = [item["title"] for item in auth_client.get(f"/authors/{author.pk}").json()["top_books"]]
    assert listed == top == titles


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"author_ids": ["A"]}, "author_ids"),
        ({"author_ids": [True]}, "author_ids"),
        ({"author_ids": [1.0]}, "author_ids"),
        ({"title": 5}, "title"),
        ({"title": True}, "title"),
    ],
)
def test_book_inputs_are_strict(auth_client, payload, field):
    author = AuthorFactory()
    if payload.get("author_ids") == ["A"]:
        payload = {"author_ids": [str(author.pk)]}
    body = {"title": "T", "published_on": "2000-01-01", "author_ids": [author.pk], **payload}
    response = auth_client.post("/books", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Book.objects.exists()


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/books/987654", "Book 987654 not found."),
        ("/authors/987654", "Author 987654 not found."),
        ("/books/987654/rating", "Book 987654 not found."),
    ],
)
def test_not_found_wording(auth_client, path, detail):
    assert auth_client.get(path).json()["detail"] == detail


class TestAuthors:
    def test_create_and_list_with_books_count(self, auth_client):
        response = auth_client.post("/authors", {"name": "Ursula K. Le Guin", "bio": "Earthsea"}, format="json")
        assert response.status_code == 201
        assert response.json()["books_count"] == 0
        author = Author.objects.get(pk=response.json()["id"])
        BookFactory.create_batch(2, authors=[author])
        AuthorFactory(name="Zelazny")
        body = auth_client.get("/authors").json()
        assert body["count"] == 2
        assert [(a["name"], a["books_count"]) for a in body["items"]] == [("Ursula K. Le Guin", 2), ("Zelazny", 0)]

    def test_search(self, auth_client):
        AuthorFactory(name="Ursula K. Le Guin")
        AuthorFactory(name="Roger Zelazny")
        assert [a["name"] for a in auth_client.get("/authors?search=GUIN").json()["items"]] == ["Ursula K. Le Guin"]
        assert auth_client.get("/authors?search=" + "x" * 201).status_code == 400

    @pytest.mark.parametrize(
        ("payload", "field"),
        [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": 5, "bio": []}, "bio")],
    )
    def test_create_invalid(self, auth_client, payload, field):
        response = auth_client.post("/authors", payload, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_detail_with_top_books(self, auth_client):
        author = AuthorFactory(name="Le Guin")
        books = [BookFactory(title=f"B{i}", authors=[author]) for i in range(7)]
        for index, book in enumerate(books[:5]):
            book_rate(book_id=book.pk, user=UserFactory(), score=index + 1)
        body = auth_client.get(f"/authors/{author.pk}").json()
        assert body["name"] == "Le Guin"
        assert body["books_count"] == 7
        assert [book["title"] for book in body["top_books"]] == ["B4", "B3", "B2", "B1", "B0"]
        assert body["top_books"][0] == {
            "id": books[4].pk,
            "title": "B4",
            "published_on": books[4].published_on.isoformat(),
            "rating": 5.0,
            "rating_count": 1,
        }

    def test_top_books_put_unrated_last(self, auth_client):
        author = AuthorFactory()
        BookFactory(title="A unrated", authors=[author])
        rated = BookFactory(title="Z rated", authors=[author])
        book_rate(book_id=rated.pk, user=UserFactory(), score=1)
        titles = [book["title"] for book in auth_client.get(f"/authors/{author.pk}").json()["top_books"]]
        assert titles == ["Z rated", "A unrated"]

    @pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ENDPOINTS if "{author}" in p])
    def test_unknown_author_is_404(self, auth_client, method, path):
        response = getattr(auth_client, method)(path.format(author=987654), {"name": "N"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "author_not_found"

    def test_put_and_patch(self, auth_client):
        author = AuthorFactory(name="Old", bio="Bio")
        response = auth_client.patch(f"/authors/{author.pk}", {"name": "New"}, format="json")
        assert (response.status_code, response.json()["name"], response.json()["bio"]) == (200, "New", "Bio")
        response = auth_client.put(f"/authors/{author.pk}", {"name": "Newer"}, format="json")
        assert (response.json()["name"], response.json()["bio"]) == ("Newer", "")
        assert auth_client.put(f"/authors/{author.pk}", {"bio": "x"}, format="json").status_code == 400

    def test_delete_sole_author_is_409_naming_the_books(self, auth_client):
        author, other = AuthorFactory.create_batch(2)
        sole = BookFactory(title="Alone", authors=[author])
        BookFactory(authors=[author, other])
        response = auth_client.delete(f"/authors/{author.pk}")
        assert response.status_code == 409
        assert response.json()["books"] == [{"id": sole.pk, "title": "Alone"}]
        assert response.json()["code"] == "author_is_sole_author"
        assert Author.objects.filter(pk=author.pk).exists()

    def test_delete_removes_author_from_books(self, auth_client):
        author, other = AuthorFactory.create_batch(2)
        book = BookFactory(authors=[author, other])
        assert auth_client.delete(f"/authors/{author.pk}").status_code == 204
        assert auth_client.get(f"/authors/{author.pk}").status_code == 404
        assert auth_client.get(f"/books/{book.pk}").json()["authors"] == [{"id": other.pk, "name": other.name}]


HUGE = 10**20


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("get", f"/books/{HUGE}", {}, 404),
        ("patch", f"/books/{HUGE}", {"title": "T"}, 404),
        ("delete", f"/books/{HUGE}", {}, 404),
        ("get", f"/books/{HUGE}/rating", {}, 404),
        ("put", f"/books/{HUGE}/rating", {"score": 3}, 404),
        ("delete", f"/books/{HUGE}/rating", {}, 404),
        ("get", f"/authors/{HUGE}", {}, 404),
        ("patch", f"/authors/{HUGE}", {"name": "N"}, 404),
        ("delete", f"/authors/{HUGE}", {}, 404),
        ("get", f"/books?author={HUGE}", None, 400),
        ("post", "/books", {"title": "T", "published_on": "2000-01-01", "author_ids": [HUGE]}, 400),
        ("get", "/books?search=a%00b", None, 400),
        ("get", "/books?published_after=0001-01-01", None, 200),
        ("put", "/books/1/rating", {"score": HUGE}, 400),
    ],
)
def test_out_of_range_values_are_4xx_not_500(auth_client, method, path, payload, status):
    response = (
        getattr(auth_client, method)(path, payload, format="json") if payload is not None else auth_client.get(path)
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "path", ["/books/abc", "/books/null,null/rating", "/authors/1.5", "/books/1/ratings", "/authors/"]
)
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_paths_are_json_404(auth_client, api_client, path, method):
    response = getattr(auth_client, method)(path, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    anonymous = getattr(api_client, method)(path)
    assert anonymous.status_code == 404
    assert anonymous.json() == {"detail": "Not found.", "code": "not_found"}

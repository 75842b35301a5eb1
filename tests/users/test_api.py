import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from tests.config.factories import DEFAULT_PASSWORD, UserFactory
from tests.conftest import bearer, run_in_threads

pytestmark = pytest.mark.django_db


def obtain(client, username, password=DEFAULT_PASSWORD, **extra):
    return client.post("/auth/token", {"username": username, "password": password}, format="json", **extra)


def test_register_token_me_round_trip(api_client):
    created = api_client.post("/auth/register", {"username": "reader", "password": "s3cret-pass-42"}, format="json")
    assert created.status_code == 201
    assert created.json()["username"] == "reader"
    assert "password" not in created.json()

    tokens = obtain(api_client, "reader", "s3cret-pass-42")
    assert tokens.status_code == 200
    assert set(tokens.json()) == {"access", "refresh"}

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    me = api_client.get("/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "reader"


@pytest.mark.parametrize("is_staff", [False, True])
def test_me_says_whether_the_user_is_staff(api_client, is_staff):
    user = UserFactory(username="someone", is_staff=is_staff)
    api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
    me = api_client.get("/auth/me")
    assert me.status_code == 200
    assert me.json() == {
        "id": user.pk,
        "username": "someone",
        "date_joined": me.json()["date_joined"],
        "is_staff": is_staff,
    }


def test_the_schema_documents_is_staff_of_me(client):
    document = client.get("/schema", HTTP_ACCEPT="application/json").json()
    answer = document["paths"]["/auth/me"]["get"]["responses"]["200"]["content"]["application/json"]
    schema = document["components"]["schemas"][answer["schema"]["$ref"].rsplit("/", 1)[1]]
    assert schema["properties"]["is_staff"]["type"] == "boolean"
    assert "is_staff" in schema["required"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "reader"}, "password"),
        ({"password": "s3cret-pass-42"}, "username"),
        ({"username": "reader", "password": "short"}, "password"),
        ({"username": "reader", "password": "12345678901"}, "password"),
        ({"username": "reader", "password": "password"}, "password"),
        ({"username": "bad name!", "password": "s3cret-pass-42"}, "username"),
        ({"username": "x" * 151, "password": "s3cret-pass-42"}, "username"),
    ],
)
def test_register_rejects_bad_input_naming_the_field(api_client, payload, field):
    response = api_client.post("/auth/register", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("username", ["taken", "TAKEN"])
def test_register_duplicate_username_is_400(api_client, username):
    UserFactory(username="taken")
    response = api_client.post("/auth/register", {"username": username, "password": "s3cret-pass-42"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_wrong_password_is_401(api_client, user):
    response = obtain(api_client, user.username, "wrong-password")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer not-a-jwt", "Token abc", "Bearer "],
)
def test_me_without_a_valid_token_is_401(api_client, header):
    if header is not None:
        api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/auth/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_expired_access_token_is_401(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-jwt_settings.ACCESS_TOKEN_LIFETIME)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/auth/me").status_code == 401


def test_reusing_a_spent_refresh_token_revokes_its_whole_login(api_client, user):
    first = obtain(api_client, user.username).json()
    rotated = api_client.post("/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != first["refresh"]

    reused = api_client.post("/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401

    # The reuse marks the login as stolen: the token rotated from it stops working too (OAuth 2.1 rotation).
    again = api_client.post("/auth/token/refresh", {"refresh": rotated.json()["refresh"]}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"


def test_a_revoked_login_leaves_the_users_other_logins_alone(api_client, user):
    stolen, other = obtain(api_client, user.username).json(), obtain(api_client, user.username).json()
    api_client.post("/auth/token/refresh", {"refresh": stolen["refresh"]}, format="json")
    api_client.post("/auth/token/refresh", {"refresh": stolen["refresh"]}, format="json")  # reuse
    assert api_client.post("/auth/token/refresh", {"refresh": other["refresh"]}, format="json").status_code == 200
    assert obtain(api_client, user.username).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_spent_by_eight_requests_at_once_succeeds_once(user):
    refresh = obtain(APIClient(), user.username).json()["refresh"]

    def spend() -> int:
        return APIClient().post("/auth/token/refresh", {"refresh": refresh}, format="json").status_code

    statuses = run_in_threads(*[spend] * 8)
    assert sorted(statuses) == [200] + [401] * 7


def test_logout_blacklists_the_refresh_token(api_client, user):
    tokens = obtain(api_client, user.username).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.post("/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 204

    refused = api_client.post("/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401


@pytest.mark.parametrize("refresh", ["", "garbage"])
def test_logout_with_a_bad_refresh_is_400(auth_client, refresh):
    response = auth_client.post("/auth/logout", {"refresh": refresh}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_logout_refuses_another_users_refresh(api_client, user):
    other = UserFactory()
    others_refresh = obtain(api_client, other.username).json()["refresh"]
    mine = obtain(api_client, user.username).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")
    response = api_client.post("/auth/logout", {"refresh": others_refresh}, format="json")
    assert response.status_code == 400
    assert api_client.post("/auth/token/refresh", {"refresh": others_refresh}, format="json").status_code == 200


def test_logout_requires_authentication(api_client):
    assert api_client.post("/auth/logout", {"refresh": "x"}, format="json").status_code == 401


@override_settings(AUTH_THROTTLE_RATE="3/min")
@pytest.mark.parametrize("path", ["/auth/token", "/auth/register"])
def test_credential_endpoints_are_throttled_per_ip(api_client, user, path):
    payload = {"username": user.username, "password": "wrong-password"}
    statuses = [api_client.post(path, payload, format="json", REMOTE_ADDR="10.9.8.7").status_code for _ in range(4)]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    other_ip = api_client.post(path, payload, format="json", REMOTE_ADDR="10.9.8.8")
    assert other_ip.status_code != 429


@override_settings(AUTH_THROTTLE_RATE="3/min")
def test_made_up_forwarded_addresses_do_not_escape_the_throttle(api_client, user):
    payload = {"username": user.username, "password": "wrong-password"}
    statuses = [
        api_client.post(
            "/auth/token", payload, format="json", REMOTE_ADDR="10.9.8.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{guess}"
        ).status_code
        for guess in range(40)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert set(statuses[3:]) == {429}


def test_behind_one_proxy_the_forwarded_client_address_is_used(api_client, user, settings):
    settings.AUTH_THROTTLE_RATE = "2/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    payload = {"username": user.username, "password": "wrong-password"}

    def attempt(client_address: str) -> int:
        return api_client.post(
            "/auth/token", payload, format="json", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=client_address
        ).status_code

    assert [attempt("198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.2") == 401  # another client behind the same nginx


@pytest.mark.parametrize("look_alike", ["ＤＥＭＯ", "Demo", "ＤＥＭo", "DEMO"])
def test_look_alike_usernames_cannot_register_next_to_an_existing_one(api_client, look_alike):
    UserFactory(username="demo")
    response = api_client.post(
        "/auth/register", {"username": look_alike, "password": "a-long-pass-phrase-42"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}

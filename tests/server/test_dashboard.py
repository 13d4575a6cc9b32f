"""The dashboard over HTTP in process: sessions, CSRF, permissions, contexts, pages, paging.

What a browser does with the pages (scripts, live updates) is in test_dashboard_browser.py.
"""

from __future__ import annotations

import pickle
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from assay.orm.run import Run
from assay.registry import Registry
from assay.server.dashboard.session import PAGE_PERMISSIONS
from assay.server.tokens import create_token, revoke_token
from assay.store import transaction
from tests.server.conftest import shared_app
from tests.server.experiments import make_experiment


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def messages(html: str) -> list[str]:
    """The messages a page shows, as the user reads them."""
    return [unescape(text) for text in re.findall(r'role="(?:status|alert)">(.*?)<', html)]


def log_in(client: TestClient, role: str = "admin", context: str = "default") -> str:
    """Log in with a new token; the session's CSRF token."""
    token = create_token(f"{role}-user", context, role).secret
    page = client.post("/login", data={"token": token, "csrf": csrf_of(client.get("/login").text)})
    assert page.status_code == 200 and f"Logged in as {role}-user" in page.text
    return csrf_of(page.text)


@pytest.fixture
def browser() -> TestClient:
    """A client that keeps cookies, as a browser does."""
    with TestClient(shared_app()) as client:
        yield client


def test_pages_need_a_login_and_send_the_browser_back_after_it(browser):
    page = browser.get("/queues?offset=0")
    assert page.url.path == "/login" and "next=/queues%3Foffset%3D0" in str(page.url)
    token = create_token("ada", "default", "viewer").secret
    after = browser.post(
        "/login", data={"token": token, "csrf": csrf_of(page.text), "next": "/queues?offset=0"}
    )
    assert after.url.path == "/queues" and "<h1>Queues</h1>" in after.text


def test_the_session_cookie_is_signed_httponly_and_strict(browser):
    token = create_token("ada", "default", "viewer").secret
    response = browser.post(
        "/login",
        data={"token": token, "csrf": csrf_of(browser.get("/login").text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "assay_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert token not in response.headers["set-cookie"]
    # a cookie changed by hand is not accepted
    value = browser.cookies["assay_session"]
    browser.cookies.set("assay_session", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert browser.get("/models").url.path == "/login"


def test_a_wrong_token_or_csrf_does_not_log_in(browser):
    form = browser.get("/login")
    wrong = browser.post("/login", data={"token": "assay_nope", "csrf": csrf_of(form.text)})
    assert wrong.status_code == 401 and "the token is unknown" in wrong.text
    token = create_token("ada", "default", "viewer").secret
    no_csrf = browser.post("/login", data={"token": token, "csrf": "forged"})
    assert no_csrf.status_code == 403
    assert browser.get("/models").url.path == "/login"


def test_every_form_needs_the_csrf_token(browser):
    csrf = log_in(browser)
    for sent in ({}, {"csrf": "forged"}):
        page = browser.post("/models", data={"name": "churn", **sent})
        assert "CSRF token is missing or stale" in " ".join(messages(page.text))
    assert Registry().models() == []
    page = browser.post("/models", data={"name": "churn", "csrf": csrf})
    assert "Model churn created." in messages(page.text)


def test_logout_ends_the_session_and_a_revoked_token_ends_it_too(browser):
    csrf = log_in(browser, "viewer")
    copied = dict(browser.cookies)
    assert browser.post("/logout", data={"csrf": csrf}).url.path == "/login"
    assert browser.get("/models").url.path == "/login"
    # The cookie is signed, not stored: a copy kept from before the log-out is refused too.
    browser.cookies.clear()
    browser.cookies.update(copied)
    assert browser.get("/models").url.path == "/login"

    token = create_token("rob", "default", "viewer")
    browser.post(
        "/login", data={"token": token.secret, "csrf": csrf_of(browser.get("/login").text)}
    )
    assert browser.get("/models").url.path == "/models"
    revoke_token(token.row.id)
    assert browser.get("/models").url.path == "/login"


def test_logging_in_goes_on_to_a_page_of_this_site_only(browser):
    csrf = csrf_of(browser.get("/login").text)
    token = create_token("ann", "default", "viewer")
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/"):
        page = browser.post("/login", data={"token": token.secret, "csrf": csrf, "next": target})
        assert page.url.path == "/models" and page.url.host == "testserver", target
        csrf = csrf_of(browser.get("/login").text)


def test_a_role_sees_only_what_it_may_do(browser):
    model = Registry().create_model("churn")
    model.create_version(description="v1")
    csrf = log_in(browser, "viewer")
    page = browser.get(f"/models/{model.id}")
    assert page.status_code == 200
    for control in ('id="new-version-tab"', 'id="edit-version"', 'id="publish"', ">Delete<"):
        assert control not in page.text
    assert 'id="create-model"' not in browser.get("/models").text
    refused = browser.post("/models", data={"name": "other", "csrf": csrf})
    assert "does not grant 'model:edit'" in " ".join(messages(refused.text))
    assert browser.get(f"/models/{model.id}/delete").status_code == 403
    published = browser.post(f"/models/{model.id}/versions/1/publish", data={"csrf": csrf})
    assert "does not grant 'model:publish'" in " ".join(messages(published.text))
    assert not Registry().model("churn").version(1).is_published


def test_another_context_sees_nothing_of_this_one(browser):
    made = make_experiment()
    log_in(browser, "admin", context="other")
    assert browser.get(f"/models/{made.model_id}").status_code == 404
    assert "iris" not in browser.get("/models").text
    for url in (
        f"/queues/{made.queue_id}",
        f"/runs/{made.run_id}",
        f"/predictions/{made.prediction_id}",
        f"/datasets/{made.dataset_id}",
    ):
        assert browser.get(url).status_code == 404, url
    assert "No queues." in browser.get("/queues").text


def test_models_list_searches_filters_and_sorts(browser):
    registry = Registry()
    for name, tags, versions in (
        ("beta", "tabular", 1),
        ("alpha", "text", 3),
        ("gamma", "tabular", 2),
    ):
        model = registry.create_model(name, tags=tags)
        for _ in range(versions):
            model.create_version()
    log_in(browser, "viewer")

    def listed(query: str) -> list[str]:
        page = browser.get(f"/models?{query}")
        return re.findall(r'<td><a href="/models/\d+">(.*?)</a></td>', page.text)

    assert listed("") == ["alpha", "beta", "gamma"]
    assert listed("sort=versions&order=desc") == ["alpha", "gamma", "beta"]
    assert listed("sort=name&order=desc&tag=tabular") == ["gamma", "beta"]
    assert listed("search=AM") == ["gamma"]
    assert browser.get("/models?sort=size").status_code == 400


def test_version_numbers_stay_and_a_published_version_refuses_changes(browser):
    csrf = log_in(browser)
    model = Registry().create_model("churn")
    for description in ("one", "two", "three"):
        page = browser.post(
            f"/models/{model.id}/versions",
            data={"csrf": csrf, "description": description, "config": '{"threshold": 0.5}'},
            files={"file": ("model.pkl", pickle.dumps([1, 2]))},
        )
    assert "Version 3 created." in messages(page.text)
    bad = browser.post(f"/models/{model.id}/versions", data={"csrf": csrf, "config": "{oops"})
    assert "config must be JSON" in " ".join(messages(bad.text))
    browser.post(f"/models/{model.id}/versions/2/delete", data={"csrf": csrf})
    page = browser.get(f"/models/{model.id}")
    assert re.search(r'id="version-numbers">(.*?)<', page.text).group(1) == "1, 3"

    browser.post(f"/models/{model.id}/versions/1/publish", data={"csrf": csrf})
    for url, data in (
        (f"/models/{model.id}/versions/1/edit", {"description": "changed"}),
        (f"/models/{model.id}/versions/1/formats/pkl/delete", {}),
    ):
        page = browser.post(url, data={"csrf": csrf, **data})
        assert "is published" in " ".join(messages(page.text)), url
    version = Registry().model("churn").version(1)
    assert version.description == "one" and [f.format_id for f in version.formats] == ["pkl"]
    download = browser.get(f"/models/{model.id}/versions/1/formats/pkl")
    assert download.content == pickle.dumps([1, 2]) and download.headers["x-assay-sha256"]


def test_the_runs_page_is_paged(browser):
    made = make_experiment()
    job_id = Run.get_by_id(made.run_id).job_id
    with transaction() as db:
        rows = [
            {"queue_id": made.queue_id, "job_id": job_id, "repeat_index": index}
            for index in range(1, 120)
        ]
        db.execute(insert(Run), rows)
    log_in(browser, "viewer")
    page = browser.get(f"/queues/{made.queue_id}?offset=100")
    assert "101\N{EN DASH}120 of 120" in page.text
    assert page.text.count("<tr data-run=") == 20
    live = browser.get(f"/queues/{made.queue_id}/live?offset=100").json()
    assert live["total"] == 120 and len(live["runs"]) == 20
    assert {run["status"] for run in live["runs"]} == {"queued"}


def test_every_dashboard_page_has_a_permission():
    from assay.server.dashboard import PUBLIC, ROUTERS

    pages = {
        (method, route.path)
        for pages in ROUTERS
        for route in pages.routes
        for method in route.methods
        if route.path not in PUBLIC
    }
    assert pages == set(PAGE_PERMISSIONS)

"""Hosts sign up, sign in, sign out and reset their password."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from organizer.db import db
from organizer.models import Host, PasswordReset, utcnow

from .conftest import PASSWORD, body_text, csrf_token, outbox, post, signin, signup


def test_a_host_signs_up_and_lands_on_the_dashboard(client):
    response = signup(client)
    assert response.location.endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "New coffee chat" in page
    host = db.session.scalar(select(Host))
    assert host.email == "ana@example.org" and host.timezone == "Europe/Berlin"
    assert host.password_hash != PASSWORD and PASSWORD not in host.password_hash


def test_short_and_common_passwords_are_refused(client):
    for password, message in [("short1", "at least 8 characters"),
                              ("password123", "most common"), ("qwertyuiop", "most common")]:
        response = post(client, "/signup", {"name": "Ana", "email": "ana@example.org",
                                            "password": password, "timezone": "UTC"})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Host)) is None


def test_the_same_email_cannot_sign_up_twice(client):
    signup(client)
    other = client.application.test_client()
    response = post(other, "/signup", {"name": "Ana 2", "email": "ANA@example.org",
                                       "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    signup(client)
    fresh = client.application.test_client()
    response = signin(fresh, password="wrong password here")
    assert response.status_code == 401
    assert "don&#39;t match an account" in response.get_data(as_text=True)
    assert fresh.get("/dashboard").status_code == 302


def test_sign_out_ends_the_session_even_for_a_copied_cookie(client):
    signup(client)
    stolen = client.get_cookie("session").value
    response = post(client, "/signout", page="/dashboard")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
    thief = client.application.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302


def test_sign_in_is_rate_limited(app_factory):
    app = app_factory(SIGNIN_RATE_LIMIT="5 per minute")
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client)
        codes = [client.post("/signin", data={"csrf_token": token, "email": "x@example.org",
                                              "password": "nope nope"}).status_code
                 for _ in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


def test_password_reset_by_mail_works_once(app, client):
    signup(client)
    post(client, "/signout", page="/dashboard")
    response = post(client, "/reset", {"email": "ana@example.org"})
    assert response.status_code == 302
    messages = outbox(app)
    assert len(messages) == 1
    assert messages[0]["To"] == "ana@example.org"
    path = re.search(r"https?://[^/]+(/reset/[A-Za-z0-9_\-]+)", body_text(messages[0])).group(1)
    new_password = "a much better passphrase"
    response = post(client, path, {"password": new_password, "confirm": new_password}, page=path)
    assert response.status_code == 302
    fresh = app.test_client()
    assert signin(fresh, password=new_password).status_code == 302
    assert signin(app.test_client(), password=PASSWORD).status_code == 401
    again = app.test_client()
    response = again.get(path)
    assert response.status_code == 400 and "already used" in response.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(app, client):
    signup(client)
    post(client, "/reset", {"email": "ana@example.org"})
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    path = re.search(r"(/reset/[A-Za-z0-9_\-]+)", body_text(outbox(app)[0])).group(1)
    assert client.get(path).status_code == 400


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(app, client):
    response = post(client, "/reset", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox(app) == []


def test_session_cookie_is_httponly_and_samesite_and_secure_over_https(client):
    response = signup(client)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = client.application.test_client()
    token = csrf_token(secure, "https://organizer.test/signin")
    response = secure.post("https://organizer.test/signin", data={
        "csrf_token": token, "email": "ana@example.org", "password": PASSWORD},
        headers={"Referer": "https://organizer.test/signin"})
    assert response.status_code == 302
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in cookie


def test_pages_send_a_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_form_without_its_csrf_token_is_refused(client):
    response = client.post("/signup", data={"name": "Ana", "email": "ana@example.org",
                                             "password": PASSWORD, "timezone": "UTC"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Host)) is None


def test_sign_in_redirects_only_to_local_pages(client):
    signup(client)
    post(client, "/signout", page="/dashboard")
    token = csrf_token(client)
    response = client.post("/signin?next=//evil.example/", data={
        "csrf_token": token, "email": "ana@example.org", "password": PASSWORD})
    assert response.location == "/dashboard"


def test_sign_in_never_redirects_to_another_site(client):
    signup(client)
    post(client, "/signout", page="/dashboard")
    for target in ("/%09/evil.example", "/\\evil.example", "https://evil.example/",
                   "/\t/evil.example", "//evil.example"):
        token = csrf_token(client)
        response = client.post("/signin?next=" + target.replace("\t", "%09"), data={
            "csrf_token": token, "email": "ana@example.org", "password": PASSWORD})
        assert response.location == "/dashboard", target
        post(client, "/signout", page="/dashboard")


def test_the_due_work_command_deletes_used_and_expired_reset_links(app, client):
    from sqlalchemy import func, select

    from organizer import tick
    signup(client)
    for _ in range(3):
        post(client, "/reset", {"email": "ana@example.org"})
    first, second, third = db.session.scalars(select(PasswordReset).order_by(
        PasswordReset.id)).all()
    first.expires_at = utcnow() - timedelta(minutes=1)
    second.used_at = utcnow()
    db.session.commit()
    assert tick.run()["old_reset_links"] == 2
    assert db.session.scalars(select(PasswordReset.id)).all() == [third.id]
    path = re.search(r"(/reset/[A-Za-z0-9_\-]+)", body_text(outbox(app)[2])).group(1)
    assert client.get(path).status_code == 200  # the link still valid works
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 1


def test_a_password_reset_ends_every_other_reset_link_of_the_account(app, client):
    signup(client)
    post(client, "/signout", page="/dashboard")
    post(client, "/reset", {"email": "ana@example.org"})
    post(client, "/reset", {"email": "ana@example.org"})
    first, second = (re.search(r"(/reset/[A-Za-z0-9_\-]+)", body_text(m)).group(1)
                     for m in outbox(app))
    new_password = "a much better passphrase"
    response = post(client, second, {"password": new_password, "confirm": new_password},
                    page=second)
    assert response.status_code == 302
    # The older link, still unused and unexpired, no longer works either.
    response = app.test_client().get(first)
    assert response.status_code == 400 and "already used" in response.get_data(as_text=True)


def test_pages_reached_by_a_private_link_are_never_cached(app, client):
    from .rsvp.helpers import make_event, person, rsvp
    signup(client)
    event = make_event(client, capacity="5")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    ben = person(event, "ben@example.org")
    private = app.test_client().get(f"/rsvp/{ben.token}")
    assert private.status_code == 200
    assert private.headers["Cache-Control"] == "private, no-store"
    public = app.test_client().get(f"/e/{event.slug}")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_https_base_url_turns_on_strict_transport_security(app_factory):
    secure = app_factory(BASE_URL="https://meet.example.org")
    plain = app_factory(BASE_URL="http://127.0.0.1:5000")
    assert secure.test_client().get("/").headers["Strict-Transport-Security"].startswith(
        "max-age=")
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(app_factory):
    def attempts(app, forwarded_for):
        client = app.test_client()
        token = csrf_token(client)
        return [client.post("/signin", headers={"X-Forwarded-For": ip}, data={
            "csrf_token": token, "email": "x@example.org", "password": "nope nope"}).status_code
            for ip in forwarded_for]

    # Nobody vouches for the header: a client cannot dodge the limit by inventing addresses.
    exposed = app_factory(SIGNIN_RATE_LIMIT="3 per minute")
    assert attempts(exposed, [f"10.0.0.{n}" for n in range(5)]).count(429) == 2
    # Behind one proxy that sets it, people behind it are counted apart.
    proxied = app_factory(SIGNIN_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=1,
                          RATELIMIT_STORAGE_URI="memory://")
    assert 429 not in attempts(proxied, [f"10.0.1.{n}" for n in range(5)])

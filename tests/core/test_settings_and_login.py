"""Production settings refuse to start unsafe; logins are throttled; languages are negotiated."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def run_check(env_overrides, *args, tmp_path=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.pop("PYTEST_CURRENT_TEST", None)
    # A private SQLite file: the checks must not depend on a development database in use.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path or '/tmp'}/check-{os.getpid()}.sqlite3"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_check({"DEBUG": "0", "ALLOWED_HOSTS": "crm.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = run_check({"DEBUG": "0", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_check(
        {"DEBUG": "0", "SECRET_KEY": "k3y-" + "abcdefghij" * 6, "ALLOWED_HOSTS": "crm.example.com"},
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_uses_wal_and_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, users):
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "pm", "password": "wrong"})
        assert response.status_code == 200
    # The failure that reaches the limit locks the pair out...
    response = client.post(url, {"username": "pm", "password": "wrong"})
    assert response.status_code == 429
    # ...and then even the right password is refused.
    response = client.post(url, {"username": "pm", "password": "pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_works_and_redirects_home(client, users):
    response = client.post(reverse("login"), {"username": "viewer", "password": "pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["viewer"].pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected", "text"),
    [("zh-CN,zh;q=0.9", "zh-hans", "登录"), ("zh-TW,zh;q=0.9", "zh-hant", "登入"), ("en-US", "en", "Log in")],
)
def test_it_respects_the_browsers_language(client, accept, expected, text):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert f'lang="{expected}"' in response.content.decode()
    assert text in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_sets_the_language(client, users):
    client.force_login(users["pm"])
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("home") + "?all=1")
    assert 'lang="zh-hant"' in page.content.decode()

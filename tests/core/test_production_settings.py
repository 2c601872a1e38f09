"""A production start (no OPORA_DEBUG): its own secret key or no start, HTTPS settings on
by default, and ``check --deploy`` clean with the environment docs/operations.md documents.

Each test starts a child process with a clean environment: the settings are read once,
at import."""

import json
import re
import sys

import pytest

from tests.core.processes import KEY, OPORA, ROOT, run


def documented_production_environment() -> dict[str, str]:
    """The variables of the «Production environment» block of docs/operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    block = re.search(r"### Production environment\n.*?```sh\n(.*?)```", text, re.S).group(1)
    return dict(re.findall(r"^([A-Z_]+)=(\S*)", block, re.M))


def test_without_a_secret_key_outside_debug_mode_opora_commands_refuse_to_start(tmp_path):
    result = run([*OPORA, "check", "--deploy"], tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("opora: OPORA_SECRET_KEY is not set. Outside debug mode Opora needs "
                                    "a secret key of its own")
    assert "Traceback" not in result.stderr


def test_without_a_secret_key_the_wsgi_application_does_not_load(tmp_path):
    # what gunicorn imports
    result = run([sys.executable, "-c", "import opora.wsgi"], tmp_path, OPORA_DEBUG="false")

    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: OPORA_SECRET_KEY is not set." in result.stderr


def test_the_demo_runs_in_debug_mode_with_nothing_else_set(tmp_path):
    result = run([*OPORA, "check"], tmp_path, OPORA_DEBUG="true")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_the_secret_key_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(KEY + "\n", encoding="utf-8")

    result = run([sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
                 tmp_path, DJANGO_SETTINGS_MODULE="opora.settings", OPORA_SECRET_KEY_FILE=str(secret))

    assert (result.returncode, result.stdout) == (0, KEY + "\n")


SHOW = ("from django.conf import settings as s; import json; print(json.dumps({"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'proxy_ssl_header': s.SECURE_PROXY_SSL_HEADER, "
        "'secure_cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]}))")


def settings_shown(tmp_path, **env):
    result = run([sys.executable, "-c", SHOW], tmp_path, DJANGO_SETTINGS_MODULE="opora.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_settings_are_on_by_default_outside_debug_mode(tmp_path):
    assert settings_shown(tmp_path, OPORA_SECRET_KEY=KEY) == {
        "ssl_redirect": True, "hsts": 31_536_000, "subdomains": True,
        "proxy_ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"], "secure_cookies": [True, True]}


def test_https_settings_are_off_in_debug_mode(tmp_path):
    assert settings_shown(tmp_path, OPORA_DEBUG="true") == {
        "ssl_redirect": False, "hsts": 0, "subdomains": True, "proxy_ssl_header": None,
        "secure_cookies": [False, False]}


def test_each_https_setting_can_be_changed_from_the_environment(tmp_path):
    assert settings_shown(tmp_path, OPORA_SECRET_KEY=KEY, OPORA_SSL_REDIRECT="false", OPORA_HSTS_SECONDS="600",
                          OPORA_HSTS_INCLUDE_SUBDOMAINS="false", OPORA_PROXY_SSL_HEADER="X-Scheme",
                          OPORA_SECURE_COOKIES="false") == {
        "ssl_redirect": False, "hsts": 600, "subdomains": False, "proxy_ssl_header": ["HTTP_X_SCHEME", "https"],
        "secure_cookies": [False, False]}
    assert settings_shown(tmp_path, OPORA_SECRET_KEY=KEY, OPORA_PROXY_SSL_HEADER="")["proxy_ssl_header"] is None


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = documented_production_environment()
    assert {"OPORA_SECRET_KEY_FILE", "OPORA_ALLOWED_HOSTS", "OPORA_CLIENT_IP_HEADER", "DATABASE_URL"} <= set(env)
    secret = tmp_path / "secret_key"
    secret.write_text(KEY, encoding="utf-8")
    env.update(OPORA_SECRET_KEY_FILE=str(secret), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    result = run([*OPORA, "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (1 silenced).\n"


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_number_of_trusted_proxies_stops_the_start(tmp_path, value):
    result = run([*OPORA, "check"], tmp_path, OPORA_DEBUG="true", OPORA_TRUSTED_PROXIES=value)

    assert result.returncode == 1
    assert result.stderr.startswith("opora: OPORA_TRUSTED_PROXIES must be")


LOG_FORMAT = ("import json, django; from django.conf import settings as s; django.setup(); "
              "print(json.dumps(s.LOGGING['handlers']['console']['formatter']))")


@pytest.mark.parametrize(("env", "expected"), [
    ({"OPORA_SECRET_KEY": KEY}, "json"),
    ({"OPORA_DEBUG": "true"}, "text"),
    ({"OPORA_SECRET_KEY": KEY, "OPORA_LOG_FORMAT": "text"}, "text"),
    ({"OPORA_DEBUG": "true", "OPORA_LOG_FORMAT": "json"}, "json"),
], ids=["production", "demo", "production as text", "demo as json"])
def test_logs_are_json_lines_in_production_and_text_in_the_demo(tmp_path, env, expected):
    result = run([sys.executable, "-c", LOG_FORMAT], tmp_path, DJANGO_SETTINGS_MODULE="opora.settings", **env)

    assert (result.returncode, result.stderr, json.loads(result.stdout)) == (0, "", expected)


def test_an_unknown_log_format_stops_the_start(tmp_path):
    result = run([*OPORA, "check"], tmp_path, OPORA_DEBUG="true", OPORA_LOG_FORMAT="xml")

    assert result.returncode == 1
    assert "OPORA_LOG_FORMAT must be json or text" in result.stderr

"""Settings from the environment are parsed strictly; secrets may come from files."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from opora.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize("raw", ["true", "True", "TRUE", " true ", "1", "yes", "on"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("OPORA_FLAG", raw)

    assert env_bool("OPORA_FLAG", False) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "off"])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("OPORA_FLAG", raw)

    assert env_bool("OPORA_FLAG", True) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "да"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("OPORA_FLAG", raw)

    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("OPORA_FLAG", False)
    assert str(error.value) == f"OPORA_FLAG must be true or false, got {raw!r}."


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_takes_the_default(monkeypatch, default):
    monkeypatch.delenv("OPORA_FLAG", raising=False)
    assert env_bool("OPORA_FLAG", default) is default

    monkeypatch.setenv("OPORA_FLAG", "")
    assert env_bool("OPORA_FLAG", default) is default


def test_env_str_reads_the_variable_or_the_default(monkeypatch):
    monkeypatch.delenv("OPORA_NAME", raising=False)
    monkeypatch.delenv("OPORA_NAME_FILE", raising=False)
    assert env_str("OPORA_NAME", "по умолчанию") == "по умолчанию"

    monkeypatch.setenv("OPORA_NAME", "Тестовая область")
    assert env_str("OPORA_NAME", "по умолчанию") == "Тестовая область"


def test_file_variant_reads_the_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t-from-file\n", encoding="utf-8")
    monkeypatch.setenv("OPORA_SECRET_KEY", "from-the-variable")
    monkeypatch.setenv("OPORA_SECRET_KEY_FILE", str(secret))

    # the file wins and its trailing newline is dropped
    assert env_str("OPORA_SECRET_KEY", "") == "s3cr3t-from-file"


def test_unreadable_file_stops_the_start_naming_the_variable(monkeypatch, tmp_path):
    missing = tmp_path / "absent"
    monkeypatch.setenv("OPORA_SECRET_KEY_FILE", str(missing))

    with pytest.raises(ImproperlyConfigured, match=r"^OPORA_SECRET_KEY_FILE: cannot read "):
        env_str("OPORA_SECRET_KEY", "")


def test_env_int(monkeypatch):
    monkeypatch.setenv("OPORA_PAGE_SIZE", "50")
    assert env_int("OPORA_PAGE_SIZE", 25) == 50

    monkeypatch.setenv("OPORA_PAGE_SIZE", "fifty")
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("OPORA_PAGE_SIZE", 25)
    assert str(error.value) == "OPORA_PAGE_SIZE must be a whole number, got 'fifty'."

    monkeypatch.setenv("OPORA_PAGE_SIZE", "")
    assert env_int("OPORA_PAGE_SIZE", 25) == 25


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("OPORA_ALLOWED_HOSTS", " opora.example.org, ,www.opora.example.org,")
    assert env_list("OPORA_ALLOWED_HOSTS", []) == ["opora.example.org", "www.opora.example.org"]

    monkeypatch.setenv("OPORA_ALLOWED_HOSTS", "  ")
    assert env_list("OPORA_ALLOWED_HOSTS", ["localhost"]) == ["localhost"]

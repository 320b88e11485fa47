"""RAG_AUTH: one user:password pair, or a file of them, parsed for Gradio's launch(auth=...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.web.auth import parse_auth
from tests.helpers import write


def test_no_auth_means_none() -> None:
    assert parse_auth("") is None
    assert parse_auth("   ") is None


def test_single_pair_keeps_colons_in_the_password() -> None:
    assert parse_auth("ana:s3cret:with:colons") == [("ana", "s3cret:with:colons")]


def test_file_of_pairs_skips_blanks_and_comments(tmp_path: Path) -> None:
    path = write(tmp_path, "users.txt", "# editors\nana:one\n\n  bo:two  \n")
    assert parse_auth(str(path)) == [("ana", "one"), ("bo", "two")]


@pytest.mark.parametrize("value", ["no-colon-here", ":password", "user:"])
def test_malformed_value_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="RAG_AUTH"):
        parse_auth(value)


def test_malformed_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "users.txt", "ana:one\nbroken\n")
    with pytest.raises(ConfigError, match=rf"{path} line 2: expected 'user:password'"):
        parse_auth(str(path))


def test_file_without_pairs_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "users.txt", "# nobody yet\n")
    with pytest.raises(ConfigError, match="holds no 'user:password' line"):
        parse_auth(str(path))


def test_a_login_line_may_limit_its_user_to_collections(tmp_path: Path) -> None:
    from rag.web.auth import parse_access

    logins = tmp_path / "logins.txt"
    logins.write_text("root:toor\nann:pw:with:colons collections=haiti, sudan/\n# bob:x collections=none\n", encoding="utf-8")
    assert parse_auth(str(logins)) == [("root", "toor"), ("ann", "pw:with:colons")]  # the limit is no part of the password
    assert parse_access(str(logins)) == {"ann": ("haiti", "sudan")}  # root reaches everything
    assert parse_access("ann:pw collections=haiti") == {"ann": ("haiti",)} and parse_access("ann:pw") == {} and parse_access("") == {}
    for bad in ("../etc", "haiti/sub", ".hidden"):
        with pytest.raises(ConfigError, match="plain sub-folder names"):
            parse_access(f"ann:pw collections={bad}")

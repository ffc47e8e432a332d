"""`--hub-credentials FILE` (user, password, CA): a bad file is one line naming file, line, fault."""

from __future__ import annotations

import argparse
import re
import stat
import tempfile
from pathlib import Path

import pytest
import trustme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import build_parser, main
from cli.seats import hub_credentials


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def write(directory: Path, text: str | bytes, name: str = "seat.toml") -> Path:
    path = directory / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What the command said on refusing `argv` (argparse exits 2; a command's own check returns 2)."""
    code: object
    try:
        code = main(argv)
    except SystemExit as stopped:
        code = stopped.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_a_credentials_file_names_the_seat_and_the_ca_beside_it(tmp_path: Path, ca_file: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_bytes(ca_file.read_bytes())
    path = write(tmp_path, 'user = "east-1"\npassword = "s3cret \\"quoted\\""\nca = "certs/ca.pem"\n')
    args = build_parser().parse_args(
        ["--hub", "tls://a:4222", "--seat", "east-1", "--hub-credentials", str(path)]
    )
    credentials = args.hub_credentials
    assert (credentials.user, credentials.password) == ("east-1", 's3cret "quoted"')
    assert credentials.ca == tmp_path / "certs" / "ca.pem"  # relative to the file, not the shell
    assert credentials.tls
    assert credentials.ssl_context() is not None
    assert "s3cret" not in repr(credentials)  # never in a log line


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('user = "a"\npassword = "b"\nca = "missing.pem"\n', "line 3: ca .*missing.pem: no such file"),
        ('user = "a"\n\npassword = 5\n', "line 3: password must be a quoted text"),
        ('user = "a"\npassword = "b"\nport = "1"\n', "line 3: unknown key 'port'"),
        ('user = "a"\n', 'no password = "…"'),
        ('user = "a b"\npassword = "x"\n', "line 1: user must be 1 to 64 letters, digits"),
        ('user = "a"\npassword = "x\\ny"\n', "line 2: password must be a non-empty text"),
        ('user = "a"\npassword = "b"\ncert = "ca.pem"\n', "line 3: cert and key go together"),
        ('user = "a"\npassword = "b\n', "line 2: not TOML"),
        (
            'user = "a"\npassword = "b"\nca = "not-pem.txt"\n',
            "line 3: ca .*not-pem.txt: not a usable PEM file",
        ),
    ],
)
def test_a_bad_credentials_file_is_one_line_naming_the_line(
    tmp_path: Path, ca_file: Path, text: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ca.pem").write_bytes(ca_file.read_bytes())
    (tmp_path / "not-pem.txt").write_text("hello\n")
    path = write(tmp_path, text)
    err = refusal(["seats", "follow", "--hub", "nats://a", "--seat", "w", "--db", "w.sqlite3",
                   "--hub-credentials", str(path)], capsys)  # fmt: skip
    assert str(path) in err
    assert re.search(said, err), err


def test_a_missing_or_binary_file_is_one_line_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refusal(
        ["--hub", "nats://a", "--seat", "s", "--hub-credentials", str(tmp_path / "none.toml")], capsys
    )
    assert "none.toml: cannot read it" in err
    binary = write(tmp_path, b'user = "a"\n\xff\xfe\n')
    err = refusal(["--hub", "nats://a", "--seat", "s", "--hub-credentials", str(binary)], capsys)
    assert "line 2: not UTF-8 text" in err
    err = refusal(["--hub-credentials", str(binary)], capsys)  # checked before it is read: the file is bad
    assert "line 2" in err


KEYS = st.sampled_from(["user", "password", "ca", "cert", "key", "port", "user.name", '"user"'])
VALUES = st.one_of(
    st.text(max_size=30).map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers().map(str),
    st.sampled_from(['"ca.pem"', '"../ca.pem"', "[1, 2]", "{ a = 1 }", "true", '"""x\ny"""', "'raw'"]),
    st.text(max_size=12),
)
LINES = st.one_of(st.tuples(KEYS, VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"), st.text(max_size=20))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, max_size=6), raw=st.binary(max_size=30), use_raw=st.booleans())
def test_any_file_is_credentials_or_one_precise_line(
    ca_file: Path, lines: list[str], raw: bytes, use_raw: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        (directory / "ca.pem").write_bytes(ca_file.read_bytes())
        path = write(directory, raw if use_raw else "\n".join(lines))
        try:
            credentials = hub_credentials(str(path))
        except argparse.ArgumentTypeError as error:
            message = str(error)
            assert message.startswith(f"{path}: ")
            assert "\n" not in message
            assert "Traceback" not in message
            assert re.match(
                r"(line \d+|at its end|no (user|password)|cannot read|larger)", message[len(str(path)) + 2 :]
            )
        else:
            assert credentials.user
            assert credentials.password
            assert credentials.ca in (None, directory / "ca.pem", directory / ".." / "ca.pem")


def test_hub_config_writes_private_credentials_and_refuses_to_replace_them(
    tmp_path: Path, ca_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = trustme.CA()
    issued = ca.issue_cert("hub.centre")
    issued.cert_chain_pems[0].write_to_path(str(tmp_path / "hub.pem"))
    issued.private_key_pem.write_to_path(str(tmp_path / "hub.key"))
    argv = [
        "seats", "hub-config", "--centre", "city", "--user", "console:east-1,east-2", "--user", "wall:wall-1",
        "--cert", str(tmp_path / "hub.pem"), "--key", str(tmp_path / "hub.key"), "--ca", str(ca_file),
        "--out", str(tmp_path / "out"), "--routes-tls",
    ]  # fmt: skip
    assert main(argv) == 0
    out = tmp_path / "out"
    passwords = set()
    for name in ("east-1", "east-2", "wall-1"):
        assert stat.S_IMODE((out / f"{name}.toml").stat().st_mode) == 0o600
        credentials = hub_credentials(str(out / f"{name}.toml"))
        assert credentials.user == name
        assert credentials.ca == out / "ca.pem"
        passwords.add(credentials.password)
        assert credentials.password not in (out / "hub.conf").read_text()  # only its hash is there
    assert len(passwords) == 3
    assert stat.S_IMODE((out / "hub.conf").stat().st_mode) == 0o600
    assert (out / "hub.conf").read_text().count("$2a$") == 3
    capsys.readouterr()
    err = refusal(argv, capsys)
    assert "already there" in err
    assert hub_credentials(str(out / "east-1.toml")).password in passwords  # not replaced


@pytest.mark.parametrize(
    ("users", "said"),
    [
        (["--user", "boss:a"], "expected [CENTRE:]console:NAME"),
        (["--user", "a:b:console:x"], "expected [CENTRE:]console:NAME"),
        (["--user", "dist.rict:console:x"], "a centre name is 1 to 64"),
        (["--user", "console:a,"], "a seat name is 1 to 64"),
        (["--user", "console:a", "--user", "wall:a"], "a user is named twice: a"),
    ],
)
def test_hub_config_refuses_bad_users(
    tmp_path: Path, ca_file: Path, users: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["seats", "hub-config", "--centre", "city", *users, "--cert", str(ca_file), "--key", str(ca_file),
            "--ca", str(ca_file), "--out", str(tmp_path / "out")]  # fmt: skip
    assert said in refusal(argv, capsys)
    assert not (tmp_path / "out").exists()


def test_a_file_name_with_a_line_break_stays_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = write(tmp_path, 'user = "a"\nuser.name = "b"\n', name="seat\nfile.toml")
    err = refusal(["--hub", "nats://a", "--seat", "s", "--hub-credentials", str(odd)], capsys)
    assert "seat\\nfile.toml" in err

"""`--hub … --seat NAME`: a mistake is one line on stderr and exit code 2, before any window or hub."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.main import build_parser, main
from cli.seats import hub_urls


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--hub", "http://a:4222", "--seat", "s1"], "expected nats://host:port"),
        (["--hub", "nats://a:4222,", "--seat", "s1"], "expected nats://host:port"),
        (["--hub", "nats://a:99999", "--seat", "s1"], "expected nats://host:port"),
        (["--hub", "nats://a b:4222", "--seat", "s1"], "expected nats://host:port"),
        (["--hub", "nats://a:4222"], "--hub needs --seat"),
        (["--seat", "s1"], "--seat goes with --hub"),
        (["--hub", "nats://a:4222", "--seat", "s.1"], "expected 1 to 64 letters"),
        (["--hub", "nats://a:4222", "--seat", "s1", "--centre", "a>b"], "expected 1 to 64 letters"),
        (["--hub", "nats://a:4222", "--seat", "w1", "--wall", "--parent", "c"], "a wall only follows"),
        (["--parent", "city"], "--parent goes with --hub"),
        (["--districts", "jiangan"], "--districts goes with --hub"),
        (["--hub", "nats://a:4222", "--seat", "s1", "--districts", "ja,"], "expected 1 to 64 letters"),
        (["--hub", "nats://a:4222", "--seat", "s1", "--parent", "a.b"], "expected 1 to 64 letters"),
        (["--hub", "nats://a", "--seat", "s1", "--centre", "c", "--parent", "c"], "not --centre itself"),
        (["--log-days", "7"], "--log-days goes with --hub"),
        (["--hub", "nats://a", "--seat", "s1", "--log-days", "0.5"], "expected days between 1 and 3650"),
        (["--hub", "nats://a", "--seat", "s1", "--log-days", "nan"], "expected days between 1 and 3650"),
        (["--hub", "nats://a", "--seat", "s1", "--log-days", "1e9"], "expected days between 1 and 3650"),
        (["--hub", "nats://a", "--seat", "w1", "--wall", "--log-days", "7"], "a wall only follows"),
    ],
)
def test_a_bad_hub_option_is_one_line_and_exit_2(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert said in err


def test_a_cluster_is_given_as_its_servers() -> None:
    args = build_parser().parse_args(
        ["--hub", "nats://a:4222, tls://10.0.0.2:4222,nats://b", "--seat", "east-1"]
    )
    assert args.hub == ("nats://a:4222", "tls://10.0.0.2:4222", "nats://b")
    assert (args.seat, args.centre) == ("east-1", "centre")
    assert build_parser().parse_args([]).hub is None  # without --hub: one local store, as ever
    district = ["--hub", "nats://a", "--seat", "ja-1", "--centre", "jiangan", "--parent", "city"]
    assert build_parser().parse_args(district).parent == "city"
    wall = build_parser().parse_args(["--wall", "--hub", "nats://a", "--seat", "wall-1", "--centre", "city"])
    assert (wall.wall, wall.seat, wall.centre) == (True, "wall-1", "city")  # a wall joins as a follower
    city = ["--hub", "nats://a", "--seat", "c-1", "--centre", "city", "--districts", "jiangan, wuchang"]
    assert build_parser().parse_args(city).districts == ("jiangan", "wuchang")
    kept = build_parser().parse_args(["--hub", "nats://a", "--seat", "c-1", "--log-days", "7.5"])
    assert kept.log_days == 7.5
    assert build_parser().parse_args(["--hub", "nats://a", "--seat", "c-1"]).log_days is None  # 30 days


@given(st.text(max_size=80))
def test_any_hub_text_is_a_list_of_urls_or_a_clear_refusal(text: str) -> None:
    refusal = ""
    urls: tuple[str, ...] = ()
    try:
        urls = hub_urls(text)
    except argparse.ArgumentTypeError as error:  # argparse turns it into one line
        refusal = str(error)
    if refusal:
        assert "expected nats://host:port" in refusal
    else:
        assert urls
        assert all(url.startswith(("nats://", "tls://")) and " " not in url for url in urls)

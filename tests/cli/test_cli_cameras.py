"""The command line's video options: a real cameras file for the wall (a mistake in it is one line with
the file and line, exit code 2) and the screenshot's choice of panel in front."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import build_parser

GOOD = """\
cameras:
  - id: gate-1
    name: 东门
    group: campus
    lon: 114.30
    lat: 30.60
    sub: rtsp://10.0.0.5/sub
    access: public
"""


def test_a_cameras_file_is_loaded_for_the_wall(tmp_path: Path) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text(GOOD, encoding="utf-8")
    args = build_parser().parse_args(["--cameras", str(path)])
    assert [camera.name for camera in args.cameras] == ["东门"]
    shot = build_parser().parse_args(
        ["screenshot", "--out", "x.png", "--tab", "wall", "--cameras", str(path)]
    )
    assert shot.tab == "wall"
    assert len(shot.cameras) == 1


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (GOOD.replace("lon: 114.30", "lon: 214.30"), 5, "outside -180..180"),
        (GOOD.replace("    sub: rtsp://10.0.0.5/sub\n", ""), 2, "missing required setting 'sub'"),
        (GOOD.replace("name: 东门", "name: [东门"), 4, "not valid YAML"),
    ],
)
def test_a_bad_cameras_file_is_one_line_with_its_line_number_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, says: str
) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["--cameras", str(path)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{path}:{line}:" in err
    assert says in err


def test_a_missing_cameras_file_and_an_unknown_tab_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["--cameras", str(tmp_path / "none.yaml")],
        ["screenshot", "--out", "x.png", "--tab", "radar"],
    ):
        with pytest.raises(SystemExit) as stopped:
            build_parser().parse_args(argv)
        assert stopped.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1

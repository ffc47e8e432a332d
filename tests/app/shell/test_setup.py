"""Setup on a bare Debian: scripts/system-packages installs what is missing as root, otherwise prints the one
apt-get line and stops `make run` before launching; its list covers every library Qt's xcb platform loads.

The script runs for real; only the system's dpkg-query, apt-get and id are stand-ins on PATH (a test cannot
uninstall packages nor become another user)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import PySide6
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "system-packages"
LIST = ROOT / "scripts" / "system-packages.txt"
QT = Path(PySide6.__file__).parent / "Qt"
# What Qt loads on a desktop: the widgets, the xcb platform and its GL integrations.
QT_LIBRARIES = (
    QT / "plugins" / "platforms" / "libqxcb.so",
    *sorted((QT / "plugins" / "xcbglintegrations").glob("*.so")),
    QT / "lib" / "libQt6XcbQpa.so.6",
    QT / "lib" / "libQt6Widgets.so.6",
    QT / "lib" / "libQt6Gui.so.6",
    QT / "lib" / "libQt6DBus.so.6",
    QT / "lib" / "libQt6Core.so.6",
)

FAKE_DPKG_QUERY = """#!/bin/sh
# Answers like dpkg-query -W for the packages named in $FAKE_INSTALLED (one "name status" a line).
shift 2
status=0
for name in "$@"; do
  line=$(grep "^$name[: ]" "$FAKE_INSTALLED" || true)
  if [ -n "$line" ]; then echo "$line"; continue; fi
  echo "dpkg-query: no packages found matching $name" >&2
  status=1
done
exit $status
"""
FAKE_APT_GET = """#!/bin/sh
echo "$*" >> "$FAKE_APT_LOG"
exit "${FAKE_APT_STATUS:-0}"
"""
FAKE_ID = """#!/bin/sh
echo "$FAKE_UID"
"""


def listed(group: str) -> list[str]:
    """The list as a reader of the file understands it: package, group, why; comments and blanks aside."""
    names = []
    for line in LIST.read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if fields and (fields[1] == "run" or group == "test"):
            names.append(fields[0])
    return names


@dataclass
class System:
    """A stand-in Debian: which packages are installed, who we are, and what apt-get was asked."""

    bin: Path
    installed: Path
    apt_log: Path
    uid: int = 1000
    apt_status: int = 0

    def install(self, *lines: str) -> None:
        self.installed.write_text("".join(f"{line}\n" for line in lines))

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "FAKE_INSTALLED": str(self.installed),
            "FAKE_APT_LOG": str(self.apt_log),
            "FAKE_APT_STATUS": str(self.apt_status),
            "FAKE_UID": str(self.uid),
            **extra,
        }

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env=self.env(**extra), capture_output=True, text=True, timeout=60
        )

    def run_make(self, target: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "-C", str(ROOT), target],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def apt_calls(self) -> list[str]:
        return self.apt_log.read_text().splitlines() if self.apt_log.exists() else []


def fake(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def system(tmp_path: Path) -> System:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake(bin_dir / "dpkg-query", FAKE_DPKG_QUERY)
    fake(bin_dir / "apt-get", FAKE_APT_GET)
    fake(bin_dir / "id", FAKE_ID)
    made = System(bin_dir, tmp_path / "installed", tmp_path / "apt.log")
    made.install()
    return made


def test_nothing_missing_means_no_word_and_no_apt_get(system: System) -> None:
    system.install(*(f"{name} installed" for name in listed("test")))
    for args in (["run"], ["test"], ["--warn", "test"]):
        done = system.run(*args)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert system.apt_calls() == []


def test_without_root_it_prints_the_one_apt_get_line_and_fails(system: System) -> None:
    present = {"fonts-noto-cjk", "libgl1"}
    system.install(*(f"{name} installed" for name in present), "libxcb-icccm4 config-files")
    done = system.run("run")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "apt-get" in line]
    # One line, to copy as it is, naming what is missing in the list's order; a package removed with its
    # configuration left behind is missing too.
    assert lines == ["sudo apt-get install " + " ".join(n for n in listed("run") if n not in present)]
    assert "libxcb-icccm4" in lines[0]
    assert system.apt_calls() == []


def test_warn_says_the_same_line_and_lets_make_test_go_on(system: System) -> None:
    done = system.run("--warn", "test")
    assert done.returncode == 0
    assert "sudo apt-get install " + " ".join(listed("test")) in done.stderr.splitlines()


def test_as_root_it_installs_only_what_is_missing(system: System) -> None:
    system.uid = 0
    # dpkg-query names a package with its architecture on a multi-arch system.
    system.install(*(f"{name}:amd64 installed" for name in listed("test") if name != "xdotool"))
    done = system.run("test")
    assert done.returncode == 0, done.stderr
    assert system.apt_calls() == ["update -qq", "install -y -qq --no-install-recommends xdotool"]


def test_as_root_a_failed_install_fails(system: System) -> None:
    system.uid, system.apt_status = 0, 100
    assert system.run("run").returncode != 0


def test_the_cockpit_group_leaves_the_test_tools_out(system: System) -> None:
    run, test = system.run("--list", "run"), system.run("--list", "test")
    assert run.stdout.split() == listed("run")
    assert test.stdout.split() == listed("test")
    assert {"xvfb", "xdotool", "xauth"} <= set(test.stdout.split()) - set(run.stdout.split())
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "fonts-noto-cjk", "python3-venv"} <= set(
        run.stdout.split()
    )


def test_a_machine_without_dpkg_is_told_where_the_list_is(system: System, tmp_path: Path) -> None:
    # A PATH with the few tools the script uses and no dpkg-query.
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("bash", "awk", "dirname", "env"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    done = system.run("run", PATH=str(tools))
    assert done.returncode == 0
    assert "not a Debian system" in done.stderr
    assert str(LIST) in done.stderr


def test_make_run_without_root_stops_before_launching(system: System) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = system.run_make("run")
    assert done.returncode != 0
    assert f"sudo apt-get install {' '.join(listed('run'))}" in done.stderr.splitlines()
    # Make echoes each command it runs: neither the set-up nor the cockpit started.
    assert "main.py" not in done.stdout
    assert "pip install" not in done.stdout


def test_a_wrong_group_is_a_usage_error(system: System) -> None:
    done = system.run("everything")
    assert done.returncode == 2
    assert "usage:" in done.stderr


PACKAGE = st.from_regex(r"[a-z0-9][a-z0-9.+-]{1,20}", fullmatch=True)
GROUP = st.sampled_from(["run", "test"])
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="#"), max_size=30)
# (whether the script must accept it, the line)
LINE = st.one_of(
    st.tuples(PACKAGE, GROUP, TEXT).map(lambda t: (True, f"{t[0]}  {t[1]}  {t[2]}")),
    TEXT.map(lambda t: (True, f"# {t}")),
    st.just((True, "")),
    # A group other than run or test.
    st.tuples(PACKAGE, st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=8))
    .filter(lambda t: t[1] not in {"run", "test"})
    .map(lambda t: (False, f"{t[0]} {t[1]} why")),
    # Not a Debian package name (which apt-get would then be handed).
    st.tuples(st.from_regex(r"[A-Z_/$*;`][a-z]{0,5}", fullmatch=True), GROUP).map(
        lambda t: (False, f"{t[0]} {t[1]}")
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, max_size=12))
def test_any_list_is_read_as_written_or_refused_naming_the_line(
    system: System, tmp_path: Path, lines: list[tuple[bool, str]]
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("".join(f"{text}\n" for _, text in lines))
    done = system.run("--list", "test", TIANSHU_PACKAGE_LIST=str(path))
    wrong = [number for number, (fine, _) in enumerate(lines, start=1) if not fine]
    if wrong:
        # A wrong line is named, and nothing comes out of a list that is not understood.
        assert done.returncode == 2
        assert f"{path}:{wrong[0]}:" in done.stderr
        assert done.stdout == ""
    else:
        assert done.returncode == 0, done.stderr
        names = [text.split()[0] for _, text in lines if text and not text.startswith("#")]
        assert done.stdout.split() == names


def dpkg_owners(paths: set[str]) -> dict[str, str]:
    """The package that ships each file, in one dpkg call (each call reads every package's file list)."""
    # Debian 12 merged /lib into /usr/lib; dpkg knows a library by the path its package ships.
    asked = {variant: path for path in paths for variant in (path, path.removeprefix("/usr"), "/usr" + path)}
    done = subprocess.run(["dpkg", "-S", *sorted(asked)], capture_output=True, text=True, timeout=120)
    owners = {}
    for line in done.stdout.splitlines():
        packages, _, shipped = line.partition(": ")
        if shipped in asked:
            owners[asked[shipped]] = packages.split(",")[0].split(":")[0].strip()
    return owners


def installed_closure(roots: set[str]) -> set[str]:
    """Every installed package `roots` depend on (alternatives and virtual packages included)."""
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\t${Priority}\n"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    depends: dict[str, set[str]] = {}
    required = set()
    for line in listing.splitlines():
        name, deps, provides, priority = line.split("\t")
        targets = {re.split(r"[\s:(]", dep.strip(), maxsplit=1)[0] for dep in re.split(r"[,|]", deps)} - {""}
        depends.setdefault(name, set()).update(targets)
        for virtual in re.split(r",", provides):
            if virtual.strip():
                depends.setdefault(re.split(r"[\s(]", virtual.strip(), maxsplit=1)[0], set()).add(name)
        if priority == "required":
            required.add(name)
    seen: set[str] = set()
    todo = list(roots | required)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(depends.get(name, ()))
    return seen


def test_the_list_covers_every_library_qt_loads_on_a_desktop() -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("not a Debian system: dpkg cannot say which package holds a library")
    unresolved: set[str] = set()
    libraries: dict[str, str] = {}
    for library in QT_LIBRARIES:
        listing = subprocess.run(["ldd", str(library)], capture_output=True, text=True, timeout=30).stdout
        for line in listing.splitlines():
            parts = line.split()
            if "not found" in line:
                unresolved.add(parts[0])
            elif len(parts) >= 3 and parts[1] == "=>" and not parts[2].startswith(str(QT)):
                libraries[parts[2]] = parts[0]
    if unresolved:
        message = f"not installed: {' '.join(sorted(unresolved))} (make test as root installs the list)"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(message)
        pytest.skip(message)
    owners = dpkg_owners(set(libraries))
    covered = installed_closure(set(listed("run")))
    uncovered = {
        soname: owners.get(path) for path, soname in libraries.items() if owners.get(path) not in covered
    }
    assert uncovered == {}, f"add the packages of these libraries to scripts/system-packages.txt: {uncovered}"

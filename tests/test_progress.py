"""Progress: shown on rank 0's terminal only, quiet under CI, with --quiet or when piped."""

import io
import os
import pty
import subprocess
import sys

import pytest

from simulator import progress
from simulator.progress import Progress, wanted

from .test_config import GOOD


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("rank,quiet,tty,ci,shown", [
    (0, False, True, None, True), (1, False, True, None, False), (0, True, True, None, False),
    (0, False, False, None, False), (0, False, True, "true", False), (0, False, True, "", True),
])
def test_progress_is_wanted_only_on_rank_0_of_a_terminal_outside_ci(monkeypatch, rank, quiet,
                                                                     tty, ci, shown):
    monkeypatch.setattr(progress.sys, "stderr", Terminal() if tty else io.StringIO())
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert wanted(rank, quiet) is shown


def test_the_bar_counts_ticks_and_clears_its_line():
    stream = Terminal()
    bar = Progress(2000, stream=stream)
    bar.update(1000)
    bar.bar.refresh()
    assert "1.00k/2.00k" in stream.getvalue() and "50%" in stream.getvalue()
    bar.update(2000)
    bar.close()
    *_, last, after = stream.getvalue().split("\r")
    assert last.strip() == "" and after == ""               # the line is blanked at the end


def test_a_run_on_a_terminal_shows_progress_and_under_ci_does_not(tmp_path):
    """The command itself, on a pseudo-terminal: progress on stderr only without CI."""
    (tmp_path / "net.toml").write_text(GOOD.replace("duration_ms = 50.0", "duration_ms = 200.0"))
    outputs = {}
    for ci in ("", "true"):
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        if ci:
            env["CI"] = ci
        leader, follower = pty.openpty()
        done = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "net.toml", "--out",
                               "out.h5"], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=follower, timeout=300)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == 0 and b"wrote out.h5" in done.stdout
        outputs[ci] = b"".join(chunks).decode(errors="replace")
    assert "tick" in outputs[""] and "/2.00k" in outputs[""]
    assert outputs["true"] == ""

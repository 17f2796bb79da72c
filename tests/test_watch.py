"""``crosscheck verify --watch``: a check on every save, what changed since the last one, the
frameworks loaded once. Run as a user runs it: the installed command in a process of its own,
the file edited on disk, Ctrl-C (SIGINT) to stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from crosscheck.cli.watch import changes

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).with_name("crosscheck")
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
WAIT = 180  # seconds a step may take on a busy machine before the test gives up (no timing)


def _wait_for(path: Path, text: str, count: int = 1) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        out = path.read_text()
        if out.count(text) >= count:
            return out
        time.sleep(0.2)
    raise AssertionError(f"{text!r} x{count} never appeared in:\n{path.read_text()}")


def _save(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()  # a later mtime even on a coarse clock
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def _interruptible() -> None:
    """Ctrl-C reaches the watch as in a terminal, even when the gate itself was started where
    SIGINT is ignored (a background job of a script: its children inherit SIG_IGN, and
    Python then never raises KeyboardInterrupt; the test would wait out WAIT and fail)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(folder: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    out = folder / "out.txt"
    proc = subprocess.Popen([str(EXE), "verify", *args, "--watch"], cwd=folder, env=ENV,
                            stdout=out.open("w"), stderr=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible)
    return proc, out


def test_a_fix_saved_is_checked_again_and_the_change_is_named(tmp_path):
    shutil.copy(ROOT / "docs" / "examples" / "my_backprop.py", tmp_path)
    code = (tmp_path / "my_backprop.py").read_text()
    proc, out = _start(tmp_path, "my_backprop.py:loss_and_grads", "--loss", "mse",
                       "--networks", "2", "--seed", "1", "--shrink", "0")
    try:
        _wait_for(out, "verdict: FAIL")
        # half-way through an edit: the file does not parse; the watch says so and goes on
        _save(tmp_path / "my_backprop.py", code + "\ndef broken(:\n")
        _wait_for(out, "waiting for the next save")
        _save(tmp_path / "my_backprop.py",
              code.replace('grads[f"b{l}"] = dz.mean(axis=0)', 'grads[f"b{l}"] = dz.sum(axis=0)'))
        text = _wait_for(out, "since the last check")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    assert "-- check 2: my_backprop.py changed" in text
    assert "SyntaxError" in text.split("-- check 2")[1].split("-- check 3")[0]
    third = text.split("-- check 3: my_backprop.py changed")[1]
    assert "verdict: PASS" in third
    assert "since the last check: FAIL -> PASS; fixed: b1, b2, b3" in third
    assert proc.returncode == 0, err  # the last verdict's code
    assert "stopped watching after 3 check(s)" in err and "Traceback" not in err


def test_a_module_target_cannot_be_watched():
    done = subprocess.run([str(EXE), "verify", "json:loads", "--watch"], capture_output=True,
                          text=True, env=ENV, timeout=WAIT)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == ("crosscheck: error: --watch wants FILE.py:FUNC targets (a "
                                   "file to watch), got 'json:loads'")


def test_what_changed_is_said_per_tensor():
    assert changes((False, {"b1": 2, "W1": 1}), (False, {"W1": 2, "W2": 1})) == (
        "since the last check: fixed: b1; newly failing: W2; still failing: W1")
    assert changes((True, {}), (False, {"an error": 2})) == (
        "since the last check: PASS -> FAIL; newly failing: an error")
    assert changes((True, {}), (True, {})) == "since the last check: no change (still PASS)"
    assert changes((False, {"b1": 1}), (False, {"b1": 2})) == (
        "since the last check: no change (still FAIL: b1)")


def test_verify_layer_watches_the_pair_too(tmp_path):
    shutil.copy(ROOT / "docs" / "examples" / "my_batchnorm.py", tmp_path)
    code = (tmp_path / "my_batchnorm.py").read_text()
    out = tmp_path / "out.txt"
    proc = subprocess.Popen([str(EXE), "verify-layer", "batchnorm", "my_batchnorm.py:batchnorm_forward",
                             "my_batchnorm.py:batchnorm_backward", "--cases", "2", "--shrink", "0",
                             "--watch"], cwd=tmp_path, env=ENV, stdout=out.open("w"),
                            stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    try:
        _wait_for(out, "verdict: FAIL")
        _save(tmp_path / "my_batchnorm.py", code + "\n# a comment, nothing else\n")
        text = _wait_for(out, "since the last check")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    assert "-- check 2: my_batchnorm.py changed" in text
    assert "since the last check: no change (still FAIL: dx)" in text
    assert proc.returncode == 1, err

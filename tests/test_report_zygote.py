"""Kernels forked from the report's zygote behave like kernels started the usual way: a new
process with the caller's folder and environment, its own random state, interrupts and
shutdowns that reach it, no kernel left behind when its stand-in or the report dies, and its CPU
time counted in the report's (the benchmarks read it there)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from jupyter_core.utils import run_sync

from socialnb import _zygote
from socialnb.report import kernels

pytestmark = pytest.mark.skipif(not _zygote.available(), reason="kernels are forked on Linux only")


async def _run(km, code: str, timeout: int = 60) -> str:
    """What ``code`` prints in the kernel of ``km``."""
    kc = km.client()
    kc.start_channels()
    out: list[str] = []
    try:
        await kc.wait_for_ready(timeout=60)

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"ERROR {msg['content']['ename']}")

        await kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    finally:
        kc.stop_channels()
    return "".join(out)


def _start(launcher, cwd: Path):
    km = kernels._venv_kernel_manager(1, launcher)()
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    return km


def _gone(pid: int, within_s: float = 30.0) -> bool:
    """Whether process ``pid`` has exited (waiting for it up to ``within_s``)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def zygote():
    z = _zygote.Zygote(1)
    yield z
    z.close()


def test_a_forked_kernel_is_a_new_process_with_the_callers_folder_and_environment(
    zygote, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOCIALNB_TEST_MARK", "from-the-caller")
    km = _start(zygote.argv, tmp_path)
    try:
        shown = json.loads(
            run_sync(_run)(
                km,
                "import os, json, sys; print(json.dumps([os.getpid(), os.getcwd(), "
                "os.environ.get('SOCIALNB_TEST_MARK'), 'pandas' in sys.modules]))",
            )
        )
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    pid, cwd, mark, imported = shown
    assert pid not in (os.getpid(), zygote.pid)
    assert Path(cwd) == tmp_path and mark == "from-the-caller"
    assert imported  # the stack came with the fork


def test_two_forked_kernels_have_their_own_random_state(zygote, tmp_path):
    code = "import random, numpy as np; print(random.random(), np.random.random())"
    kms = [_start(zygote.argv, tmp_path) for _ in range(2)]
    try:
        draws = [run_sync(_run)(km, code) for km in kms]
    finally:
        for km in kms:
            run_sync(km.shutdown_kernel)(now=True)
    assert draws[0] != draws[1]


def test_an_interrupt_reaches_a_forked_kernel(zygote, tmp_path):
    km = _start(zygote.argv, tmp_path)
    try:
        run_sync(_run)(km, "import time")

        async def interrupted() -> str:
            import asyncio

            task = asyncio.ensure_future(_run(km, "time.sleep(120)", timeout=120))
            await asyncio.sleep(1.0)
            await km.interrupt_kernel()
            return await task

        assert "ERROR KeyboardInterrupt" in run_sync(interrupted)()
        assert run_sync(_run)(km, "print('still alive')").strip() == "still alive"
    finally:
        run_sync(km.shutdown_kernel)(now=True)


def test_killing_the_stand_in_ends_the_forked_kernel(zygote, tmp_path):
    km = _start(zygote.argv, tmp_path)
    pid = int(run_sync(_run)(km, "import os; print(os.getpid())"))
    run_sync(km.shutdown_kernel)(now=True)  # SIGKILL to the stand-in: nothing is passed on
    assert _gone(pid)


def test_a_kernel_ends_when_the_report_that_started_it_dies(tmp_path):
    script = tmp_path / "report.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys, time
            from jupyter_core.utils import run_sync
            from socialnb import _zygote
            from socialnb.report import kernels
            z = _zygote.Zygote(1)
            km = kernels._venv_kernel_manager(1, z.argv)()
            run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
            kc = km.client(); kc.start_channels(); run_sync(kc.wait_for_ready)(timeout=60)
            reply = run_sync(kc.execute_interactive)(
                "import os; print(os.getpid(), flush=True)", timeout=60,
                output_hook=lambda m: m["msg_type"] == "stream" and print(
                    "KERNEL", m["content"]["text"].strip(), z.pid, z._dir, flush=True))
            time.sleep(600)
            """
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        line = ""
        while not line.startswith("KERNEL"):
            line = proc.stdout.readline()
            assert line, "the report script ended before its kernel started"
        kernel_pid, zygote_pid, folder = line.split()[1:]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _gone(int(kernel_pid)) and _gone(int(zygote_pid))
    assert not Path(folder).exists()  # the zygote's socket folder went with it


def _own_cpu(pid: int) -> float:
    """A live process's own CPU seconds (user + system, not its children's), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_forked_kernels_cpu_time_counts_in_the_process_that_started_the_zygote(tmp_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    z = _zygote.Zygote(1)
    try:
        km = _start(z.argv, tmp_path)
        pid, spent = run_sync(_run)(
            km,
            "import os, time\nt = time.process_time()\nwhile time.process_time() - t < 1.0:\n"
            "    sum(range(1000))\nprint(os.getpid(), time.process_time())",
        ).split()
        run_sync(km.shutdown_kernel)(now=True)
        assert _gone(int(pid))
        zygote_own = _own_cpu(z.pid)
    finally:
        z.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counted = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # the zygote's own time, and the kernel's (reaped by the zygote, which the pool waits for)
    assert float(spent) >= 1.0 and counted >= zygote_own + float(spent) - 0.05


def test_kernels_start_the_usual_way_when_the_zygote_has_died(tmp_path):
    pool = kernels._KernelPool(threads=1)
    launcher = pool._launcher()
    assert launcher is not None
    pool._zygote._proc.kill()
    pool._zygote._proc.wait()
    assert pool._launcher() is None
    km = pool._start(tmp_path, timeout=60)
    try:
        assert "ipykernel_launcher" in km.kernel_spec.argv
        assert run_sync(_run)(km, "print(1 + 1)").strip() == "2"
    finally:
        pool._shutdown(km)
        pool.close()


def test_no_zygote_starts_when_forking_is_switched_off(monkeypatch):
    monkeypatch.setenv("SOCIALNB_KERNEL_FORK", "0")
    pool = kernels._KernelPool(threads=1)
    assert pool._launcher() is None and pool._zygote is None
    pool.close()


def test_socialnb_report_hands_its_early_zygote_to_the_run(sample_workspace, tmp_path, monkeypatch):
    from socialnb import cli

    started, adopted = [], []
    real_init, real_adopt = _zygote.Zygote.__init__, _zygote.adopt

    def init(self, threads):
        real_init(self, threads)
        started.append(self)

    def adopt(threads):
        z = real_adopt(threads)
        adopted.append(z)
        return z

    monkeypatch.setattr(_zygote.Zygote, "__init__", init)
    monkeypatch.setattr(_zygote, "adopt", adopt)
    code = cli.report_command(
        workspace=sample_workspace, month="2026-10", brands=["fernway"], notebooks=["overview"],
        reports_dir=tmp_path / "reports", jobs=1, ingest=False, progress=False, echo=print,
    )  # fmt: skip
    assert code == 0
    assert len(started) == 1 and adopted == started  # one zygote: started first, then adopted
    assert not started[0].alive()  # closed with the run
    assert _zygote._PRESTARTED == []


def test_a_run_refused_before_its_kernels_leaves_no_zygote_behind(tmp_path, monkeypatch):
    from socialnb import cli

    started = []
    real_init = _zygote.Zygote.__init__

    def init(self, threads):
        real_init(self, threads)
        started.append(self)

    monkeypatch.setattr(_zygote.Zygote, "__init__", init)
    code = cli.report_command(workspace=tmp_path, month="2026-13", progress=False, echo=print)
    assert code == 2
    assert len(started) == 1 and not started[0].alive() and _zygote._PRESTARTED == []


def test_kernels_start_the_usual_way_where_no_zygote_socket_can_be_made(tmp_path, monkeypatch):
    import tempfile

    deep = tmp_path / ("x" * 120)  # a Unix socket path is limited to ~107 bytes
    deep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    pool = kernels._KernelPool(threads=1)
    assert pool._launcher() is None
    _zygote.prestart(2)
    assert _zygote._PRESTARTED == []
    pool.close()

"""Kernels for the report: one that always runs this environment's Python, and a pool of warm
kernels (one per worker thread) reset to a fresh state between notebooks."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from .._zygote import WARMUP_IMPORTS, kernel_env

__all__: list[str] = []


@cache
def _prompt_client():
    """An async kernel client whose ``wait_for_ready`` does what jupyter_client's does (a
    ``kernel_info`` round trip on the shell channel, then a message on IOPub to know that channel
    is connected) without its last step, which waits for 0.2 s of silence on IOPub every time: it
    drains what has already arrived instead. A reply or output that arrives later belongs to the
    ``kernel_info`` request, and nbclient and the pool read only the replies to their own requests.
    The report asks twice per notebook (the pool's reset, then papermill), so this saves ~0.4 s a
    notebook of kernel time spent waiting."""
    import asyncio
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class PromptKernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + (timeout if timeout is not None else float("inf"))
            while True:
                self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected once a message arrives on it
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if loop.time() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
            while True:  # what has already arrived on IOPub, without waiting for silence
                try:
                    await self.iopub_channel.get_msg(timeout=0.01)
                except Empty:
                    break

    return PromptKernelClient


@cache
def _venv_kernel_manager(threads: int | None = None, launcher: tuple[str, ...] | None = None):
    """A kernel manager that always starts ``sys.executable -m ipykernel_launcher``, with BLAS
    limited to ``threads`` threads when given; ``launcher``: the command that asks a zygote for
    a forked kernel instead (``_zygote.Zygote.argv``).

    ``kernel_name="python3"`` resolves through the Jupyter path, where a user-level kernelspec
    could point at another Python; this one cannot.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec
    from traitlets import CaselessStrEnum, Type

    class VenvKernelManager(AsyncKernelManager):
        # The kernel listens on localhost TCP; CurveZMQ keys keep that traffic private.
        transport_encryption = CaselessStrEnum(
            ["disabled", "auto", "required"], default_value="auto", config=True
        )
        # Clients of these kernels (papermill's and the warm pool's) check readiness without
        # idling 0.2 s each time (_prompt_client).
        client_factory = Type(
            default_value=_prompt_client(),
            klass="jupyter_client.asynchronous.AsyncKernelClient",
            config=True,
        )

        @property
        def kernel_spec(self):  # type: ignore[override]
            if self._kernel_spec is None:
                command = list(launcher or (sys.executable, "-m", "ipykernel_launcher"))
                self._kernel_spec = KernelSpec(
                    argv=[*command, "-f", "{connection_file}"],
                    display_name=f"Python {sys.version_info.major}.{sys.version_info.minor}",
                    language="python",
                    resource_dir="",
                    env=kernel_env(threads),
                    metadata={"supported_encryption": ["curve"]},
                )
            return self._kernel_spec

        def client(self, **kwargs: Any) -> Any:
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_socialnb_clients", []).append(kc)
            return kc

        def stop_clients(self) -> None:
            """Stop every client made for this kernel so far. nbclient leaves its client's
            channels running when it does not own the kernel manager (the pool's case): left
            alone, each notebook would keep a ZMQ context, three threads and ~14 open files in
            the report's process until it ends, and a few hundred notebooks would run out of
            file descriptors."""
            clients = self.__dict__.pop("_socialnb_clients", [])
            for kc in clients:
                with contextlib.suppress(Exception):
                    kc.stop_channels()

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # a killed kernel is gone within milliseconds: look every 10 ms, not every 100 ms
            await super()._async_wait(pollinterval=min(pollinterval, 0.01))

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log lines (shutdown chatter) are noise in a scheduler's log; cell
            # errors, dead kernels and timeouts still reach the report through nbclient.
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return VenvKernelManager


# The warm-up runs in a namespace of its own, so a kernel's first notebook finds the empty
# namespace of a fresh kernel without a reset.
_KERNEL_WARMUP_CODE = (
    WARMUP_IMPORTS
    + """\
_state = _types.ModuleType("_socialnb_kernel_state")
_state.rc = _mpl.rcParams.copy()
_state.pd_options = {k: _pd.get_option(k) for k in _pd._config.config._registered_options}
_state.filters = list(_warnings.filters)
_state.np_err = _np.geterr()
_state.sys_path = list(_sys.path)
_state.modules = {
    _n: (_m, dict(vars(_m)))
    for _n, _m in list(_sys.modules.items())
    if _n == "socialnb" or _n.startswith("socialnb.")
}
from IPython import get_ipython as _get_ipython
_state.fresh_ns = dict(_get_ipython().user_ns)  # a fresh kernel's names, `_` and `__doc__` too
_sys.modules["_socialnb_kernel_state"] = _state
"""
)
_KERNEL_WARMUP = f"exec(compile({_KERNEL_WARMUP_CODE!r}, '<socialnb warm-up>', 'exec'), {{}})"

# Run in a reused kernel before each notebook (silently: no output, no execution count), so the
# notebook meets the state of a fresh kernel whose stack is already imported: an empty namespace,
# execution count 1, matplotlib's and pandas' settings, warning filters, numpy's error handling,
# sys.path, the working folder and the attributes of socialnb's modules as they were right after
# the warm-up, no open figure. (An object changed in place inside a third-party module is not
# undone: notebooks are narrative over package calls and do not patch libraries.)
_KERNEL_RESET = """\
import os as _os, sys as _sys, warnings as _warnings
import numpy as _np, pandas as _pd, matplotlib as _mpl, matplotlib.pyplot as _plt
_state = _sys.modules["_socialnb_kernel_state"]
_plt.close("all")
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _mpl.rcParams.update(_state.rc)
    for _k, _v in _state.pd_options.items():
        if _pd.get_option(_k) != _v:
            _pd.set_option(_k, _v)
_warnings.filters[:] = _state.filters
getattr(_warnings, "_filters_mutated", lambda: None)()
_np.seterr(**_state.np_err)
_sys.path[:] = _state.sys_path
for _n in [_n for _n in _sys.modules if _n == "socialnb" or _n.startswith("socialnb.")]:
    if _n not in _state.modules:
        del _sys.modules[_n]  # imported by the last notebook: imported afresh when needed
for _n, (_m, _d) in _state.modules.items():  # socialnb's modules as the warm-up left them
    _sys.modules[_n] = _m
    vars(_m).clear()
    vars(_m).update(_d)
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
# what reset() drops of a fresh namespace (`_`, `__doc__`...); no name of this code is left
# after reset(), so the state is looked up again
get_ipython().user_ns.update(
    (_k, _v)
    for _k, _v in __import__("sys").modules["_socialnb_kernel_state"].fresh_ns.items()
    if _k not in get_ipython().user_ns
)
"""

_KERNEL_MAX_USES = 20  # a kernel runs at most this many notebooks, then a fresh one starts


class _KernelPool:
    """One warm kernel per worker thread, reused across notebooks.

    A kernel imports the stack once (``_KERNEL_WARMUP``) and is reset before each notebook
    (``_KERNEL_RESET``). After a failed notebook (an error, a timeout, a dead kernel) or a failed
    reset the kernel is shut down and the next notebook gets a fresh one, so a failure never
    reaches the next notebook.
    """

    def __init__(self, threads: int | None = None) -> None:
        import threading

        self._threads = threads  # BLAS threads of each kernel (None: as inherited)
        self._lock = threading.Lock()
        # thread id -> (manager, notebooks it ran, the folder it started in)
        self._kernels: dict[int, tuple[Any, int, Path]] = {}
        self._closed = False
        self._zygote: Any = None  # forks the kernels (_zygote.Zygote), started on first use
        self._zygote_tried = False

    def _launcher(self) -> tuple[str, ...] | None:
        """The command that asks the zygote for a kernel (the zygote starts on the first call),
        or None to start kernels the usual way (not Linux, ``SOCIALNB_KERNEL_FORK=0``, or the
        zygote could not start or has died)."""
        from .. import _zygote

        with self._lock:
            if not self._zygote_tried and not self._closed and _zygote.available():
                self._zygote_tried = True
                with contextlib.suppress(OSError):
                    self._zygote = _zygote.adopt(self._threads) or _zygote.Zygote(self._threads)
            zygote = self._zygote
        return zygote.argv if zygote is not None and zygote.alive() else None

    def acquire(self, cwd: Path, timeout: int) -> Any | None:
        """A started kernel manager reset for a new notebook, or None to run in a fresh kernel."""
        import threading

        from jupyter_core.utils import run_sync

        tid = threading.get_ident()
        with self._lock:
            km, uses, started_in = self._kernels.pop(tid, (None, 0, cwd))
        try:
            if km is None or uses >= _KERNEL_MAX_USES:
                if km is not None:
                    self._shutdown(km)
                km, uses, started_in = self._start(cwd, timeout), 0, cwd
            if uses or started_in != cwd:  # a fresh kernel in its folder needs no reset
                run_sync(self._execute)(km, _KERNEL_RESET.format(cwd=str(cwd)), timeout)
        except Exception:  # noqa: BLE001 - a kernel that cannot be warmed or reset: a fresh one runs the notebook
            if km is not None:
                self._shutdown(km)
            return None
        with self._lock:
            self._kernels[tid] = (km, uses + 1, started_in)
        return km

    def prewarm(
        self, pool: cf.ThreadPoolExecutor, workers: int, cwd: Path, timeout: int
    ) -> list[cf.Future]:
        """Start and warm up one kernel in each of ``workers`` threads of ``pool`` now, while the
        run still checks its brands; the notebooks submitted after find them warm."""
        import threading

        barrier = threading.Barrier(workers)  # one warm-up per thread: each waits for the others

        self._launcher()  # the zygote starts importing the stack now

        def warm() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            try:
                km = self._start(cwd, timeout)
            except Exception:  # noqa: BLE001 - the first notebook starts its kernel itself
                return
            with self._lock:
                closed = self._closed
                if not closed:
                    self._kernels[threading.get_ident()] = (km, 0, cwd)
            if closed:  # the run stopped while this kernel warmed up
                self._shutdown(km)

        return [pool.submit(warm) for _ in range(workers)]

    def _start(self, cwd: Path, timeout: int) -> Any:
        """A started kernel that has imported the stack (``_KERNEL_WARMUP``)."""
        from jupyter_core.utils import run_sync

        km = _venv_kernel_manager(self._threads, self._launcher())()
        try:
            run_sync(km.start_kernel)(
                cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"]
            )
            run_sync(self._execute)(km, _KERNEL_WARMUP, timeout)
        except BaseException:
            self._shutdown(km)
            raise
        return km

    def release(self, km: Any, ok: bool) -> None:
        """After a notebook: keep ``km`` for the next one if the notebook ran clean (the
        notebook's kernel client is stopped either way)."""
        import threading

        km.stop_clients()
        if ok:
            return
        with self._lock:
            for tid, (kept, *_) in list(self._kernels.items()):
                if kept is km and tid == threading.get_ident():
                    del self._kernels[tid]
        self._shutdown(km)

    def close(self) -> None:
        """Shut every kept kernel down; one still warming up shuts itself down when ready."""
        with self._lock:
            self._closed = True
            kms = [km for km, *_ in self._kernels.values()]
            self._kernels.clear()
            zygote, self._zygote = self._zygote, None
        self._shutdown(*kms)
        if zygote is not None:
            zygote.close()

    @staticmethod
    def _shutdown(*kms: Any) -> None:
        """Shut ``kms`` down, all at once (each waits ~0.1 s to see its process gone)."""
        import asyncio

        from jupyter_core.utils import run_sync

        async def every() -> None:
            await asyncio.gather(
                *(km.shutdown_kernel(now=True) for km in kms), return_exceptions=True
            )  # an error: already dead, nothing to stop

        for km in kms:
            with contextlib.suppress(Exception):
                km.stop_clients()
        if kms:
            with contextlib.suppress(Exception):
                run_sync(every)()

    @staticmethod
    async def _execute(km: Any, code: str, timeout: int) -> None:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
            )
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        finally:
            kc.stop_channels()

"""Stand-in process for a kernel forked from the report's kernel zygote (``_zygote``).

jupyter_client starts this script (``python -I -S _kernel_stub.py SOCKET -f CONNECTION_FILE``,
standard library only, a few milliseconds) as if it were the kernel. It hands its arguments,
working folder, environment and standard streams to the zygote, which forks a kernel that has
the stack imported already; then it stands for that kernel: the signals jupyter_client sends it
(interrupt, terminate) are passed on, and it exits when the kernel does, or when the report that
started it dies. If it is killed, the kernel sees its connection close and exits too, so a kernel
never outlives its stand-in.
"""

import contextlib
import json
import os
import signal
import socket
import struct
import sys

#: Signals passed on to the kernel (SIGINT interrupts a cell; the others end it).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the kernel zygote closed the connection")
        data += chunk
    return data


def main(argv: list[str]) -> int:
    path, kernel_argv = argv[0], argv[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    payload = json.dumps({"argv": kernel_argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode(
        "utf-8"
    )
    socket.send_fds(sock, [struct.pack("!I", len(payload)) + payload], [0, 1, 2])
    (pid,) = struct.unpack("!i", _recv_exact(sock, 4))

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):  # the kernel has just exited
            os.kill(pid, signum)

    for signum in FORWARDED:
        signal.signal(signum, forward)
    parent = os.getppid()
    sock.settimeout(1.0)
    while True:  # the connection closes when the kernel exits
        try:
            if not sock.recv(4096):
                return 0
        except TimeoutError:
            if os.getppid() != parent:  # the report died: so does the kernel, as ipykernel's
                return 1  # parent poller would make it (closing the connection ends it)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

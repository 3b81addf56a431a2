"""How the command lives and ends: its children die with it, and it ends without tearing down its heap.

A SIGKILLed `storywatch run` leaves no Prefect server or workers behind.

Prefect's temporary API server and the extraction workers (about 770 MB together) are
children of the command; killed with SIGKILL, it cannot stop them. So the command leads a
process group of its own, and a watchdog process waits on a pipe from it: at a normal exit
the command writes a goodbye byte; if the pipe closes without one, the command died and the
watchdog kills the group. Linux and macOS; where the group cannot be ours (a script's
foreground job on a terminal) nothing is armed.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys

_GOODBYE = b"."


class Ending:
    """How the command ends: as the interpreter would, minus tearing down its heap.

    A pass's process holds Prefect, pydantic and DuckDB, and freeing their modules and objects
    at exit takes 0.3-0.4 s, a sixth of an idle pass, for memory the system takes back at once
    (mypy ends the same way). What matters at exit still runs first: Prefect drains its log
    and event workers while threads stop, and every exit handler registered after this one
    (the watchdog's goodbye, the temporary API server, multiprocessing's workers) runs before
    it, so `end_without_teardown` is called first thing.
    """

    def __init__(self) -> None:
        self.status = 1  # an exception that escaped: the interpreter has printed it

    def record(self, done: BaseException) -> None:
        if isinstance(done, KeyboardInterrupt):
            self.status = 128 + signal.SIGINT
        elif isinstance(done, SystemExit):
            code = done.code
            self.status = 0 if code is None else code if isinstance(code, int) else 1

    def _end(self) -> None:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(self.status)


def end_without_teardown() -> Ending:
    ending = Ending()
    atexit.register(ending._end)
    return ending


def die_with_this_process() -> None:
    """Arm the watchdog (once, at start-up, before any thread or child exists)."""
    if not hasattr(os, "fork") or not _lead_own_group():
        return
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        _watch(read_end, write_end)
    os.close(read_end)
    atexit.register(os.write, write_end, _GOODBYE)


def _lead_own_group() -> bool:
    if os.getpgrp() == os.getpid():
        return True
    try:
        foreground = os.tcgetpgrp(sys.stdin.fileno())
    except (OSError, ValueError):  # no terminal: a supervisor, cron, a test
        foreground = None
    if foreground == os.getpgrp():
        return False  # a new group would leave the terminal's job: Ctrl-C would no longer reach us
    os.setpgid(0, 0)
    return True


def _watch(read_end: int, write_end: int) -> None:
    os.close(write_end)
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # the command handles these; the watchdog outlives them
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    try:
        said_goodbye = os.read(read_end, 1) == _GOODBYE
    except OSError:
        said_goodbye = False
    if not said_goodbye:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(0)

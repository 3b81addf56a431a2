"""Children die with the command: a SIGKILLed `storywatch run` leaves no Prefect server or workers behind.

Prefect's temporary API server and the extraction workers (about 770 MB together) are
children of the command; killed with SIGKILL, it cannot stop them. So the command leads a
process group of its own, and a watchdog process waits on a pipe from it: at a normal exit
the command writes a goodbye byte; if the pipe closes without one, the command died and the
watchdog kills the group. Linux and macOS; where the group cannot be ours (a script's
foreground job on a terminal) nothing is armed.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys

_GOODBYE = b"."


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

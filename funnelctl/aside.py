"""Work set aside: a function started now, its result read when it is needed.

``here`` runs it at once, in this process. ``forked`` runs it in a forked child
on the other core while the caller goes on, and pickles the result back: worth it
only when the work is large and its result small (a pipeline's listing, the
written sections of half a team's reviews). The answer never depends on which was
used: a child that fails is replaced by running the function here.

A tool of the edge (the commands, the store): the analysis and the views know
nothing of processes. The caller cuts the work in parts, runs one part through
``for_size(n) or here`` and the others itself, and joins the plain results.
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Later = Callable[[], T]
Aside = Callable[..., Callable[[], Any]]

# Below this many deals a fork (a few milliseconds, plus copying the pages both
# processes touch) costs more than the work it moves
FORK_FROM = 20_000


def here(fn: Callable[..., T], *args: Any) -> Later[T]:
    """Run ``fn`` now; the result is kept for the caller."""
    result = fn(*args)
    return lambda: result


def can_fork() -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) >= 2


def forked(fn: Callable[..., T], *args: Any,
           encode: Callable[[Any], bytes] = functools.partial(
               pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL),
           decode: Callable[[bytes], Any] = pickle.loads) -> Later[T]:
    """Start ``fn`` in a forked child; calling the returned function waits for its
    result. The child writes nothing but the encoded result (pickled, unless the
    caller passes a faster ``encode``/``decode`` pair for its type) and leaves
    without running any exit handler or flushing the parent's buffers. The bytes
    come from this very program's child, never from a file."""
    if not can_fork():
        return here(fn, *args)
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return here(fn, *args)
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            data = encode(fn(*args))
            with os.fdopen(write_end, "wb") as f:
                f.write(data)
            code = 0
        finally:  # an error too leaves quietly: the parent then runs fn itself
            os._exit(code)
    os.close(write_end)

    def result() -> T:
        with os.fdopen(read_end, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return fn(*args)
        return decode(data)

    return _once(result)


def _once(get: Callable[[], T]) -> Later[T]:
    box: list[T] = []

    def once() -> T:
        if not box:
            box.append(get())
        return box[0]

    return once


def for_size(n: int) -> Aside | None:
    """``forked`` for work over ``n`` deals when that pays, else None: run it here."""
    return forked if n >= FORK_FROM and can_fork() else None

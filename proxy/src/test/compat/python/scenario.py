"""Runs the compatibility scenario of ExternalClientsIT with kazoo (Debian's python3-kazoo) against the connect
string given as the only argument (a zk-tenant-proxy tenant port), printing one line per step: "ok <step> <detail>",
or "FAIL <step> <why>" and exit status 1. At the cut point it prints "CUT" and waits for one line on stdin (the test
restarts the proxy meanwhile).

Run with Debian's interpreter, /usr/bin/python3: python3-kazoo is installed for it only, and a python3 found first
on the PATH (pyenv, a virtualenv) does not see it.
"""
import logging
import re
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError
from kazoo.protocol.states import EventType, KazooState
from kazoo.retry import KazooRetry

ROOT = "/compat-python"
SESSION_TIMEOUT_S = 30.0
# Generous: a loaded 2-core CI machine, and a proxy restart in the middle.
DEADLINE_S = 60.0
# Second clients tried at the expiry step, and how long each waits for the expiry it should cause.
EXPIRY_ATTEMPTS = 5
EXPIRY_WAIT_S = 12.0


class StepFailure(Exception):
    def __init__(self, step, why):
        super().__init__(why)
        self.step = step


def ok(step, detail):
    print("ok %s %s" % (step, detail), flush=True)


class Log:
    """Every session state and watch event, in order, under one condition: kazoo calls state listeners on its
    connection thread and watchers on its callback thread while the scenario waits here. Entries are never removed:
    a step remembers where the log stood before it acted and searches from there."""

    def __init__(self):
        self._entries = []
        self._changed = threading.Condition()

    def add(self, entry):
        sys.stderr.write("%s %r\n" % (time.strftime("%H:%M:%S"), entry))
        with self._changed:
            self._entries.append(entry)
            self._changed.notify_all()

    def mark(self):
        with self._changed:
            return len(self._entries)

    def entries(self, start):
        with self._changed:
            return self._entries[start:]

    def find(self, start, matches, seconds):
        """Returns the index of the first entry at or after start that matches, waiting up to seconds, or None."""
        deadline = time.monotonic() + seconds
        with self._changed:
            i = start
            while True:
                while i < len(self._entries):
                    if matches(self._entries[i]):
                        return i
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)

    def await_entry(self, step, start, what, matches):
        """find with the scenario's deadline; not found is the step's failure."""
        at = self.find(start, matches, DEADLINE_S)
        if at is None:
            raise StepFailure(step, "no %s within %.0f s" % (what, DEADLINE_S))
        return at


def watcher(log, tag):
    """A watch callback logging ("watch", tag, type, path)."""
    return lambda event: log.add(("watch", tag, event.type, event.path))


def await_state(log, step, start, client_tag, state):
    return log.await_entry(step, start, "%s %s" % (client_tag, state),
                           lambda e: e == ("state", client_tag, state))


def await_watch(log, step, start, tag, event_type, path):
    log.await_entry(step, start, "%s on %s" % (event_type, path),
                    lambda e: e == ("watch", tag, event_type, path))
    return "%s %s" % (event_type, path)


def connect(log, step, server, tag, client_id=None):
    # Retries without end, 0.2 s apart: the proxy is back on its port within a few seconds of the cut.
    retry = KazooRetry(max_tries=-1, delay=0.2, backoff=1, max_jitter=0.1)
    client = KazooClient(hosts=server, timeout=SESSION_TIMEOUT_S, client_id=client_id, connection_retry=retry)
    client.add_listener(lambda state: log.add(("state", tag, state)))
    start = log.mark()
    client.start(timeout=DEADLINE_S)
    await_state(log, step, start, tag, KazooState.CONNECTED)
    return client


def scenario(server):
    log = Log()

    # a. connect
    zk = connect(log, "connect", server, "main")
    session, password = zk.client_id
    ok("connect", "session=0x%x" % session)

    # b. creates; the sequential path must come back without the chroot
    zk.create(ROOT, b"r")
    zk.create(ROOT + "/eph", ephemeral=True)
    seq = zk.create(ROOT + "/seq-", sequence=True)
    if not re.fullmatch(r"/compat-python/seq-\d{10}", seq):
        raise StepFailure("create", "sequential path %s" % seq)
    ok("create", "seq=%s" % seq)

    # c. three watches, two writes, three events with tenant paths
    start = log.mark()
    zk.get(ROOT, watch=watcher(log, "data"))
    if zk.exists(ROOT + "/new", watch=watcher(log, "exist")) is not None:
        raise StepFailure("watches", "new exists already")
    zk.get_children(ROOT, watch=watcher(log, "child"))
    zk.set(ROOT, b"r2")
    zk.create(ROOT + "/new")
    got = [await_watch(log, "watches", start, "data", EventType.CHANGED, ROOT),
           await_watch(log, "watches", start, "exist", EventType.CREATED, ROOT + "/new"),
           await_watch(log, "watches", start, "child", EventType.CHILD, ROOT)]
    ok("watches", ", ".join(got))

    # d. a multi that fails on its check creates nothing; kazoo returns one exception per sub-op
    transaction = zk.transaction()
    transaction.check(ROOT, 999)
    transaction.create(ROOT + "/never")
    results = transaction.commit()
    if not isinstance(results[0], BadVersionError):
        raise StepFailure("multi", "want BadVersionError first, got %r" % (results,))
    if zk.exists(ROOT + "/never") is not None:
        raise StepFailure("multi", "never exists")
    ok("multi", "BADVERSION -103, never absent")

    # e. setData with a wrong version
    try:
        zk.set(ROOT, b"x", version=999)
        raise StepFailure("badversion", "setData with version 999 succeeded")
    except BadVersionError:
        ok("badversion", "setData -103")

    # f. a watch across the cut. kazoo 2.8 has no setWatches: on the disconnection it fires every watcher with a
    # NONE event and forgets them, and the server dropped them with the old connection. Whether the watch was
    # re-registered is told by a sentinel: a data watch set on the root after the reconnect and a write to the root
    # after the write to new. The server sends a session's notifications in commit order on its connection, so a
    # CHANGED for new, had its watch been re-sent, would arrive before the sentinel's.
    zk.get(ROOT + "/new", watch=watcher(log, "resume"))
    start = log.mark()  # before CUT: the proxy goes down as soon as the test reads it
    print("CUT", flush=True)
    if not sys.stdin.readline():
        raise StepFailure("resume", "stdin closed")
    lost = await_state(log, "resume", start, "main", KazooState.SUSPENDED)
    await_state(log, "resume", lost, "main", KazooState.CONNECTED)
    if zk.client_id[0] != session:
        raise StepFailure("resume", "session 0x%x, want 0x%x" % (zk.client_id[0], session))
    if zk.exists(ROOT + "/eph") is None:
        raise StepFailure("resume", "eph is gone")
    ok("resume", "session=0x%x eph present" % session)
    zk.set(ROOT + "/new", b"n")
    zk.get(ROOT, watch=watcher(log, "sentinel"))
    zk.set(ROOT, b"r3")
    await_watch(log, "resume-watch", start, "sentinel", EventType.CHANGED, ROOT)
    resume = [e for e in log.entries(start) if e[:2] == ("watch", "resume")]
    if ("watch", "resume", EventType.CHANGED, ROOT + "/new") in resume:
        ok("resume-watch", "%s %s" % (EventType.CHANGED, ROOT + "/new"))
    elif resume == [("watch", "resume", EventType.NONE, None)]:
        ok("resume-watch", "not-resent (the watcher got one NONE event at the disconnection, then nothing)")
    else:
        raise StepFailure("resume-watch", "unexpected resume watch events %r" % (resume,))

    # g. a second client on the same session (client_id) closes it; this one must see it expire. The second
    # client's resume takes the session's connection away from this one, which retries 0.2 s later: time enough,
    # as a rule, for the second client's closeSession. If this one took the session back first, the second client,
    # disconnected, stops without a closeSession and the session lives on: then another second client tries.
    start = log.mark()
    for attempt in range(1, EXPIRY_ATTEMPTS + 1):
        second = connect(log, "expiry", server, "second", client_id=(session, password))
        if second.client_id[0] != session:
            raise StepFailure("expiry", "second client got session 0x%x" % second.client_id[0])
        second.stop()
        second.close()
        sys.stderr.write("expiry attempt %d: second client stopped\n" % attempt)
        if log.find(start, lambda e: e == ("state", "main", KazooState.LOST), EXPIRY_WAIT_S) is not None:
            break
    else:
        raise StepFailure("expiry", "session 0x%x still alive after %d second clients" % (session, EXPIRY_ATTEMPTS))
    ok("expiry", "session=0x%x expired (closed by a second client with its client_id)" % session)
    zk.stop()
    zk.close()

    fresh = connect(log, "fresh-session", server, "fresh")
    if fresh.client_id[0] == session:
        raise StepFailure("fresh-session", "same session 0x%x" % session)
    if fresh.exists(ROOT + "/eph") is not None:
        raise StepFailure("fresh-session", "eph still exists")
    ok("fresh-session", "session=0x%x eph gone" % fresh.client_id[0])
    fresh.stop()
    fresh.close()

    ok("done", "")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python3 scenario.py HOST:PORT\n")
        sys.exit(2)
    # kazoo's own log on stderr (the test keeps it in target/compat/python-stderr.log), to read a failure.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        scenario(sys.argv[1])
    except StepFailure as e:
        print("FAIL %s %s" % (e.step, str(e).replace("\n", " ")), flush=True)
        sys.exit(1)
    except Exception as e:  # a kazoo exception where the scenario expected none: that step failed
        print("FAIL error %r" % (e,), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

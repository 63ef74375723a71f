/*
 * compat-c runs the compatibility scenario of ExternalClientsIT with the ZooKeeper C client (Debian's
 * libzookeeper-mt-dev, the multi-threaded library, synchronous API) against the connect string given as its only
 * argument (a zk-tenant-proxy tenant port), printing one line per step: "ok <step> <detail>", or
 * "FAIL <step> <why>" and exit status 1. At the cut point it prints "CUT" and waits for one line on stdin (the test
 * restarts the proxy meanwhile).
 *
 * Built by the test with the machine's gcc:
 *
 *   gcc -Wall -Wextra -pthread -I/usr/include/zookeeper -o <out> scenario.c -lzookeeper_mt
 */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The synchronous API (zoo_create, zoo_wget, ...) is declared only for the multi-threaded library. */
#define THREADED
#include <zookeeper.h>

#define ROOT "/compat-c"
#define SESSION_TIMEOUT_MS 30000
/* Generous: a loaded 2-core CI machine, and a proxy restart in the middle. */
#define DEADLINE_SECONDS 60
#define MAX_EVENTS 1024
/* Second handles tried at the expiry step, and how long each waits for the expiry it should cause. */
#define EXPIRY_ATTEMPTS 5
#define EXPIRY_WAIT_SECONDS 12

/*
 * Every callback the library makes, in order. Watchers run on the library's completion thread while main() waits
 * in the synchronous calls, so the log is shared under a lock, and main() waits for an entry with a deadline.
 * Entries are never removed: a step remembers where the log stood before it acted and searches from there, so an
 * event that came before the step got round to waiting (the disconnection at the cut) is not lost.
 */
struct event {
    const char *tag; /* the watcher context: the handle's name for its global watcher, the watch's otherwise */
    int type;
    int state;
    char path[256];
};

static struct event events[MAX_EVENTS];
static int logged;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static void fail(const char *step, const char *format, ...) {
    va_list args;
    printf("FAIL %s ", step);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    /* no zookeeper_close: the library's threads may be anywhere; the process ends them */
    _exit(1);
}

static void ok(const char *step, const char *format, ...) {
    va_list args;
    printf("ok %s ", step);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
}

/* The C client's event types are extern ints, not macros: no switch. */
static const char *type_name(int type) {
    if (type == ZOO_CREATED_EVENT) {
        return "ZOO_CREATED_EVENT";
    }
    if (type == ZOO_DELETED_EVENT) {
        return "ZOO_DELETED_EVENT";
    }
    if (type == ZOO_CHANGED_EVENT) {
        return "ZOO_CHANGED_EVENT";
    }
    if (type == ZOO_CHILD_EVENT) {
        return "ZOO_CHILD_EVENT";
    }
    if (type == ZOO_SESSION_EVENT) {
        return "ZOO_SESSION_EVENT";
    }
    if (type == ZOO_NOTWATCHING_EVENT) {
        return "ZOO_NOTWATCHING_EVENT";
    }
    return "unknown-event";
}

static const char *state_name(int state) {
    if (state == ZOO_CONNECTED_STATE) {
        return "ZOO_CONNECTED_STATE";
    }
    if (state == ZOO_CONNECTING_STATE) {
        return "ZOO_CONNECTING_STATE";
    }
    if (state == ZOO_ASSOCIATING_STATE) {
        return "ZOO_ASSOCIATING_STATE";
    }
    if (state == ZOO_EXPIRED_SESSION_STATE) {
        return "ZOO_EXPIRED_SESSION_STATE";
    }
    if (state == ZOO_AUTH_FAILED_STATE) {
        return "ZOO_AUTH_FAILED_STATE";
    }
    if (state == ZOO_READONLY_STATE) {
        return "ZOO_READONLY_STATE";
    }
    return "unknown-state";
}

/* One watcher function for everything; the context string says whose event it is. */
static void record(zhandle_t *zh, int type, int state, const char *path, void *context) {
    (void) zh;
    const char *tag = context;
    fprintf(stderr, "event %s %s %s %s\n", tag, type_name(type), state_name(state), path ? path : "");
    pthread_mutex_lock(&lock);
    if (logged < MAX_EVENTS) {
        struct event *e = &events[logged++];
        e->tag = tag;
        e->type = type;
        e->state = state;
        snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
    }
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static int mark(void) {
    pthread_mutex_lock(&lock);
    int at = logged;
    pthread_mutex_unlock(&lock);
    return at;
}

/*
 * Waits up to seconds for an event of tag with type (and state, unless state is 0, which no ZooKeeper state uses,
 * and path, unless NULL) at or after index from; returns its index, or -1.
 */
static int find_event(int from, const char *tag, int type, int state, const char *path, int seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&lock);
    for (int i = from;; i++) {
        while (i >= logged) {
            if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT) {
                pthread_mutex_unlock(&lock);
                return -1;
            }
        }
        struct event *e = &events[i];
        if (strcmp(e->tag, tag) == 0 && e->type == type && (state == 0 || e->state == state)
                && (path == NULL || strcmp(e->path, path) == 0)) {
            pthread_mutex_unlock(&lock);
            return i;
        }
    }
}

/* find_event with the scenario's deadline; not found is the step's failure. */
static int await_event(const char *step, int from, const char *tag, int type, int state, const char *path) {
    int at = find_event(from, tag, type, state, path, DEADLINE_SECONDS);
    if (at < 0) {
        fail(step, "no %s %s %s for %s within %d s", type_name(type), state ? state_name(state) : "",
                path ? path : "", tag, DEADLINE_SECONDS);
    }
    return at;
}

static void await_session(const char *step, int from, const char *tag, int state) {
    await_event(step, from, tag, ZOO_SESSION_EVENT, state, NULL);
}

static zhandle_t *connect_handle(const char *step, const char *server, const clientid_t *id, const char *tag) {
    int from = mark();
    zhandle_t *zh = zookeeper_init(server, record, SESSION_TIMEOUT_MS, id, (void *) tag, 0);
    if (zh == NULL) {
        fail(step, "zookeeper_init: %s", strerror(errno));
    }
    await_session(step, from, tag, ZOO_CONNECTED_STATE);
    return zh;
}

static void must(const char *step, const char *what, int rc) {
    if (rc != ZOK) {
        fail(step, "%s: %d %s", what, rc, zerror(rc));
    }
}

static void expect(const char *step, const char *what, int rc, int want) {
    if (rc != want) {
        fail(step, "%s: got %d %s, want %d %s", what, rc, zerror(rc), want, zerror(want));
    }
}

/* "<type> <path>" of the watch event awaited. */
static const char *await_watch(const char *step, int from, const char *tag, int type, const char *path) {
    static char shown[300];
    await_event(step, from, tag, type, 0, path);
    snprintf(shown, sizeof(shown), "%s %s", type_name(type), path);
    return shown;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: compat-c HOST:PORT\n");
        return 2;
    }
    const char *server = argv[1];
    struct ACL_vector *acl = &ZOO_OPEN_ACL_UNSAFE;
    struct Stat stat;
    char buffer[512];
    int length;
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO); /* to stderr: the test keeps it in target/compat/c-stderr.log */

    /* a. connect */
    zhandle_t *zh = connect_handle("connect", server, NULL, "main");
    clientid_t session = *zoo_client_id(zh);
    ok("connect", "session=0x%llx", (unsigned long long) session.client_id);

    /* b. creates; the sequential path must come back without the chroot */
    must("create", ROOT, zoo_create(zh, ROOT, "r", 1, acl, ZOO_PERSISTENT, NULL, 0));
    must("create", "eph", zoo_create(zh, ROOT "/eph", NULL, -1, acl, ZOO_EPHEMERAL, NULL, 0));
    char seq[256];
    must("create", "seq", zoo_create(zh, ROOT "/seq-", NULL, -1, acl, ZOO_SEQUENCE, seq, sizeof(seq)));
    regex_t sequential;
    regcomp(&sequential, "^/compat-c/seq-[0-9]{10}$", REG_EXTENDED | REG_NOSUB);
    if (regexec(&sequential, seq, 0, NULL, 0) != 0) {
        fail("create", "sequential path %s", seq);
    }
    regfree(&sequential);
    ok("create", "seq=%s", seq);

    /* c. three watches, two writes, three events with tenant paths */
    int from = mark();
    length = sizeof(buffer);
    must("watches", "getData", zoo_wget(zh, ROOT, record, "data", buffer, &length, &stat));
    expect("watches", "exists new", zoo_wexists(zh, ROOT "/new", record, "exist", &stat), ZNONODE);
    struct String_vector children;
    must("watches", "getChildren", zoo_wget_children(zh, ROOT, record, "child", &children));
    deallocate_String_vector(&children);
    must("watches", "setData", zoo_set(zh, ROOT, "r2", 2, -1));
    must("watches", "create new", zoo_create(zh, ROOT "/new", NULL, -1, acl, ZOO_PERSISTENT, NULL, 0));
    char got[1024];
    snprintf(got, sizeof(got), "%s", await_watch("watches", from, "data", ZOO_CHANGED_EVENT, ROOT));
    snprintf(got + strlen(got), sizeof(got) - strlen(got), ", %s",
            await_watch("watches", from, "exist", ZOO_CREATED_EVENT, ROOT "/new"));
    snprintf(got + strlen(got), sizeof(got) - strlen(got), ", %s",
            await_watch("watches", from, "child", ZOO_CHILD_EVENT, ROOT));
    ok("watches", "%s", got);

    /* d. a multi that fails on its check creates nothing */
    zoo_op_t ops[2];
    zoo_op_result_t results[2];
    char never[256];
    zoo_check_op_init(&ops[0], ROOT, 999);
    zoo_create_op_init(&ops[1], ROOT "/never", NULL, -1, acl, ZOO_PERSISTENT, never, sizeof(never));
    expect("multi", "multi", zoo_multi(zh, 2, ops, results), ZBADVERSION);
    expect("multi", "check result", results[0].err, ZBADVERSION);
    expect("multi", "never", zoo_exists(zh, ROOT "/never", 0, &stat), ZNONODE);
    ok("multi", "BADVERSION -103, never absent");

    /* e. setData with a wrong version */
    expect("badversion", "setData", zoo_set(zh, ROOT, "x", 1, 999), ZBADVERSION);
    ok("badversion", "setData -103");

    /* f. a watch across the cut: the library re-sends it (setWatches, opcode 101, xid -8) after reconnecting */
    length = sizeof(buffer);
    must("resume", "getData new", zoo_wget(zh, ROOT "/new", record, "resume", buffer, &length, &stat));
    from = mark(); /* before CUT: the proxy goes down as soon as the test reads it */
    printf("CUT\n");
    fflush(stdout);
    if (fgets(buffer, sizeof(buffer), stdin) == NULL) {
        fail("resume", "stdin closed");
    }
    int lost = await_event("resume", from, "main", ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, NULL);
    await_session("resume", lost, "main", ZOO_CONNECTED_STATE);
    if (zoo_client_id(zh)->client_id != session.client_id) {
        fail("resume", "session 0x%llx, want 0x%llx", (unsigned long long) zoo_client_id(zh)->client_id,
                (unsigned long long) session.client_id);
    }
    must("resume", "eph", zoo_exists(zh, ROOT "/eph", 0, &stat));
    ok("resume", "session=0x%llx eph present", (unsigned long long) session.client_id);
    from = mark();
    must("resume-watch", "setData new", zoo_set(zh, ROOT "/new", "n", 1, -1));
    ok("resume-watch", "%s", await_watch("resume-watch", from, "resume", ZOO_CHANGED_EVENT, ROOT "/new"));

    /*
     * g. a second handle on the same session (zookeeper_init with this one's client id and password) closes it;
     * this one must see it expire. The second handle's resume takes the session's connection away from this one,
     * which waits recv_timeout/60 (a third of a second here) before it reconnects to its only server
     * (zookeeper_interest's delay after a pass over the server list): time enough, as a rule, for the second
     * handle's closeSession. If this one took the session back first, the second handle, disconnected, closes
     * without a closeSession and the session lives on: then another second handle tries.
     */
    from = mark();
    int attempt = 0;
    while (1) {
        if (++attempt > EXPIRY_ATTEMPTS) {
            fail("expiry", "session 0x%llx still alive after %d second handles", (unsigned long long)
                    session.client_id, EXPIRY_ATTEMPTS);
        }
        zhandle_t *second = connect_handle("expiry", server, &session, "second");
        if (zoo_client_id(second)->client_id != session.client_id) {
            fail("expiry", "second handle got session 0x%llx",
                    (unsigned long long) zoo_client_id(second)->client_id);
        }
        int rc = zookeeper_close(second);
        fprintf(stderr, "expiry attempt %d: zookeeper_close on the second handle: %d %s\n", attempt, rc, zerror(rc));
        if (find_event(from, "main", ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, NULL, EXPIRY_WAIT_SECONDS) >= 0) {
            break;
        }
    }
    ok("expiry", "session=0x%llx expired (closed by a second handle with its client id)",
            (unsigned long long) session.client_id);
    zookeeper_close(zh);

    zhandle_t *fresh = connect_handle("fresh-session", server, NULL, "fresh");
    long long fresh_id = zoo_client_id(fresh)->client_id;
    if (fresh_id == session.client_id) {
        fail("fresh-session", "same session 0x%llx", (unsigned long long) fresh_id);
    }
    expect("fresh-session", "eph", zoo_exists(fresh, ROOT "/eph", 0, &stat), ZNONODE);
    ok("fresh-session", "session=0x%llx eph gone", (unsigned long long) fresh_id);
    zookeeper_close(fresh);

    ok("done", "%s", "");
    return 0;
}

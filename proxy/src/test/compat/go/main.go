// Command compat-go runs the compatibility scenario of ExternalClientsIT with github.com/samuel/go-zookeeper
// against the connect string given as its only argument (a zk-tenant-proxy tenant port), printing one line per
// step: "ok <step> <detail>", or "FAIL <step> <why>" and exit status 1. At the cut point it prints "CUT" and waits
// for one line on stdin (the test restarts the proxy meanwhile).
//
// Built in GOPATH mode against Debian's golang-github-samuel-go-zookeeper-dev:
//
//	GO111MODULE=off GOPATH=<tmp>:/usr/share/gocode go build -o <out> .
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/samuel/go-zookeeper/zk"
)

const (
	root           = "/compat-go"
	sessionTimeout = 30 * time.Second
	// Generous: a loaded 2-core CI machine, and a proxy restart in the middle.
	deadline = 60 * time.Second
)

var acl = zk.WorldACL(zk.PermAll)

func fail(step string, format string, args ...interface{}) {
	fmt.Printf("FAIL %s %s\n", step, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func ok(step string, format string, args ...interface{}) {
	fmt.Printf("ok %s %s\n", step, fmt.Sprintf(format, args...))
}

// handshake keeps the last ConnectResponse the library read. go-zookeeper has no API to open a connection for a
// given session (Connect takes no session id or password, and Conn keeps the password in an unexported field), so
// the expiry step needs the password from the wire: a dialer wraps each connection and keeps its first frame.
type handshake struct {
	mu       sync.Mutex
	response []byte
}

type teeConn struct {
	net.Conn
	h    *handshake
	seen []byte
	done bool
}

func (t *teeConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if !t.done && n > 0 {
		t.seen = append(t.seen, p[:n]...)
		if len(t.seen) >= 4 {
			size := int(binary.BigEndian.Uint32(t.seen[:4]))
			if len(t.seen) >= 4+size {
				t.h.mu.Lock()
				t.h.response = append([]byte(nil), t.seen[4:4+size]...)
				t.h.mu.Unlock()
				t.done = true
				t.seen = nil
			}
		}
	}
	return n, err
}

func (h *handshake) dialer() zk.Dialer {
	return func(network, address string, timeout time.Duration) (net.Conn, error) {
		c, err := net.DialTimeout(network, address, timeout)
		if err != nil {
			return nil, err
		}
		return &teeConn{Conn: c, h: h}, nil
	}
}

// password reads ConnectResponse{int protocolVersion, int timeOut, long sessionId, buffer passwd}.
func (h *handshake) password() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.response
	if len(r) < 20 {
		return nil
	}
	n := int(binary.BigEndian.Uint32(r[16:20]))
	if n < 0 || len(r) < 20+n {
		return nil
	}
	return append([]byte(nil), r[20:20+n]...)
}

// session keeps the library's events in channels that never fill (the library drops events when its own channel
// of 6 is full): session state changes in one, watch events (the library sends each one there too) in the other.
type session struct {
	states  chan zk.Event
	watches chan zk.Event
}

func track(events <-chan zk.Event) *session {
	s := &session{states: make(chan zk.Event, 1000), watches: make(chan zk.Event, 1000)}
	go func() {
		for e := range events {
			fmt.Fprintf(os.Stderr, "%s event %v %v %q %v\n", time.Now().Format(time.RFC3339Nano), e.Type, e.State,
				e.Path, e.Err)
			if e.Type == zk.EventSession {
				s.states <- e
			} else {
				s.watches <- e
			}
		}
	}()
	return s
}

// awaitEvent waits for the watch event wantType on wantPath among all the session's watch events.
func (s *session) awaitEvent(step string, wantType zk.EventType, wantPath string) string {
	timeout := time.After(deadline)
	for {
		select {
		case e := <-s.watches:
			if e.Type == wantType && e.Path == wantPath {
				return fmt.Sprintf("%v %s", e.Type, e.Path)
			}
		case <-timeout:
			fail(step, "no %v on %s within %v", wantType, wantPath, deadline)
		}
	}
}

func (s *session) awaitState(step string, want zk.State) {
	timeout := time.After(deadline)
	for {
		select {
		case e := <-s.states:
			if e.State == want {
				return
			}
		case <-timeout:
			fail(step, "no %v within %v", want, deadline)
		}
	}
}

func awaitWatch(step string, ch <-chan zk.Event, wantType zk.EventType, wantPath string) string {
	select {
	case e := <-ch:
		if e.Type != wantType || e.Path != wantPath {
			fail(step, "got %v %q, want %v %q", e.Type, e.Path, wantType, wantPath)
		}
		return fmt.Sprintf("%v %s", e.Type, e.Path)
	case <-time.After(deadline):
		fail(step, "no %v on %s within %v", wantType, wantPath, deadline)
	}
	return ""
}

func connect(step, server string, h *handshake) (*zk.Conn, *session) {
	conn, raw, err := zk.Connect([]string{server}, sessionTimeout, zk.WithDialer(h.dialer()),
		zk.WithLogInfo(false))
	if err != nil {
		fail(step, "connect: %v", err)
	}
	events := track(raw)
	events.awaitState(step, zk.StateHasSession)
	return conn, events
}

// closeSessionByHand opens a second connection resuming session id with password, as the Java client's
// ZooKeeper(connectString, timeout, watcher, sessionId, password) would, and closes the session on it
// (closeSession, opcode -11). The ConnectRequest leaves out the readOnly byte, as go-zookeeper does.
func closeSessionByHand(server string, id int64, password []byte) error {
	c, err := net.DialTimeout("tcp", server, 10*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(deadline))
	body := make([]byte, 0, 64)
	body = binary.BigEndian.AppendUint32(body, 0) // protocolVersion
	body = binary.BigEndian.AppendUint64(body, 0) // lastZxidSeen
	body = binary.BigEndian.AppendUint32(body, uint32(sessionTimeout.Milliseconds()))
	body = binary.BigEndian.AppendUint64(body, uint64(id))            // sessionId
	body = binary.BigEndian.AppendUint32(body, uint32(len(password))) // passwd
	body = append(body, password...)
	if err := writeFrame(c, body); err != nil {
		return err
	}
	resp, err := readFrame(c)
	if err != nil {
		return fmt.Errorf("connect response: %v", err)
	}
	if len(resp) < 16 || int64(binary.BigEndian.Uint64(resp[8:16])) != id {
		return fmt.Errorf("session not resumed: %x", resp)
	}
	req := make([]byte, 0, 8)
	req = binary.BigEndian.AppendUint32(req, 1)                  // xid
	req = binary.BigEndian.AppendUint32(req, uint32(0xfffffff5)) // type -11 closeSession
	if err := writeFrame(c, req); err != nil {
		return err
	}
	reply, err := readFrame(c)
	if err != nil {
		return fmt.Errorf("closeSession reply: %v", err)
	}
	if len(reply) < 16 || binary.BigEndian.Uint32(reply[12:16]) != 0 {
		return fmt.Errorf("closeSession refused: %x", reply)
	}
	return nil
}

func writeFrame(w io.Writer, body []byte) error {
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	_, err := w.Write(append(frame, body...))
	return err
}

func readFrame(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(size[:])
	if n > 1<<20 {
		return nil, fmt.Errorf("frame length %d (expected: <= %d)", n, 1<<20)
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return body, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compat-go HOST:PORT")
		os.Exit(2)
	}
	server := os.Args[1]
	stdin := bufio.NewReader(os.Stdin)
	h := &handshake{}

	// a. connect
	conn, events := connect("connect", server, h)
	session := conn.SessionID()
	ok("connect", "session=0x%x", session)

	// b. creates; the sequential path must come back without the chroot
	if _, err := conn.Create(root, []byte("r"), 0, acl); err != nil {
		fail("create", "%s: %v", root, err)
	}
	if _, err := conn.Create(root+"/eph", nil, zk.FlagEphemeral, acl); err != nil {
		fail("create", "eph: %v", err)
	}
	seq, err := conn.Create(root+"/seq-", nil, zk.FlagSequence, acl)
	if err != nil {
		fail("create", "seq: %v", err)
	}
	if !regexp.MustCompile(`^/compat-go/seq-\d{10}$`).MatchString(seq) {
		fail("create", "sequential path %q", seq)
	}
	ok("create", "seq=%s", seq)

	// c. three watches, two writes, three events with tenant paths
	_, _, dataW, err := conn.GetW(root)
	if err != nil {
		fail("watches", "getData: %v", err)
	}
	found, _, existW, err := conn.ExistsW(root + "/new")
	if err != nil || found {
		fail("watches", "exists new: %v %v", found, err)
	}
	_, _, childW, err := conn.ChildrenW(root)
	if err != nil {
		fail("watches", "getChildren: %v", err)
	}
	if _, err := conn.Set(root, []byte("r2"), -1); err != nil {
		fail("watches", "setData: %v", err)
	}
	if _, err := conn.Create(root+"/new", nil, 0, acl); err != nil {
		fail("watches", "create new: %v", err)
	}
	got := []string{
		awaitWatch("watches", dataW, zk.EventNodeDataChanged, root),
		awaitWatch("watches", existW, zk.EventNodeCreated, root+"/new"),
	}
	// go-zookeeper hands a NodeDataChanged to the exist, data AND child watchers of its path (recvLoop), so the
	// child watch of the root fires with the setData's NodeDataChanged and is gone when NodeChildrenChanged comes;
	// that event still reaches the session's event channel, where the library sends every watch event.
	var early zk.Event
	select {
	case early = <-childW:
	case <-time.After(deadline):
		fail("watches", "child watch of %s never fired", root)
	}
	got = append(got, events.awaitEvent("watches", zk.EventNodeChildrenChanged, root))
	ok("watches", "%s (the child watch channel got %v %s first: go-zookeeper quirk)", strings.Join(got, ", "),
		early.Type, early.Path)

	// d. a multi that fails on its check creates nothing
	_, err = conn.Multi(&zk.CheckVersionRequest{Path: root, Version: 999},
		&zk.CreateRequest{Path: root + "/never", Data: nil, Acl: acl, Flags: 0})
	if err != zk.ErrBadVersion {
		fail("multi", "want %v, got %v", zk.ErrBadVersion, err)
	}
	if found, _, err := conn.Exists(root + "/never"); err != nil || found {
		fail("multi", "never exists=%v err=%v", found, err)
	}
	ok("multi", "BADVERSION -103, never absent")

	// e. setData with a wrong version
	if _, err := conn.Set(root, []byte("x"), 999); err != zk.ErrBadVersion {
		fail("badversion", "want %v, got %v", zk.ErrBadVersion, err)
	}
	ok("badversion", "setData -103")

	// f. a watch across the cut: the library re-sends it (setWatches, opcode 101) after reconnecting
	_, _, resumeW, err := conn.GetW(root + "/new")
	if err != nil {
		fail("resume", "getData new: %v", err)
	}
	fmt.Println("CUT")
	if _, err := stdin.ReadString('\n'); err != nil {
		fail("resume", "stdin: %v", err)
	}
	events.awaitState("resume", zk.StateDisconnected)
	events.awaitState("resume", zk.StateHasSession)
	if conn.SessionID() != session {
		fail("resume", "session 0x%x, want 0x%x", conn.SessionID(), session)
	}
	if found, _, err := conn.Exists(root + "/eph"); err != nil || !found {
		fail("resume", "eph exists=%v err=%v", found, err)
	}
	ok("resume", "session=0x%x eph present", session)
	if _, err := conn.Set(root+"/new", []byte("n"), -1); err != nil {
		fail("resume-watch", "setData new: %v", err)
	}
	ok("resume-watch", "%s", awaitWatch("resume-watch", resumeW, zk.EventNodeDataChanged, root+"/new"))

	// g. another connection closes the session; this one must see it expire
	password := h.password()
	if len(password) == 0 {
		fail("expiry", "no session password seen on the wire")
	}
	if err := closeSessionByHand(server, session, password); err != nil {
		fail("expiry", "second connection: %v", err)
	}
	events.awaitState("expiry", zk.StateExpired)
	ok("expiry", "session=0x%x expired (closed by a second connection, by hand)", session)
	conn.Close()

	fresh, _ := connect("fresh-session", server, &handshake{})
	if fresh.SessionID() == session {
		fail("fresh-session", "same session 0x%x", session)
	}
	if found, _, err := fresh.Exists(root + "/eph"); err != nil || found {
		fail("fresh-session", "eph exists=%v err=%v", found, err)
	}
	ok("fresh-session", "session=0x%x eph gone", fresh.SessionID())
	fresh.Close()

	ok("done", "")
}

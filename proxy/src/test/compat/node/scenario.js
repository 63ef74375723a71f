'use strict';
// Runs the compatibility scenario of ExternalClientsIT with node-zookeeper-client against the connect string given
// as the only argument (a zk-tenant-proxy tenant port), printing one line per step: "ok <step> <detail>", or
// "FAIL <step> <why>" and exit status 1. At the cut point it prints "CUT" and waits for one line on stdin (the test
// restarts the proxy meanwhile).

const net = require('net');
const readline = require('readline');
const zookeeper = require('node-zookeeper-client');

const ROOT = '/compat-node';
const SESSION_TIMEOUT_MS = 30000;
// Generous: a loaded 2-core CI machine, and a proxy restart in the middle.
const DEADLINE_MS = 60000;
const BAD_VERSION = zookeeper.Exception.BAD_VERSION;
// Hand-made closeSessions tried at the expiry step, and how long each waits for the expiry it should cause.
const EXPIRY_ATTEMPTS = 5;
const EXPIRY_WAIT_MS = 12000;

class StepFailure extends Error {
    constructor(step, why) {
        super(why);
        this.step = step;
    }
}

function ok(step, detail) {
    process.stdout.write(`ok ${step} ${detail}\n`);
}

function within(step, what, promise) {
    let timer;
    const timeout = new Promise((resolve, reject) => {
        timer = setTimeout(() => reject(new StepFailure(step, `no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Calls fn(...args, callback) and resolves with the callback's results after the error ({error, results}).
function call(client, method, ...args) {
    return new Promise((resolve) => {
        client[method](...args, (error, ...results) => resolve({error, results}));
    });
}

async function must(step, client, method, ...args) {
    const {error, results} = await within(step, method, call(client, method, ...args));
    if (error) {
        throw new StepFailure(step, `${method} ${args[0]}: ${error}`);
    }
    return results;
}

function code(error) {
    return error && typeof error.getCode === 'function' ? error.getCode() : error;
}

// A watcher function and a promise of the one event it receives.
function watcher() {
    let fire;
    const fired = new Promise((resolve) => {
        fire = resolve;
    });
    return {fn: (event) => fire(event), fired};
}

async function awaitWatch(step, w, name, path) {
    const event = await within(step, `${name} on ${path}`, w.fired);
    if (event.getName() !== name || event.getPath() !== path) {
        throw new StepFailure(step, `got ${event.getName()} ${event.getPath()}, want ${name} ${path}`);
    }
    return `${name} ${path}`;
}

async function connect(step, connectString, options) {
    const client = zookeeper.createClient(connectString,
        Object.assign({sessionTimeout: SESSION_TIMEOUT_MS, spinDelay: 200, retries: 0}, options));
    // Every state change on stderr (the test keeps it in target/compat/node-stderr.log), to read a failure.
    client.on('state', (state) => process.stderr.write(`${new Date().toISOString()} ${step} client: ${state}\n`));
    const connected = new Promise((resolve) => client.once('connected', resolve));
    client.connect();
    await within(step, 'connection', connected);
    return client;
}

// A ConnectRequest resuming session with password (no readOnly byte, as the library sends it) and a closeSession
// (RequestHeader{xid 1, type -11}) in one write, so nothing can take the session between the two; resolves on the
// closeSession's reply or the connection's end.
function closeSessionByHand(connectString, session, password) {
    const [host, port] = connectString.split(',')[0].split(':');
    const connect = Buffer.alloc(4 + 28 + password.length);
    let at = connect.writeInt32BE(connect.length - 4, 0);
    at = connect.writeInt32BE(0, at); // protocolVersion
    at = connect.writeBigInt64BE(0n, at); // lastZxidSeen
    at = connect.writeInt32BE(SESSION_TIMEOUT_MS, at);
    at += session.copy(connect, at);
    at = connect.writeInt32BE(password.length, at);
    password.copy(connect, at);
    const close = Buffer.alloc(12);
    close.writeInt32BE(8, 0);
    close.writeInt32BE(1, 4);
    close.writeInt32BE(-11, 8);
    return new Promise((resolve, reject) => {
        const socket = net.connect(Number(port), host, () => socket.write(Buffer.concat([connect, close])));
        let received = Buffer.alloc(0);
        socket.on('data', (data) => {
            received = Buffer.concat([received, data]);
            // the ConnectResponse frame, then the closeSession's ReplyHeader{xid, zxid, err}
            if (received.length >= 4) {
                const first = 4 + received.readInt32BE(0);
                if (received.length >= first + 20) {
                    const err = received.readInt32BE(first + 16);
                    socket.destroy();
                    return err === 0 ? resolve() : reject(new StepFailure('expiry', `closeSession: ${err}`));
                }
            }
            return undefined;
        });
        socket.on('error', (e) => reject(new StepFailure('expiry', `closeSession by hand: ${e}`)));
        // The reply may not come back: this client's reconnect can take the session's connection away after the
        // closeSession went out (then that reconnect is answered "expired"); the expiry itself is what is awaited.
        socket.on('close', () => resolve());
    });
}

function hex(buffer) {
    return '0x' + buffer.toString('hex');
}

async function scenario(connectString, nextLine) {
    // a. connect
    const client = await connect('connect', connectString, {});
    const session = client.getSessionId();
    ok('connect', `session=${hex(session)}`);

    // b. creates; the sequential path must come back without the chroot
    await must('create', client, 'create', ROOT, Buffer.from('r'), zookeeper.CreateMode.PERSISTENT);
    await must('create', client, 'create', ROOT + '/eph', zookeeper.CreateMode.EPHEMERAL);
    const [seq] = await must('create', client, 'create', ROOT + '/seq-', zookeeper.CreateMode.PERSISTENT_SEQUENTIAL);
    if (!/^\/compat-node\/seq-\d{10}$/.test(seq)) {
        throw new StepFailure('create', `sequential path ${seq}`);
    }
    ok('create', `seq=${seq}`);

    // c. three watches, two writes, three events with tenant paths
    const dataW = watcher();
    const existW = watcher();
    const childW = watcher();
    await must('watches', client, 'getData', ROOT, dataW.fn);
    const [absent] = await must('watches', client, 'exists', ROOT + '/new', existW.fn);
    if (absent) {
        throw new StepFailure('watches', 'new exists already');
    }
    await must('watches', client, 'getChildren', ROOT, childW.fn);
    await must('watches', client, 'setData', ROOT, Buffer.from('r2'), -1);
    await must('watches', client, 'create', ROOT + '/new');
    const got = [
        await awaitWatch('watches', dataW, 'NODE_DATA_CHANGED', ROOT),
        await awaitWatch('watches', existW, 'NODE_CREATED', ROOT + '/new'),
        await awaitWatch('watches', childW, 'NODE_CHILDREN_CHANGED', ROOT),
    ];
    ok('watches', got.join(', '));

    // d. a multi that fails on its check creates nothing
    const multi = await within('multi', 'multi', new Promise((resolve) => client.transaction()
        .check(ROOT, 999)
        .create(ROOT + '/never')
        .commit((error, results) => resolve({error, results}))));
    if (code(multi.error) !== BAD_VERSION) {
        throw new StepFailure('multi', `want BAD_VERSION, got ${multi.error}`);
    }
    const [never] = await must('multi', client, 'exists', ROOT + '/never');
    if (never) {
        throw new StepFailure('multi', 'never exists');
    }
    ok('multi', 'BADVERSION -103, never absent');

    // e. setData with a wrong version
    const wrong = await within('badversion', 'setData', call(client, 'setData', ROOT, Buffer.from('x'), 999));
    if (code(wrong.error) !== BAD_VERSION) {
        throw new StepFailure('badversion', `want BAD_VERSION, got ${wrong.error}`);
    }
    ok('badversion', 'setData -103');

    // f. a watch across the cut: the library re-sends it (setWatches, opcode 101, xid -8) after reconnecting
    const resumeW = watcher();
    await must('resume', client, 'getData', ROOT + '/new', resumeW.fn);
    // Listens before the cut: the client may be back on the new proxy before "go" arrives.
    const resumed = new Promise((resolve) => client.once('disconnected', () => client.once('connected', resolve)));
    process.stdout.write('CUT\n');
    await within('resume', 'go on stdin', nextLine());
    await within('resume', 'disconnection and reconnection', resumed);
    if (!client.getSessionId().equals(session)) {
        throw new StepFailure('resume', `session ${hex(client.getSessionId())}, want ${hex(session)}`);
    }
    const [eph] = await must('resume', client, 'exists', ROOT + '/eph');
    if (!eph) {
        throw new StepFailure('resume', 'eph is gone');
    }
    ok('resume', `session=${hex(session)} eph present`);
    await must('resume-watch', client, 'setData', ROOT + '/new', Buffer.from('n'), -1);
    ok('resume-watch', await awaitWatch('resume-watch', resumeW, 'NODE_DATA_CHANGED', ROOT + '/new'));

    // g. a second client on the same session closes it; this one must see it expire. node-zookeeper-client can
    // resume a session (createClient options sessionId, sessionPassword), but the second client's resume takes the
    // session's connection away from this one, which reconnects at once (one server: no spin delay) and takes it
    // back before the second client's closeSession is out; its close() then sends nothing. So: the library's way
    // once, then, if the session survived, by hand with the closeSession pipelined behind the ConnectRequest.
    const expired = new Promise((resolve) => client.once('expired', () => resolve(true)));
    const password = client.getSessionPassword();
    const second = zookeeper.createClient(connectString,
        {sessionTimeout: SESSION_TIMEOUT_MS, sessionId: session, sessionPassword: password});
    // close() inside the event itself: the closeSession leaves in the same tick as the ConnectResponse arrived.
    second.once('connected', () => second.close());
    second.connect();
    let how = 'by a second client with its id and password';
    const settle = (ms) => new Promise((resolve) => setTimeout(() => resolve(false), ms));
    if (!await Promise.race([expired, settle(5000)])) {
        second.close();
        // The hand-made connection can lose the same race (this client reconnects within milliseconds and the
        // server drops the other connection before the closeSession is read): then it tries again.
        for (let attempt = 1; ; attempt++) {
            process.stderr.write(`${new Date().toISOString()} expiry: closeSession by hand, attempt ${attempt}\n`);
            await within('expiry', 'closeSession by hand', closeSessionByHand(connectString, session, password));
            if (await Promise.race([expired, settle(EXPIRY_WAIT_MS)])) {
                break;
            }
            if (attempt === EXPIRY_ATTEMPTS) {
                throw new StepFailure('expiry', `session ${hex(session)} alive after ${attempt} tries by hand`);
            }
        }
        how = 'the second client lost the race to this one\'s reconnect; closed by hand: ConnectRequest + '
            + 'closeSession in one write';
    }
    await within('expiry', 'expiry', expired);
    ok('expiry', `session=${hex(session)} expired (${how})`);
    client.close();

    const fresh = await connect('fresh-session', connectString, {});
    if (fresh.getSessionId().equals(session)) {
        throw new StepFailure('fresh-session', `same session ${hex(session)}`);
    }
    const [stillEph] = await must('fresh-session', fresh, 'exists', ROOT + '/eph');
    if (stillEph) {
        throw new StepFailure('fresh-session', 'eph still exists');
    }
    ok('fresh-session', `session=${hex(fresh.getSessionId())} eph gone`);
    fresh.close();

    ok('done', '');
}

function main() {
    if (process.argv.length !== 3) {
        process.stderr.write('usage: node scenario.js HOST:PORT\n');
        process.exit(2);
    }
    const lines = readline.createInterface({input: process.stdin});
    const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
    scenario(process.argv[2], nextLine).then(() => {
        lines.close();
        process.exit(0);
    }, (error) => {
        const step = error instanceof StepFailure ? error.step : 'error';
        process.stdout.write(`FAIL ${step} ${error.message.replace(/\n/g, ' ')}\n`);
        process.exit(1);
    });
}

main();

'use strict';
// Runs the compatibility scenario of ExternalClientsIT with node-zookeeper-client against the connect string given
// as the only argument (a zk-tenant-proxy tenant port), printing one line per step: "ok <step> <detail>", or
// "FAIL <step> <why>" and exit status 1. At the cut point it prints "CUT" and waits for one line on stdin (the test
// restarts the proxy meanwhile).

const readline = require('readline');
const zookeeper = require('node-zookeeper-client');

const ROOT = '/compat-node';
const SESSION_TIMEOUT_MS = 30000;
// Generous: a loaded 2-core CI machine, and a proxy restart in the middle.
const DEADLINE_MS = 60000;
const BAD_VERSION = zookeeper.Exception.BAD_VERSION;

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
    const connected = new Promise((resolve) => client.once('connected', resolve));
    client.connect();
    await within(step, 'connection', connected);
    return client;
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

    // g. a second client on the same session closes it; this one must see it expire
    const expired = new Promise((resolve) => client.once('expired', resolve));
    const second = await connect('expiry', connectString,
        {sessionId: session, sessionPassword: client.getSessionPassword()});
    if (!second.getSessionId().equals(session)) {
        throw new StepFailure('expiry', `second client got session ${hex(second.getSessionId())}`);
    }
    second.close();
    await within('expiry', 'expiry', expired);
    ok('expiry', `session=${hex(session)} expired (closed by a second client with its id and password)`);
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

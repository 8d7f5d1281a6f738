"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge probe iec104 --host H --port N <gi|ci|cs|rd|cmd> …`: one request against an IEC 104 station. */
const node_util_1 = require("node:util");
const errors_js_1 = require("../../core/errors.js");
const point_js_1 = require("../../core/point.js");
const jsonl_js_1 = require("../jsonl.js");
const client_js_1 = require("../../protocols/iec104/client.js");
const constants_js_1 = require("../../protocols/iec104/constants.js");
const config_js_1 = require("../../sim/iec104/config.js");
const requests_js_1 = require("../../protocols/iec104/requests.js");
exports.summary = 'IEC 104 probe: general/counter interrogation, clock sync, read, commands (exit 1 on refusal/timeout)';
const USAGE = `usage: gridbridge probe iec104 --host H [--host H2 …] [--port N] [--ca N] [--json] <action>
actions:
  gi [--group G]                      general (or group 1-16) interrogation
  ci [--group G] [--freeze F]         counter interrogation (group 1-4; F = 0 read, 1 freeze, 2 freeze+reset, 3 reset)
  cs [--time ISO]                     clock synchronisation (default: now)
  rd IOA                              read one object
  cmd KIND IOA VALUE [--sbo] [--with-time] [--no-term]
                                      KIND sc|dc|rc|se-na|se-nb|se-nc|bo, e.g. cmd sc 5000 on, cmd se-nc 5005 42.5 --sbo
options:
  --timeout MS        ACT_CON timeout (default 5000); ACT_TERM waits as long again
  --json              JSON lines (points and the result); default a readable listing
${config_js_1.TLS_USAGE}
Exit code 0 on a positive result, 1 on a negative confirmation, unknown address or timeout, 2 on usage errors.`;
async function run(argv) {
    let parsed;
    try {
        parsed = (0, node_util_1.parseArgs)({
            args: argv,
            allowPositionals: true,
            options: {
                host: { type: 'string', multiple: true },
                port: { type: 'string' },
                ca: { type: 'string', default: '1' },
                json: { type: 'boolean', default: false },
                timeout: { type: 'string', default: '5000' },
                group: { type: 'string' },
                freeze: { type: 'string', default: '0' },
                time: { type: 'string' },
                sbo: { type: 'boolean', default: false },
                'with-time': { type: 'boolean', default: false },
                'no-term': { type: 'boolean', default: false },
                'tls-cert': { type: 'string' },
                'tls-key': { type: 'string' },
                'tls-ca': { type: 'string' },
                'tls-allow': { type: 'string', multiple: true },
                'tls-min': { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        });
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${(0, errors_js_1.errorMessage)(e)}\n${USAGE}`);
        return 2;
    }
    const v = parsed.values;
    const [verb, ...rest] = parsed.positionals;
    if (v.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
    }
    if (!v.host?.length || !verb) {
        (0, jsonl_js_1.warn)(`probe iec104: --host and an action are needed\n${USAGE}`);
        return 2;
    }
    let action;
    const group = v.group !== undefined ? Number(v.group) : undefined;
    switch (verb) {
        case 'gi':
            action = group !== undefined ? { kind: 'gi', group } : { kind: 'gi' };
            break;
        case 'ci':
            action = group !== undefined ? { kind: 'ci', group, freeze: Number(v.freeze) } : { kind: 'ci', freeze: Number(v.freeze) };
            break;
        case 'cs': {
            const t = v.time ? Date.parse(v.time) : undefined;
            if (t !== undefined && !Number.isFinite(t))
                return (0, jsonl_js_1.warn)(`probe iec104: --time "${v.time}" is not a date`), 2;
            action = t !== undefined ? { kind: 'cs', time: t } : { kind: 'cs' };
            break;
        }
        case 'rd':
            if (!Number.isInteger(Number(rest[0])))
                return (0, jsonl_js_1.warn)('probe iec104: rd needs an IOA'), 2;
            action = { kind: 'rd', ioa: Number(rest[0]) };
            break;
        case 'cmd': {
            const spec = (0, requests_js_1.parseCommand)(rest[0] ?? '', rest[1], rest[2]);
            if (typeof spec === 'string')
                return (0, jsonl_js_1.warn)(`probe iec104: ${spec}`), 2;
            if (v.sbo)
                spec.sbo = true;
            if (v['with-time'])
                spec.withTime = true;
            if (v['no-term'])
                spec.awaitTermination = false;
            action = { kind: 'cmd', spec };
            break;
        }
        default:
            (0, jsonl_js_1.warn)(`probe iec104: unknown action "${verb}"\n${USAGE}`);
            return 2;
    }
    let client;
    const timeout = Number(v.timeout);
    try {
        const tls = (0, config_js_1.tlsFromFlags)(v);
        const port = v.port ? Number(v.port) : undefined;
        client = new client_js_1.Iec104Client({
            hosts: v.host.map((h) => (port !== undefined ? { host: h, port } : { host: h })),
            ...(tls ? { tls } : {}),
            reconnect: false,
            confirmTimeoutMs: timeout,
            terminationTimeoutMs: timeout,
            link: { t0: timeout },
        });
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`probe iec104: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
    client.on('warn', (m) => (v.json ? (0, jsonl_js_1.emit)('warn', { message: m }) : (0, jsonl_js_1.warn)(m)));
    client.on('point', (p, u) => {
        if (v.json)
            (0, jsonl_js_1.emit)('point', { ...(0, point_js_1.pointToJson)(p), ca: u.ca, ioa: u.object.ioa, type: (0, constants_js_1.typeName)(u.typeId), cot: u.cot });
        else
            process.stdout.write(`${String(u.ca).padStart(5)} ${String(u.object.ioa).padStart(8)}  ${((0, constants_js_1.typeName)(u.typeId) ?? String(u.typeId)).padEnd(10)} ${String(p.value).padStart(14)}  ${p.quality.code}${p.sourceTime ? '  ' + new Date(p.sourceTime).toISOString() : ''}  cot=${u.cot}\n`);
    });
    const ca = Number(v.ca);
    try {
        await client.connect();
        const r = await (0, requests_js_1.runAction)(client, ca, action);
        if (v.json)
            (0, jsonl_js_1.emit)('result', { action: verb, ...r, objects: r.objects?.length });
        else
            process.stdout.write(`${verb}: ${r.ok ? 'OK' : 'FAILED'} (${r.stage}${r.reason ? `: ${r.reason}` : ''})${r.objects ? `, ${r.objects.length} object(s)` : ''}\n`);
        return r.ok ? 0 : 1;
    }
    catch (e) {
        if (v.json)
            (0, jsonl_js_1.emit)('result', { action: verb, ok: false, reason: (0, errors_js_1.errorMessage)(e) });
        else
            (0, jsonl_js_1.warn)(`probe iec104: ${(0, errors_js_1.errorMessage)(e)}`);
        return 1;
    }
    finally {
        client.close();
    }
}
//# sourceMappingURL=probe-iec104.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sim vtn3 --port N`: OpenADR 3 VTN simulator with an OAuth2 client-credentials token endpoint. */
const node_fs_1 = require("node:fs");
const node_util_1 = require("node:util");
const yaml_1 = require("yaml");
const errors_js_1 = require("../../core/errors.js");
const vtn3_js_1 = require("../../sim/openadr/vtn3.js");
const jsonl_js_1 = require("../jsonl.js");
exports.summary = 'simulate an OpenADR 3 VTN (3.0.1 or 3.1.0; programs, events, reports, subscriptions, OAuth2)';
const USAGE = `usage: gridbridge sim vtn3 --port N [--version 3.0.1|3.1.0] [--client ID:SECRET]... [--seed S.yaml]
  --port N        TCP port (default 8081)
  --host H        listen address (default 127.0.0.1)
  --version V     OpenAPI version to behave as (default 3.0.1)
  --client ID:S   an OAuth2 client allowed to get a token (repeatable; default ven:secret)
  --seed S        YAML with programs: [{programName, …}] and events: [{programName, eventName, intervalPeriod, intervals}]`;
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                port: { type: 'string', default: '8081' },
                host: { type: 'string', default: '127.0.0.1' },
                version: { type: 'string', default: '3.0.1' },
                client: { type: 'string', multiple: true },
                seed: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        }).values;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${(0, errors_js_1.errorMessage)(e)}\n${USAGE}`);
        return 2;
    }
    if (v.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
    }
    if (v.version !== '3.0.1' && v.version !== '3.1.0') {
        (0, jsonl_js_1.warn)(`--version must be 3.0.1 or 3.1.0`);
        return 2;
    }
    const clients = {};
    for (const c of v.client ?? ['ven:secret']) {
        const i = c.indexOf(':');
        if (i <= 0) {
            (0, jsonl_js_1.warn)(`--client ${c}: expected ID:SECRET`);
            return 2;
        }
        clients[c.slice(0, i)] = c.slice(i + 1);
    }
    const sim = new vtn3_js_1.VtnSim3({ port: Number(v.port), host: v.host, version: v.version, clients, log: ({ event, ...rest }) => (0, jsonl_js_1.emit)(event, rest) });
    try {
        await sim.start();
        if (v.seed) {
            const seed = ((0, yaml_1.parse)((0, node_fs_1.readFileSync)(v.seed, 'utf8')) ?? {});
            const ids = new Map();
            for (const p of seed.programs ?? [])
                ids.set(String(p['programName']), String(sim.create('programs', p)['id']));
            for (const e of seed.events ?? []) {
                const { programName, ...rest } = e;
                const programID = ids.get(String(programName));
                if (!programID)
                    throw new Error(`seed event ${String(e['eventName'])}: unknown programName ${String(programName)}`);
                sim.create('events', { ...rest, programID });
            }
        }
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sim vtn3: ${(0, errors_js_1.errorMessage)(e)}`);
        await sim.stop();
        return 1;
    }
    const sig = await (0, jsonl_js_1.untilSignal)();
    (0, jsonl_js_1.emit)('stopping', { signal: sig });
    await sim.stop();
    return 0;
}
//# sourceMappingURL=sim-vtn3.js.map
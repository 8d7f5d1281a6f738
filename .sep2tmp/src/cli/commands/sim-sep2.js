"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sim sep2`: an IEEE 2030.5 test server with mTLS, a generated P-256 test PKI and YAML scenarios. */
const node_util_1 = require("node:util");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const jsonl_js_1 = require("../jsonl.js");
const pki_js_1 = require("../../sim/sep2/pki.js");
const server_js_1 = require("../../sim/sep2/server.js");
const scenario_js_1 = require("../../sim/sep2/scenario.js");
exports.summary = 'IEEE 2030.5 (CSIP) test server: mTLS, test PKI, discovery tree, scripted DER controls';
const usage = `usage: gridbridge sim sep2 [--port N] [--host H] [--pki-dir DIR] [--scenario S.yaml] [--legacy] [--verbose]

  --port N          listen port (default 8443; 0 = any)
  --host H          listen address (default 127.0.0.1)
  --pki-dir DIR     where the test CA, server and client certificates live (created if missing; default ./sep2-pki)
  --scenario FILE   YAML: pin, pollRate, postRate, timeOffsetSeconds, programs, steps (controls and cancels)
  --legacy          answer in the pre-2018 namespace without 2018-only/csipaus elements
  --verbose         also print every GET

Prints JSON lines: pki (client LFDI/SFDI and file paths), listening, control, cancel, request.`;
async function run(argv) {
    let a;
    try {
        a = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                port: { type: 'string', default: '8443' },
                host: { type: 'string', default: '127.0.0.1' },
                'pki-dir': { type: 'string', default: 'sep2-pki' },
                scenario: { type: 'string' },
                legacy: { type: 'boolean', default: false },
                verbose: { type: 'boolean', default: false },
                help: { type: 'boolean', default: false },
            },
        }).values;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`${e.message}\n${usage}`);
        return 2;
    }
    if (a.help) {
        process.stdout.write(usage + '\n');
        return 0;
    }
    const port = Number(a.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        (0, jsonl_js_1.warn)(`--port: not a port number: ${a.port}`);
        return 2;
    }
    let scenario;
    if (a.scenario) {
        try {
            scenario = (0, scenario_js_1.parseScenario)((0, node_fs_1.readFileSync)(a.scenario, 'utf8'), a.scenario);
        }
        catch (e) {
            (0, jsonl_js_1.warn)(e instanceof scenario_js_1.ScenarioError ? e.message : `${a.scenario}: ${e.message}`);
            return 2;
        }
    }
    const pki = (0, pki_js_1.ensureTestPki)((0, node_path_1.resolve)(a['pki-dir']));
    (0, jsonl_js_1.emit)('pki', { dir: pki.dir, lfdi: pki.client.lfdi, sfdi: pki.client.sfdi, files: pki.files });
    const server = new server_js_1.Sep2TestServer({ pki, port, host: a.host, ...(scenario ? { scenario } : {}), legacy: a.legacy });
    server.on('request', (r) => {
        if (r.method === 'GET' && !a.verbose && r.status < 400)
            return;
        (0, jsonl_js_1.emit)('request', { ...r });
    });
    server.on('control', (c) => (0, jsonl_js_1.emit)('control', c));
    server.on('cancel', (c) => (0, jsonl_js_1.emit)('cancel', c));
    server.on('tlsError', (m) => (0, jsonl_js_1.emit)('tls-error', { message: m }));
    try {
        await server.start();
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`cannot listen on ${a.host}:${port}: ${e.message}`);
        return 1;
    }
    (0, jsonl_js_1.emit)('listening', { url: `https://${a.host}:${server.port}/dcap`, port: server.port });
    const sig = await (0, jsonl_js_1.untilSignal)();
    await server.stop();
    (0, jsonl_js_1.emit)('stopped', { signal: sig });
    return 0;
}
//# sourceMappingURL=sim-sep2.js.map
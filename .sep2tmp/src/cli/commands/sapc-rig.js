"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
/** `gridbridge sapc rig --report DIR`: run the SAPC override scenarios against a simulated appliance. */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const jsonl_js_1 = require("../jsonl.js");
const errors_js_1 = require("../../core/errors.js");
const clock_js_1 = require("../../core/clock.js");
const rig_js_1 = require("../../sim/sapc/rig.js");
exports.summary = 'run the SAPC override test scenarios and write a JSON + Markdown report';
const USAGE = `usage: gridbridge sapc rig [--report DIR] [--scenario NAME …] [--baud B] [--real-time]
  --report DIR      write DIR/sapc-rig.json and DIR/sapc-rig.md (default: print the summary only)
  --scenario NAME   run only these (repeatable); known: ${rig_js_1.SCENARIOS.map((s) => s.name).join(', ')}
  --baud B          simulated line speed (default 9600)
  --apply-delay MS  appliance control loop delay (default 100)
  --real-time       run on the system clock instead of virtual time
Exit code 0 when every scenario passes, 1 otherwise.`;
async function run(argv) {
    let v;
    try {
        v = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                report: { type: 'string' },
                scenario: { type: 'string', multiple: true },
                baud: { type: 'string', default: '9600' },
                'apply-delay': { type: 'string', default: '100' },
                'real-time': { type: 'boolean', default: false },
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
    try {
        const report = await (0, rig_js_1.runRig)({
            clock: v['real-time'] ? clock_js_1.systemClock : new clock_js_1.FakeClock(Date.now()),
            baud: Number(v.baud),
            applyDelayMs: Number(v['apply-delay']),
            ...(v.scenario ? { scenarios: v.scenario } : {}),
            onProgress: (event, data) => (0, jsonl_js_1.emit)(event, data),
        });
        const md = (0, rig_js_1.formatRigSummary)(report);
        if (v.report) {
            (0, node_fs_1.mkdirSync)(v.report, { recursive: true });
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(v.report, 'sapc-rig.json'), JSON.stringify(report, null, 2) + '\n');
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(v.report, 'sapc-rig.md'), md);
            (0, jsonl_js_1.emit)('report', { json: (0, node_path_1.join)(v.report, 'sapc-rig.json'), summary: (0, node_path_1.join)(v.report, 'sapc-rig.md'), passed: report.passed, failed: report.failed });
        }
        else
            process.stderr.write(md);
        return report.failed ? 1 : 0;
    }
    catch (e) {
        (0, jsonl_js_1.warn)(`sapc rig: ${(0, errors_js_1.errorMessage)(e)}`);
        return 2;
    }
}
//# sourceMappingURL=sapc-rig.js.map
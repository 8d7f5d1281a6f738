"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.summary = void 0;
exports.run = run;
const node_util_1 = require("node:util");
const errors_js_1 = require("../../core/errors.js");
const validate_js_1 = require("../../runtime/validate.js");
exports.summary = 'check device profiles and site mappings: gridbridge validate FILE… [--json]';
async function run(argv) {
    const { values, positionals } = (0, node_util_1.parseArgs)({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help || positionals.length === 0) {
        process.stdout.write('usage: gridbridge validate FILE… [--json]\n  Exit 0 when every file is a valid profile or mapping; otherwise prints file:line:column: field: problem.\n');
        return values.help ? 0 : 2;
    }
    let bad = 0;
    const reports = positionals.map((f) => (0, validate_js_1.validateFile)(f));
    for (const r of reports) {
        if (r.errors.length)
            bad++;
        if (!values.json) {
            if (r.errors.length === 0)
                process.stdout.write(`${r.file}: ok (${r.kind})\n`);
            for (const e of r.errors)
                process.stdout.write((0, errors_js_1.formatProfileError)(e) + '\n');
        }
    }
    if (values.json)
        process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
    return bad === 0 ? 0 : 1;
}
//# sourceMappingURL=validate.js.map
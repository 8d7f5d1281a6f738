"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.writeResult = writeResult;
exports.percentile = percentile;
/** Shared helpers for `npm run bench`: each bench/<name>.ts runs standalone and writes bench/results/<name>.json. */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_os_1 = require("node:os");
function writeResult(name, results) {
    const dir = (0, node_path_1.join)(__dirname, '..', '..', 'bench', 'results');
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const file = (0, node_path_1.join)(dir, `${name}.json`);
    const doc = {
        name,
        date: new Date().toISOString(),
        node: process.version,
        cpu: (0, node_os_1.cpus)()[0]?.model,
        cores: (0, node_os_1.cpus)().length,
        rssMB: Math.round(process.memoryUsage().rss / 1048576),
        ...results,
    };
    (0, node_fs_1.writeFileSync)(file, JSON.stringify(doc, null, 2) + '\n');
    process.stdout.write(JSON.stringify(doc) + '\n');
    return file;
}
function percentile(sorted, p) {
    if (sorted.length === 0)
        return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}
//# sourceMappingURL=lib.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseYamlText = parseYamlText;
exports.loadYamlFile = loadYamlFile;
exports.zodIssues = zodIssues;
/**
 * YAML loading that keeps positions, so every problem in a profile or mapping is reported as file:line:column plus
 * the field path. Schema validators return issues with paths into the raw document; `locate` turns them into lines.
 */
const node_fs_1 = require("node:fs");
const yaml_1 = require("yaml");
const errors_js_1 = require("./errors.js");
function parseYamlText(text, file) {
    const lineCounter = new yaml_1.LineCounter();
    const doc = (0, yaml_1.parseDocument)(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const errors = doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message };
    });
    const locate = (issue) => {
        const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
        // Walk up until a node exists (a missing field is reported at its parent).
        for (let n = path.length; n >= 0; n--) {
            const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
            if ((0, yaml_1.isNode)(node) && node.range) {
                const pos = lineCounter.linePos(node.range[0]);
                return { file, line: pos.line, column: pos.col, path: (0, errors_js_1.formatPath)(issue.path), message: issue.message };
            }
        }
        return { file, path: (0, errors_js_1.formatPath)(issue.path), message: issue.message };
    };
    let data = null;
    try {
        data = doc.toJS({ maxAliasCount: 100 });
    }
    catch (e) {
        errors.push({ file, path: '', message: e instanceof Error ? e.message : String(e) });
    }
    return { file, data, errors, locate };
}
function loadYamlFile(file) {
    let text;
    try {
        text = (0, node_fs_1.readFileSync)(file, 'utf8');
    }
    catch (e) {
        const code = e.code;
        const reason = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : e.message;
        return { file, data: null, errors: [{ file, path: '', message: reason }], locate: (i) => ({ file, path: (0, errors_js_1.formatPath)(i.path), message: i.message }) };
    }
    return parseYamlText(text, file);
}
/** Convert zod issues (v4) to plain issues with paths. */
function zodIssues(error, prefix = []) {
    return error.issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message }));
}
//# sourceMappingURL=yaml.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TLS_USAGE = exports.ConfigError = void 0;
exports.loadIec104Mapping = loadIec104Mapping;
exports.tlsFromFlags = tlsFromFlags;
/** Shared helpers for the IEC 104 simulator and probe: load a mapping file's `iec104` block, TLS files. */
const node_fs_1 = require("node:fs");
const yaml_1 = require("yaml");
const errors_js_1 = require("../../core/errors.js");
const mapping_js_1 = require("../../protocols/iec104/mapping.js");
class ConfigError extends Error {
}
exports.ConfigError = ConfigError;
/** Read the `iec104` block (top level or under `upstream:`) of a mapping YAML/JSON file. */
function loadIec104Mapping(file) {
    const doc = (0, yaml_1.parseDocument)((0, node_fs_1.readFileSync)(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length)
        throw new ConfigError(`${file}: ${doc.errors[0].message}`);
    const root = doc.toJS();
    const upstream = root?.upstream;
    const block = root?.iec104 ?? upstream?.iec104;
    const at = root?.iec104 !== undefined ? ['iec104'] : ['upstream', 'iec104'];
    if (block === undefined)
        throw new ConfigError(`${file}: no iec104 block (expected at iec104 or upstream.iec104)`);
    const r = mapping_js_1.iec104MappingSchema.safeParse(block);
    if (!r.success) {
        const i = r.error.issues[0];
        throw new ConfigError(`${file}: ${(0, errors_js_1.formatPath)([...at, ...i.path])}: ${i.message}`);
    }
    return r.data;
}
function tlsFromFlags(f) {
    const any = f['tls-cert'] || f['tls-key'] || f['tls-ca'];
    if (!any)
        return undefined;
    if (!f['tls-cert'] || !f['tls-key'] || !f['tls-ca'])
        throw new ConfigError('TLS needs --tls-cert, --tls-key and --tls-ca (mutual authentication)');
    const c = { cert: (0, node_fs_1.readFileSync)(f['tls-cert']), key: (0, node_fs_1.readFileSync)(f['tls-key']), ca: (0, node_fs_1.readFileSync)(f['tls-ca']) };
    if (f['tls-allow']?.length)
        c.allowedPeers = f['tls-allow'];
    if (f['tls-min'] === '1.3')
        c.minVersion = 'TLSv1.3';
    return c;
}
exports.TLS_USAGE = `  --tls-cert F --tls-key F --tls-ca F   IEC 62351-3 TLS with mutual authentication (PEM files)
  --tls-allow FP      accept only this peer certificate (SHA-256 fingerprint; repeatable)
  --tls-min 1.3       require TLS 1.3 (default: 1.2 or newer)`;
//# sourceMappingURL=config.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.builtinProfileDir = exports.packageRoot = void 0;
exports.detectKind = detectKind;
exports.loadProfileFile = loadProfileFile;
exports.resolveProfileRef = resolveProfileRef;
exports.checkMapping = checkMapping;
exports.loadMappingFile = loadMappingFile;
exports.validateFile = validateFile;
/**
 * Loading and validating profiles and site mappings, with every problem located to file, line and field.
 * Used by `gridbridge validate`, the runtime and the Node-RED device node.
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const schema_js_1 = require("../core/mapping/schema.js");
const schema_js_2 = require("../core/profile/schema.js");
const yaml_js_1 = require("../core/yaml.js");
const upstreams_js_1 = require("./upstreams.js");
/** The package root: the nearest folder above this file with our package.json (works from src/ and dist/src/). */
exports.packageRoot = (() => {
    let d = __dirname;
    for (;;) {
        const pj = (0, node_path_1.join)(d, 'package.json');
        if ((0, node_fs_1.existsSync)(pj) && /"name":\s*"node-red-contrib-gridbridge"/.test((0, node_fs_1.readFileSync)(pj, 'utf8')))
            return d;
        const up = (0, node_path_1.dirname)(d);
        if (up === d)
            return (0, node_path_1.resolve)(__dirname, '..', '..', '..');
        d = up;
    }
})();
exports.builtinProfileDir = (0, node_path_1.join)(exports.packageRoot, 'device-profiles');
function detectKind(data) {
    if (!data || typeof data !== 'object' || Array.isArray(data))
        return undefined;
    if ('mapping' in data || 'devices' in data)
        return 'mapping';
    if ('points' in data || 'profile' in data)
        return 'profile';
    return undefined;
}
function profileFrom(y) {
    if (y.errors.length)
        return { file: y.file, errors: y.errors };
    const { profile, issues } = (0, schema_js_2.parseProfile)(y.data);
    return { file: y.file, profile, errors: issues.map((i) => y.locate(i)) };
}
const profileCache = new Map();
function loadProfileFile(file) {
    const abs = (0, node_path_1.resolve)(file);
    let mtimeMs = -1;
    try {
        mtimeMs = (0, node_fs_1.statSync)(abs).mtimeMs;
    }
    catch {
        /* reported by loadYamlFile */
    }
    const hit = profileCache.get(abs);
    if (hit && hit.mtimeMs === mtimeMs)
        return hit.load;
    const load = profileFrom((0, yaml_js_1.loadYamlFile)(file));
    if (mtimeMs >= 0)
        profileCache.set(abs, { mtimeMs, load });
    return load;
}
/** Resolve a profile reference (id or path) to a file, searching the given directories then the built-in ones. */
function resolveProfileRef(ref, baseDir, dirs = []) {
    if (ref.includes('/') || /\.ya?ml$/i.test(ref)) {
        const p = (0, node_path_1.isAbsolute)(ref) ? ref : (0, node_path_1.join)(baseDir, ref);
        return (0, node_fs_1.existsSync)(p) ? p : undefined;
    }
    const search = [...dirs.map((d) => ((0, node_path_1.isAbsolute)(d) ? d : (0, node_path_1.join)(baseDir, d))), (0, node_path_1.join)(baseDir, '..', 'device-profiles'), baseDir, exports.builtinProfileDir];
    for (const d of search) {
        for (const ext of ['.yaml', '.yml']) {
            const p = (0, node_path_1.join)(d, ref + ext);
            if ((0, node_fs_1.existsSync)(p))
                return p;
        }
    }
    return undefined;
}
/** Every `{device, name}` object inside an upstream block, with its path. */
function* pointRefs(v, path) {
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++)
            yield* pointRefs(v[i], [...path, i]);
    }
    else if (v && typeof v === 'object') {
        const o = v;
        if (typeof o.device === 'string')
            yield { device: o.device, name: typeof o.name === 'string' ? o.name : undefined, path };
        for (const [k, c] of Object.entries(o))
            if (c && typeof c === 'object')
                yield* pointRefs(c, [...path, k]);
    }
}
function checkMapping(y) {
    const out = { file: y.file, profiles: new Map(), errors: [...y.errors] };
    if (y.errors.length)
        return out;
    const parsed = schema_js_1.MappingSchema.safeParse(y.data);
    if (!parsed.success) {
        out.errors.push(...(0, yaml_js_1.zodIssues)(parsed.error).map((i) => y.locate(i)));
        return out;
    }
    const m = parsed.data;
    const issues = [];
    const checkRef = (ref) => {
        const prof = out.profiles.get(ref.device);
        if (!seen.has(ref.device))
            issues.push({ path: [...ref.path, 'device'], message: `unknown device "${ref.device}"` });
        else if (prof && ref.name !== undefined && !prof.points.some((p) => p.name === ref.name)) {
            issues.push({ path: [...ref.path, 'name'], message: `device "${ref.device}" (profile ${prof.id}) has no point "${ref.name}"` });
        }
    };
    const baseDir = (0, node_path_1.dirname)((0, node_path_1.resolve)(y.file));
    const seen = new Map();
    const units = new Map();
    m.devices.forEach((d, i) => {
        const at = ['devices', i];
        if (seen.has(d.id))
            issues.push({ path: [...at, 'id'], message: `duplicate device id "${d.id}" (also devices[${seen.get(d.id)}])` });
        seen.set(d.id, i);
        if (!m.connections[d.connection]) {
            issues.push({ path: [...at, 'connection'], message: `unknown connection "${d.connection}" (defined: ${Object.keys(m.connections).join(', ') || 'none'})` });
        }
        if (d.unit === 0)
            issues.push({ path: [...at, 'unit'], message: 'unit id 0 is the Modbus broadcast address (writes only, no replies); a polled device needs 1-247' });
        else if (d.unit > 247)
            issues.push({ path: [...at, 'unit'], message: `unit id ${d.unit} is reserved (Modbus serial unit ids are 1-247)` });
        const key = `${d.connection}#${d.unit}`;
        const other = units.get(key);
        if (other)
            issues.push({ path: [...at, 'unit'], message: `unit ${d.unit} on connection "${d.connection}" is already used by device "${other}"` });
        else
            units.set(key, d.id);
        const file = resolveProfileRef(d.profile, baseDir, m.profileDirs);
        if (!file) {
            issues.push({ path: [...at, 'profile'], message: `missing profile "${d.profile}" (looked in ${[...(m.profileDirs ?? []), '../device-profiles', '.', 'built-in device-profiles'].join(', ')})` });
            return;
        }
        const pl = loadProfileFile(file);
        if (!pl.profile) {
            issues.push({ path: [...at, 'profile'], message: `profile "${d.profile}" (${file}) has ${pl.errors.length} problem(s); run gridbridge validate ${file}` });
            return;
        }
        out.profiles.set(d.id, pl.profile);
        const names = new Set(pl.profile.points.map((p) => p.name));
        d.points?.forEach((n, j) => {
            if (!names.has(n))
                issues.push({ path: [...at, 'points', j], message: `profile "${pl.profile.id}" has no point "${n}"` });
        });
        for (const c of Object.keys(d.pollClasses ?? {})) {
            if (!(c in pl.profile.pollClasses))
                issues.push({ path: [...at, 'pollClasses', c], message: `profile "${pl.profile.id}" has no poll class "${c}" (has: ${Object.keys(pl.profile.pollClasses).join(', ')})` });
        }
    });
    for (const ref of pointRefs(m.controls ?? [], ['controls']))
        checkRef(ref);
    for (const [name, block] of Object.entries(m.upstream ?? {})) {
        const schema = upstreams_js_1.upstreamSchemas[name];
        if (schema) {
            const r = schema.safeParse(block);
            if (!r.success)
                issues.push(...(0, yaml_js_1.zodIssues)(r.error, ['upstream', name]));
        }
        for (const ref of pointRefs(block, ['upstream', name]))
            checkRef(ref);
    }
    out.errors.push(...issues.map((i) => y.locate(i)));
    if (out.errors.length === 0)
        out.mapping = m;
    return out;
}
function loadMappingFile(file) {
    return checkMapping((0, yaml_js_1.loadYamlFile)(file));
}
function validateFile(file) {
    const y = (0, yaml_js_1.loadYamlFile)(file);
    if (y.errors.length)
        return { file, errors: y.errors };
    const kind = detectKind(y.data);
    if (kind === 'profile')
        return { file, kind, errors: profileFrom(y).errors };
    if (kind === 'mapping')
        return { file, kind, errors: checkMapping(y).errors };
    return { file, errors: [{ file, line: 1, path: '', message: 'neither a device profile (has "points") nor a site mapping (has "mapping"/"devices")' }] };
}
//# sourceMappingURL=validate.js.map
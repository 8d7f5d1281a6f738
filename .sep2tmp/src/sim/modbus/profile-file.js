"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ProfileLoadError = void 0;
exports.resolveProfilePath = resolveProfilePath;
exports.loadProfile = loadProfile;
/** Load a device profile YAML for the simulator and the CLI; problems come back located (file:line: path: message). */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const errors_js_1 = require("../../core/errors.js");
const schema_js_1 = require("../../core/profile/schema.js");
const yaml_js_1 = require("../../core/yaml.js");
class ProfileLoadError extends Error {
    problems;
    constructor(problems) {
        super(problems.join('\n'));
        this.problems = problems;
        this.name = 'ProfileLoadError';
    }
}
exports.ProfileLoadError = ProfileLoadError;
/** `ref` is a path, or a profile id found in the package's device-profiles/ folder. */
function resolveProfilePath(ref) {
    if ((0, node_fs_1.existsSync)(ref))
        return ref;
    for (const base of [(0, node_path_1.join)(__dirname, '..', '..', '..', 'device-profiles'), (0, node_path_1.join)(__dirname, '..', '..', '..', '..', 'device-profiles')]) {
        const f = (0, node_path_1.join)(base, ref.endsWith('.yaml') ? ref : `${ref}.yaml`);
        if ((0, node_fs_1.existsSync)(f))
            return f;
    }
    return ref;
}
function loadProfile(ref) {
    const file = resolveProfilePath(ref);
    const y = (0, yaml_js_1.loadYamlFile)(file);
    if (y.errors.length)
        throw new ProfileLoadError(y.errors.map(errors_js_1.formatProfileError));
    const r = (0, schema_js_1.parseProfile)(y.data);
    if (!r.profile)
        throw new ProfileLoadError(r.issues.map((i) => (0, errors_js_1.formatProfileError)(y.locate(i))));
    return r.profile;
}
//# sourceMappingURL=profile-file.js.map
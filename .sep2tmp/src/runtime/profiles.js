"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.listBuiltinProfiles = listBuiltinProfiles;
/** Profiles available to the editor: the built-in ones (device-profiles/) with their id, kind, maker and model. */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const validate_js_1 = require("./validate.js");
function listBuiltinProfiles(dir = validate_js_1.builtinProfileDir) {
    let files = [];
    try {
        files = (0, node_fs_1.readdirSync)(dir).filter((f) => /\.ya?ml$/.test(f));
    }
    catch {
        return [];
    }
    const out = [];
    for (const f of files.sort()) {
        const p = (0, validate_js_1.loadProfileFile)((0, node_path_1.join)(dir, f)).profile;
        if (p)
            out.push({ id: p.id, kind: p.kind, maker: p.metadata.maker, model: p.metadata.model, points: p.points.length });
    }
    return out;
}
//# sourceMappingURL=profiles.js.map
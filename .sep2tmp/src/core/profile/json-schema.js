"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.profileJsonSchema = profileJsonSchema;
const zod_1 = require("zod");
const schema_js_1 = require("./schema.js");
/** JSON Schema of the device profile file, for editor autocompletion (written to schemas/profile.schema.json). */
function profileJsonSchema() {
    return {
        $id: 'https://gridbridge.dev/schemas/profile.schema.json',
        title: 'GridBridge device profile',
        ...zod_1.z.toJSONSchema(schema_js_1.ProfileSchema, { io: 'input', unrepresentable: 'any' }),
    };
}
//# sourceMappingURL=json-schema.js.map
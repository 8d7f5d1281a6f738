"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.mappingJsonSchema = mappingJsonSchema;
const zod_1 = require("zod");
const schema_js_1 = require("../core/mapping/schema.js");
/** JSON Schema of the site mapping file, for editor autocompletion (written to schemas/mapping.schema.json). */
function mappingJsonSchema() {
    return { $id: 'https://gridbridge.dev/schemas/mapping.schema.json', title: 'GridBridge site mapping', ...zod_1.z.toJSONSchema(schema_js_1.MappingSchema, { io: 'input', unrepresentable: 'any' }) };
}
//# sourceMappingURL=json-schema.js.map
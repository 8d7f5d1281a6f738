"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.upstreamSchemas = void 0;
const mapping_js_1 = require("../protocols/mqtt/mapping.js");
exports.upstreamSchemas = {
    mqtt: mapping_js_1.mqttUpstreamSchema,
};
//# sourceMappingURL=upstreams.js.map
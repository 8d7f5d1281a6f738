"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.profileJsonSchema = exports.suggest = exports.layoutOrders = exports.parseTypeName = exports.parseProfile = exports.FunctionSchema = exports.HoleSchema = exports.PointSchema = exports.ProfileSchema = void 0;
/** Device profiles: YAML format, normalization, raw data types, scaling. See docs/profiles.md. */
__exportStar(require("./types.js"), exports);
var schema_js_1 = require("./schema.js");
Object.defineProperty(exports, "ProfileSchema", { enumerable: true, get: function () { return schema_js_1.ProfileSchema; } });
Object.defineProperty(exports, "PointSchema", { enumerable: true, get: function () { return schema_js_1.PointSchema; } });
Object.defineProperty(exports, "HoleSchema", { enumerable: true, get: function () { return schema_js_1.HoleSchema; } });
Object.defineProperty(exports, "FunctionSchema", { enumerable: true, get: function () { return schema_js_1.FunctionSchema; } });
Object.defineProperty(exports, "parseProfile", { enumerable: true, get: function () { return schema_js_1.parseProfile; } });
var check_js_1 = require("./check.js");
Object.defineProperty(exports, "parseTypeName", { enumerable: true, get: function () { return check_js_1.parseTypeName; } });
Object.defineProperty(exports, "layoutOrders", { enumerable: true, get: function () { return check_js_1.layoutOrders; } });
Object.defineProperty(exports, "suggest", { enumerable: true, get: function () { return check_js_1.suggest; } });
__exportStar(require("./datatypes.js"), exports);
__exportStar(require("./scaling.js"), exports);
var json_schema_js_1 = require("./json-schema.js");
Object.defineProperty(exports, "profileJsonSchema", { enumerable: true, get: function () { return json_schema_js_1.profileJsonSchema; } });
//# sourceMappingURL=index.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseClasses = exports.parseTargets = exports.targetKey = exports.Arbiter = void 0;
var arbiter_js_1 = require("./arbiter.js");
Object.defineProperty(exports, "Arbiter", { enumerable: true, get: function () { return arbiter_js_1.Arbiter; } });
Object.defineProperty(exports, "targetKey", { enumerable: true, get: function () { return arbiter_js_1.targetKey; } });
var config_js_1 = require("./config.js");
Object.defineProperty(exports, "parseTargets", { enumerable: true, get: function () { return config_js_1.parseTargets; } });
Object.defineProperty(exports, "parseClasses", { enumerable: true, get: function () { return config_js_1.parseClasses; } });
//# sourceMappingURL=index.js.map
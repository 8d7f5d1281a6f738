"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=sapc-common.js.map
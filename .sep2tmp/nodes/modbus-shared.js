"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=modbus-shared.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=scheduler-types.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=object.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
//# sourceMappingURL=sep2-shared.js.map
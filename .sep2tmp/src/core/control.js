"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SOURCE_CLASSES = void 0;
/** Ordered from most to least authoritative where the arbiter ranks them; see src/core/arbitration. */
exports.SOURCE_CLASSES = ['safety', 'load_controller', 'dso', 'supplier', 'aggregator', 'owner', 'local_plan', 'default'];
//# sourceMappingURL=control.js.map
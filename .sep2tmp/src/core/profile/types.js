"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_POLL_CLASSES = exports.DEFAULT_LIMITS = exports.DATA_TYPES = exports.MODBUS_FUNCTIONS = void 0;
exports.isBitFunction = isBitFunction;
exports.isReadOnlyFunction = isReadOnlyFunction;
exports.fixedLength = fixedLength;
exports.MODBUS_FUNCTIONS = ['coil', 'discrete', 'holding', 'input'];
exports.DATA_TYPES = [
    'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'string', 'bit', 'enum', 'bitfield', 'acc16', 'acc32', 'sunssf',
];
exports.DEFAULT_LIMITS = { maxReadRegisters: 125, maxReadBits: 2000, maxWriteRegisters: 123, maxGap: 20 };
exports.DEFAULT_POLL_CLASSES = { fast: 1000, normal: 10000, slow: 60000 };
function isBitFunction(f) {
    return f === 'coil' || f === 'discrete';
}
function isReadOnlyFunction(f) {
    return f === 'input' || f === 'discrete';
}
/** Registers a type occupies; undefined when the type's length is given by the profile (string, enum, bitfield). */
function fixedLength(type) {
    switch (type) {
        case 'u16':
        case 'i16':
        case 'acc16':
        case 'sunssf':
        case 'bit':
            return 1;
        case 'u32':
        case 'i32':
        case 'f32':
        case 'acc32':
            return 2;
        case 'u64':
        case 'i64':
        case 'f64':
            return 4;
        default:
            return undefined;
    }
}
//# sourceMappingURL=types.js.map
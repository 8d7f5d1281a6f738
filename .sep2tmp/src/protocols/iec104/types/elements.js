"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ELEMENTS = void 0;
/**
 * Information element codecs per type identification (IEC 60870-5-101 §7.3, element formats §7.2.6; IEC 104 keeps
 * only CP56Time2a time tags). `size` is the length of one object's elements, without the 3-octet IOA.
 */
const constants_js_1 = require("../constants.js");
const cp56time_js_1 = require("../cp56time.js");
const quality_js_1 = require("../quality.js");
// Scratch views: writing floats octet by octet through a Float32Array is much faster than Buffer.writeFloatLE.
const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
function writeF32(b, o, v) {
    f32[0] = v;
    if (LE) {
        b[o] = f32b[0];
        b[o + 1] = f32b[1];
        b[o + 2] = f32b[2];
        b[o + 3] = f32b[3];
    }
    else
        b.writeFloatLE(v, o);
}
function readF32(b, o) {
    if (!LE)
        return b.readFloatLE(o);
    f32b[0] = b[o];
    f32b[1] = b[o + 1];
    f32b[2] = b[o + 2];
    f32b[3] = b[o + 3];
    return f32[0];
}
const num = (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : Number.isFinite(v) ? v : 0);
const int16 = (v) => Math.max(-32768, Math.min(32767, Math.round(v)));
const nvaRaw = (v) => int16(v * 32768);
// --- element fragments -------------------------------------------------------------------------------------------
const SIQ = {
    size: 1,
    read: (b, o, x) => {
        x.value = (b[o] & 1) === 1;
        x.quality = (0, quality_js_1.readQualityHigh)(b[o]);
    },
    write: (b, o, x) => {
        b[o] = (num(x.value) ? 1 : 0) | (0, quality_js_1.qualityHighBits)(x.quality);
    },
};
const DIQ = {
    size: 1,
    read: (b, o, x) => {
        x.value = b[o] & 3;
        x.quality = (0, quality_js_1.readQualityHigh)(b[o]);
    },
    write: (b, o, x) => {
        b[o] = (num(x.value) & 3) | (0, quality_js_1.qualityHighBits)(x.quality);
    },
};
const VTI_QDS = {
    size: 2,
    read: (b, o, x) => {
        x.value = ((b[o] & 0x7f) << 25) >> 25;
        x.transient = (b[o] & 0x80) !== 0;
        x.quality = (0, quality_js_1.readQds)(b[o + 1]);
    },
    write: (b, o, x) => {
        const v = Math.max(-64, Math.min(63, Math.round(num(x.value))));
        b[o] = (v & 0x7f) | (x.transient ? 0x80 : 0);
        b[o + 1] = (0, quality_js_1.qdsByte)(x.quality);
    },
};
const BSI_QDS = {
    size: 5,
    read: (b, o, x) => {
        x.value = b.readUInt32LE(o);
        x.quality = (0, quality_js_1.readQds)(b[o + 4]);
    },
    write: (b, o, x) => {
        b.writeUInt32LE(num(x.value) >>> 0, o);
        b[o + 4] = (0, quality_js_1.qdsByte)(x.quality);
    },
};
const NVA_QDS = {
    size: 3,
    read: (b, o, x) => {
        x.value = b.readInt16LE(o) / 32768;
        x.quality = (0, quality_js_1.readQds)(b[o + 2]);
    },
    write: (b, o, x) => {
        b.writeInt16LE(nvaRaw(num(x.value)), o);
        b[o + 2] = (0, quality_js_1.qdsByte)(x.quality);
    },
};
const NVA = {
    size: 2,
    read: (b, o, x) => {
        x.value = b.readInt16LE(o) / 32768;
    },
    write: (b, o, x) => {
        b.writeInt16LE(nvaRaw(num(x.value)), o);
    },
};
const SVA_QDS = {
    size: 3,
    read: (b, o, x) => {
        x.value = b.readInt16LE(o);
        x.quality = (0, quality_js_1.readQds)(b[o + 2]);
    },
    write: (b, o, x) => {
        b.writeInt16LE(int16(num(x.value)), o);
        b[o + 2] = (0, quality_js_1.qdsByte)(x.quality);
    },
};
const R32_QDS = {
    size: 5,
    read: (b, o, x) => {
        x.value = readF32(b, o);
        x.quality = (0, quality_js_1.readQds)(b[o + 4]);
    },
    write: (b, o, x) => {
        const v = x.value;
        writeF32(b, o, typeof v === 'number' ? v : num(v));
        b[o + 4] = (0, quality_js_1.qdsByte)(x.quality);
    },
};
/** BCR (§7.2.6.9): counter reading int32, then SQ bits 0-4, CY, CA, IV. */
const BCR = {
    size: 5,
    read: (b, o, x) => {
        x.value = b.readInt32LE(o);
        const s = b[o + 4];
        x.sequence = s & 0x1f;
        x.carry = (s & 0x20) !== 0;
        x.adjusted = (s & 0x40) !== 0;
        x.quality = s & 0x80 ? { iv: true } : {};
    },
    write: (b, o, x) => {
        b.writeInt32LE(num(x.value) | 0, o);
        b[o + 4] = ((x.sequence ?? 0) & 0x1f) | (x.carry ? 0x20 : 0) | (x.adjusted ? 0x40 : 0) | (x.quality?.iv ? 0x80 : 0);
    },
};
/** SEP (§7.2.6.10) + CP16Time2a elapsed time. */
const SEP_CP16 = {
    size: 3,
    read: (b, o, x) => {
        x.value = b[o] & 3;
        const q = (0, quality_js_1.readQualityHigh)(b[o]);
        if (b[o] & 0x08)
            q.ei = true;
        x.quality = q;
        x.elapsed = b.readUInt16LE(o + 1);
    },
    write: (b, o, x) => {
        b[o] = (num(x.value) & 3) | (x.quality?.ei ? 0x08 : 0) | (0, quality_js_1.qualityHighBits)(x.quality);
        b.writeUInt16LE(Math.max(0, Math.min(65535, Math.round(x.elapsed ?? 0))), o + 1);
    },
};
const COI = {
    size: 1,
    read: (b, o, x) => {
        x.value = b[o] & 0x7f;
        x.localChange = (b[o] & 0x80) !== 0;
    },
    write: (b, o, x) => {
        b[o] = (num(x.value) & 0x7f) | (x.localChange ? 0x80 : 0);
    },
};
/** SCO/DCO/RCO (§7.2.6.15-17): state bits 0-1 (SCS bit 0 only), QU bits 2-6, S/E bit 7. */
function commandOctet(mask, asBool) {
    return {
        size: 1,
        read: (b, o, x) => {
            const v = b[o] & mask;
            x.value = asBool ? v === 1 : v;
            x.qualifier = (b[o] >> 2) & 0x1f;
            x.select = (b[o] & 0x80) !== 0;
        },
        write: (b, o, x) => {
            b[o] = (num(x.value) & mask) | (((x.qualifier ?? 0) & 0x1f) << 2) | (x.select ? 0x80 : 0);
        },
    };
}
const qos = (x) => ((x.qualifier ?? 0) & 0x7f) | (x.select ? 0x80 : 0);
const readQos = (v, x) => {
    x.qualifier = v & 0x7f;
    x.select = (v & 0x80) !== 0;
};
const NVA_QOS = {
    size: 3,
    read: (b, o, x) => {
        x.value = b.readInt16LE(o) / 32768;
        readQos(b[o + 2], x);
    },
    write: (b, o, x) => {
        b.writeInt16LE(nvaRaw(num(x.value)), o);
        b[o + 2] = qos(x);
    },
};
const SVA_QOS = {
    size: 3,
    read: (b, o, x) => {
        x.value = b.readInt16LE(o);
        readQos(b[o + 2], x);
    },
    write: (b, o, x) => {
        b.writeInt16LE(int16(num(x.value)), o);
        b[o + 2] = qos(x);
    },
};
const R32_QOS = {
    size: 5,
    read: (b, o, x) => {
        x.value = readF32(b, o);
        readQos(b[o + 4], x);
    },
    write: (b, o, x) => {
        writeF32(b, o, num(x.value));
        b[o + 4] = qos(x);
    },
};
const BSI = {
    size: 4,
    read: (b, o, x) => {
        x.value = b.readUInt32LE(o);
    },
    write: (b, o, x) => {
        b.writeUInt32LE(num(x.value) >>> 0, o);
    },
};
const QUALIFIER = {
    size: 1,
    read: (b, o, x) => {
        x.qualifier = b[o];
    },
    write: (b, o, x) => {
        b[o] = (x.qualifier ?? 0) & 0xff;
    },
};
const QCC = {
    size: 1,
    read: (b, o, x) => {
        x.qualifier = b[o] & 0x3f;
        x.freeze = b[o] >> 6;
    },
    write: (b, o, x) => {
        b[o] = ((x.qualifier ?? 0) & 0x3f) | (((x.freeze ?? 0) & 3) << 6);
    },
};
const NONE = { size: 0, read: () => undefined, write: () => undefined };
const TIME = {
    size: cp56time_js_1.CP56_LENGTH,
    read: (b, o, x) => {
        x.time = (0, cp56time_js_1.readCp56)(b, o);
    },
    write: (b, o, x) => {
        (0, cp56time_js_1.writeCp56)(b, o, x.time ?? ZERO_TIME_INVALID);
    },
};
const TSC_TIME = {
    size: 2 + cp56time_js_1.CP56_LENGTH,
    read: (b, o, x) => {
        x.value = b.readUInt16LE(o);
        x.time = (0, cp56time_js_1.readCp56)(b, o + 2);
    },
    write: (b, o, x) => {
        b.writeUInt16LE(num(x.value) & 0xffff, o);
        (0, cp56time_js_1.writeCp56)(b, o + 2, x.time ?? ZERO_TIME_INVALID);
    },
};
/** Written when a time-tagged object carries no time: all zero with IV set, so the peer knows not to use it. */
const ZERO_TIME_INVALID = { ms: 0, minute: 0, hour: 0, day: 0, dow: 0, month: 0, year: 0, invalid: true, summer: false };
/** Append a CP56Time2a after an element. */
function timed(e) {
    return {
        size: e.size + cp56time_js_1.CP56_LENGTH,
        read: (b, o, x) => {
            e.read(b, o, x);
            x.time = (0, cp56time_js_1.readCp56)(b, o + e.size);
        },
        write: (b, o, x) => {
            e.write(b, o, x);
            (0, cp56time_js_1.writeCp56)(b, o + e.size, x.time ?? ZERO_TIME_INVALID);
        },
    };
}
const SCO = commandOctet(1, true);
const DCO = commandOctet(3, false);
const RCO = DCO;
exports.ELEMENTS = new Map([
    [constants_js_1.TypeId.M_SP_NA_1, SIQ],
    [constants_js_1.TypeId.M_DP_NA_1, DIQ],
    [constants_js_1.TypeId.M_ST_NA_1, VTI_QDS],
    [constants_js_1.TypeId.M_BO_NA_1, BSI_QDS],
    [constants_js_1.TypeId.M_ME_NA_1, NVA_QDS],
    [constants_js_1.TypeId.M_ME_NB_1, SVA_QDS],
    [constants_js_1.TypeId.M_ME_NC_1, R32_QDS],
    [constants_js_1.TypeId.M_IT_NA_1, BCR],
    [constants_js_1.TypeId.M_ME_ND_1, NVA],
    [constants_js_1.TypeId.M_SP_TB_1, timed(SIQ)],
    [constants_js_1.TypeId.M_DP_TB_1, timed(DIQ)],
    [constants_js_1.TypeId.M_ST_TB_1, timed(VTI_QDS)],
    [constants_js_1.TypeId.M_BO_TB_1, timed(BSI_QDS)],
    [constants_js_1.TypeId.M_ME_TD_1, timed(NVA_QDS)],
    [constants_js_1.TypeId.M_ME_TE_1, timed(SVA_QDS)],
    [constants_js_1.TypeId.M_ME_TF_1, timed(R32_QDS)],
    [constants_js_1.TypeId.M_IT_TB_1, timed(BCR)],
    [constants_js_1.TypeId.M_EP_TD_1, timed(SEP_CP16)],
    [constants_js_1.TypeId.C_SC_NA_1, SCO],
    [constants_js_1.TypeId.C_DC_NA_1, DCO],
    [constants_js_1.TypeId.C_RC_NA_1, RCO],
    [constants_js_1.TypeId.C_SE_NA_1, NVA_QOS],
    [constants_js_1.TypeId.C_SE_NB_1, SVA_QOS],
    [constants_js_1.TypeId.C_SE_NC_1, R32_QOS],
    [constants_js_1.TypeId.C_BO_NA_1, BSI],
    [constants_js_1.TypeId.C_SC_TA_1, timed(SCO)],
    [constants_js_1.TypeId.C_DC_TA_1, timed(DCO)],
    [constants_js_1.TypeId.C_RC_TA_1, timed(RCO)],
    [constants_js_1.TypeId.C_SE_TA_1, timed(NVA_QOS)],
    [constants_js_1.TypeId.C_SE_TB_1, timed(SVA_QOS)],
    [constants_js_1.TypeId.C_SE_TC_1, timed(R32_QOS)],
    [constants_js_1.TypeId.C_BO_TA_1, timed(BSI)],
    [constants_js_1.TypeId.M_EI_NA_1, COI],
    [constants_js_1.TypeId.C_IC_NA_1, QUALIFIER],
    [constants_js_1.TypeId.C_CI_NA_1, QCC],
    [constants_js_1.TypeId.C_RD_NA_1, NONE],
    [constants_js_1.TypeId.C_CS_NA_1, TIME],
    [constants_js_1.TypeId.C_RP_NA_1, QUALIFIER],
    [constants_js_1.TypeId.C_TS_TA_1, TSC_TIME],
]);
//# sourceMappingURL=elements.js.map
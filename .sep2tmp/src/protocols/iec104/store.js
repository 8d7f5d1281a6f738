"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PointStore = void 0;
/**
 * The controlled station's point store: the current value of every monitored point, addressed by common address
 * and IOA, with its type, interrogation groups and cyclic flag. GI, read and cyclic answers come from here.
 */
const constants_js_1 = require("./constants.js");
const key = (ca, ioa) => ca * 0x1000000 + ioa;
class PointStore {
    points = new Map();
    sorted = new Map();
    define(d) {
        if (!(0, constants_js_1.isMonitorType)(d.typeId) || d.typeId === constants_js_1.TypeId.M_EI_NA_1)
            throw new RangeError(`type ${d.typeId} is not a monitored point type`);
        if (!Number.isInteger(d.ioa) || d.ioa < 0 || d.ioa > 0xffffff)
            throw new RangeError(`IOA ${d.ioa} out of range`);
        const p = {
            ca: d.ca,
            ioa: d.ioa,
            typeId: d.typeId,
            obj: { ...(d.initial ?? { value: 0, quality: { iv: true } }), ioa: d.ioa },
            groups: d.groups ?? [],
            cyclic: d.cyclic ?? false,
        };
        if (d.counterGroup !== undefined)
            p.counterGroup = d.counterGroup;
        const k = key(d.ca, d.ioa);
        if (!this.points.has(k))
            this.sorted.delete(d.ca);
        this.points.set(k, p);
        return p;
    }
    get(ca, ioa) {
        return this.points.get(key(ca, ioa));
    }
    has(ca, ioa) {
        return this.points.has(key(ca, ioa));
    }
    get size() {
        return this.points.size;
    }
    commonAddresses() {
        return [...new Set([...this.points.values()].map((p) => p.ca))].sort((a, b) => a - b);
    }
    /** Points of one common address in IOA order. */
    list(ca) {
        let s = this.sorted.get(ca);
        if (!s) {
            s = [...this.points.values()].filter((p) => p.ca === ca).sort((a, b) => a.ioa - b.ioa);
            this.sorted.set(ca, s);
        }
        return s;
    }
    /** Objects grouped by the type used in interrogation answers (without time tag), each in IOA order. */
    interrogation(ca, filter) {
        const byType = new Map();
        for (const p of this.list(ca)) {
            if (!filter(p))
                continue;
            const t = (0, constants_js_1.withoutTime)(p.typeId);
            let arr = byType.get(t);
            if (!arr)
                byType.set(t, (arr = []));
            arr.push(p.obj);
        }
        return byType;
    }
}
exports.PointStore = PointStore;
//# sourceMappingURL=store.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.toFunction = toFunction;
exports.layoutOrders = layoutOrders;
exports.parseTypeName = parseTypeName;
exports.editDistance = editDistance;
exports.suggest = suggest;
exports.normalizeProfile = normalizeProfile;
const kinds_js_1 = require("../kinds.js");
const units_js_1 = require("../units.js");
const types_js_1 = require("./types.js");
const FUNCTION_CODES = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };
function toFunction(f) {
    return typeof f === 'number' ? FUNCTION_CODES[f] : f;
}
/** ABCD → BE/BE, CDAB → word swap (low word first), BADC → byte swap, DCBA → both. */
function layoutOrders(layout) {
    return {
        byteOrder: layout === 'BADC' || layout === 'DCBA' ? 'LE' : 'BE',
        wordOrder: layout === 'CDAB' || layout === 'DCBA' ? 'LE' : 'BE',
    };
}
const TYPE_ALIASES = {
    uint16: 'u16', int16: 'i16', uint32: 'u32', int32: 'i32', uint64: 'u64', int64: 'i64', float32: 'f32', float64: 'f64',
    enum16: 'enum', enum32: 'enum', bitfield16: 'bitfield', bitfield32: 'bitfield', bool: 'bit',
};
const ALIAS_LENGTH = { enum16: 1, enum32: 2, bitfield16: 1, bitfield32: 2 };
/** Parse a type spelling: `u16`, `uint16`, `string(10)`, `enum32`… */
function parseTypeName(t) {
    const m = /^string\((\d+)\)$/.exec(t);
    if (m)
        return { type: 'string', length: Number(m[1]) };
    if (types_js_1.DATA_TYPES.includes(t))
        return { type: t };
    const alias = TYPE_ALIASES[t];
    return alias ? { type: alias, length: ALIAS_LENGTH[t] } : undefined;
}
/** Edit distance (optimal string alignment: insert, delete, substitute, swap neighbours), case-insensitive. */
function editDistance(a, b) {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= s.length; i++) {
        for (let j = 1; j <= t.length; j++) {
            const cost = s[i - 1] === t[j - 1] ? 0 : 1;
            let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
                v = Math.min(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return d[s.length][t.length];
}
function suggest(word, candidates, max = 3) {
    const scored = [];
    for (const c of candidates) {
        const d = editDistance(word, c);
        const contains = c.toLowerCase().includes(word.toLowerCase()) || word.toLowerCase().includes(c.toLowerCase());
        if (d <= Math.max(1, Math.floor(c.length / 3)) || (contains && Math.min(c.length, word.length) >= 2))
            scored.push([c, d]);
    }
    return scored.sort((a, b) => a[1] - b[1]).slice(0, max).map(([c]) => c);
}
function didYouMean(word, candidates) {
    const s = suggest(word, candidates);
    return s.length ? ` (did you mean ${s.map((x) => `"${x}"`).join(' or ')}?)` : '';
}
function normalizeProfile(raw) {
    const issues = [];
    const add = (path, message) => void issues.push({ path, message });
    const d = raw.defaults ?? {};
    if (d.layout && (d.byteOrder || d.wordOrder))
        add(['defaults', 'layout'], 'give either layout or byteOrder/wordOrder, not both');
    const dOrders = d.layout ? layoutOrders(d.layout) : { byteOrder: d.byteOrder ?? 'BE', wordOrder: d.wordOrder ?? 'BE' };
    const pollClasses = raw.pollClasses ?? { ...types_js_1.DEFAULT_POLL_CLASSES };
    const defaultPoll = d.poll ?? (Object.hasOwn(pollClasses, 'normal') ? 'normal' : Object.keys(pollClasses)[0] ?? 'normal');
    if (!Object.hasOwn(pollClasses, defaultPoll)) {
        add(['defaults', 'poll'], `unknown poll class "${defaultPoll}" (declared: ${Object.keys(pollClasses).join(', ')})`);
    }
    const limits = { ...types_js_1.DEFAULT_LIMITS, ...raw.limits };
    const defaults = { function: d.function !== undefined ? toFunction(d.function) : 'holding', ...dOrders, poll: defaultPoll };
    const sentinelsOff = d.notImplemented === 'none';
    const holes = (raw.holes ?? []).map((h, i) => {
        if (h.start + h.count > 0x10000)
            add(['holes', i, 'count'], `hole ${h.start}+${h.count} runs past address 65535`);
        return { function: toFunction(h.function), start: h.start, count: h.count };
    });
    const canonical = kinds_js_1.CANONICAL_POINTS[raw.kind];
    const points = [];
    const indexOf = new Map();
    raw.points.forEach((rp, i) => {
        const at = (...k) => ['points', i, ...k];
        const p = normalizePoint(rp, defaults, pollClasses, sentinelsOff, limits.maxReadRegisters, limits.maxWriteRegisters, at, add);
        // Name: canonical for the kind or x_ vendor extension; sunssf helpers are free-named (SunSpec *_SF names).
        if (!(0, kinds_js_1.isCanonicalName)(raw.kind, rp.name) && p.type !== 'sunssf') {
            add(at('name'), `"${rp.name}" is not a canonical point name for kind ${raw.kind}${didYouMean(rp.name, Object.keys(canonical))}; vendor-specific points need the x_ prefix (x_${rp.name})`);
        }
        const prev = indexOf.get(rp.name);
        if (prev !== undefined)
            add(at('name'), `duplicate point name "${rp.name}" (first at points[${prev}])`);
        else
            indexOf.set(rp.name, i);
        // Unit: must be convertible to the canonical unit of the name.
        const cu = canonical[rp.name]?.unit;
        if (rp.unit !== undefined && cu !== undefined && !(0, units_js_1.unitsCompatible)(rp.unit, cu)) {
            add(at('unit'), `unit "${rp.unit}" cannot be converted to ${cu}, the canonical unit of ${rp.name}`);
        }
        else if (rp.unit !== undefined && cu === undefined && (0, units_js_1.normalizeUnit)(rp.unit) === undefined && !rp.name.startsWith('x_')) {
            add(at('unit'), `unknown unit "${rp.unit}"`);
        }
        if (p.unit === undefined && cu !== undefined && p.type !== 'sunssf' && p.type !== 'enum' && p.type !== 'bitfield')
            p.unit = cu;
        for (const h of holes) {
            if (h.function === p.function && p.address < h.start + h.count && h.start < p.address + p.length && p.access !== 'w') {
                add(at('address'), `point ${rp.name} (${p.address}..${p.address + p.length - 1}) lies in a declared hole (${h.function} ${h.start}..${h.start + h.count - 1}) that must never be read`);
            }
        }
        points.push(p);
    });
    // Scale factor references.
    raw.points.forEach((rp, i) => {
        if (rp.sf === undefined)
            return;
        const j = indexOf.get(rp.sf);
        if (j === undefined) {
            add(['points', i, 'sf'], `scale factor point "${rp.sf}" does not exist${didYouMean(rp.sf, indexOf.keys())}`);
        }
        else if (points[j].type !== 'sunssf' && points[j].type !== 'i16') {
            add(['points', i, 'sf'], `scale factor point "${rp.sf}" has type ${points[j].type}; it must be sunssf (or i16)`);
        }
    });
    checkOverlaps(points, add);
    return issues.length ? { issues } : { profile: { id: raw.id, kind: raw.kind, metadata: raw.metadata, defaults, limits, pollClasses, holes, points }, issues };
}
function normalizePoint(rp, defaults, pollClasses, sentinelsOff, maxRead, maxWrite, at, add) {
    const fn = rp.function !== undefined ? toFunction(rp.function) : defaults.function;
    const parsed = parseTypeName(rp.type);
    let type = parsed?.type ?? 'u16';
    if (!parsed) {
        add(at('type'), `unknown type "${rp.type}"${didYouMean(rp.type, [...types_js_1.DATA_TYPES, ...Object.keys(TYPE_ALIASES)])}; known: ${types_js_1.DATA_TYPES.join(', ')}, string(n)`);
    }
    if ((0, types_js_1.isBitFunction)(fn) && type !== 'bit') {
        add(at('type'), `a ${fn} is a single bit: use type bit (got ${rp.type})`);
        type = 'bit';
    }
    // Length.
    let length;
    const fixed = (0, types_js_1.fixedLength)(type);
    if (parsed?.length !== undefined && rp.length !== undefined && parsed.length !== rp.length) {
        add(at('length'), `length ${rp.length} contradicts type ${rp.type}`);
    }
    const given = parsed?.length ?? rp.length;
    if (fixed !== undefined) {
        if (rp.length !== undefined && rp.length !== fixed)
            add(at('length'), `type ${type} occupies ${fixed} register(s); length ${rp.length} does not fit`);
        length = fixed;
    }
    else if (type === 'string') {
        if (given === undefined)
            add(at('type'), 'a string needs its length in registers: type: string(10) or length: 10');
        length = given ?? 1;
        if (length < 1)
            add(at('type'), 'string length must be at least 1 register');
    }
    else {
        length = given ?? 1;
        if (length !== 1 && length !== 2)
            add(at('length'), `${type} must be 1 or 2 registers (16 or 32 bits)`);
    }
    if (!(0, types_js_1.isBitFunction)(fn) && length > maxRead) {
        add(at(rp.length !== undefined ? 'length' : 'type'), `point spans ${length} registers, more than limits.maxReadRegisters (${maxRead})`);
    }
    if (rp.address + length > 0x10000)
        add(at('address'), `address ${rp.address} + ${length} register(s) runs past 65535`);
    // Bit.
    if (type === 'bit' && !(0, types_js_1.isBitFunction)(fn) && rp.bit === undefined)
        add(at('bit'), `type bit in a ${fn} register needs bit: 0..15`);
    if (rp.bit !== undefined && (type !== 'bit' || (0, types_js_1.isBitFunction)(fn)))
        add(at('bit'), `bit applies only to type bit inside a register (this is ${type} in ${fn})`);
    // Orders.
    if (rp.layout && (rp.byteOrder || rp.wordOrder))
        add(at('layout'), 'give either layout or byteOrder/wordOrder, not both');
    const orders = rp.layout ? layoutOrders(rp.layout) : { byteOrder: rp.byteOrder ?? defaults.byteOrder, wordOrder: rp.wordOrder ?? defaults.wordOrder };
    // Access.
    const access = rp.access ?? 'r';
    if (access !== 'r' && (0, types_js_1.isReadOnlyFunction)(fn))
        add(at('access'), `${fn} ${(0, types_js_1.isBitFunction)(fn) ? 'inputs' : 'registers'} are read-only; writable points need holding registers or coils`);
    if (access !== 'r' && length > maxWrite)
        add(at('access'), `writable point spans ${length} registers, more than limits.maxWriteRegisters (${maxWrite})`);
    if (access !== 'r' && (type === 'sunssf' || type === 'acc16' || type === 'acc32'))
        add(at('access'), `${type} points are read-only`);
    // Scaling.
    const numeric = !['string', 'bit', 'enum', 'bitfield', 'sunssf'].includes(type);
    if (rp.scale === 0)
        add(at('scale'), 'scale must not be 0 (writes divide by it)');
    for (const k of ['scale', 'offset', 'sf']) {
        if (rp[k] !== undefined && !numeric)
            add(at(k), `${k} does not apply to type ${type}`);
    }
    if (rp.min !== undefined && rp.max !== undefined && rp.min > rp.max)
        add(at('min'), `min ${rp.min} is greater than max ${rp.max}`);
    if ((rp.min !== undefined || rp.max !== undefined) && !numeric)
        add(at(rp.min !== undefined ? 'min' : 'max'), `min/max do not apply to type ${type}`);
    // Poll class.
    const poll = rp.poll ?? defaults.poll;
    if (rp.poll !== undefined && !Object.hasOwn(pollClasses, rp.poll)) {
        add(at('poll'), `unknown poll class "${rp.poll}"${didYouMean(rp.poll, Object.keys(pollClasses))} (declared: ${Object.keys(pollClasses).join(', ')})`);
    }
    // Code maps.
    if (type === 'enum' && !rp.enum)
        add(at('enum'), 'type enum needs a map of values to labels, e.g. enum: {1: off, 2: on}');
    if (rp.enum && type !== 'enum')
        add(at('enum'), `enum labels need type enum (got ${type})`);
    if (type === 'bitfield' && !rp.bitfield)
        add(at('bitfield'), 'type bitfield needs a map of bit numbers to names, e.g. bitfield: {0: ground_fault}');
    if (rp.bitfield && type !== 'bitfield')
        add(at('bitfield'), `bit names need type bitfield (got ${type})`);
    const codes = (m) => m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [Number(k), v])) : undefined;
    if (rp.bitfield) {
        for (const k of Object.keys(rp.bitfield)) {
            if (Number(k) < 0 || Number(k) >= length * 16)
                add(at('bitfield', k), `bit ${k} is outside the ${length * 16}-bit field`);
        }
    }
    if (rp.notImplemented !== undefined && rp.notImplemented !== null && !['string', 'bit'].includes(type) && !Number.isNaN(rp.notImplemented) && !Number.isInteger(rp.notImplemented) && type !== 'f32' && type !== 'f64') {
        add(at('notImplemented'), `sentinel ${rp.notImplemented} must be an integer raw value for type ${type}`);
    }
    const p = { name: rp.name, address: rp.address, function: fn, type, length: (0, types_js_1.isBitFunction)(fn) ? 1 : length, ...orders, scale: rp.scale ?? 1, offset: rp.offset ?? 0, access, poll };
    if (rp.bit !== undefined)
        p.bit = rp.bit;
    if (rp.sf !== undefined)
        p.sf = rp.sf;
    if (rp.unit !== undefined)
        p.unit = rp.unit;
    if (rp.min !== undefined)
        p.min = rp.min;
    if (rp.max !== undefined)
        p.max = rp.max;
    const e = codes(rp.enum);
    if (e)
        p.enum = e;
    const b = codes(rp.bitfield);
    if (b)
        p.bitfield = b;
    if (rp.notImplemented !== undefined)
        p.notImplemented = rp.notImplemented;
    else if (sentinelsOff)
        p.notImplemented = null;
    if (rp.description !== undefined)
        p.description = rp.description;
    return p;
}
/** Two points may not share a register (or bit) of the same table; bit views of a register are exempt. */
function checkOverlaps(points, add) {
    const byFn = new Map();
    points.forEach((p, i) => {
        const list = byFn.get(p.function) ?? [];
        list.push(i);
        byFn.set(p.function, list);
    });
    for (const idx of byFn.values()) {
        idx.sort((a, b) => points[a].address - points[b].address || a - b);
        const regs = idx.filter((i) => !(points[i].type === 'bit' && points[i].bit !== undefined));
        let last;
        for (const i of regs) {
            const p = points[i];
            if (last !== undefined) {
                const q = points[last];
                if (p.address < q.address + q.length) {
                    // Report at the point declared later in the file (usually the one just added), naming the other.
                    const [a, b, ai, bi] = i > last ? [p, q, i, last] : [q, p, last, i];
                    add(['points', ai, 'address'], `${a.name} (${a.function} ${a.address}..${a.address + a.length - 1}) overlaps ${b.name} (${b.address}..${b.address + b.length - 1}, points[${bi}])`);
                    if (p.address + p.length > q.address + q.length)
                        last = i;
                    continue;
                }
            }
            last = i;
        }
        const seenBits = new Map();
        for (const i of idx) {
            const p = points[i];
            if (p.type !== 'bit' || p.bit === undefined)
                continue;
            const key = `${p.address}.${p.bit}`;
            const j = seenBits.get(key);
            if (j !== undefined)
                add(['points', i, 'bit'], `${p.name} uses bit ${p.bit} of register ${p.address}, already used by ${points[j].name} (points[${j}])`);
            else
                seenBits.set(key, i);
        }
    }
}
//# sourceMappingURL=check.js.map
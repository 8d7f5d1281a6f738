"use strict";
/**
 * Unit conversion between the units device profiles and upstream protocols use. Units are UCUM-like codes
 * (`W`, `kW`, `Wh`, `Cel`, `degF`, `var`, `%`); common spellings from vendor manuals and SunSpec (`C`, `°C`, `Pct`,
 * `VAr`, `kVAr`) are accepted as aliases. Converting between different dimensions (W to V) throws a RangeError.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.normalizeUnit = normalizeUnit;
exports.isKnownUnit = isKnownUnit;
exports.unitDimension = unitDimension;
exports.unitsCompatible = unitsCompatible;
exports.convertUnit = convertUnit;
const UNITS = {
    mW: { dimension: 'power', factor: 1e-3 },
    W: { dimension: 'power', factor: 1 },
    kW: { dimension: 'power', factor: 1e3 },
    MW: { dimension: 'power', factor: 1e6 },
    mWh: { dimension: 'energy', factor: 1e-3 },
    Wh: { dimension: 'energy', factor: 1 },
    kWh: { dimension: 'energy', factor: 1e3 },
    MWh: { dimension: 'energy', factor: 1e6 },
    GWh: { dimension: 'energy', factor: 1e9 },
    J: { dimension: 'energy', factor: 1 / 3600 },
    var: { dimension: 'reactive power', factor: 1 },
    kvar: { dimension: 'reactive power', factor: 1e3 },
    Mvar: { dimension: 'reactive power', factor: 1e6 },
    varh: { dimension: 'reactive energy', factor: 1 },
    kvarh: { dimension: 'reactive energy', factor: 1e3 },
    VA: { dimension: 'apparent power', factor: 1 },
    kVA: { dimension: 'apparent power', factor: 1e3 },
    MVA: { dimension: 'apparent power', factor: 1e6 },
    mV: { dimension: 'voltage', factor: 1e-3 },
    V: { dimension: 'voltage', factor: 1 },
    kV: { dimension: 'voltage', factor: 1e3 },
    mA: { dimension: 'current', factor: 1e-3 },
    A: { dimension: 'current', factor: 1 },
    kA: { dimension: 'current', factor: 1e3 },
    mHz: { dimension: 'frequency', factor: 1e-3 },
    Hz: { dimension: 'frequency', factor: 1 },
    Cel: { dimension: 'temperature', factor: 1, shift: 273.15 },
    degF: { dimension: 'temperature', factor: 5 / 9, shift: 273.15 - (32 * 5) / 9 },
    K: { dimension: 'temperature', factor: 1 },
    '%': { dimension: 'ratio', factor: 0.01 },
    '1': { dimension: 'ratio', factor: 1 },
    ms: { dimension: 'time', factor: 1e-3 },
    s: { dimension: 'time', factor: 1 },
    min: { dimension: 'time', factor: 60 },
    h: { dimension: 'time', factor: 3600 },
    Ah: { dimension: 'charge', factor: 1 },
    mAh: { dimension: 'charge', factor: 1e-3 },
    rpm: { dimension: 'rotation', factor: 1 },
    'W/m2': { dimension: 'irradiance', factor: 1 },
};
const ALIASES = {
    C: 'Cel',
    '°C': 'Cel',
    degC: 'Cel',
    F: 'degF',
    '°F': 'degF',
    Pct: '%',
    pct: '%',
    percent: '%',
    VAr: 'var',
    VAR: 'var',
    kVAr: 'kvar',
    kVAR: 'kvar',
    MVAr: 'Mvar',
    VArh: 'varh',
    kVArh: 'kvarh',
    Secs: 's',
    sec: 's',
    AH: 'Ah',
    RPM: 'rpm',
    'W/m^2': 'W/m2',
};
/** The code GridBridge uses for a unit spelling (`°C` → `Cel`), or undefined when the unit is unknown. */
function normalizeUnit(unit) {
    if (Object.hasOwn(UNITS, unit))
        return unit;
    const alias = ALIASES[unit];
    return alias;
}
function isKnownUnit(unit) {
    return normalizeUnit(unit) !== undefined;
}
/** The physical dimension of a unit (`kW` → `power`), or undefined when unknown. */
function unitDimension(unit) {
    const u = normalizeUnit(unit);
    return u === undefined ? undefined : UNITS[u]?.dimension;
}
/** True when `convertUnit(x, from, to)` would succeed. */
function unitsCompatible(from, to) {
    if (from === to)
        return true;
    const a = unitDimension(from);
    return a !== undefined && a === unitDimension(to);
}
/**
 * Convert `value` from unit `from` to unit `to`. Identical unit strings always convert (even unknown ones, such as
 * a vendor unit); otherwise both units must be known and of the same dimension.
 */
function convertUnit(value, from, to) {
    if (from === to)
        return value;
    const fu = normalizeUnit(from);
    const tu = normalizeUnit(to);
    if (fu === undefined)
        throw new RangeError(`unknown unit "${from}" (known: ${Object.keys(UNITS).join(', ')})`);
    if (tu === undefined)
        throw new RangeError(`unknown unit "${to}" (known: ${Object.keys(UNITS).join(', ')})`);
    if (fu === tu)
        return value;
    const f = UNITS[fu];
    const t = UNITS[tu];
    if (f.dimension !== t.dimension) {
        throw new RangeError(`cannot convert ${from} (${f.dimension}) to ${to} (${t.dimension})`);
    }
    const base = value * f.factor + (f.shift ?? 0);
    const out = (base - (t.shift ?? 0)) / t.factor;
    // Remove binary noise from decimal factors (0.1 kW → 100.00000000000001 W) without hiding real precision.
    return Number.isFinite(out) ? Number(out.toPrecision(15)) : out;
}
//# sourceMappingURL=units.js.map
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CANONICAL_POINTS = exports.DEVICE_KINDS = void 0;
exports.isCanonicalName = isCanonicalName;
/**
 * Device kinds ("natures") and their canonical point vocabulary. Names follow SunSpec where SunSpec has one
 * (models 1, 101-103, 120-124, 160, 802: https://github.com/sunspec/models, Apache-2.0); GridBridge additions are
 * marked. Upstream protocols and pilot mappings target `kind` + canonical name, never vendor registers.
 * Vendor-specific points use the `x_` prefix.
 */
exports.DEVICE_KINDS = ['meter', 'inverter', 'battery', 'ev_charger', 'switch', 'sensor', 'sapc_appliance'];
const ac = {
    W: { unit: 'W', description: 'Total AC real power (positive = export/generation for inverters, import for meters)', role: 'measurement' },
    VA: { unit: 'VA', description: 'Total AC apparent power', role: 'measurement' },
    VAr: { unit: 'var', description: 'Total AC reactive power', role: 'measurement' },
    PF: { unit: '%', description: 'Power factor', role: 'measurement' },
    Hz: { unit: 'Hz', description: 'Line frequency', role: 'measurement' },
    A: { unit: 'A', description: 'Total AC current', role: 'measurement' },
    AphA: { unit: 'A', description: 'Phase A current', role: 'measurement' },
    AphB: { unit: 'A', description: 'Phase B current', role: 'measurement' },
    AphC: { unit: 'A', description: 'Phase C current', role: 'measurement' },
    PhV: { unit: 'V', description: 'Average line-to-neutral voltage', role: 'measurement' },
    PhVphA: { unit: 'V', description: 'Phase A line-to-neutral voltage', role: 'measurement' },
    PhVphB: { unit: 'V', description: 'Phase B line-to-neutral voltage', role: 'measurement' },
    PhVphC: { unit: 'V', description: 'Phase C line-to-neutral voltage', role: 'measurement' },
    PPVphAB: { unit: 'V', description: 'Phase AB line-to-line voltage', role: 'measurement' },
    WphA: { unit: 'W', description: 'Phase A real power', role: 'measurement' },
    WphB: { unit: 'W', description: 'Phase B real power', role: 'measurement' },
    WphC: { unit: 'W', description: 'Phase C real power', role: 'measurement' },
};
const energy = {
    WH: { unit: 'Wh', description: 'Lifetime energy (SunSpec WH)', role: 'counter' },
    TotWhImp: { unit: 'Wh', description: 'Total real energy imported', role: 'counter' },
    TotWhExp: { unit: 'Wh', description: 'Total real energy exported', role: 'counter' },
};
const dc = {
    DCA: { unit: 'A', description: 'DC current', role: 'measurement' },
    DCV: { unit: 'V', description: 'DC voltage', role: 'measurement' },
    DCW: { unit: 'W', description: 'DC power', role: 'measurement' },
};
const status = {
    St: { description: 'Operating state (enumeration)', role: 'status' },
    Evt1: { description: 'Event/alarm bitfield', role: 'status' },
    TmpCab: { unit: 'Cel', description: 'Cabinet temperature', role: 'measurement' },
};
const derControls = {
    WMaxLimPct: { unit: '%', description: 'Active power limit as % of WMax (SunSpec 123)', role: 'setpoint' },
    WMaxLim_Ena: { description: 'Enable the active power limit (SunSpec 123)', role: 'setpoint' },
    WMax: { unit: 'W', description: 'Maximum active power rating/setting (SunSpec 121)', role: 'setpoint' },
    Conn: { description: 'Connect (true) / disconnect (false) (SunSpec 123)', role: 'setpoint' },
    WSet: { unit: 'W', description: 'Active power setpoint (GridBridge: + export/discharge, - import/charge)', role: 'setpoint' },
    OutPFSet: { description: 'Power factor setpoint (SunSpec 123)', role: 'setpoint' },
    VArPct: { unit: '%', description: 'Reactive power setpoint in % (SunSpec 123)', role: 'setpoint' },
    WMaxLimPct_RmpTms: { unit: 's', description: 'Ramp time for WMaxLimPct (SunSpec 123)', role: 'setpoint' },
};
const battery = {
    SoC: { unit: '%', description: 'State of charge (SunSpec 124 ChaState / 802 SoC)', role: 'measurement' },
    SoH: { unit: '%', description: 'State of health (SunSpec 802)', role: 'measurement' },
    ChaSt: { description: 'Charge status enumeration (SunSpec 124)', role: 'status' },
    WChaMax: { unit: 'W', description: 'Maximum charge power (SunSpec 124)', role: 'setpoint' },
    WDisChaMax: { unit: 'W', description: 'Maximum discharge power (GridBridge; SunSpec 802 WDisChaRte as W)', role: 'setpoint' },
    InWRte: { unit: '%', description: 'Charge rate as % of WChaMax (SunSpec 124)', role: 'setpoint' },
    OutWRte: { unit: '%', description: 'Discharge rate as % of WDisChaMax (SunSpec 124)', role: 'setpoint' },
    AhrRtg: { unit: 'Ah', description: 'Nameplate capacity (SunSpec 802)', role: 'measurement' },
    WHRtg: { unit: 'Wh', description: 'Energy rating (SunSpec 802)', role: 'measurement' },
    V: { unit: 'V', description: 'Battery DC voltage', role: 'measurement' },
};
const ev = {
    EVState: { description: 'EV connection/charging state (GridBridge, IEC 61851 A-F)', role: 'status' },
    EVSoC: { unit: '%', description: 'Vehicle state of charge (GridBridge, DC charging only)', role: 'measurement' },
    ChaAMax: { unit: 'A', description: 'Charge current limit (GridBridge)', role: 'setpoint' },
    Direction: { description: 'Power direction: import/export (GridBridge)', role: 'status' },
};
const sw = {
    Pos: { description: 'Switch/relay position (true = closed)', role: 'status' },
    PosSet: { description: 'Switch/relay command (true = close)', role: 'setpoint' },
};
const sensor = {
    Tmp: { unit: 'Cel', description: 'Temperature', role: 'measurement' },
    RH: { unit: '%', description: 'Relative humidity', role: 'measurement' },
    Irr: { unit: 'W/m2', description: 'Irradiance', role: 'measurement' },
    Rpm: { unit: 'rpm', description: 'Fan speed', role: 'measurement' },
};
const sapc = {
    SAPCLevel: { unit: '%', description: 'Auxiliary proportional controller level 0-100 (GridBridge)', role: 'setpoint' },
    SAPCDirection: { description: 'APC direction: import/export (GridBridge)', role: 'status' },
    PlanMode: { description: 'Active plan: charge/balance/discharge/local (GridBridge)', role: 'status' },
};
exports.CANONICAL_POINTS = {
    meter: { ...ac, ...energy },
    inverter: { ...ac, ...energy, ...dc, ...status, ...derControls },
    battery: { ...ac, ...energy, ...status, ...battery, ...derControls },
    ev_charger: { ...ac, ...energy, ...status, ...ev, ...battery, WSet: derControls.WSet, Conn: derControls.Conn },
    switch: { ...ac, ...sw, Hz: ac.Hz, St: status.St },
    sensor: { ...sensor, A: ac.A, Hz: ac.Hz, W: ac.W, Direction: ev.Direction },
    sapc_appliance: { ...sapc, W: ac.W, SoC: battery.SoC, St: status.St },
};
/** True when `name` is canonical for `kind`, or a vendor extension (`x_` prefix). */
function isCanonicalName(kind, name) {
    return name.startsWith('x_') || Object.hasOwn(exports.CANONICAL_POINTS[kind], name);
}
//# sourceMappingURL=kinds.js.map
export * from './meter.js';
export * from './appliance.js';
export * from './rig.js';

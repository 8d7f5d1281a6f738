/** Modbus stack public API: the port/device API used by the runtime, the nodes and the CLI, plus its parts. */
export { ModbusPort, type PortOptions, type PortEvents } from './port.js';
export { ModbusDevice, qualityOf, type DeviceConfig, type WriteOptions, type DeviceEvents } from './device.js';
export { BusScheduler } from './scheduler.js';
export type * from './scheduler-types.js';
export { ModbusSerialTransport, describeEndpoint, type Endpoint, type TcpEndpoint, type RtuEndpoint, type ModbusTransport } from './transport.js';
export { ModbusTcpTransport } from './tcp-transport.js';
export * from './types.js';
export { buildWrite, checkWritable, findPoint, WriteRefused, type WriteResult, type WriteFailure } from './writer.js';
export { discoverSunSpec, holdingReader, SUNSPEC_BASES, type SunSpecDiscovery, type DiscoveredModel } from './sunspec-discovery.js';
export { planReadBlocks, type ReadBlock } from './planner.js';

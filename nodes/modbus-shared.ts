/** Shapes the Modbus config nodes expose to the nodes that use them (types only). */
import type { Node } from './red.js';
import type { ModbusPort } from '../src/protocols/modbus/port.js';
import type { ModbusDevice } from '../src/protocols/modbus/device.js';

export interface ModbusPortNode extends Node {
  port?: ModbusPort;
  configError?: string;
  description?: string;
}

export interface ModbusDeviceNode extends Node {
  device?: ModbusDevice;
  portNode?: ModbusPortNode;
  configError?: string;
  verifyWrites?: boolean;
}

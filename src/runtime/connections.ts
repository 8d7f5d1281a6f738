/** Turning connection settings (mapping YAML or Node-RED config fields) into Modbus endpoints. */
import type { ModbusConnectionConfig } from '../core/mapping/schema.js';
import type { Endpoint } from '../protocols/modbus/transport.js';

export function endpointFromConnection(c: ModbusConnectionConfig): Endpoint {
  return c.type === 'tcp'
    ? { tcp: { host: c.host, port: c.port } }
    : { rtu: { path: c.device, baudRate: c.baudRate, parity: c.parity, dataBits: c.dataBits, stopBits: c.stopBits } };
}

/** Node-RED config fields arrive as strings; check them and name the field that is wrong. */
export function endpointFromFields(f: {
  transport?: string;
  host?: string;
  tcpPort?: string;
  serialPath?: string;
  baudRate?: string;
  parity?: string;
  dataBits?: string;
  stopBits?: string;
}): Endpoint {
  if (f.transport === 'rtu') {
    if (!f.serialPath) throw new Error('serial port path is empty (e.g. /dev/ttyUSB0)');
    const baudRate = Number(f.baudRate || 9600);
    if (!Number.isInteger(baudRate) || baudRate < 300 || baudRate > 921600) throw new Error(`baud rate "${f.baudRate}" is not 300-921600`);
    const parity = f.parity || 'none';
    if (parity !== 'none' && parity !== 'even' && parity !== 'odd') throw new Error(`parity "${parity}" is not none, even or odd`);
    return { rtu: { path: f.serialPath, baudRate, parity, dataBits: Number(f.dataBits) === 7 ? 7 : 8, stopBits: Number(f.stopBits) === 2 ? 2 : 1 } };
  }
  const port = Number(f.tcpPort || 502);
  if (!f.host) throw new Error('host is empty');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`TCP port "${f.tcpPort}" is not 1-65535`);
  return { tcp: { host: f.host, port } };
}

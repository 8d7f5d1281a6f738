/**
 * gridbridge-modbus-port (config): one Modbus bus — a TCP connection or a serial line — with one scheduler
 * (src/protocols/modbus ModbusPort). Device config nodes add their unit ids to it; it starts with the first one.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { ModbusPort } from '../src/protocols/modbus/port.js';
import { endpointFromFields } from '../src/runtime/connections.js';
import type { ModbusPortNode } from './modbus-shared.js';
import { errorMessage } from '../src/core/errors.js';

export = function register(RED: NodeAPI): void {
  function ModbusPortConfig(this: ModbusPortNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as unknown as Record<string, string | undefined>;
    try {
      const endpoint = endpointFromFields(d);
      this.port = new ModbusPort(endpoint, { timeoutMs: Number(d.timeoutMs) || 1000, retries: Number.isFinite(Number(d.retries)) ? Number(d.retries) : 1 });
      this.description = this.port.description;
      let last = '';
      this.port.on('status', (s) => {
        // Log transitions only: a bus that stays down retries with backoff and must not flood the log.
        const now = `${s.state}:${s.reason ?? ''}`;
        if (now !== last && s.state === 'down' && s.reason && s.reason !== 'stopped' && s.reason !== 'not started') this.warn(`${this.description}: ${s.reason}`);
        last = now;
      });
    } catch (e) {
      this.configError = errorMessage(e);
      this.error(`Modbus port configuration: ${this.configError}`);
    }
    this.on('close', (_removed, done) => {
      const p = this.port;
      this.port = undefined;
      if (p) p.stop().then(done, done);
      else done();
    });
  }
  RED.nodes.registerType('gridbridge-modbus-port', ModbusPortConfig as unknown as (this: Node, def: NodeDef) => void);
};

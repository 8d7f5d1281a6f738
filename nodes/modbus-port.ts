/**
 * gridbridge-modbus-port (config): one Modbus bus — a TCP connection or a serial line — with one scheduler
 * (src/protocols/modbus ModbusPort). Device config nodes add their unit ids to it; it starts with the first one.
 */
import { adminRead, type Node, type NodeAPI, type NodeDef } from './red.js';
import { nodeRedMetrics } from '../src/runtime/metrics.js';
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
      const label = this.name || this.port.description;
      const unmetric = nodeRedMetrics.addPort(label, this.port);
      this.on('close', (_removed: boolean, done: () => void) => {
        unmetric();
        nodeRedMetrics.removeStatus(`connection:${label}`);
        done();
      });
      let last = '';
      this.port.on('status', (s) => {
        // Log transitions only: a bus that stays down retries with backoff and must not flood the log.
        const now = `${s.state}:${s.reason ?? ''}`;
        if (now !== last && s.state === 'down' && s.reason && s.reason !== 'stopped' && s.reason !== 'not started') this.warn(`${this.description}: ${s.reason}`);
        last = now;
        nodeRedMetrics.setStatus(`connection:${label}`, s.state, s.reason);
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
  // Node-RED mode operations endpoints on the admin API (under httpAdminRoot): metrics need read access when
  // adminAuth is on (Prometheus sends a bearer token); health answers only the overall state without login.
  RED.httpAdmin?.get('/gridbridge/metrics', ...adminRead(RED), (_req, res) => {
    nodeRedMetrics.registry.metrics().then(
      (text) => (res as unknown as { type(t: string): { send(b: string): void } }).type(nodeRedMetrics.registry.contentType).send(text),
      (e: unknown) => res.status(500).json({ error: String(e) }),
    );
  });
  RED.httpAdmin?.get('/gridbridge/health', (_req, res) => {
    const h = nodeRedMetrics.health();
    res.status(h.status === 'down' ? 503 : 200).json({ status: h.status });
  });
};

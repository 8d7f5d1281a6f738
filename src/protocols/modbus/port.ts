/**
 * ModbusPort: the high-level API the runtime, the Node-RED nodes and the CLI use. One port = one bus (a serial line
 * or one TCP connection) with one scheduler; devices (unit ids with a profile) are added to it.
 *
 *   const port = new ModbusPort({ tcp: { host: '127.0.0.1', port: 5020 } }, { timeoutMs: 500 });
 *   const inv = port.addDevice({ id: 'inv1', unitId: 1, profile });
 *   port.on('points', (pts) => …); port.on('device', (s) => …); port.on('status', (s) => …);
 *   port.on('online', (e, dev) => …); // e.after: 'start' | 'port-down' | 'offline' — (re-)assert controls here
 *   port.start(); await inv.write('WMaxLimPct', 50, { verify: true }); await port.stop();
 */
import { quality, type Point, type PointValue } from '../../core/point.js';
import { ModbusDevice, type DeviceConfig, type WriteOptions } from './device.js';
import { TypedEmitter } from './emitter.js';
import { BusScheduler, type DeviceOnline, type DeviceStatus, type PortStatus, type SchedulerOptions, type SchedulerStats } from './scheduler.js';
import { ModbusSerialTransport, describeEndpoint, type Endpoint, type ModbusTransport, type ModbusSerialTransportOptions } from './transport.js';
import { ModbusTcpTransport } from './tcp-transport.js';
import type { ModbusRequest, ModbusResponse, ReadRequest } from './types.js';
import type { WriteResult } from './writer.js';

export interface PortOptions extends SchedulerOptions, ModbusSerialTransportOptions {
  /** Use this transport instead of modbus-serial (tests, custom links). */
  transport?: ModbusTransport;
  /** Site id prefixed to point ids. */
  site?: string;
  /** Emit a 'stats' event every so many ms (0 = never; default 0). */
  statsIntervalMs?: number;
}

export interface PortEvents {
  /** Points of one block (or one device, after a status change), all from one device. */
  points: (points: Point[], device: ModbusDevice) => void;
  device: (status: DeviceStatus, device: ModbusDevice) => void;
  /**
   * A device's first answer since the port started, since the connection was down, or since the device was offline
   * (`after`): the field may have lost or never received what was written, so controls are re-asserted here.
   * Emitted after the 'device' online event, if any.
   */
  online: (e: DeviceOnline, device: ModbusDevice) => void;
  status: (status: PortStatus) => void;
  stats: (stats: SchedulerStats) => void;
  dropped: (device: string, request: ModbusRequest) => void;
}

export class ModbusPort extends TypedEmitter<PortEvents> {
  readonly scheduler: BusScheduler;
  readonly description: string;
  private readonly devices = new Map<string, ModbusDevice>();
  private statsTimer: ReturnType<BusScheduler['clock']['setTimeout']> | undefined;

  constructor(
    endpoint: Endpoint | undefined,
    private readonly opts: PortOptions = {},
  ) {
    super();
    // TCP: the stack's own MBAP transport; serial lines: modbus-serial (RTU framing, serialport).
    const transport = opts.transport ?? (endpoint ? ('tcp' in endpoint ? new ModbusTcpTransport(endpoint.tcp, opts) : new ModbusSerialTransport(endpoint, opts)) : undefined);
    if (!transport) throw new Error('ModbusPort needs an endpoint ({tcp:{host,port}} or {rtu:{path,…}}) or a transport');
    this.description = endpoint ? describeEndpoint(endpoint) : transport.description;
    this.scheduler = new BusScheduler(transport, opts);
    this.scheduler.on('status', (s) => {
      this.emit('status', s);
      if (s.state === 'down' && s.reason !== 'stopped') {
        for (const d of this.devices.values()) d.markAll(quality('not_connected', `port down: ${s.reason ?? ''}`));
      }
    });
    this.scheduler.on('device', (s) => {
      const d = this.devices.get(s.device);
      if (!d) return;
      d.notifyStatus(s);
      this.emit('device', s, d);
    });
    this.scheduler.on('online', (e) => {
      const d = this.devices.get(e.device);
      if (!d) return;
      d.notifyOnline(e);
      this.emit('online', e, d);
    });
    this.scheduler.on('dropped', (dev, req) => this.emit('dropped', dev, req));
  }

  get status(): PortStatus {
    return this.scheduler.status;
  }

  addDevice(cfg: DeviceConfig): ModbusDevice {
    if (this.devices.has(cfg.id)) throw new Error(`device "${cfg.id}" already on port ${this.description}`);
    const d = new ModbusDevice(this.scheduler, { ...cfg, ...(cfg.site ?? this.opts.site ? { site: cfg.site ?? this.opts.site } : {}) });
    d.on('points', (pts) => this.emit('points', pts, d));
    this.devices.set(cfg.id, d);
    return d;
  }

  /** Take a device off the bus (its poll tasks and queued jobs go with it); e.g. when a Node-RED device node is redeployed. */
  removeDevice(id: string): void {
    if (this.devices.delete(id)) this.scheduler.removeDevice(id);
  }

  device(id: string): ModbusDevice | undefined {
    return this.devices.get(id);
  }

  listDevices(): ModbusDevice[] {
    return [...this.devices.values()];
  }

  start(): void {
    this.scheduler.start();
    const every = this.opts.statsIntervalMs ?? 0;
    if (every > 0) {
      const tick = () => {
        this.emit('stats', this.scheduler.stats());
        this.statsTimer = this.scheduler.clock.setTimeout(tick, every);
      };
      this.statsTimer = this.scheduler.clock.setTimeout(tick, every);
    }
  }

  async stop(): Promise<void> {
    this.scheduler.clock.clearTimeout(this.statsTimer);
    this.statsTimer = undefined;
    await this.scheduler.stop();
  }

  stats(): SchedulerStats {
    return this.scheduler.stats();
  }

  /** Write a named point of a device (checked against the profile first). Never throws: the result says why. */
  write(deviceId: string, name: string, value: PointValue, opts?: WriteOptions): Promise<WriteResult> {
    const d = this.devices.get(deviceId);
    if (!d) return Promise.resolve({ ok: false, device: deviceId, name, value, failure: 'refused', reason: `unknown device "${deviceId}"` });
    return d.write(name, value, opts);
  }

  /** Raw access for tools (probe, discovery): a one-shot read outside any profile. */
  readRaw(request: ReadRequest): Promise<ModbusResponse> {
    return this.scheduler.read(undefined, request);
  }
}

/** A scripted in-memory transport driven by a FakeClock, for scheduler tests. */
import type { FakeClock } from '../../src/core/clock.js';
import type { ModbusTransport } from '../../src/protocols/modbus/transport.js';
import { ModbusConnectionError, ModbusExceptionError, type ModbusRequest, type ModbusResponse } from '../../src/protocols/modbus/types.js';

export type UnitBehaviour = { kind: 'ok'; delayMs?: number } | { kind: 'silent' } | { kind: 'exception'; code: number; delayMs?: number };

export class FakeTransport implements ModbusTransport {
  readonly description = 'fake';
  isOpen = false;
  openFails: string | undefined;
  behaviour = new Map<number, UnitBehaviour>();
  log: Array<{ at: number; req: ModbusRequest }> = [];
  inFlight = 0;
  maxInFlight = 0;
  opens = 0;
  registers = new Map<number, number>();
  private lost: Array<(r: string) => void> = [];

  constructor(
    private readonly clock: FakeClock,
    readonly serial = true,
    readonly defaultDelayMs = 10,
  ) {}

  onLost(l: (r: string) => void): void {
    this.lost.push(l);
  }
  async open(): Promise<void> {
    this.opens++;
    if (this.openFails) throw new ModbusConnectionError(this.openFails);
    this.isOpen = true;
  }
  async close(): Promise<void> {
    this.isOpen = false;
  }
  /** Simulate an unplugged cable. */
  drop(reason = 'cable pulled'): void {
    this.isOpen = false;
    for (const l of this.lost) l(reason);
  }
  request(req: ModbusRequest, timeoutMs: number): Promise<ModbusResponse> {
    if (!this.isOpen) return Promise.reject(new ModbusConnectionError('port not open'));
    this.log.push({ at: this.clock.monotonic(), req });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const b = this.behaviour.get(req.unitId) ?? { kind: 'ok' };
    return new Promise((resolve, reject) => {
      if (b.kind === 'silent') {
        // Never answers; the scheduler's timeout ends the transaction. Free the slot after the timeout.
        this.clock.setTimeout(() => this.inFlight--, timeoutMs - 0.5);
        return;
      }
      this.clock.setTimeout(() => {
        this.inFlight--;
        if (b.kind === 'exception') return reject(new ModbusExceptionError(b.code, req));
        if (req.fc === 3 || req.fc === 4) {
          const regs: number[] = [];
          for (let i = 0; i < req.count; i++) regs.push(this.registers.get(req.address + i) ?? (req.address + i) & 0xffff);
          resolve({ registers: regs });
        } else if (req.fc === 1 || req.fc === 2) resolve({ bits: new Array<boolean>(req.count).fill(true) });
        else {
          if (req.fc === 6) this.registers.set(req.address, req.value);
          if (req.fc === 16) req.values.forEach((v, i) => this.registers.set(req.address + i, v));
          resolve({});
        }
      }, b.delayMs ?? this.defaultDelayMs);
    });
  }
}

/** Advance fake time in small steps, letting promise callbacks run between steps. */
export async function run(clock: FakeClock, ms: number, step = 1): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

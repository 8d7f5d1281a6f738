/**
 * A simulated RTU (IEC 104 controlled station): serves every supported monitor type with moving values, accepts every
 * command type (select-before-operate where configured) and reflects commands in its status points. With a mapping
 * block it serves the mapping's addresses instead.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { TypeId, withoutTime } from '../../protocols/iec104/constants.js';
import { serverDefinitions, type Iec104Mapping } from '../../protocols/iec104/mapping.js';
import { Iec104Server, type CommandDecision, type CommandRequest, type ServerOptions } from '../../protocols/iec104/server.js';
import type { PointDefinition } from '../../protocols/iec104/store.js';

export interface RtuOptions extends Omit<ServerOptions, 'onCommand' | 'clock'> {
  clock?: Clock;
  mapping?: Iec104Mapping;
  /** Common address of the built-in point list (default 1). */
  ca?: number;
  /** Interval of value changes in ms (default 1000; 0 = static). */
  changeEveryMs?: number;
  /** Command IOAs whose field link is down (answered with a negative ACT_CON). */
  linkDown?: number[];
}

/** Built-in point list: one or more points of each monitor type, at documented IOAs. */
export function defaultRtuPoints(ca = 1): PointDefinition[] {
  const t = TypeId;
  const pts: PointDefinition[] = [
    { ca, ioa: 100, typeId: t.M_SP_NA_1, groups: [1], initial: { value: true, quality: {} } },
    { ca, ioa: 101, typeId: t.M_SP_TB_1, groups: [1], initial: { value: false, quality: {} } },
    { ca, ioa: 200, typeId: t.M_DP_NA_1, groups: [1], initial: { value: 2, quality: {} } },
    { ca, ioa: 201, typeId: t.M_DP_TB_1, groups: [1], initial: { value: 1, quality: {} } },
    { ca, ioa: 300, typeId: t.M_ST_NA_1, groups: [2], initial: { value: 5, transient: false, quality: {} } },
    { ca, ioa: 301, typeId: t.M_ST_TB_1, groups: [2], initial: { value: 0, transient: false, quality: {} } },
    { ca, ioa: 400, typeId: t.M_BO_NA_1, groups: [2], initial: { value: 0, quality: {} } },
    { ca, ioa: 401, typeId: t.M_BO_TB_1, groups: [2], initial: { value: 0xa5, quality: {} } },
    { ca, ioa: 500, typeId: t.M_ME_NA_1, groups: [3], cyclic: true, initial: { value: 0.5, quality: {} } },
    { ca, ioa: 501, typeId: t.M_ME_TD_1, groups: [3], initial: { value: -0.25, quality: {} } },
    { ca, ioa: 600, typeId: t.M_ME_NB_1, groups: [3], cyclic: true, initial: { value: 1000, quality: {} } },
    { ca, ioa: 601, typeId: t.M_ME_TE_1, groups: [3], initial: { value: -20, quality: {} } },
    { ca, ioa: 710, typeId: t.M_ME_TF_1, groups: [3], initial: { value: 49.98, quality: {} } },
    { ca, ioa: 800, typeId: t.M_IT_NA_1, counterGroup: 1, initial: { value: 0, sequence: 0, quality: {} } },
    { ca, ioa: 801, typeId: t.M_IT_TB_1, counterGroup: 2, initial: { value: 0, sequence: 0, quality: {} } },
  ];
  // A block of consecutive floats (W, VAr, V L1-L3, A L1-L3, Hz, PF) shows SQ=1 packing in GI answers.
  const floats = [12_500, 1_200, 230.1, 229.8, 231.0, 18.2, 17.9, 18.5, 50.0, 0.98];
  floats.forEach((v, i) => pts.push({ ca, ioa: 700 + i, typeId: t.M_ME_NC_1, groups: [3], cyclic: i === 0, initial: { value: v, quality: {} } }));
  return pts;
}

/** Built-in commands: IOA → type(s), SBO, and the status point the command drives. */
export const DEFAULT_RTU_COMMANDS: Array<{ ioa: number; typeId: number; sbo: boolean; echo: number }> = [
  { ioa: 5000, typeId: TypeId.C_SC_NA_1, sbo: false, echo: 100 },
  { ioa: 5001, typeId: TypeId.C_DC_NA_1, sbo: true, echo: 200 },
  { ioa: 5002, typeId: TypeId.C_RC_NA_1, sbo: false, echo: 300 },
  { ioa: 5003, typeId: TypeId.C_SE_NA_1, sbo: false, echo: 500 },
  { ioa: 5004, typeId: TypeId.C_SE_NB_1, sbo: false, echo: 600 },
  { ioa: 5005, typeId: TypeId.C_SE_NC_1, sbo: true, echo: 700 },
  { ioa: 5006, typeId: TypeId.C_BO_NA_1, sbo: false, echo: 400 },
];

const TA_OFFSET = TypeId.C_SC_TA_1 - TypeId.C_SC_NA_1;

export class SimRtu {
  readonly server: Iec104Server;
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private tick = 0;
  private echo = new Map<number, number>();
  private readonly ca: number;

  constructor(private readonly opts: RtuOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.ca = opts.ca ?? opts.mapping?.commonAddress ?? 1;
    // Like the other simulators it listens on loopback unless told otherwise.
    this.server = new Iec104Server({ ...opts, host: opts.host ?? '127.0.0.1', clock: this.clock, onCommand: (c) => this.onCommand(c) });
    if (opts.mapping) {
      const d = serverDefinitions(opts.mapping);
      for (const p of d.points) this.server.definePoint({ ...p, initial: { value: 0, quality: {} } });
      for (const c of d.commands) this.server.defineCommand(c);
    } else {
      for (const p of defaultRtuPoints(this.ca)) this.server.definePoint(p);
      for (const c of DEFAULT_RTU_COMMANDS) {
        this.server.defineCommand({ ca: this.ca, ioa: c.ioa, typeIds: [c.typeId, c.typeId + TA_OFFSET], sbo: c.sbo });
        this.echo.set(c.ioa, c.echo);
      }
    }
    for (const ioa of opts.linkDown ?? []) this.server.setCommandAvailable(this.ca, ioa, false);
  }

  async start(): Promise<{ port: number; host: string }> {
    const addr = await this.server.listen();
    this.arm();
    return addr;
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.server.close();
  }

  private arm(): void {
    const every = this.opts.changeEveryMs ?? 1000;
    if (every <= 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.step();
      this.arm();
    }, every);
  }

  /** Move values: measurands wander, counters count, a status point toggles now and then. */
  step(): void {
    this.tick++;
    for (const ca of this.server.store.commonAddresses()) {
      for (const p of this.server.store.list(ca)) {
        const base = withoutTime(p.typeId);
        const v = p.obj.value;
        const cur = typeof v === 'number' ? v : v ? 1 : 0;
        const wave = Math.sin((this.tick + p.ioa) / 5);
        switch (base) {
          case TypeId.M_ME_NC_1:
            this.server.update(ca, p.ioa, { value: Math.round((cur + wave * Math.max(0.01, Math.abs(cur) * 0.01)) * 1000) / 1000 });
            break;
          case TypeId.M_ME_NB_1:
            this.server.update(ca, p.ioa, { value: Math.max(-32768, Math.min(32767, Math.round(cur + wave * 10))) });
            break;
          case TypeId.M_ME_NA_1:
            this.server.update(ca, p.ioa, { value: Math.max(-1, Math.min(0.999, Math.round(wave * 0.9 * 32768) / 32768)) });
            break;
          case TypeId.M_IT_NA_1:
            this.server.update(ca, p.ioa, { value: (cur + 7) | 0, sequence: ((p.obj.sequence ?? 0) + 1) & 31 }, { spontaneous: false });
            break;
          case TypeId.M_SP_NA_1:
            if (this.tick % 10 === p.ioa % 10) this.server.update(ca, p.ioa, { value: !(v === true) });
            break;
          case TypeId.M_BO_NA_1:
            if (this.tick % 5 === 0) this.server.update(ca, p.ioa, { value: ((cur << 1) | (cur >>> 31)) >>> 0 || 1 });
            break;
          default:
            break;
        }
      }
    }
  }

  private onCommand(c: CommandRequest): CommandDecision {
    if (c.select) return true;
    const target = this.echo.get(c.ioa);
    if (target === undefined) return true;
    // Command transmission (IEC 60870-5-5 §6.8): ACT_CON, then the return information (COT 11), then ACT_TERM.
    // The server sends ACT_CON when this handler returns and ACT_TERM when `done` settles, so the echo runs on the
    // next timer turn (interop run with lib60870-C showed COT 11 ahead of ACT_CON when it ran synchronously here).
    const done = new Promise<void>((resolve) => {
      this.clock.setTimeout(() => {
        this.reflect(c, target);
        resolve();
      }, 0);
    });
    return { accept: true, done };
  }

  private reflect(c: CommandRequest, target: number): void {
    const p = this.server.store.get(c.ca, target);
    if (!p) return;
    let value: number | boolean = c.value;
    const base = c.typeId >= TypeId.C_SC_TA_1 ? c.typeId - TA_OFFSET : c.typeId;
    if (base === TypeId.C_RC_NA_1) value = Math.max(-64, Math.min(63, (Number(p.obj.value) || 0) + (c.value === 2 ? 1 : c.value === 1 ? -1 : 0)));
    // Return information caused by a remote command (COT 11).
    this.server.update(c.ca, target, { value }, { cot: 11 });
  }
}

/**
 * gridbridge-sapc-rig: runs the SAPC override test scenarios (src/sim/sapc/rig.ts) against a simulated appliance
 * on any input and sends the report: msg.payload = JSON report, msg.summary = Markdown, msg.html = HTML page.
 * msg.payload.scenarios (array of names) picks scenarios.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { FakeClock, systemClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { formatRigHtml, formatRigSummary, runRig } from '../src/sim/sapc/rig.js';

interface Def extends NodeDef {
  baud: string;
  applyDelayMs: string;
  realTime: boolean;
}

export = function register(RED: NodeAPI): void {
  function SapcRigNode(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    let running = false;
    this.status({ fill: 'grey', shape: 'ring', text: 'idle' });
    this.on('input', (msg, send, done) => {
      if (running) return done(new Error('sapc rig: a run is already in progress'));
      running = true;
      const p = msg.payload as { scenarios?: unknown } | undefined;
      const scenarios = Array.isArray(p?.scenarios) ? p.scenarios.filter((s): s is string => typeof s === 'string') : undefined;
      this.status({ fill: 'blue', shape: 'dot', text: 'running' });
      runRig({
        clock: d.realTime ? systemClock : new FakeClock(Date.now()),
        baud: Number(d.baud) || 9600,
        applyDelayMs: d.applyDelayMs === '' || d.applyDelayMs === undefined ? 100 : Number(d.applyDelayMs),
        ...(scenarios ? { scenarios } : {}),
        onProgress: (event, data) => event === 'scenario_start' && this.status({ fill: 'blue', shape: 'dot', text: String(data.name) }),
      }).then(
        (report) => {
          running = false;
          this.status(report.failed ? { fill: 'red', shape: 'dot', text: `${report.failed} failed` } : { fill: 'green', shape: 'dot', text: `${report.passed} passed` });
          send({ ...msg, payload: report, summary: formatRigSummary(report), html: formatRigHtml(report) });
          done();
        },
        (e: unknown) => {
          running = false;
          this.status({ fill: 'red', shape: 'ring', text: 'error' });
          done(new Error(`sapc rig: ${errorMessage(e)}`));
        },
      );
    });
  }
  RED.nodes.registerType('gridbridge-sapc-rig', SapcRigNode);
};

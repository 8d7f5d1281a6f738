/**
 * gridbridge-sapc-arbiter (config): one shared Arbiter (src/core/arbitration) for a site. SAPC in, the arbitrate
 * node and any other control source submit ControlIntents to it. Its decisions go to a control audit log file that
 * survives restarts (the configured file, relative to the user dir, or gridbridge/audit-<node id>.jsonl there) and to
 * the Node-RED metrics (gridbridge_control_decisions_total).
 */
import type { NodeAPI, NodeDef } from './red.js';
import type { SapcArbiterNode } from './sapc-common.js';
import { errorMessage } from '../src/core/errors.js';
import { Arbiter } from '../src/core/arbitration/arbiter.js';
import { parseClasses, parseTargets } from '../src/core/arbitration/config.js';
import { isAbsolute, join, resolve } from 'node:path';
import { AuditLog, recordAudit } from '../src/runtime/audit-log.js';
import { nodeRedMetrics } from '../src/runtime/metrics.js';

interface Def extends NodeDef {
  targets: string;
  randomDelayS: string;
  randomClasses: string;
  auditFile?: string;
}

export = function register(RED: NodeAPI): void {
  function SapcArbiterNode(this: SapcArbiterNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    try {
      const delayMs = (Number(d.randomDelayS) || 0) * 1000;
      const classes = parseClasses(d.randomClasses || 'supplier,aggregator');
      this.arbiter = new Arbiter({ targets: parseTargets(d.targets), randomDelayMaxMs: Object.fromEntries(classes.map((c) => [c, delayMs])) });
    } catch (e) {
      this.error(`arbiter configuration: ${errorMessage(e)}`);
      return;
    }
    const arbiter = this.arbiter;
    arbiter.on('audit', (a) => nodeRedMetrics.observeDecision(a));
    const userDir = typeof RED.settings?.userDir === 'string' ? RED.settings.userDir : undefined;
    const file = d.auditFile ? (isAbsolute(d.auditFile) ? d.auditFile : resolve(userDir ?? process.cwd(), d.auditFile)) : userDir ? join(userDir, 'gridbridge', `audit-${this.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`) : undefined;
    if (file) {
      try {
        recordAudit(arbiter, new AuditLog(file, this.name || this.id), (m) => this.warn(m));
      } catch (e) {
        this.warn(`audit log ${file}: ${errorMessage(e)}`);
      }
    }
    this.on('close', (_r, done) => {
      this.arbiter?.close();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sapc-arbiter', SapcArbiterNode);
};

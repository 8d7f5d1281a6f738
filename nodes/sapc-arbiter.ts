/**
 * gridbridge-sapc-arbiter (config): one shared Arbiter (src/core/arbitration) for a site. SAPC in, the arbitrate
 * node and any other control source submit ControlIntents to it; it keeps the audit log.
 */
import type { NodeAPI, NodeDef } from './red.js';
import type { SapcArbiterNode } from './sapc-common.js';
import { errorMessage } from '../src/core/errors.js';
import { Arbiter } from '../src/core/arbitration/arbiter.js';
import { parseClasses, parseTargets } from '../src/core/arbitration/config.js';

interface Def extends NodeDef {
  targets: string;
  randomDelayS: string;
  randomClasses: string;
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
    this.on('close', (_r, done) => {
      this.arbiter?.close();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sapc-arbiter', SapcArbiterNode);
};

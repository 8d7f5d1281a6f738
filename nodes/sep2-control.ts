/** gridbridge-sep2-control: emits the active 2030.5 controls as ControlIntents (one msg per change). */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { statusFor, showConfigError } from './red.js';
import type { Sep2ClientNode } from './sep2-shared.js';
import type { ControlIntent } from '../src/core/control.js';
import type { ScheduleState } from '../src/protocols/sep2/scheduler.js';

export = function register(RED: NodeAPI): void {
  function Sep2Control(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const cfg = RED.nodes.getNode(String(def.client ?? '')) as Sep2ClientNode | null;
    const client = cfg?.client;
    if (!client) {
      const why = cfg?.configError ?? 'no 2030.5 client configured';
      return showConfigError(this, why, why);
    }
    const onState = (s: { state: 'connecting' | 'up' | 'degraded' | 'down'; reason?: string }) => this.status(statusFor(s.state, s.reason?.slice(0, 60)));
    const onControls = (c: { state: ScheduleState; intents: ControlIntent[] }) => {
      const events = c.state.activeEvents;
      this.status(statusFor(client.status, events.length ? `${events.length} event(s) active` : c.intents.length ? 'default control' : 'no control'));
      this.send({ topic: 'sep2/controls', payload: c.intents, controls: c.state.controls, activeEvents: events });
    };
    client.on('state', onState);
    client.on('controls', onControls);
    this.status(statusFor(client.status === 'up' ? 'up' : 'connecting'));
    // A node deployed after the client started gets the current controls straight away.
    if (client.intents.length) this.send({ topic: 'sep2/controls', payload: client.intents, controls: client.scheduler.state().controls, activeEvents: client.scheduler.state().activeEvents });
    this.on('close', (_removed, done) => {
      client.off('state', onState);
      client.off('controls', onControls);
      done();
    });
  }
  RED.nodes.registerType('gridbridge-sep2-control', Sep2Control);
};

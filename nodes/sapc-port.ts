/**
 * gridbridge-sapc-port (config): one SSP-1 serial line (RS-485/USB serial/socat pty). Owns the SerialTransport and
 * the SapcSession shared by the sapc-in and sapc-out nodes that use it. Logic lives in src/protocols/sapc.
 */
import type { NodeAPI, NodeDef } from './red.js';
import type { SapcPortNode } from './sapc-common.js';
import type { LinkState } from './red.js';
import { errorMessage } from '../src/core/errors.js';
import { SerialTransport } from '../src/protocols/sapc/transport.js';
import { SapcSession } from '../src/protocols/sapc/session.js';
import { SlotDispatcher } from '../src/protocols/sapc/receiver.js';

interface Def extends NodeDef {
  path: string;
  baudRate: string;
  parity: string;
  heartbeatS: string;
  ackTimeoutMs: string;
  retries: string;
  echo: boolean;
}


export = function register(RED: NodeAPI): void {
  function SapcPortNode(this: SapcPortNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const watchers: Array<(s: LinkState, text?: string) => void> = [];
    if (!d.path) {
      this.error('sapc port: no serial device path configured');
      return;
    }
    const transport = new SerialTransport({ path: d.path, baudRate: Number(d.baudRate) || 9600, parity: d.parity === 'even' || d.parity === 'odd' ? d.parity : 'none' });
    const slots = new SlotDispatcher();
    const session = new SapcSession({
      handler: slots,
      write: (t) => transport.write(t),
      heartbeatMs: (Number(d.heartbeatS) || 60) * 1000,
      ackTimeoutMs: Number(d.ackTimeoutMs) || 500,
      baudRate: Number(d.baudRate) || 9600,
      echo: d.echo === true,
      retries: d.retries === '' || d.retries === undefined ? 3 : Number(d.retries),
    });
    const tell = (s: LinkState, text?: string) => watchers.forEach((w) => w(s, text));
    transport.on('data', (b) => session.receive(b));
    transport.on('state', (s, reason) => tell(s === 'up' ? (session.link === 'up' ? 'up' : 'degraded') : s, s === 'up' ? (session.link === 'up' ? 'link up' : 'port open, no heartbeat yet') : reason?.slice(0, 40)));
    session.on('link', (l) => transport.state === 'up' && tell(l === 'up' ? 'up' : 'degraded', l === 'up' ? 'link up' : 'no heartbeat'));
    this.sapc = { session, transport, slots, watch: (fn) => (watchers.push(fn), fn(transport.state === 'up' ? 'degraded' : 'connecting')) };
    transport.open().catch((e: unknown) => this.warn(`sapc port ${d.path}: ${errorMessage(e)} (retrying)`));
    this.on('close', (_removed, done) => {
      session.close();
      transport.close().then(done, done);
    });
  }
  RED.nodes.registerType('gridbridge-sapc-port', SapcPortNode);
};

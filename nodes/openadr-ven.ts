/**
 * gridbridge-openadr-ven (config): one OpenADR VEN, 2.0b (events or PAS 1878 report-only CEM) or 3.x. Owns the
 * OpenadrVen used by the openadr-control and openadr-report nodes. Logic lives in src/protocols/openadr.
 */
import type { NodeAPI, NodeDef, LinkState } from './red.js';
import { linkStateOf, type OpenadrVenNode } from './openadr-common.js';
import { systemClock } from '../src/core/clock.js';
import { errorMessage } from '../src/core/errors.js';
import { OpenadrVen } from '../src/protocols/openadr/factory.js';
import { credentialPem, registerCertRoutes, watchCertificates } from './cert-status.js';

interface Def extends NodeDef {
  version: string;
  vtnUrl: string;
  venName: string;
  venId?: string;
  transport?: string;
  pushUrl?: string;
  reportOnly?: boolean;
  xmlSignature?: boolean;
  pollIntervalSec?: string;
  clientId?: string;
  notification?: string;
  callbackUrl?: string;
  /** JSON: { reports: [...], signals: [...], policy: {...} } as in the mapping YAML `openadr` block. */
  bindings?: string;
}

export = function register(RED: NodeAPI): void {
  function OpenadrVenConfig(this: OpenadrVenNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const watchers: Array<(s: LinkState, text?: string) => void> = [];
    let extra: Record<string, unknown> = {};
    try {
      extra = d.bindings ? (JSON.parse(d.bindings) as Record<string, unknown>) : {};
    } catch (e) {
      this.error(`openadr ven: bindings are not valid JSON: ${errorMessage(e)}`);
      return;
    }
    let ven: OpenadrVen;
    try {
      const mapping = OpenadrVen.parseMapping({
        ...extra,
        version: d.version || '2.0b',
        vtnUrl: d.vtnUrl,
        venName: d.venName,
        ...(d.venId ? { venId: d.venId } : {}),
        transport: d.transport === 'push' ? 'push' : 'pull',
        ...(d.pushUrl ? { pushUrl: d.pushUrl } : {}),
        reportOnly: d.reportOnly === true,
        ...(d.xmlSignature === true ? { xmlSignature: true } : {}),
        pollIntervalSec: Number(d.pollIntervalSec) || 10,
        ...(d.clientId ? { oauth: { clientId: d.clientId } } : {}),
        notification: d.notification === 'webhook' || d.notification === 'mqtt' ? d.notification : 'poll',
        ...(d.callbackUrl ? { callbackUrl: d.callbackUrl } : {}),
      });
      const c = this.credentials ?? {};
      // PEM text, or the name of a file in the managed certificate directory (cert-status.ts)
      const pems = () => ({
        cert: credentialPem(RED, c['tlsCert'], 'OpenADR client certificate'),
        ca: credentialPem(RED, c['tlsCa'], 'OpenADR CA chain'),
        vtnSig: credentialPem(RED, c['vtnSigCert'], 'VTN signing certificate'),
      });
      const p = pems();
      const key = credentialPem(RED, c['tlsKey'], 'OpenADR client key', true);
      ven = new OpenadrVen(mapping, systemClock, {
        ...(c['clientSecret'] ? { clientSecret: c['clientSecret'] } : {}),
        tls: { ...(p.cert ? { cert: p.cert } : {}), ...(key ? { key } : {}), ...(p.ca ? { ca: p.ca } : {}) },
        ...(p.vtnSig ? { signature: { vtnCert: p.vtnSig } } : {}),
      });
      watchCertificates(RED, this, () => {
        const now = pems();
        return [
          { key: 'cert', label: 'client certificate', pem: now.cert },
          { key: 'ca', label: 'CA chain', pem: now.ca },
          { key: 'vtnSig', label: 'VTN signing certificate', pem: now.vtnSig },
        ];
      });
    } catch (e) {
      this.error(`openadr ven: invalid configuration: ${errorMessage(e)}`);
      return;
    }
    let last: { s: LinkState; text?: string } = { s: 'connecting' };
    ven.on('state', (s) => {
      last = { s: linkStateOf(s.state), ...(s.reason ? { text: s.reason.slice(0, 40) } : { text: s.state }) };
      watchers.forEach((w) => w(last.s, last.text));
    });
    ven.on('error', (e) => this.warn(`openadr ven: ${e.message}`));
    this.openadr = { ven, watch: (fn) => (watchers.push(fn), fn(last.s, last.text)) };
    ven.start().catch((e: unknown) => this.error(`openadr ven: ${errorMessage(e)}`));
    this.on('close', (_removed, done) => {
      ven.stop().then(done, done);
    });
  }
  registerCertRoutes(RED);
  RED.nodes.registerType('gridbridge-openadr-ven', OpenadrVenConfig, {
    credentials: { clientSecret: { type: 'password' }, tlsCert: { type: 'text' }, tlsKey: { type: 'password' }, tlsCa: { type: 'text' }, vtnSigCert: { type: 'text' } },
  });
};

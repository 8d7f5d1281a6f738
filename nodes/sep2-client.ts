/**
 * gridbridge-sep2-client (config): one IEEE 2030.5 / CSIP client (src/protocols/sep2 Sep2Client). Certificates and
 * key are credentials. Control-out and telemetry-in nodes attach to it; it starts with the flow and stops on close.
 */
import type { Node, NodeAPI, NodeDef } from './red.js';
import { credentialPem, registerCertRoutes, watchCertificates } from './cert-status.js';
import { inspectPem } from '../src/runtime/cert-info.js';
import { systemClock } from '../src/core/clock.js';
import { errorMessage, formatPath } from '../src/core/errors.js';
import { Sep2Client, clientOptionsFromMapping } from '../src/protocols/sep2/client.js';
import { Sep2MappingSchema } from '../src/protocols/sep2/mapping.js';
import { parse as parseYaml } from 'yaml';
import type { Sep2ClientNode } from './sep2-shared.js';

export = function register(RED: NodeAPI): void {
  function Sep2ClientConfig(this: Sep2ClientNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as unknown as Record<string, string | undefined>;
    const given = this.credentials ?? {};
    try {
      // PEM text, or the name of a file in the managed certificate directory (cert-status.ts)
      const cred = {
        cert: credentialPem(RED, given.cert, '2030.5 device certificate'),
        key: credentialPem(RED, given.key, '2030.5 device key', true),
        ca: credentialPem(RED, given.ca, '2030.5 CA chain'),
      };
      if (!cred.cert || !cred.key || !cred.ca) throw new Error('device certificate, key and CA chain are required (credentials)');
      watchCertificates(RED, this, () => [
        { key: 'device', label: 'device certificate', pem: credentialPem(RED, given.cert, '2030.5 device certificate'), identity: true },
        { key: 'ca', label: 'CA chain', pem: credentialPem(RED, given.ca, '2030.5 CA chain') },
      ]);
      const device = inspectPem(cred.cert, { identity: true }).certificates[0];
      if (device?.lfdi) this.log(`2030.5 device LFDI ${device.lfdi}, SFDI ${device.sfdi}`);
      const maxW = Number(d.maxW);
      const raw = {
        server: d.server,
        ...(d.pin ? { pin: Number(d.pin) } : {}),
        device: d.device || 'der',
        ratings: { maxW, maxChargeRateW: Number(d.maxChargeRateW) || maxW, maxDischargeRateW: Number(d.maxDischargeRateW) || maxW, maxWh: Number(d.maxWh) },
        telemetry: d.telemetry ? (parseYaml(d.telemetry) as unknown) ?? [] : [],
        ...(d.socPoint ? { stateOfCharge: { device: d.socPoint.split('/')[0], name: d.socPoint.split('/')[1] } } : {}),
        csipAus: d.csipAus === 'on' ? true : d.csipAus === 'off' ? false : 'auto',
        registration: d.registration === 'in-band' ? 'in-band' : 'out-of-band',
      };
      const r = Sep2MappingSchema.safeParse(raw);
      if (!r.success) throw new Error(`${formatPath(r.error.issues[0]!.path)}: ${r.error.issues[0]!.message}`);
      const m = r.data;
      this.client = new Sep2Client({
        clock: systemClock,
        cert: cred.cert,
        key: cred.key,
        ca: cred.ca,
        ...clientOptionsFromMapping(m),
      });
      this.client.setMaxListeners(50);
      let last = '';
      this.client.on('problem', (p: { step: string; message: string }) => {
        if (p.message !== last) this.warn(`2030.5 ${p.step}: ${p.message}`);
        last = p.message;
      });
      this.client.on('log', (l: { step: string; message: string }) => this.log(`2030.5 ${l.step}: ${l.message}`));
      this.client.start();
    } catch (e) {
      this.configError = errorMessage(e);
      this.error(`2030.5 client configuration: ${this.configError}`);
    }
    this.on('close', (_removed, done) => {
      this.client?.stop();
      this.client = undefined;
      done();
    });
  }
  registerCertRoutes(RED);
  RED.nodes.registerType('gridbridge-sep2-client', Sep2ClientConfig as unknown as (this: Node, def: NodeDef) => void, {
    credentials: { cert: { type: 'password' }, key: { type: 'password' }, ca: { type: 'password' } },
  });
};

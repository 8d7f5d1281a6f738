/**
 * gridbridge-sep2-client (config): one IEEE 2030.5 / CSIP client (src/protocols/sep2 Sep2Client). Certificates and
 * key are credentials. Control-out and telemetry-in nodes attach to it; it starts with the flow and stops on close.
 */
import { adminRead, type Node, type NodeAPI, type NodeDef } from './red.js';
import { inspectPem, type BundleInfo } from '../src/runtime/cert-info.js';
import { systemClock } from '../src/core/clock.js';
import { errorMessage, formatPath } from '../src/core/errors.js';
import { Sep2Client, clientOptionsFromMapping } from '../src/protocols/sep2/client.js';
import { Sep2MappingSchema } from '../src/protocols/sep2/mapping.js';
import { parse as parseYaml } from 'yaml';
import type { Sep2ClientNode } from './sep2-shared.js';


/** What the editor shows of a deployed client's certificates (never the key). */
const certReports = new Map<string, { device: BundleInfo; ca: BundleInfo }>();
const DAY = 86_400_000;

export = function register(RED: NodeAPI): void {
  function Sep2ClientConfig(this: Sep2ClientNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as unknown as Record<string, string | undefined>;
    const cred = this.credentials ?? {};
    try {
      if (!cred.cert || !cred.key || !cred.ca) throw new Error('device certificate, key and CA chain are required (credentials)');
      const report = { device: inspectPem(cred.cert, { identity: true, what: 'device certificate' }), ca: inspectPem(cred.ca, { what: 'CA chain' }) };
      certReports.set(this.id, report);
      const warnAll = () => {
        const r = { device: inspectPem(cred.cert!, { identity: true, what: 'device certificate' }), ca: inspectPem(cred.ca!, { what: 'CA chain' }) };
        certReports.set(this.id, r);
        for (const w of [...r.device.warnings, ...r.ca.warnings]) this.warn(w);
      };
      warnAll();
      const daily = setInterval(warnAll, DAY); // expiry warnings come back every day until the certificate is renewed
      daily.unref();
      this.on('close', (_removed: boolean, done: () => void) => {
        clearInterval(daily);
        certReports.delete(this.id);
        done();
      });
      const lfdi = report.device.certificates[0]?.lfdi;
      if (lfdi) this.log(`2030.5 device LFDI ${lfdi}, SFDI ${report.device.certificates[0]?.sfdi}`);
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
  RED.nodes.registerType('gridbridge-sep2-client', Sep2ClientConfig as unknown as (this: Node, def: NodeDef) => void, {
    credentials: { cert: { type: 'password' }, key: { type: 'password' }, ca: { type: 'password' } },
  });
  RED.httpAdmin?.get('/gridbridge/certs/:id', ...adminRead(RED), (req, res) => {
    const r = certReports.get(req.params.id ?? '');
    if (!r) return res.status(404).json({ error: 'not deployed, or no certificates' });
    res.json(r);
  });
};

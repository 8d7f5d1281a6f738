/** `gridbridge sim vtn --port N [--script S.yaml]`: OpenADR 2.0b VTN simulator, logs every report as JSON lines. */
import { readFileSync } from 'node:fs';
import { systemClock } from '../../core/clock.js';
import { errorMessage, formatProfileError } from '../../core/errors.js';
import { parseVtnScript, type VtnScript } from '../../sim/openadr/script.js';
import { VtnSim20b } from '../../sim/openadr/vtn20b.js';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';

export const summary = 'simulate an OpenADR 2.0b VTN (PULL/PUSH, scripted events and report requests, mutual TLS)';

const USAGE = `usage: gridbridge sim vtn --port N [--script S.yaml] [--host H] [--cert F --key F [--ca F]]
  --port N        TCP port (default 8080)
  --host H        listen address (default 127.0.0.1)
  --script S      YAML: vtnId, pollFreqSec, steps: [{ at: 5, event: {id, signal, type, startIn, intervals:[{duration, value}]} },
                  { at: 0, reportRequest: {report: TELEMETRY_USAGE, granularity: 10, reportBack: 60} },
                  { at: 600, cancelReport: {id, reportToFollow} }, { at: 900, cancelEvent: ID }, { at: 1200, reregister: true },
                  { at: 1800, cancelRegistration: true }]  (at = seconds after each VEN registers)
  --cert/--key    serve HTTPS; with --ca, require client certificates (VEN ID = certificate fingerprint)
  --xml-signature sign every payload with --cert/--key (XML signature with ReplayProtect) and refuse VEN payloads
                  that are unsigned, stale, replayed or not signed by --ven-cert (or by a certificate --ca issued)
  --ven-cert F    the VEN's signing certificate (PEM), when signatures are checked against one certificate`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      script: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      'xml-signature': { type: 'boolean', default: false },
      'ven-cert': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    warn(`--port: invalid port ${v.port}`);
    return 2;
  }
  let script: VtnScript | undefined;
  if (v.script) {
    let text: string;
    try {
      text = readFileSync(v.script, 'utf8');
    } catch (e) {
      warn(`${v.script}: ${errorMessage(e)}`);
      return 2;
    }
    const r = parseVtnScript(text, v.script);
    if (!r.script) {
      for (const e of r.errors) warn(formatProfileError(e));
      return 2;
    }
    script = r.script;
  }
  let tls;
  try {
    tls = v.cert && v.key ? { cert: readFileSync(v.cert, 'utf8'), key: readFileSync(v.key, 'utf8'), ...(v.ca ? { ca: readFileSync(v.ca, 'utf8') } : {}) } : undefined;
  } catch (e) {
    warn(`sim vtn: ${errorMessage(e)}`);
    return 2;
  }
  let signature;
  if (v['xml-signature']) {
    if (!tls?.cert || !tls.key || (!tls.ca && !v['ven-cert'])) {
      warn('sim vtn: --xml-signature needs --cert and --key (to sign) and --ca or --ven-cert (to verify)');
      return 2;
    }
    try {
      signature = { privateKey: tls.key, certificate: tls.cert, ...(tls.ca ? { ca: tls.ca } : {}), ...(v['ven-cert'] ? { venCertificate: readFileSync(v['ven-cert'], 'utf8') } : {}) };
    } catch (e) {
      warn(`sim vtn: ${errorMessage(e)}`);
      return 2;
    }
  }
  const sim = new VtnSim20b({ port, host: v.host, clock: systemClock, ...(script ? { script } : {}), ...(tls ? { tls } : {}), ...(signature ? { signature } : {}), log: ({ event, ...rest }) => emit(event, rest) });
  try {
    await sim.start();
  } catch (e) {
    warn(`sim vtn: cannot listen on ${v.host}:${port}: ${errorMessage(e)}`);
    return 1;
  }
  const sig = await untilSignal();
  emit('stopping', { signal: sig });
  await sim.stop();
  return 0;
}

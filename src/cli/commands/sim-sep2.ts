/** `gridbridge sim sep2`: an IEEE 2030.5 test server with mTLS, a generated P-256 test PKI and YAML scenarios. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { emit, untilSignal, warn, parseCommandLine } from '../jsonl.js';
import { ensureTestPki } from '../../sim/sep2/pki.js';
import { Sep2TestServer } from '../../sim/sep2/server.js';
import { parseScenario, ScenarioError } from '../../sim/sep2/scenario.js';

export const summary = 'IEEE 2030.5 (CSIP) test server: mTLS, test PKI, discovery tree, scripted DER controls';

const usage = `usage: gridbridge sim sep2 [--port N] [--host H] [--pki-dir DIR] [--scenario S.yaml] [--legacy] [--verbose]

  --port N          listen port (default 8443; 0 = any)
  --host H          listen address (default 127.0.0.1)
  --pki-dir DIR     where the test CA, server and client certificates live (created if missing; default ./sep2-pki)
  --scenario FILE   YAML: pin, pollRate, postRate, timeOffsetSeconds, programs, steps (controls, cancels, faults)
  --legacy          answer in the pre-2018 namespace without 2018-only/csipaus elements
  --verbose         also print every GET

Prints JSON lines: pki (client LFDI/SFDI and file paths), listening, control, cancel, request.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      port: { type: 'string', default: '8443' },
      host: { type: 'string', default: '127.0.0.1' },
      'pki-dir': { type: 'string', default: 'sep2-pki' },
      scenario: { type: 'string' },
      legacy: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    usage,
  );
  if (typeof cli === 'number') return cli;
  const a = cli.values;
  const port = Number(a.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    warn(`--port: not a port number: ${a.port}`);
    return 2;
  }
  let scenario;
  if (a.scenario) {
    try {
      scenario = parseScenario(readFileSync(a.scenario, 'utf8'), a.scenario);
    } catch (e) {
      warn(e instanceof ScenarioError ? e.message : `${a.scenario}: ${(e as Error).message}`);
      return 2;
    }
  }
  const pki = ensureTestPki(resolve(a['pki-dir']));
  emit('pki', { dir: pki.dir, lfdi: pki.client.lfdi, sfdi: pki.client.sfdi, files: pki.files });
  const server = new Sep2TestServer({ pki, port, host: a.host, ...(scenario ? { scenario } : {}), legacy: a.legacy });
  server.on('request', (r: { method: string; path: string; status: number; resource?: string; value?: unknown; error?: string; lfdi?: string }) => {
    if (r.method === 'GET' && !a.verbose && r.status < 400) return;
    emit('request', { ...r });
  });
  server.on('control', (c: Record<string, unknown>) => emit('control', c));
  server.on('cancel', (c: Record<string, unknown>) => emit('cancel', c));
  server.on('fault', (c: Record<string, unknown>) => emit('fault', c));
  server.on('tlsError', (m: string) => emit('tls-error', { message: m }));
  try {
    await server.start();
  } catch (e) {
    warn(`cannot listen on ${a.host}:${port}: ${(e as Error).message}`);
    return 1;
  }
  emit('listening', { url: `https://${a.host}:${server.port}/dcap`, port: server.port });
  const sig = await untilSignal();
  await server.stop();
  emit('stopped', { signal: sig });
  return 0;
}

/**
 * IEEE 2030.5 control start → setpoint over real HTTPS (issue 12: the earlier figure came from 6 in-process samples).
 *
 * Modelled: `gridbridge sim sep2` runs in its own process (as a DERMS server does), with one DER program whose
 * scenario lists, from the start, EVENTS consecutive 1 s DERControls (opModFixedW, whole-second starts as 2030.5
 * times are). CLIENTS Sep2Client instances in this process (the same device certificate; each its own HTTPS agent,
 * mTLS, CCM8 offered) poll it at pollRate 5 s, learn the events ahead of their start, and schedule them. Each
 * (client, event) is one sample of:
 *   - start → setpoint: wall-clock ms from the event's start to the client emitting the ControlIntent;
 *   - start → "started" at the server: from the start to the DERControlResponse status 2 arriving at the server
 *     (its request record, same machine clock), i.e. the setpoint plus one HTTPS POST.
 * Same run, same peer: the in-process figure (scheduler alone, no HTTP, as many schedulers as clients) for comparison.
 * Measured on a shared 2-core machine with other work running: figures are noisy upper bounds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeResult, percentile } from './lib.js';
import { systemClock } from '../src/core/clock.js';
import { Sep2Client } from '../src/protocols/sep2/client.js';
import { DerControlScheduler } from '../src/protocols/sep2/scheduler.js';
import type { DERControl } from '../src/protocols/sep2/derControl.js';
import type { ControlIntent } from '../src/core/control.js';

const CLIENTS = Number(process.env.SEP2_BENCH_CLIENTS ?? 14);
const EVENTS = Number(process.env.SEP2_BENCH_EVENTS ?? 90);
const LEAD_S = 10;

function stats(v: number[]) {
  const s = [...v].sort((a, b) => a - b);
  return { samples: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
}

async function overHttps(): Promise<{ setpoint: number[]; started: number[]; missing: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sep2-bench-'));
  const steps = Array.from({ length: EVENTS }, (_, i) => `  - { at: 0, control: { start: ${LEAD_S + i}, duration: 1, responseRequired: '02', base: { opModFixedW: ${1000 + i} } } }`).join('\n');
  writeFileSync(join(dir, 'scenario.yaml'), `pollRate: 5\npostRate: 60\nprograms:\n  - { primacy: 1, description: bench }\nsteps:\n${steps}\n`);
  const bin = join(__dirname, '..', '..', 'bin', 'gridbridge.js');
  const proc = spawn(process.execPath, [bin, 'sim', 'sep2', '--port', '0', '--pki-dir', join(dir, 'pki'), '--scenario', join(dir, 'scenario.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const starts = new Map<string, number>();
  const started: number[] = [];
  let files: Record<'caCert' | 'clientCert' | 'clientKey', string> | undefined;
  let url = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`sim sep2 exited with ${c}`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as { event: string; files?: Record<'caCert' | 'clientCert' | 'clientKey', string>; url?: string; mRID?: string; start?: number; path?: string; at?: number; value?: { subject: string; status: number } };
      if (m.event === 'pki') files = m.files;
      else if (m.event === 'control') starts.set(m.mRID!, m.start! * 1000);
      else if (m.event === 'listening') {
        url = m.url!;
        resolve();
      } else if (m.event === 'request' && m.path === '/rsp' && m.value?.status === 2) {
        const st = starts.get(m.value.subject);
        if (st !== undefined) started.push(m.at! - st);
      }
    });
  });
  await ready;
  const f = files!;
  const setpoint: number[] = [];
  const clients: Sep2Client[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const client = new Sep2Client({
      dcapUrl: url,
      clock: systemClock,
      cert: readFileSync(f.clientCert, 'utf8'),
      key: readFileSync(f.clientKey, 'utf8'),
      ca: readFileSync(f.caCert, 'utf8'),
      device: 'bat',
      ratings: { maxW: 5000, maxChargeRateW: 5000, maxDischargeRateW: 5000, maxWh: 13500 },
      statusSeconds: 60,
      minPollSeconds: 1,
    });
    const seen = new Set<string>();
    client.on('controls', (e: { intents: ControlIntent[] }) => {
      const now = Date.now();
      for (const i of e.intents) {
        const mRID = i.id.split(':')[0]!;
        const st = starts.get(mRID);
        if (st === undefined || seen.has(mRID) || now < st) continue;
        seen.add(mRID);
        setpoint.push(now - st);
      }
    });
    client.start();
    clients.push(client);
  }
  await new Promise((r) => setTimeout(r, (LEAD_S + EVENTS + 4) * 1000));
  for (const c of clients) c.stop();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { setpoint, started, missing: CLIENTS * EVENTS - setpoint.length };
}

async function inProcess(): Promise<number[]> {
  const lat: number[] = [];
  const first = Math.ceil(Date.now() / 1000) + 2;
  const events: DERControl[] = Array.from({ length: EVENTS }, (_, i) => ({
    mRID: `E${i}`,
    creationTime: first - 10,
    EventStatus: { currentStatus: 0, dateTime: first - 10, potentiallySuperseded: false },
    interval: { start: first + i, duration: 1 },
    DERControlBase: { opModFixedW: 1000 + i },
  }));
  const scheds = Array.from({ length: CLIENTS }, () => {
    const seen = new Set<string>();
    const s = new DerControlScheduler({
      clock: systemClock,
      onChange: (st) => {
        const now = Date.now();
        for (const c of st.controls) {
          if (c.isDefault || seen.has(c.mRID)) continue;
          seen.add(c.mRID);
          lat.push(now - c.validFrom);
        }
      },
    });
    s.setPrograms([{ href: '/derp/0', primacy: 1, controls: events }]);
    return s;
  });
  await new Promise((r) => setTimeout(r, (EVENTS + 4) * 1000));
  for (const s of scheds) s.stop();
  return lat;
}

async function main(): Promise<void> {
  const https = await overHttps();
  const local = await inProcess();
  writeResult('sep2-https', {
    model: `${CLIENTS} clients × ${EVENTS} one-second DERControls; server = gridbridge sim sep2 in its own process; mTLS on loopback; pollRate 5 s`,
    controlStartToSetpointMs: { overHttps: stats(https.setpoint), inProcess: stats(local) },
    controlStartToStartedResponseAtServerMs: stats(https.started),
    missingSamples: https.missing,
    note: 'shared loaded 2-core machine; events are learnt ahead of their start, so this is scheduler timer + processing (+ one HTTPS POST for the response), not poll latency',
  });
}

void main();

/** `gridbridge sapc send --device DEV --level L --for DURATION …`: send one SSP-1 command and print the answer. */
import { emit, warn, parseCommandLine } from '../jsonl.js';
import { errorMessage } from '../../core/errors.js';
import { SerialTransport } from '../../protocols/sapc/transport.js';
import { SapcSession, SapcTimeoutError } from '../../protocols/sapc/session.js';
import { buildCommand, parseDuration, SOURCE_ALIASES } from '../../protocols/sapc/client.js';

export const summary = 'send one SAPC (SSP-1) override command on a serial port and print the ACK/NAK';

const USAGE = `usage: gridbridge sapc send --device DEV --level L --for DURATION [options]
  --device DEV        serial port (e.g. /dev/ttyUSB0, or a socat pty)
  --level L           level 0..100 (%)
  --for DURATION      window length: 90s, 15m, 2h, … (at most 48h; 24h for SSP-1 1.0 appliances)
  --baud B            baud rate (default 9600, 8N1)
  --slot N            controller slot 1..15 (default 1)
  --direction D       import | export (default import)
  --source S          lc | sup | own | agg | emg (emergency, SSP-1 1.1) (default lc)
  --start-in DURATION start later than now (default: now)
  --event-id ID       event id (default generated)
  --random-delay S    maximum random delay in seconds (default 0)
  --randomised        the random delay was already applied
  --text T            up to 64 free characters
  --ack-timeout MS    answer timeout per attempt (default 500)
  --retries N         retries after a missed answer (default 3)
  --echo              the adapter echoes what it sends (2-wire RS-485): ignore our own frames
Exit code: 0 ACK, 1 NAK, 3 no answer, 2 usage or port error.`;

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      device: { type: 'string' },
      level: { type: 'string' },
      for: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      slot: { type: 'string', default: '1' },
      direction: { type: 'string', default: 'import' },
      source: { type: 'string', default: 'lc' },
      'start-in': { type: 'string' },
      'event-id': { type: 'string' },
      'random-delay': { type: 'string', default: '0' },
      randomised: { type: 'boolean', default: false },
      text: { type: 'string' },
      'ack-timeout': { type: 'string', default: '500' },
      retries: { type: 'string', default: '3' },
      echo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  const level = Number(v.level);
  const forMs = v.for ? parseDuration(v.for) : undefined;
  const startIn = v['start-in'] ? parseDuration(v['start-in']) : 0;
  const source = SOURCE_ALIASES[(v.source ?? '').toLowerCase()];
  const problems: string[] = [];
  if (!v.device) problems.push('--device is required');
  // Out-of-range levels are sent on purpose (to test NAKs), so only syntax is checked here.
  if (v.level === undefined || !Number.isInteger(level) || level < 0) problems.push('--level must be a non-negative integer');
  if (forMs === undefined) problems.push('--for must be a duration like 90s, 15m, 2h');
  if (startIn === undefined) problems.push('--start-in must be a duration');
  if (!source) problems.push('--source must be lc, sup, own, agg or emg');
  if (v.direction !== 'import' && v.direction !== 'export') problems.push('--direction must be import or export');
  if (problems.length) {
    warn(`${problems.join('\n')}\n${USAGE}`);
    return 2;
  }
  const transport = new SerialTransport({ path: v.device!, baudRate: Number(v.baud), reconnect: false });
  try {
    await transport.open();
  } catch (e) {
    warn(`sapc send: cannot open ${v.device}: ${errorMessage(e)}`);
    return 2;
  }
  const session = new SapcSession({ write: (t) => transport.write(t), baudRate: Number(v.baud), echo: v.echo ?? false, sendHeartbeats: false, ackTimeoutMs: Number(v['ack-timeout']), retries: Number(v.retries) });
  transport.on('data', (b) => session.receive(b));
  session.on('sent', (t) => emit('sent', { frame: t.trimEnd() }));
  session.on('rxError', (e) => emit('rx_error', { reason: e.reason, offset: e.offset }));
  const now = Date.now();
  const command = buildCommand(
    {
      level,
      forMs: forMs!,
      slot: Number(v.slot),
      direction: v.direction as 'import' | 'export',
      source: source!,
      randomDelayS: Number(v['random-delay']),
      randomised: v.randomised ?? false,
      ...(startIn ? { from: now + startIn } : {}),
      ...(v['event-id'] ? { eventId: v['event-id'] } : {}),
      ...(v.text !== undefined ? { text: v.text } : {}),
    },
    now,
  );
  let code: number;
  try {
    const r = await session.request({ type: 'CMD', command });
    const { attempts, elapsedMs, ...frame } = r;
    emit('answer', { ...frame, attempts, elapsedMs: Math.round(elapsedMs) });
    code = r.type === 'ACK' ? 0 : 1;
  } catch (e) {
    emit('timeout', { message: errorMessage(e), attempts: e instanceof SapcTimeoutError ? e.attempts : undefined });
    code = 3;
  }
  session.close();
  await transport.close();
  return code;
}

/**
 * pino JSON logs for Node-RED mode: a Node-RED `logging` setting whose handler writes one JSON line per log entry
 * (level as a word, ISO time, node type/id/name when the entry comes from a node). Used by `npm start -- --log json`
 * and by the production settings template (hardware/node-red-settings.js).
 */
import pino from 'pino';

/** Node-RED's numeric levels (@node-red/util log.js). */
const LEVEL: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace', 98: 'info', 99: 'debug' };

interface NodeRedLogMsg {
  level: number;
  msg: unknown;
  type?: string;
  id?: string;
  name?: string;
  event?: string;
  [k: string]: unknown;
}

export function pinoLogging(level: string = 'info', destination: pino.DestinationStream = pino.destination(1)): Record<string, unknown> {
  const log = pino({ level, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, destination);
  return {
    console: { level: 'off', metrics: false, audit: false },
    pino: {
      level: level === 'fatal' || level === 'error' || level === 'warn' || level === 'info' || level === 'debug' || level === 'trace' ? level : 'info',
      metrics: false,
      audit: true,
      handler: () => (m: NodeRedLogMsg) => {
        const lvl = LEVEL[m.level] ?? 'info';
        const { level: _l, msg, timestamp: _t, ...rest } = m;
        const text = msg instanceof Error ? msg.message : typeof msg === 'string' ? msg : JSON.stringify(msg);
        log[lvl](m.level === 98 ? { audit: true, ...rest } : rest, text);
      },
    },
  };
}

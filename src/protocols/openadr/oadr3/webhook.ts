/**
 * The VEN side of OpenADR 3 webhooks: the callback-URL challenge and tolerant reading of notification bodies.
 *
 * Challenge (OpenADR 3.1.0 Definition, "Security / Webhooks"): before creating a subscription the VTN sends a GET to
 * the callback URL with a query parameter `echo` holding a random string; the VEN answers 200 with that value in the
 * body, and the VTN compares it. Seen in practice as well: the same GET sent to `<callbackUrl>/echo`. Both are
 * answered; the value goes back as the whole body (text/plain), exactly as sent.
 */
import type { Deviations } from './models.js';

export interface EchoAnswer {
  status: number;
  body: string;
  contentType: string;
}

/**
 * Answer a GET on the callback listener: the echo challenge at the callback path or at `<callback>/echo`.
 * `callbackPath` is the path part of the callback URL the VEN registered. Returns undefined when the request is not
 * a challenge (the caller answers 405 or 404).
 */
export function answerEchoChallenge(path: string, query: URLSearchParams, callbackPath: string, dev?: Deviations): EchoAnswer | undefined {
  const base = callbackPath.replace(/\/+$/, '') || '/';
  const clean = path.replace(/\/+$/, '') || '/';
  const atEchoPath = clean === `${base === '/' ? '' : base}/echo`;
  if (clean !== base && !atEchoPath) return undefined;
  const value = query.get('echo');
  if (value === null) {
    if (!atEchoPath) return undefined;
    return { status: 400, body: JSON.stringify({ title: 'Bad Request', status: 400, detail: 'echo challenge without an "echo" query parameter' }), contentType: 'application/json' };
  }
  if (atEchoPath) dev?.('callback check: challenge sent to <callbackUrl>/echo rather than the callback URL itself');
  return { status: 200, body: value, contentType: 'text/plain; charset=utf-8' };
}

const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rename snake_case keys to the camelCase the OpenAPI files use, where the camelCase key is not also present. */
function camelKeys(v: unknown, renamed: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => camelKeys(x, renamed));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(src)) {
    const c = k.includes('_') ? camel(k) : k;
    if (c !== k && !(c in src)) renamed.add(k);
    out[c !== k && !(c in src) ? c : k] = camelKeys(x, renamed);
  }
  return out;
}

/**
 * Bring a parsed notification body into the shape of the OpenAPI `notification` schema where the meaning is clear:
 * snake_case keys (`object_type`) renamed, `objectType` and `operation` upper-cased. Each repair is reported as a
 * deviation; anything else is left for the schema check to refuse.
 */
export function normaliseNotification(raw: unknown, dev?: Deviations): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const renamed = new Set<string>();
  const n = camelKeys(raw, renamed) as Record<string, unknown>;
  if (renamed.size) dev?.(`notification: snake_case keys ${[...renamed].sort().join(', ')} read as camelCase`);
  for (const k of ['objectType', 'operation'] as const) {
    const v = n[k];
    if (typeof v === 'string' && v !== v.toUpperCase()) {
      dev?.(`notification: ${k} "${v}" is not upper case`);
      n[k] = v.toUpperCase();
    }
  }
  return n;
}

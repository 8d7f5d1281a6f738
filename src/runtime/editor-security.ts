/**
 * Exposing the Node-RED editor safely (embedded Node-RED of `npm start`, and the production settings template
 * hardware/node-red-settings.js): bind address, adminAuth with bcrypt password hashes and two roles (admin: every
 * permission; viewer: read-only), HTTPS, and a refusal to listen beyond loopback without authentication.
 * Hashes come from `npx node-red admin hash-pw` (bcrypt, as Node-RED checks them with bcryptjs).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface EditorUser {
  username: string;
  /** bcrypt hash ($2a$/$2b$/$2y$…), never a clear password. */
  passwordHash: string;
  role: 'admin' | 'viewer';
}

export interface EditorSecurity {
  /** Address the editor listens on (default 127.0.0.1). */
  host: string;
  users?: EditorUser[];
  /** PEM files (or PEM text) of the HTTPS certificate and key. */
  tls?: { cert: string; key: string };
  /** Session lifetime in seconds (default 8 h). */
  sessionExpiryTime?: number;
  /** Beyond loopback without HTTPS: logins cross the network in clear text. Refused unless this is set. */
  allowHttp?: boolean;
  /** Failed logins from one address before it gets 429 for the rest of the window (default 5 in 15 min). */
  loginThrottle?: { maxFailures: number; windowS: number };
}

type Middleware = (req: { method?: string; path?: string; ip?: string; socket?: { remoteAddress?: string } }, res: ThrottleResponse, next: () => void) => void;
interface ThrottleResponse {
  statusCode: number;
  setHeader(name: string, value: string): void;
  end(body?: string): void;
  once(event: 'finish', fn: () => void): void;
}

/**
 * Node-RED admin middleware against password guessing: after `maxFailures` refused logins (POST /auth/token answered
 * 401/403) from one address within `windowS`, that address gets 429 with Retry-After until the window ends. A
 * successful login clears its count. Node-RED itself has no such limit.
 */
export function loginThrottle(o: { maxFailures: number; windowS: number }, now: () => number = Date.now): Middleware {
  const failures = new Map<string, { count: number; since: number }>();
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== '/auth/token') return next();
    const addr = req.ip ?? req.socket?.remoteAddress ?? '?';
    const t = now();
    let f = failures.get(addr);
    if (f && t - f.since >= o.windowS * 1000) {
      failures.delete(addr);
      f = undefined;
    }
    if (f && f.count >= o.maxFailures) {
      const wait = Math.ceil((f.since + o.windowS * 1000 - t) / 1000);
      res.statusCode = 429;
      res.setHeader('Retry-After', String(wait));
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ error: `too many failed logins from ${addr}; try again in ${wait} s` }));
    }
    res.once('finish', () => {
      if (res.statusCode === 401 || res.statusCode === 403) {
        if (failures.size > 10_000) for (const [a, e] of failures) if (t - e.since >= o.windowS * 1000) failures.delete(a);
        const e = failures.get(addr) ?? { count: 0, since: t };
        e.count++;
        failures.set(addr, e);
      } else if (res.statusCode === 200) failures.delete(addr);
    });
    next();
  };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return false;
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

function pem(v: string, what: string): string {
  if (v.includes('-----BEGIN')) return v;
  try {
    return readFileSync(v, 'utf8');
  } catch (e) {
    throw new Error(`${what}: cannot read ${v} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * Node-RED settings for the editor's exposure. Throws (with what to do) on a clear-text password, a duplicate user,
 * or a bind address beyond loopback without users, or without HTTPS unless `allowHttp`.
 */
export interface EditorSecuritySettings {
  uiHost: string;
  adminAuth?: Record<string, unknown>;
  /** The login throttle (with users): Node-RED's `httpAdminMiddleware`. */
  httpAdminMiddleware?: Middleware;
  https?: { cert: string; key: string };
}

export function editorSecuritySettings(s: EditorSecurity): EditorSecuritySettings {
  const users = s.users ?? [];
  if (!isLoopback(s.host) && users.length === 0) {
    throw new Error(
      `refusing to serve the Node-RED editor on ${s.host} without authentication: anyone on the network could change the flows ` +
        'and command devices. Give an admin user (password hash from `npx node-red admin hash-pw`) or bind to 127.0.0.1.',
    );
  }
  const seen = new Set<string>();
  for (const u of users) {
    if (!u.username) throw new Error('editor user without a name');
    if (seen.has(u.username)) throw new Error(`editor user "${u.username}" given twice`);
    seen.add(u.username);
    if (!BCRYPT.test(u.passwordHash)) throw new Error(`editor user "${u.username}": the password must be a bcrypt hash (npx node-red admin hash-pw), not clear text`);
  }
  if (!isLoopback(s.host) && !s.tls && !s.allowHttp) {
    throw new Error(
      `refusing to serve the Node-RED editor on ${s.host} over plain HTTP: logins and flows would cross the network in clear text. ` +
        'Give an HTTPS certificate and key, or allow HTTP explicitly (--allow-http, GB_ALLOW_HTTP=1) on a network you trust or behind a TLS proxy.',
    );
  }
  const out: EditorSecuritySettings = { uiHost: s.host };
  if (users.length > 0) {
    out.adminAuth = {
      type: 'credentials',
      sessionExpiryTime: s.sessionExpiryTime ?? 8 * 3600,
      users: users.map((u) => ({ username: u.username, password: u.passwordHash, permissions: u.role === 'admin' ? '*' : 'read' })),
    };
    out.httpAdminMiddleware = loginThrottle(s.loginThrottle ?? { maxFailures: 5, windowS: 15 * 60 });
  }
  if (s.tls) out.https = { cert: pem(s.tls.cert, 'HTTPS certificate'), key: pem(s.tls.key, 'HTTPS key') };
  return out;
}

/**
 * Users from the environment (systemd EnvironmentFile): GB_ADMIN_USER + GB_ADMIN_HASH, optionally GB_VIEWER_USER +
 * GB_VIEWER_HASH (read-only).
 */
export function usersFromEnv(env: NodeJS.ProcessEnv = process.env): EditorUser[] {
  const out: EditorUser[] = [];
  if (env.GB_ADMIN_USER || env.GB_ADMIN_HASH) out.push({ username: env.GB_ADMIN_USER ?? '', passwordHash: env.GB_ADMIN_HASH ?? '', role: 'admin' });
  if (env.GB_VIEWER_USER || env.GB_VIEWER_HASH) out.push({ username: env.GB_VIEWER_USER ?? '', passwordHash: env.GB_VIEWER_HASH ?? '', role: 'viewer' });
  return out;
}

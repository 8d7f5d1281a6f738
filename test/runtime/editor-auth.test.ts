import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkPackageIntoUserDir, startNodeRed } from '../../src/runtime/nodered.js';
import { editorSecuritySettings, isLoopback, loginThrottle, usersFromEnv } from '../../src/runtime/editor-security.js';
import { makeCa } from '../iec104/pki.js';

// The editor exposed with adminAuth over HTTPS: no login, no admin API; a viewer reads but cannot deploy.
const bcrypt = createRequire(require.resolve('node-red/package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };

let red: Awaited<ReturnType<typeof startNodeRed>>;
let ca: string;
const userDir = mkdtempSync(join(tmpdir(), 'gb-auth-'));

function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, red.url);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      ca,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
    }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function login(username: string, password: string, scope = ''): Promise<{ status: number; token?: string }> {
  const r = await call('POST', '/auth/token', { body: { client_id: 'node-red-admin', grant_type: 'password', scope, username, password } });
  return { status: r.status, ...(r.status === 200 ? { token: (JSON.parse(r.body) as { access_token: string }).access_token } : {}) };
}

beforeAll(async () => {
  const authority = await makeCa('GridBridge editor test CA');
  ca = authority.cert;
  const leaf = await authority.issue('localhost', 'server');
  writeFileSync(join(userDir, 'flows.json'), '[]');
  red = await startNodeRed({
    userDir, flowFile: 'flows.json', host: '127.0.0.1', port: 0, logLevel: 'fatal',
    security: {
      users: [
        { username: 'admin', passwordHash: bcrypt.hashSync('admin-pass', 8), role: 'admin' },
        { username: 'viewer', passwordHash: bcrypt.hashSync('viewer-pass', 8), role: 'viewer' },
      ],
      tls: { cert: leaf.cert, key: leaf.key },
    },
  });
}, 60000);
afterAll(async () => {
  await red?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

describe('editor security (adminAuth, HTTPS)', () => {
  it('serves HTTPS and refuses the admin API and our endpoints without login', async () => {
    expect(red.url).toMatch(/^https:\/\//);
    expect((await call('GET', '/flows')).status).toBe(401);
    expect((await call('GET', '/gridbridge/profiles')).status).toBe(401);
    expect((await call('GET', '/gridbridge/metrics')).status).toBe(401);
    expect((await call('GET', '/gridbridge/cert-files')).status).toBe(401);
    expect((await call('GET', '/gridbridge/certs/any')).status).toBe(401);
    expect(JSON.parse((await call('GET', '/gridbridge/health')).body)).toEqual({ status: 'ok' });
    expect((await login('admin', 'wrong')).status).toBe(403);
    expect((await call('GET', '/flows', { token: 'not-a-token' })).status).toBe(401);
    expect((await login('viewer', 'viewer-pass', '*')).status).not.toBe(200); // a viewer cannot ask for admin rights
  });

  it('a viewer reads flows and metrics but cannot deploy; an admin can', async () => {
    const viewer = (await login('viewer', 'viewer-pass')).token!;
    expect((await call('GET', '/flows', { token: viewer })).status).toBe(200);
    const m = await call('GET', '/gridbridge/metrics', { token: viewer });
    expect(m.status, m.body).toBe(200);
    expect(JSON.parse((await call('GET', '/gridbridge/cert-files', { token: viewer })).body)).toEqual({ dir: join(userDir, 'gridbridge-certs'), files: [] });
    expect((await call('POST', '/flows', { token: viewer, body: [] })).status).toBe(401);
    const admin = (await login('admin', 'admin-pass')).token!;
    expect((await call('POST', '/flows', { token: admin, body: [] })).status).toBe(204);
  });
});

describe('editor exposure rules', () => {
  it('refuses a bind beyond loopback without users, and clear-text passwords', () => {
    expect(() => editorSecuritySettings({ host: '0.0.0.0' })).toThrow(/refusing to serve the Node-RED editor on 0\.0\.0\.0 without authentication/);
    expect(() => editorSecuritySettings({ host: '192.168.1.5', users: [{ username: 'a', passwordHash: 'secret', role: 'admin' }] })).toThrow(/bcrypt hash/);
    expect(editorSecuritySettings({ host: '127.0.0.1' })).toEqual({ uiHost: '127.0.0.1' });
    expect([isLoopback('::1'), isLoopback('127.0.0.2'), isLoopback('localhost'), isLoopback('::'), isLoopback('10.0.0.1')]).toEqual([true, true, true, false, false]);
    const users = usersFromEnv({ GB_ADMIN_USER: 'ops', GB_ADMIN_HASH: '$2b$08$' + 'a'.repeat(53), GB_VIEWER_USER: 'noc', GB_VIEWER_HASH: '$2b$08$' + 'b'.repeat(53) });
    expect(() => editorSecuritySettings({ host: '0.0.0.0', users })).toThrow(/over plain HTTP/);
    const s = editorSecuritySettings({ host: '0.0.0.0', users, allowHttp: true });
    expect(s.adminAuth?.users).toEqual([
      { username: 'ops', password: '$2b$08$' + 'a'.repeat(53), permissions: '*' },
      { username: 'noc', password: '$2b$08$' + 'b'.repeat(53), permissions: 'read' },
    ]);
  });
});

describe('login throttle', () => {
  it('counts refused logins per address, answers 429 until the window ends, and forgets after a success', () => {
    let t = 0;
    const mw = loginThrottle({ maxFailures: 2, windowS: 60 }, () => t);
    const attempt = (ip: string, answer: number): number => {
      let finish = (): void => undefined;
      const res = { statusCode: 0, headers: {} as Record<string, string>, setHeader(n: string, v: string) { this.headers[n] = v; }, end() { /* answered by the throttle */ }, once(_e: 'finish', fn: () => void) { finish = fn; } };
      let passed = false;
      mw({ method: 'POST', path: '/auth/token', ip }, res, () => { passed = true; });
      if (!passed) return res.statusCode;
      res.statusCode = answer;
      finish();
      return answer;
    };
    expect([attempt('a', 403), attempt('a', 403), attempt('a', 200), attempt('b', 200)]).toEqual([403, 403, 429, 200]);
    t = 59_999;
    expect(attempt('a', 200)).toBe(429);
    t = 60_000;
    expect([attempt('a', 200), attempt('a', 403), attempt('a', 403), attempt('a', 403)]).toEqual([200, 403, 403, 429]);
    let other = false;
    mw({ method: 'GET', path: '/flows', ip: 'a' }, { statusCode: 0, setHeader() {}, end() {}, once() {} }, () => { other = true; });
    expect(other).toBe(true); // only the token endpoint is throttled
  });
});

describe('production settings template (hardware/node-red-settings.js)', () => {
  const load = (env: Record<string, string>): Record<string, any> => {
    const file = join(__dirname, '..', '..', 'hardware', 'node-red-settings.js');
    const saved = { ...process.env };
    Object.assign(process.env, { GB_USER_DIR: userDir, GB_CREDENTIAL_SECRET: 's3cret' }, env);
    try {
      delete require.cache[file];
      return require(file) as Record<string, any>;
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  it('refuses an exposed editor without users and builds adminAuth with admin and viewer roles (needs the build)', () => {
    linkPackageIntoUserDir(userDir);
    expect(() => load({ GB_EDITOR_HOST: '0.0.0.0' })).toThrow(/refusing to serve/);
    const logins = { GB_EDITOR_HOST: '0.0.0.0', GB_ADMIN_USER: 'ops', GB_ADMIN_HASH: bcrypt.hashSync('x', 4), GB_VIEWER_USER: 'noc', GB_VIEWER_HASH: bcrypt.hashSync('y', 4) };
    expect(() => load(logins)).toThrow(/over plain HTTP/);
    const s = load({ ...logins, GB_ALLOW_HTTP: '1', GB_CERT_DIR: '/etc/gridbridge/certs', GB_CERT_WARN_DAYS: '45' });
    expect([s.gridbridgeCertDir, s.gridbridgeCertWarnDays]).toEqual(['/etc/gridbridge/certs', 45]);
    expect(s.uiHost).toBe('0.0.0.0');
    expect(s.adminAuth.users.map((u: any) => [u.username, u.permissions])).toEqual([['ops', '*'], ['noc', 'read']]);
    expect(s.credentialSecret).toBe('s3cret');
    expect(typeof s.logging.pino.handler).toBe('function');
  });
});

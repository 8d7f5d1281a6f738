import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hashBrokerPassword } from '../../src/protocols/mqtt/broker.js';

// `gridbridge editor` as an operator runs it (separate process, real HTTP; needs the build: npm test runs it).
const root = join(__dirname, '..', '..');
const bcrypt = createRequire(require.resolve('node-red/package.json'))('bcryptjs') as { hashSync(p: string, r: number): string; compareSync(p: string, h: string): boolean };
const dir = mkdtempSync(join(tmpdir(), 'gb-editor-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function editor(args: string[]): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string; started: Promise<{ url: string }> } {
  const child = spawn(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'editor', '--user-dir', join(dir, 'ud'), '--port', '0', '--log-level', 'fatal', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GB_ADMIN_USER: '', GB_ADMIN_HASH: '', GB_VIEWER_USER: '', GB_VIEWER_HASH: '' },
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const started = new Promise<{ url: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.startsWith('{')) return; // Node-RED's own log lines
      const e = JSON.parse(l) as { event: string; url: string };
      if (e.event === 'editor') resolve(e);
    });
    void exit.then((c) => reject(new Error(`editor exited ${c}: ${err}`)));
  });
  started.catch(() => undefined);
  return { child, exit, stderr: () => err, started };
}

async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(new URL(path, base), {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  return { status: r.status, body: await r.text() };
}

describe('gridbridge editor', () => {
  it('refuses to listen beyond loopback without a login, or over plain HTTP without --allow-http', async () => {
    const noLogin = editor(['--host', '0.0.0.0', '--allow-http']);
    expect(await noLogin.exit).toBe(2);
    expect(noLogin.stderr()).toMatch(/refusing to serve the Node-RED editor on 0\.0\.0\.0 without authentication/);
    const plain = editor(['--host', '0.0.0.0', '--admin-user', 'ops', '--admin-hash', bcrypt.hashSync('x', 4)]);
    expect(await plain.exit).toBe(2);
    expect(plain.stderr()).toMatch(/over plain HTTP/);
    const clear = editor(['--admin-user', 'ops', '--admin-hash', 'hunter2']);
    expect(await clear.exit).toBe(2);
    expect(clear.stderr()).toMatch(/bcrypt hash/);
  });

  it('with logins: no token, no admin API; a viewer reads the flows but cannot deploy; an admin deploys', async () => {
    const users = join(dir, 'users.yaml');
    writeFileSync(
      users,
      `users:\n  - { username: ops, passwordHash: "${bcrypt.hashSync('ops-password', 8)}", role: admin }\n` +
        `  - { username: noc, passwordHash: "${bcrypt.hashSync('noc-password', 8)}", role: viewer }\n`,
    );
    const ed = editor(['--host', '0.0.0.0', '--allow-http', '--users', users]);
    const { url } = await ed.started;
    console.log('started', url);
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    const base = url.replace('0.0.0.0', '127.0.0.1');
    expect((await call(base, 'GET', '/flows')).status).toBe(401);
    expect((await call(base, 'POST', '/flows', { body: [] })).status).toBe(401);
    expect((await call(base, 'GET', '/gridbridge/metrics')).status).toBe(401);
    const login = async (username: string, password: string) => {
      const r = await call(base, 'POST', '/auth/token', { body: { client_id: 'node-red-admin', grant_type: 'password', scope: '', username, password } });
      return r.status === 200 ? (JSON.parse(r.body) as { access_token: string }).access_token : `status ${r.status}`;
    };
    expect(await login('ops', 'wrong')).toBe('status 403');
    const noc = await login('noc', 'noc-password');
    expect((await call(base, 'GET', '/flows', { token: noc })).status).toBe(200);
    expect((await call(base, 'POST', '/flows', { token: noc, body: [] })).status).toBe(401);
    const ops = await login('ops', 'ops-password');
    expect((await call(base, 'POST', '/flows', { token: ops, body: [] })).status).toBe(204);
    ed.child.kill('SIGINT');
    expect(await ed.exit).toBe(0);
  }, 60000);

  it('throttles password guessing: after 5 refused logins from an address, even the right password gets 429', async () => {
    const ed = editor(['--admin-user', 'ops', '--admin-hash', bcrypt.hashSync('ops-password', 4)]);
    const { url } = await ed.started;
    const login = (password: string) => call(url, 'POST', '/auth/token', { body: { client_id: 'node-red-admin', grant_type: 'password', scope: '', username: 'ops', password } });
    expect((await login('ops-password')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(`guess-${i}`)).status).toBe(403);
    const blocked = await login('ops-password');
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatch(/too many failed logins from .*; try again in \d+ s/);
    ed.child.kill('SIGINT');
    expect(await ed.exit).toBe(0);
  }, 60000);

  it('gridbridge hash-password reads the password from stdin: bcrypt for the editor, scrypt for the broker', () => {
    const hash = (args: string[], input: string) => spawnSync(process.execPath, [join(root, 'bin', 'gridbridge.js'), 'hash-password', ...args], { input, encoding: 'utf8' });
    const editorHash = hash([], 'correct horse\n').stdout.trim();
    expect(editorHash).toMatch(/^\$2[aby]\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcrypt.compareSync('correct horse', editorHash)).toBe(true);
    const brokerHash = hash(['--for', 'broker'], 'correct horse\n').stdout.trim();
    const salt = /^scrypt\$([0-9a-f]{32})\$[0-9a-f]{128}$/.exec(brokerHash)?.[1];
    expect(brokerHash).toBe(hashBrokerPassword('correct horse', salt));
    const short = hash([], 'short\n');
    expect([short.status, short.stderr]).toEqual([1, 'the password is shorter than 8 characters\n']);
  });
});

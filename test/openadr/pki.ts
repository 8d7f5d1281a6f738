/**
 * Test PKI (CA, VTN server certificate, VEN client certificates) made with the openssl CLI in a temp directory.
 * (@peculiar/x509 needs a Reflect metadata polyfill that is not installed.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}
export interface TestPki {
  ca: Pem;
  vtn: Pem;
  ven: Pem;
  other: Pem;
}

let cached: TestPki | undefined;

const CACHE = join(tmpdir(), 'gridbridge-openadr-test-pki-v1.json');

export function testPki(): TestPki {
  if (cached) return cached;
  // Test files run in separate processes: share one PKI for an hour (RSA key generation is slow on a loaded box).
  try {
    if (existsSync(CACHE) && Date.now() - statSync(CACHE).mtimeMs < 3600_000) {
      cached = JSON.parse(readFileSync(CACHE, 'utf8')) as TestPki;
      return cached;
    }
  } catch {
    // regenerate
  }
  const dir = mkdtempSync(join(tmpdir(), 'gb-oadr-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=GridBridge Test CA');
    const leaf = (name: string, cn: string, server: boolean): Pem => {
      writeFileSync(
        join(dir, `${name}.ext`),
        server ? 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' : 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n',
      );
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', '-extfile', `${name}.ext`);
      return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
    };
    cached = {
      ca: { cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') },
      vtn: leaf('vtn', 'vtn.test', true),
      ven: leaf('ven', 'ven.test', false),
      other: leaf('other', 'other.test', false),
    };
    const tmp = `${CACHE}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(cached));
    renameSync(tmp, CACHE);
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

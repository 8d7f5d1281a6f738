/**
 * A throw-away PKI for TLS tests (ECDSA P-256), made with the openssl CLI in a temp directory: @peculiar/x509 needs a
 * reflect-metadata polyfill that is not installed.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  cert: string;
  key: string;
  fingerprint256: string;
}

const dirs: string[] = [];
process.on('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export async function makeCa(name = 'GridBridge Test CA') {
  const dir = mkdtempSync(join(tmpdir(), 'gb-iec104-pki-'));
  dirs.push(dir);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const cert = readFileSync(join(dir, 'ca.pem'), 'utf8');
  let n = 0;
  return {
    cert,
    async issue(cn: string, role: 'server' | 'client'): Promise<Issued> {
      const f = `leaf${n++}`;
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${f}.key`, '-out', `${f}.csr`, '-subj', `/CN=${cn}`);
      writeFileSync(join(dir, `${f}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${role === 'server' ? 'serverAuth' : 'clientAuth'}\nsubjectAltName=IP:127.0.0.1,DNS:${cn}\n`);
      ssl('x509', '-req', '-in', `${f}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${f}.pem`, '-days', '2', '-extfile', `${f}.ext`);
      const pem = readFileSync(join(dir, `${f}.pem`), 'utf8');
      return { cert: pem, key: readFileSync(join(dir, `${f}.key`), 'utf8'), fingerprint256: new X509Certificate(pem).fingerprint256 };
    },
  };
}

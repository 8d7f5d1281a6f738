/**
 * A P-256 test PKI for the 2030.5 test server: CA, server certificate and one client (device) certificate, written
 * as PEM files into a directory. Made with the openssl CLI (@peculiar/x509 needs a reflect-metadata polyfill that
 * is not installed). Existing files are reused, so a restarted server keeps the same identities.
 * basicConstraints, keyUsage and subjectAltName are critical as the 2030.5 certificate profile asks; the EPRI
 * 2030.5 client refuses a peer certificate where they are not (found in interop, see docs/sep2.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityFromCertificate, type DeviceIdentity } from '../../protocols/sep2/identity.js';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  client: DeviceIdentity;
  files: Record<'caCert' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, ext: string, caName: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key.pem`], dir);
  openssl(['req', '-new', '-key', `${name}.key.pem`, '-subj', subject, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key.pem`, '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
}

/** Create (or load) a CA + server + client PKI in `dir`. `prefix` lets tests make an unrelated second PKI. */
export function ensureTestPki(dir: string, prefix = ''): TestPki {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => `${prefix}${n}`;
  if (!existsSync(join(dir, `${f('client')}.pem`))) {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${f('ca')}.key.pem`], dir);
    openssl(['req', '-x509', '-new', '-key', `${f('ca')}.key.pem`, '-subj', `/CN=GridBridge 2030.5 test CA${prefix ? ' ' + prefix : ''}`, '-days', '3650', '-sha256', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', `${f('ca')}.pem`], dir);
    issue(dir, f('server'), '/CN=sep2-test-server', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\nsubjectAltName=critical,DNS:localhost,IP:127.0.0.1\n', f('ca'));
    issue(dir, f('client'), '/CN=sep2-test-device', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth\n', f('ca'));
  }
  const files = {
    caCert: join(dir, `${f('ca')}.pem`),
    serverCert: join(dir, `${f('server')}.pem`),
    serverKey: join(dir, `${f('server')}.key.pem`),
    clientCert: join(dir, `${f('client')}.pem`),
    clientKey: join(dir, `${f('client')}.key.pem`),
  };
  const read = (p: string) => readFileSync(p, 'utf8');
  const clientCert = read(files.clientCert);
  return {
    dir,
    caCert: read(files.caCert),
    serverCert: read(files.serverCert),
    serverKey: read(files.serverKey),
    clientCert,
    clientKey: read(files.clientKey),
    client: identityFromCertificate(clientCert),
    files,
  };
}

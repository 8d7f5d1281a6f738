/**
 * Where an upstream's TLS material comes from in Node-RED: PEM text kept as a node credential (encrypted in the
 * flows credential file, never in flows.json), or the name of a file in the managed certificate directory
 * (default `<user dir>/gridbridge-certs`, so renewing a certificate is replacing a file there). Plain paths are
 * refused: a flow must not read arbitrary files, and keys belong in one place with tight permissions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface PemSourceOptions {
  /** The managed certificate directory. */
  dir?: string | undefined;
  /** What the value is, for messages ("MQTT client key"). */
  what: string;
  /** A private key: its file must not be readable by group or others. */
  key?: boolean;
}

/** The managed certificate directory of a Node-RED runtime (settings.gridbridgeCertDir, else in the user dir). */
export function managedCertDir(settings: Record<string, unknown> | undefined): string | undefined {
  const s = settings?.gridbridgeCertDir;
  if (typeof s === 'string' && s) return s;
  const u = settings?.userDir;
  return typeof u === 'string' && u ? join(u, 'gridbridge-certs') : undefined;
}

/** PEM text from a credential value (PEM itself, or a managed file name); undefined when empty; throws saying why. */
export function resolvePem(value: string | undefined, o: PemSourceOptions): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v.includes('-----BEGIN')) return normalizePem(v);
  if (!FILE_NAME.test(v)) {
    throw new Error(`${o.what}: give the PEM text or the name of a file in the certificate directory${o.dir ? ` ${o.dir}` : ''}, not a path ("${v}")`);
  }
  if (!o.dir) throw new Error(`${o.what}: "${v}" names a file, but there is no certificate directory (set gridbridgeCertDir in the Node-RED settings)`);
  const file = join(o.dir, v);
  let text: string;
  try {
    if (o.key && process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new Error(`the key file is readable by other users: chmod 600 ${file}`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${o.what}: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(e)}`);
  }
  if (!text.includes('-----BEGIN')) throw new Error(`${o.what}: ${file} is not PEM (no -----BEGIN line)`);
  return text;
}

/**
 * PEM blocks with their line structure back: an editor password or text input strips the newlines of a pasted PEM,
 * which OpenSSL then cannot read. Blocks with headers (encrypted keys: Proc-Type, DEK-Info) are kept as given.
 */
export function normalizePem(text: string): string {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return text;
  return blocks
    .map((m) => {
      if (m[2]!.includes(':')) return m[0].trim();
      const body = m[2]!.replace(/\s+/g, '');
      return `-----BEGIN ${m[1]}-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${m[1]}-----`;
    })
    .join('\n') + '\n';
}

/** The files of the managed directory and what each holds (certificates, a private key); never their content. */
export function listManagedFiles(dir: string | undefined): Array<{ name: string; kind: 'certificate' | 'key' | 'other' }> {
  if (!dir) return [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => FILE_NAME.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    let head = '';
    try {
      head = readFileSync(join(dir, name), 'utf8').slice(0, 4096);
    } catch {
      /* unreadable: other */
    }
    return { name, kind: /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(head) ? 'key' : /-----BEGIN CERTIFICATE-----/.test(head) ? 'certificate' : 'other' };
  });
}

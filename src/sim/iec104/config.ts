/** Shared helpers for the IEC 104 simulator and probe: load a mapping file's `iec104` block, TLS files. */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { formatPath } from '../../core/errors.js';
import { iec104MappingSchema, type Iec104Mapping } from '../../protocols/iec104/mapping.js';
import { checkTlsVersions, tlsVersion, type Iec104TlsConfig } from '../../protocols/iec104/tls.js';

export class ConfigError extends Error {}

/** Read the `iec104` block (top level or under `upstream:`) of a mapping YAML/JSON file. */
export function loadIec104Mapping(file: string): Iec104Mapping {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(`${file}: ${doc.errors[0]!.message}`);
  const root = doc.toJS() as Record<string, unknown> | null;
  const upstream = root?.upstream as Record<string, unknown> | undefined;
  const block = root?.iec104 ?? upstream?.iec104;
  const at = root?.iec104 !== undefined ? ['iec104'] : ['upstream', 'iec104'];
  if (block === undefined) throw new ConfigError(`${file}: no iec104 block (expected at iec104 or upstream.iec104)`);
  const r = iec104MappingSchema.safeParse(block);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(`${file}: ${formatPath([...at, ...(i.path as PropertyKey[])])}: ${i.message}`);
  }
  return r.data;
}

export interface TlsFlags {
  'tls-cert'?: string;
  'tls-key'?: string;
  'tls-ca'?: string;
  'tls-allow'?: string[];
  'tls-min'?: string;
  'tls-max'?: string;
}

export function tlsFromFlags(f: TlsFlags): Iec104TlsConfig | undefined {
  const any = f['tls-cert'] || f['tls-key'] || f['tls-ca'];
  if (!any) return undefined;
  if (!f['tls-cert'] || !f['tls-key'] || !f['tls-ca']) throw new ConfigError('TLS needs --tls-cert, --tls-key and --tls-ca (mutual authentication)');
  const c: Iec104TlsConfig = { cert: readFileSync(f['tls-cert']), key: readFileSync(f['tls-key']), ca: readFileSync(f['tls-ca']) };
  if (f['tls-allow']?.length) c.allowedPeers = f['tls-allow'];
  try {
    if (f['tls-min'] !== undefined) c.minVersion = tlsVersion(f['tls-min'], '--tls-min');
    if (f['tls-max'] !== undefined) c.maxVersion = tlsVersion(f['tls-max'], '--tls-max');
    checkTlsVersions(c);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  return c;
}

export const TLS_USAGE = `  --tls-cert F --tls-key F --tls-ca F   IEC 62351-3 TLS with mutual authentication (PEM files)
  --tls-allow FP      accept only this peer certificate (SHA-256 fingerprint; repeatable)
  --tls-min 1.3       require TLS 1.3 (default: 1.2 or newer)
  --tls-max 1.2       offer/accept at most TLS 1.2 (default: 1.3)`;

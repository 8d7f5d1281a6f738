/** Shapes shared by the IEC 104 nodes: config nodes expose their stack objects on these properties. */
import type { LinkState, Node } from './red.js';
import type { Iec104Client } from '../src/protocols/iec104/client.js';
import type { Iec104Mapping } from '../src/protocols/iec104/mapping.js';
import type { CommandDecision, CommandRequest, Iec104Server } from '../src/protocols/iec104/server.js';
import { checkTlsVersions, tlsVersion, type Iec104TlsConfig } from '../src/protocols/iec104/tls.js';

export interface Iec104ClientNode extends Node {
  iec104?: { client: Iec104Client; mapping?: Iec104Mapping; watch(fn: (s: LinkState, text?: string) => void): () => void };
}

/** A data node that handles commands for the addresses it claims (returns undefined for others). */
export type CommandSink = (c: CommandRequest) => Promise<CommandDecision> | CommandDecision | undefined;

export interface Iec104ServerNode extends Node {
  iec104Server?: {
    server: Iec104Server;
    mapping?: Iec104Mapping;
    addSink(s: CommandSink): () => void;
    watch(fn: (s: LinkState, text?: string) => void): () => void;
  };
}

/** "h1:2404, h2" → host list. */
export function parseHosts(text: string, defaultPort: number): Array<{ host: string; port: number }> {
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((h) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h);
      return { host: m?.[1] ?? h, port: m?.[2] ? Number(m[2]) : defaultPort };
    });
}

/** TLS settings of a config node; throws a RangeError naming the setting when a version is not 1.2/1.3. */
export function tlsFromCredentials(c: Record<string, string | undefined> | undefined, allowedPeers = '', versions: { tlsMin?: string; tlsMax?: string } = {}): Iec104TlsConfig | undefined {
  if (!c?.cert || !c.key || !c.ca) return undefined;
  const t: Iec104TlsConfig = { cert: c.cert, key: c.key, ca: c.ca };
  const allow = allowedPeers.split(/[\s,]+/).filter(Boolean);
  if (allow.length) t.allowedPeers = allow;
  if (versions.tlsMin) t.minVersion = tlsVersion(versions.tlsMin, 'TLS minimum version');
  if (versions.tlsMax) t.maxVersion = tlsVersion(versions.tlsMax, 'TLS maximum version');
  checkTlsVersions(t);
  return t;
}

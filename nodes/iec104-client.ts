/**
 * gridbridge-iec104-client (config): one IEC 104 controlling-station connection (failover across hosts, optional
 * IEC 62351-3 TLS), shared by iec104-in and iec104-command nodes. Logic lives in src/protocols/iec104/client.ts.
 */
import { showConfigError, type LinkState, type NodeAPI, type NodeDef } from './red.js';
import { parseHosts, tlsFromCredentials, type Iec104ClientNode } from './iec104-common.js';
import { errorMessage } from '../src/core/errors.js';
import { Iec104Client, type ClientOptions } from '../src/protocols/iec104/client.js';
import { clientNaming, parseIec104MappingText } from '../src/protocols/iec104/mapping.js';

interface Def extends NodeDef {
  hosts: string;
  commonAddress: string;
  interrogateOnStart: boolean;
  giPeriodS: string;
  mapping: string;
  allowedPeers: string;
  tlsMin?: string;
  tlsMax?: string;
  site: string;
}

export = function register(RED: NodeAPI): void {
  function Iec104ClientConfig(this: Iec104ClientNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    let tls;
    try {
      tls = tlsFromCredentials(node.credentials, d.allowedPeers, d);
    } catch (e) {
      return showConfigError(node, `iec104 client: ${errorMessage(e)}`, 'TLS version');
    }
    const hosts = parseHosts(d.hosts ?? '', tls ? 19998 : 2404);
    if (!hosts.length) return node.error('iec104 client: no host configured');
    const opts: ClientOptions = { hosts, ca: Number(d.commonAddress) || 1, interrogateOnStart: d.interrogateOnStart !== false };
    if (tls) opts.tls = tls;
    if (d.site) opts.site = d.site;
    let mapping;
    if (d.mapping?.trim()) {
      const r = parseIec104MappingText(d.mapping);
      if (!r.ok) return node.error(`iec104 client: mapping ${r.error}`);
      mapping = r.mapping;
      const naming = clientNaming(mapping);
      opts.naming = (ca, ioa) => naming(ca, ioa);
    }
    const client = new Iec104Client(opts);
    const watchers = new Set<(s: LinkState, text?: string) => void>();
    let last: [LinkState, string?] = ['connecting'];
    client.on('state', (s: string, reason: string) => {
      last = [s === 'up' ? 'up' : s === 'connecting' ? 'connecting' : s === 'idle' ? 'idle' : 'down', (reason ?? '').slice(0, 40)];
      watchers.forEach((w) => w(...last));
    });
    client.on('warn', (m: string) => node.log(m));
    node.iec104 = {
      client,
      ...(mapping ? { mapping } : {}),
      watch: (fn) => {
        watchers.add(fn);
        fn(...last);
        return () => watchers.delete(fn);
      },
    };
    client.connect().catch((e: unknown) => node.log(`iec104 client: ${errorMessage(e)}`));
    const period = Number(d.giPeriodS) || 0;
    const gi = period > 0 ? setInterval(() => void client.interrogate(undefined, undefined, { collect: false }), period * 1000) : undefined;
    node.on('close', (_removed, done) => {
      if (gi) clearInterval(gi);
      client.close();
      done();
    });
  }
  RED.nodes.registerType('gridbridge-iec104-client', Iec104ClientConfig, {
    credentials: { cert: { type: 'text' }, key: { type: 'password' }, ca: { type: 'text' } },
  });
};

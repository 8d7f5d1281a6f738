/**
 * gridbridge-iec104-server (config): an IEC 104 controlled station that SCADA connects to (optionally with IEC
 * 62351-3 TLS and a mapping block), shared by iec104-point and iec104-out nodes. Commands are offered to the data
 * nodes that claim their address; an unclaimed command is refused (negative ACT_CON).
 */
import { showConfigError, type LinkState, type NodeAPI, type NodeDef } from './red.js';
import { tlsFromCredentials, type CommandSink, type Iec104ServerNode } from './iec104-common.js';
import { errorMessage } from '../src/core/errors.js';
import { applyMapping, parseIec104MappingText } from '../src/protocols/iec104/mapping.js';
import { Iec104Server, type ServerOptions } from '../src/protocols/iec104/server.js';

interface Def extends NodeDef {
  port: string;
  host: string;
  commonAddresses: string;
  cyclicS: string;
  eventBuffer: string;
  maxConnections?: string;
  mapping: string;
  allowedPeers: string;
  tlsMin?: string;
  tlsMax?: string;
}

export = function register(RED: NodeAPI): void {
  function Iec104ServerConfig(this: Iec104ServerNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const d = def as Def;
    const node = this;
    let tls;
    try {
      tls = tlsFromCredentials(node.credentials, d.allowedPeers, d);
    } catch (e) {
      return showConfigError(node, `iec104 server: ${errorMessage(e)}`, 'TLS version');
    }
    const sinks = new Set<CommandSink>();
    const opts: ServerOptions = {
      port: d.port === '' || d.port === undefined ? (tls ? 19998 : 2404) : Number(d.port),
      host: d.host || '0.0.0.0',
      cyclicPeriodMs: (Number(d.cyclicS) || 0) * 1000,
      eventBuffer: d.eventBuffer === '' || d.eventBuffer === undefined ? 10_000 : Number(d.eventBuffer),
      onCommand: async (c) => {
        for (const s of sinks) {
          const r = await s(c);
          if (r !== undefined) return r;
        }
        return { accept: false, reason: 'no node handles this address' };
      },
    };
    if (d.maxConnections !== undefined && d.maxConnections !== '') {
      opts.maxConnections = Number(d.maxConnections);
      if (!Number.isInteger(opts.maxConnections) || opts.maxConnections < 0) return showConfigError(node, `iec104 server: max connections '${d.maxConnections}' is not a whole number ≥ 0`);
    }
    const cas = (d.commonAddresses ?? '').split(/[,\s]+/).filter(Boolean).map(Number);
    if (cas.length) opts.commonAddresses = cas;
    if (tls) opts.tls = tls;
    let mapping;
    if (d.mapping?.trim()) {
      const r = parseIec104MappingText(d.mapping);
      if (!r.ok) return node.error(`iec104 server: mapping ${r.error}`);
      mapping = r.mapping;
    }
    const server = new Iec104Server(opts);
    if (mapping) applyMapping(server, mapping);
    const watchers = new Set<(s: LinkState, text?: string) => void>();
    let last: [LinkState, string?] = ['connecting', 'starting'];
    const tell = () => {
      const started = server.connections().filter((c) => c.started).length;
      last = started ? ['up', `${started} SCADA connection(s)`] : ['degraded', `listening :${opts.port}, no SCADA`];
      watchers.forEach((w) => w(...last));
    };
    for (const ev of ['connection', 'state', 'disconnect']) server.on(ev, tell);
    server.on('warn', (m: string) => node.warn(m));
    server.on('disconnect', (e: { remote: string; reason: string }) => node.log(`${e.remote} disconnected: ${e.reason}`));
    node.iec104Server = {
      server,
      ...(mapping ? { mapping } : {}),
      addSink: (s) => (sinks.add(s), () => sinks.delete(s)),
      watch: (fn) => (watchers.add(fn), fn(...last), () => watchers.delete(fn)),
    };
    server.listen().then(tell, (e: unknown) => {
      last = ['down', errorMessage(e).slice(0, 40)];
      watchers.forEach((w) => w(...last));
      node.error(`iec104 server: cannot listen on ${opts.host}:${opts.port}: ${errorMessage(e)}`);
    });
    node.on('close', (_removed, done) => {
      server.close().then(done, done);
    });
  }
  RED.nodes.registerType('gridbridge-iec104-server', Iec104ServerConfig, {
    credentials: { cert: { type: 'text' }, key: { type: 'password' }, ca: { type: 'text' } },
  });
};

/**
 * The small part of the Node-RED runtime API that GridBridge nodes use, typed (Node-RED ships no types).
 * Node files stay thin: read config, wire events to a src/ object, set status, clean up on close.
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  payload?: unknown;
  topic?: string;
  _msgid?: string;
  [key: string]: unknown;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface Node {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: 'input', fn: (msg: NodeMessage, send: (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) => void): void;
  on(event: 'close', fn: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
  status(s: NodeStatus | Record<string, never>): void;
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string | Error, m?: NodeMessage): void;
}

/** An express handler on the admin API (only what our endpoints use). */
export type AdminHandler = (
  req: { params: Record<string, string>; query: Record<string, unknown>; body?: unknown },
  res: { json(v: unknown): void; status(c: number): { json(v: unknown): void } },
  next: () => void,
) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: Node, def: NodeDef): void;
    getNode(id: string): Node | null;
    registerType(
      type: string,
      ctor: (this: Node, def: NodeDef) => void,
      opts?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, unknown> },
    ): void;
  };
  httpAdmin?: {
    get(path: string, ...handlers: AdminHandler[]): void;
    post?(path: string, ...handlers: AdminHandler[]): void;
  };
  /** Admin API permissions (adminAuth): `needsPermission('gridbridge.read')` refuses users without read access. */
  auth?: { needsPermission(permission: string): AdminHandler };
  settings?: Record<string, unknown>;
}

/** Status dot helpers shared by all nodes, from a connection status. */
export type LinkState = 'connecting' | 'up' | 'degraded' | 'down' | 'idle';

export function statusFor(state: LinkState, text?: string): NodeStatus {
  switch (state) {
    case 'up':
      return { fill: 'green', shape: 'dot', text: text ?? 'connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: text ?? 'connecting' };
    case 'degraded':
      return { fill: 'yellow', shape: 'dot', text: text ?? 'degraded' };
    case 'down':
      return { fill: 'red', shape: 'ring', text: text ?? 'disconnected' };
    default:
      return { fill: 'grey', shape: 'ring', text: text ?? 'idle' };
  }
}

/** Show a configuration problem where the user looks: a red ring on the node and an error in the debug sidebar. */
export function showConfigError(node: Node, message: string, short = 'config error'): void {
  node.status({ fill: 'red', shape: 'ring', text: short.slice(0, 60) });
  node.error(message);
}

/** Middleware for our admin endpoints: with adminAuth on, only users allowed to read flows may call them. */
export function adminRead(RED: NodeAPI): Array<AdminHandler> {
  return RED.auth ? [RED.auth.needsPermission('flows.read')] : [];
}

/** Shapes shared by the SAPC nodes (config nodes expose their library objects on these properties). */
import type { Node } from './red.js';
import type { LinkState } from './red.js';
import type { Arbiter } from '../src/core/arbitration/arbiter.js';
import type { SapcSession } from '../src/protocols/sapc/session.js';
import type { SlotDispatcher } from '../src/protocols/sapc/receiver.js';
import type { SerialTransport } from '../src/protocols/sapc/transport.js';

export interface SapcPortNode extends Node {
  sapc?: { session: SapcSession; transport: SerialTransport; slots: SlotDispatcher; watch(fn: (s: LinkState, text?: string) => void): void };
}

export interface SapcArbiterNode extends Node {
  arbiter?: Arbiter;
}

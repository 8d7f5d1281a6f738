/** Shared types of the OpenADR nodes: the config node exposes its VEN and a status feed. */
import type { Node, LinkState } from './red.js';
import type { OpenadrVen } from '../src/protocols/openadr/factory.js';

export interface OpenadrVenNode extends Node {
  openadr?: {
    ven: OpenadrVen;
    watch(fn: (s: LinkState, text?: string) => void): void;
  };
}

export function linkStateOf(state: string): LinkState {
  return state === 'up' ? 'up' : state === 'degraded' ? 'degraded' : state === 'down' ? 'down' : state === 'connecting' ? 'connecting' : 'idle';
}

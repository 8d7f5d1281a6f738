/** Shapes the 2030.5 config node exposes to the nodes that use it (types only). */
import type { Node } from './red.js';
import type { Sep2Client } from '../src/protocols/sep2/client.js';

export interface Sep2ClientNode extends Node {
  client?: Sep2Client;
  configError?: string;
}

/** Runtime adapters by upstream block name. */
import type { AdapterFactory } from '../adapter.js';
import type { UpstreamName } from '../upstreams.js';
import { createMqttAdapter } from './mqtt.js';
import { createIec104Adapter } from './iec104.js';
import { createSapcAdapter } from './sapc.js';
import { createSep2Adapter } from './sep2.js';
import { createOpenadrAdapter } from './openadr.js';

export const adapterFactories: Partial<Record<UpstreamName, AdapterFactory>> = {
  mqtt: createMqttAdapter,
  iec104: createIec104Adapter,
  sapc: createSapcAdapter,
  sep2: createSep2Adapter,
  openadr: createOpenadrAdapter,
};

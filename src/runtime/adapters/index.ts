/** Runtime adapters by upstream block name. */
import type { AdapterFactory } from '../adapter.js';
import type { UpstreamName } from '../upstreams.js';
import { createMqttAdapter } from './mqtt.js';

export const adapterFactories: Partial<Record<UpstreamName, AdapterFactory>> = {
  mqtt: createMqttAdapter,
};

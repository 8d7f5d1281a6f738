/**
 * An MqttUpstream whose point messages go through a durable store-and-forward queue (src/core/store): stored before
 * publishPoints() returns, forwarded in order while the broker is up, removed on the broker's acknowledgement,
 * replayed after an outage or a restart. Used by the site runtime's MQTT adapter and the Node-RED upstream node.
 */
import { errorMessage } from '../../core/errors.js';
import type { Forwarder, StoreQueue } from '../../core/store/index.js';
import type { MqttSettings } from './mapping.js';
import { MqttUpstream, type MqttMessage, type MqttUpstreamOptions } from './upstream.js';

export interface StoredMqttUpstream {
  up: MqttUpstream;
  forwarder: Forwarder<MqttMessage>;
  /** Stop forwarding, then stop the upstream (what is not confirmed stays in the store). */
  stop(): Promise<void>;
}

export function storedMqttUpstream(
  settings: MqttSettings,
  opts: Omit<MqttUpstreamOptions, 'store'>,
  queue: StoreQueue<MqttMessage>,
  forwarder: (queue: StoreQueue<MqttMessage>, send: (m: MqttMessage) => Promise<boolean>) => Forwarder<MqttMessage>,
  warn: (message: string) => void,
): StoredMqttUpstream {
  const store = (batch: MqttMessage[]): void => {
    try {
      queue.append(batch);
    } catch (e) {
      warn(`store: ${batch.length} point message(s) could not be stored and are lost: ${errorMessage(e)}`);
    }
  };
  const up = new MqttUpstream(settings, { ...opts, store });
  const fwd = forwarder(queue, (m) => up.deliver(m));
  if (settings.qos === 0) warn('qos 0: the broker does not acknowledge messages, so a point is removed from the store once written to the socket (use qos 1 for at-least-once)');
  up.on('status', (s) => fwd.online(s.state === 'up'));
  return {
    up,
    forwarder: fwd,
    stop: () => {
      fwd.stop();
      return up.stop();
    },
  };
}

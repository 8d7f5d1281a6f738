/** MQTT upstream stack: publish Points to a broker, take commands from `…/set`, embedded aedes broker helper. */
export { MqttUpstream, redactUrl } from './upstream.js';
export { storedMqttUpstream } from './durable.js';
export type { StoredMqttUpstream } from './durable.js';
export { CommandDispatcher, MAX_PENDING_COMMANDS } from './commands.js';
export type { CommandAnswer, CommandDispatcherDeps } from './commands.js';
export type { MqttCommand, CommandOutcome, CommandHandler, MqttStats, MqttStatus, MqttLinkState, PublishReport, MqttUpstreamEvents, MqttUpstreamOptions, MqttMessage } from './upstream.js';
export { mqttUpstreamSchema, mqttPointSelectorSchema, mqttTlsSchema, mqttCommandsSchema, resolveMqttSettings, mqttSettings, MqttConfigError } from './mapping.js';
export type { MqttUpstreamBlock, MqttUpstreamBlockInput, MqttSettings, MqttCommandSettings, MqttPointSelector, ResolveContext } from './mapping.js';
export { TopicTemplate, TopicTemplateError, topicMatches } from './topic.js';
export { encodePointPayload, decodePointPayload, parseCommandPayload, encodeCommandResult, CommandError } from './codec.js';
export type { CommandPayload, CommandResultJson } from './codec.js';
export { BoundedBuffer } from './buffer.js';
export { ReportByException } from './exception.js';
export type { ExceptionRule } from './exception.js';
export { startEmbeddedBroker } from './broker.js';
export type { EmbeddedBroker, EmbeddedBrokerOptions } from './broker.js';

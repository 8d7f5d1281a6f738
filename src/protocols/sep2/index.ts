/** IEEE 2030.5 / CSIP stack: public API for src/runtime, the CLI, the simulator and the nodes. */
export { Sep2Client, clientOptionsFromMapping, type Sep2ClientOptions, type Ratings, type ClientState } from './client.js';
export { DerControlScheduler, CONTROL_MODES, type ControlMode, type ModeControl, type ProgramSnapshot, type ResponseToSend, type ScheduleState } from './scheduler.js';
export { controlsToIntents, DEFAULT_MODE_TARGETS, type IntentContext } from './controls.js';
export { TelemetryBuffer, mirrorUsagePointFor, type TelemetryPoint, type Quantity } from './telemetry.js';
export { Sep2Http, Sep2HttpError, SEP2_CIPHERS, CCM8_CIPHER, type TlsMaterial } from './http.js';
export { identityFromCertificate, lfdiFromCertificate, lfdiFromDer, sfdiFromLfdi, type DeviceIdentity } from './identity.js';
export { Sep2MappingSchema, type Sep2Mapping } from './mapping.js';
export { RESOURCES } from './resources.js';
export { Sep2XmlError, SEP2_NS, SEP2_LEGACY_NS, SEP2_CONTENT_TYPE, parseXmlTree, type SerializeOptions } from './xml.js';

/** IEC 60870-5-104 stack: codec, link layer, controlling station (client), controlled station (server), TLS, mapping. */
export * from './constants.js';
export * from './cp56time.js';
export * from './quality.js';
export * from './apci.js';
export * from './asdu.js';
export * from './codec.js';
export * from './link.js';
export * from './store.js';
export * from './points.js';
export * from './tls.js';
export * from './client.js';
export * from './server.js';
export * from './mapping.js';
export * from './requests.js';
export * from './table.js';

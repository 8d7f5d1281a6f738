export * from './models.js';
export * from './decode.js';

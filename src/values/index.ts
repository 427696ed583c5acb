export * from './value.js';
export * from './order.js';
export * from './fingerprint.js';
export * from './format.js';
export * from './diff.js';

export * from './discover.js';
export * from './expectations.js';

export * from './crc32c-native.js';
export * from './file-source.js';
export * from './atomic.js';
export * from './python.js';

// The shared contract: everything that crosses a boundary between extension, server, CLI and UI.
export * from './scenario.js';
export * from './summary.js';
export * from './parse.js';
export * from './api.js';
export * from './events.js';
export * from './plan.js';
export * from './never.js';

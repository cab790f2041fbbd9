import './to-options.js';

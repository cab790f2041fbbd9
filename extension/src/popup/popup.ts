import './to-popup.js';

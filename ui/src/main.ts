// The dashboard's entry: registers every element; <to-app> routes by the URL hash.
import './to-app.js';

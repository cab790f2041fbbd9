import { defineConfig } from 'vite';

// Built into ui/dist and served by `turnout serve`; `vite` alone proxies the API for development.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:4000', '/socket.io': { target: 'ws://127.0.0.1:4000', ws: true }, '/artifacts': 'http://127.0.0.1:4000' } },
});
